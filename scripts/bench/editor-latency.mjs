#!/usr/bin/env node
// Editor-level latency: NextToken installed from the .vsix in code-server (VS Code with a Node
// extension host), driven by playwright-core through Debian's Chromium. Prints figures; asserts
// nothing (BENCHMARKS.md has the numbers and this command).
//
//   npm run bench:editor [-- --file src/core/stats.ts] [--chars N] [--gap 150] [--wait 2500]
//                        [--threshold 0|eager|balanced|conservative] [--compute-ahead on|off] [--vsix FILE] [--json FILE] [--verbose]
//
// 1. Activation → first suggestion: the workbench opens test/e2e/fixtures/sample.ts with the cursor
//    at the end of its `return` line; as soon as the extension logs its activation the harness types
//    there, and the time from the activation (the log line's timestamp) to ghost text in the DOM is
//    the figure (the harness's own delay before its first key is printed beside it).
// 2. Keystroke → ghost text: a real source file (--file) is typed key by key into a new empty
//    editor, one key at least every --gap ms (150 ms ≈ 80 words a minute). After each key the page
//    itself times (performance.now) the keydown and the first DOM mutation that shows ghost text on
//    the line as typed so far (`.ghost-text-decoration`, or the multi-line preview); a key with no
//    ghost text within --wait ms counts as "no ghost text". Keys where VS Code kept showing the
//    suggestion the user is typing into are counted apart from keys answered by a new request.
//
// The editor settings make typing reproduce the file exactly: no auto-indent, no auto-closing,
// no suggest widget. --threshold 0 (the default) shows every suggestion the model makes, as the
// e2e runs do: the gate decides what is shown, not how fast.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ROOT, SCENARIO, activeEditor, gotoLineEnd, openFile, parseArgs, waitForWorkbench } from '../../test/e2e/workbench.mjs';
import { findVsix, startDesktopWorkbench, waitForLogFile } from '../../test/e2e/code-server.mjs';

const args = parseArgs();
const verbose = !!args.verbose;
const file = resolve(ROOT, String(args.file || 'src/core/stats.ts'));
const gapMs = Number(args.gap ?? 150);
const waitMs = Number(args.wait ?? 2500);
const threshold = args.threshold === undefined ? 0 : Number.isFinite(Number(args.threshold)) ? Number(args.threshold) : String(args.threshold);
const TYPED_FILE = 'typed.ts';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => verbose && console.log(`  ${m}`);

// Typing reproduces the file character for character (the file's own indentation is typed).
const TYPING_SETTINGS = {
  'editor.autoIndent': 'none',
  'editor.autoClosingComments': 'never', // `/**` would get ` */`
  'js/ts.suggest.jsdoc.enabled': false,
  'typescript.suggest.completeJSDocs': false,
  'editor.autoClosingDelete': 'never',
  'editor.autoClosingOvertype': 'never',
  'editor.autoSurround': 'never',
  'editor.formatOnType': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.inlineSuggest.minShowDelay': 0,
  'nexttoken.suggestionThreshold': threshold,
  'nexttoken.computeAhead': args['compute-ahead'] !== 'off',
};

/** The p-th percentile (nearest rank). */
function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '—');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** A LogOutputChannel line's timestamp ("2026-12-02 10:15:01.234 [info] …", local time) in ms since the epoch. */
function logTime(line) {
  const m = line.match(/(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/);
  if (!m) throw new Error(`no timestamp in ${JSON.stringify(line)}`);
  const [y, mo, d, h, mi, s, milli] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, milli).getTime();
}

/**
 * Installs the in-page probe on the active editor: keydown times, and every change of the ghost
 * text shown (its text and the document line it sits on), timed with performance.now().
 */
function installProbe(page) {
  return activeEditor(page).evaluate((root) => {
    const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ');
    const probe = { keys: [], ghosts: [], last: '', waiters: [] };
    const read = () => {
      const inline = [...root.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview')];
      const block = [...root.querySelectorAll('.suggest-preview-text .view-line, .ghost-text .view-line')].map((e) => norm(e.textContent));
      const text = [norm(inline.map((e) => e.textContent).join('')), ...block].join('\n'); // '\nfoo': a suggestion that starts on the next line
      let line = null; // the document text of the line with the inline ghost text (null: multi-line preview only)
      const host = inline[0]?.closest('.view-line');
      if (host) {
        const copy = host.cloneNode(true);
        copy.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview').forEach((g) => g.remove());
        line = norm(copy.textContent);
      }
      return { text, line };
    };
    const matches = (g, w) => g.t > w.after && g.text && (g.line === null || g.line.trimEnd() === w.line.trimEnd());
    new root.ownerDocument.defaultView.MutationObserver(() => {
      const t = performance.now();
      const g = { t, ...read() };
      const key = `${g.text}\u0000${g.line}`;
      if (key === probe.last) return;
      probe.last = key;
      probe.ghosts.push(g);
      if (probe.ghosts.length > 200) probe.ghosts.splice(0, 100);
      probe.waiters = probe.waiters.filter((w) => (matches(g, w) ? (w.resolve(g), false) : true));
    }).observe(root, { subtree: true, childList: true, characterData: true });
    root.ownerDocument.addEventListener('keydown', () => probe.keys.push(performance.now()), true);
    /** The first ghost text after `after` on a line reading `line`, or null after `timeoutMs`. */
    probe.wait = (after, line, timeoutMs) =>
      new Promise((resolve) => {
        const found = probe.ghosts.find((g) => matches(g, { after, line }));
        if (found) return resolve(found);
        const w = { after, line, resolve };
        probe.waiters.push(w);
        setTimeout(() => {
          probe.waiters = probe.waiters.filter((x) => x !== w);
          resolve(null);
        }, timeoutMs);
      });
    probe.current = () => read().text;
    /** The document text of the cursor's line (the view line at the current-line highlight's height), without ghost text. */
    probe.cursorLine = () => {
      const top = root.querySelector('.view-overlays .current-line')?.parentElement?.style.top;
      const line = [...root.querySelectorAll('.view-lines .view-line')].find((l) => l.style.top === top);
      if (!line) return null;
      const copy = line.cloneNode(true);
      copy.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview').forEach((g) => g.remove());
      return norm(copy.textContent);
    };
    window.__nexttokenProbe = probe;
  });
}

/** Presses one character of the file; returns the keydown's performance.now() in the page. */
async function press(page, ch) {
  const before = await page.evaluate(() => window.__nexttokenProbe.keys.length);
  if (ch === '\n') await page.keyboard.press('Enter');
  else await page.keyboard.type(ch);
  return page.evaluate((n) => window.__nexttokenProbe.keys[n] ?? null, before);
}

async function firstSuggestion(page, sandbox, typeLine, pageLoaded) {
  // The sample file is open at the end of its `return` line (the URL's payload); as soon as the
  // extension has activated, type there.
  const activation = await waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 180000, 50);
  const activatedAt = logTime(readLogLine(sandbox, activation));
  await activeEditor(page).waitFor({ state: 'visible', timeout: 60000 });
  // The payload put the cursor there; if the editor does not have the focus, go there by hand.
  if (!(await activeEditor(page).evaluate((root) => root.contains(root.ownerDocument.activeElement)))) await gotoLineEnd(page, typeLine);
  await installProbe(page);
  const line = readFileSync(join(ROOT, 'test/e2e/fixtures', SCENARIO.sampleFile), 'utf8').split('\n')[typeLine - 1];
  const typedAt = Date.now();
  const keyT = await (async () => {
    let t;
    for (const ch of SCENARIO.typeText) t = await press(page, ch);
    return t;
  })();
  const ghost = await page.evaluate(([after, l, wait]) => window.__nexttokenProbe.wait(after, l, wait), [keyT ?? 0, line + SCENARIO.typeText, 120000]);
  if (!ghost) throw new Error('no ghost text within 120 s of the first keystroke');
  const origin = await page.evaluate(() => performance.timeOrigin);
  const ghostAt = origin + ghost.t;
  return {
    pageToActivationMs: activatedAt - pageLoaded,
    activationToFirstKeyMs: typedAt - activatedAt,
    firstKeyToGhostMs: ghost.t - keyT,
    activationToGhostMs: ghostAt - activatedAt,
    ghost: ghost.text,
  };
}

/** The whole log line (with its timestamp) that waitForLogFile matched. */
function readLogLine(sandbox, found) {
  const rel = found.match(/ \((logs\/.*)\)$/)?.[1];
  const text = readFileSync(join(sandbox.dirs.userData, rel), 'utf8');
  return text.split('\n').find((l) => SCENARIO.activatedLog.test(l));
}

async function typeFile(page, source) {
  let shots = Number(args.shots ?? 0); // --shots N: a screenshot (test-results/) of the first N keys without ghost text
  const keys = [];
  let typed = '';
  let lastKey = 0;
  for (const ch of source) {
    const wait = lastKey + gapMs - Date.now();
    if (wait > 0) await sleep(wait);
    lastKey = Date.now();
    const { before, cursorLine } = await page.evaluate(() => ({ before: window.__nexttokenProbe.current(), cursorLine: window.__nexttokenProbe.cursorLine() }));
    const expected = typed.slice(typed.lastIndexOf('\n') + 1);
    if (cursorLine !== null && cursorLine.trimEnd() !== expected.trimEnd()) {
      throw new Error(`the editor's line reads ${JSON.stringify(cursorLine)} where ${JSON.stringify(expected)} was typed: an editor feature changed the typing (see TYPING_SETTINGS)`);
    }
    const keyT = await press(page, ch);
    typed += ch;
    const line = typed.slice(typed.lastIndexOf('\n') + 1);
    if (keyT === null) {
      keys.push({ ch, missing: true });
      continue;
    }
    const ghost = await page.evaluate(([after, l, w]) => window.__nexttokenProbe.wait(after, l, w), [keyT, line, waitMs]);
    // Typed into: VS Code shortened the suggestion already shown instead of asking again.
    const typedInto = !!ghost && before.length > 1 && before.startsWith(ch) && ghost.text === before.slice(1);
    // The extension's own time for the request (the pipeline's total, which the status bar shows),
    // to split a new suggestion's latency into NextToken's part and the editor's (debounce, IPC, rendering).
    const providerMs = ghost && !typedInto ? await page.evaluate(() => {
      const item = [...document.querySelectorAll('.statusbar-item')].find((e) => /NextToken/.test(e.textContent ?? ''));
      const m = (item?.textContent ?? '').match(/· (\d+) ms · \d+ tok\/s/);
      return m ? Number(m[1]) : null;
    }) : null;
    keys.push({ ch, ms: ghost ? ghost.t - keyT : null, typedInto, providerMs });
    if (!ghost && shots > 0 && shots--) await page.screenshot({ path: join(ROOT, 'test-results', `bench-no-ghost-${keys.length}.png`) });
    if (verbose) {
      const last = ghost ? undefined : await page.evaluate(() => window.__nexttokenProbe.ghosts.at(-1));
      log(`${JSON.stringify(ch)} ${ghost ? `${(ghost.t - keyT).toFixed(0)} ms${typedInto ? ' (typed into)' : ''} ${JSON.stringify(ghost.text.slice(0, 40))}` : `no ghost text (last seen: ${JSON.stringify(last?.text.slice(0, 40))} on ${JSON.stringify(last?.line)})`}`);
    }
  }
  return { keys, typed };
}

function summarize(keys) {
  const shown = keys.filter((k) => k.ms !== null && k.ms !== undefined);
  const fresh = shown.filter((k) => !k.typedInto);
  const into = shown.filter((k) => k.typedInto);
  const row = (list) => ({ n: list.length, p50: percentile(list.map((k) => k.ms), 50), p95: percentile(list.map((k) => k.ms), 95), max: Math.max(...list.map((k) => k.ms)) });
  const provider = fresh.map((k) => k.providerMs).filter((x) => x !== null && x !== undefined);
  return {
    keystrokes: keys.length,
    withGhost: shown.length,
    noGhost: keys.filter((k) => k.ms === null).length,
    missingKeydown: keys.filter((k) => k.missing).length,
    all: row(shown),
    fresh: row(fresh),
    typedInto: row(into),
    providerFresh: { n: provider.length, p50: percentile(provider, 50), p95: percentile(provider, 95) },
  };
}

async function main() {
  const t0 = Date.now();
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const cutAt = args.chars ? Number(args.chars) : Infinity;
  const source = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').replace(/\t/g, '  ').slice(0, cutAt).replace(/\n+$/, '');
  const loadBefore = load();
  console.log(`editor-latency: ${cpus().length} cores, load average ${loadBefore}; typing ${relative(ROOT, file)} (${[...source].length} keystrokes, a key at most every ${gapMs} ms), gate threshold ${JSON.stringify(threshold)}, compute ahead ${TYPING_SETTINGS["nexttoken.computeAhead"] ? "on" : "off"}`);

  const workbench = await startDesktopWorkbench({ name: 'bench', vsix: findVsix(args.vsix), workspaceSettings: TYPING_SETTINGS, userSettings: TYPING_SETTINGS, port: args.port, log });
  const { page, sandbox, workspace } = workbench;
  writeFileSync(join(workspace, TYPED_FILE), '');
  const lines = readFileSync(join(workspace, SCENARIO.sampleFile), 'utf8').split('\n');
  const typeLine = lines.findIndex((l) => SCENARIO.typeAtLine.test(l)) + 1;
  let result;
  try {
    // Open the sample file at the end of the line to type at (code-server's payload, as scripts/start.mjs does).
    const { host, port } = new URL(workbench.url);
    const at = `vscode-remote://${host}${join(workspace, SCENARIO.sampleFile)}:${typeLine}:${lines[typeLine - 1].length + 1}`;
    const url = `${workbench.url}&payload=${encodeURIComponent(JSON.stringify([['openFile', at], ['gotoLineMode', 'true']]))}`;
    log(`port ${port}: ${url}`);
    const pageLoaded = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    const first = await firstSuggestion(page, sandbox, typeLine, pageLoaded);
    console.log(`activation → first suggestion: ${ms(first.activationToGhostMs)} (page load → activation ${ms(first.pageToActivationMs)}; the harness typed ${ms(first.activationToFirstKeyMs)} after activation; first key → ghost text ${ms(first.firstKeyToGhostMs)}: ${JSON.stringify(first.ghost.slice(0, 40))})`);

    await waitForWorkbench(page);
    await page.keyboard.press('Escape');
    await openFile(page, TYPED_FILE);
    await activeEditor(page).locator('.view-lines').click();
    await installProbe(page);
    const typing = await typeFile(page, source);
    const s = summarize(typing.keys);
    result = { file: relative(ROOT, file), gapMs, waitMs, threshold, cores: cpus().length, loadBefore, loadAfter: load(), first, ...s };
    console.log(`keystroke → ghost text, ${s.keystrokes} keystrokes (${s.withGhost} showed ghost text within ${waitMs} ms, ${s.noGhost} none${s.missingKeydown ? `, ${s.missingKeydown} without a keydown` : ''}):`);
    console.log(`  all keys with ghost text   p50 ${ms(s.all.p50)}  p95 ${ms(s.all.p95)}  max ${ms(s.all.max)}  (n=${s.all.n})`);
    console.log(`  new suggestion (a request) p50 ${ms(s.fresh.p50)}  p95 ${ms(s.fresh.p95)}  max ${ms(s.fresh.max)}  (n=${s.fresh.n})`);
    console.log(`  typed into the suggestion  p50 ${ms(s.typedInto.p50)}  p95 ${ms(s.typedInto.p95)}  max ${ms(s.typedInto.max)}  (n=${s.typedInto.n})`);
    console.log(`  of a new suggestion, NextToken's own time (status bar: the pipeline's total) p50 ${ms(s.providerFresh.p50)}  p95 ${ms(s.providerFresh.p95)}  (n=${s.providerFresh.n})`);
    console.log(`load average before ${loadBefore}, after ${result.loadAfter}; ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
    if (args.json) writeFileSync(String(args.json), JSON.stringify({ ...result, keys: typing.keys }, null, 2));
  } finally {
    await workbench.close({ keep: !!args.keep });
  }
}

main().catch((e) => {
  console.error(`editor-latency: ${e.stack || e}`);
  process.exit(1);
});
