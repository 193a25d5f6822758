// Shared pieces of the end-to-end harnesses: launching Debian's Chromium through playwright-core,
// driving a VS Code workbench (code-server or @vscode/test-web), and the NextToken scenarios.
// Both harnesses (desktop.e2e.mjs, web.e2e.mjs) call runScenarios() with their own page.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const E2E_DIR = join(ROOT, '.e2e');
export const FIXTURE = join(ROOT, 'test/e2e/fixtures/sample.ts');

// What the scenarios expect from the extension. Everything NextToken-specific lives here.
export const SCENARIO = {
  channel: 'NextToken', // LogOutputChannel name
  activatedLog: /NextToken activated[^\n]*/, // activation log line
  sampleFile: 'sample.ts',
  typeAtLine: /^\s*return$/, // first line of sample.ts matching this gets typed at (at its end)
  typeText: ' a', // text typed there
  ghostText: /\S/, // what the ghost text must match (the model's text; non-empty by default)
  explainCommand: 'NextToken: Explain Next Token',
  panelText: /\S{3,}/, // what the panel's webview must show after the explain command
  panelPending: /Loading the model/i, // while the panel shows this, keep waiting
  panelSelector: '.cand[data-prob]', // the panel must contain this (candidate rows with exact probabilities)
  panelError: /could not run|\berror\b/i, // ...and must not show
  toggleCommand: 'NextToken: Toggle Completions',
  typeAfterToggle: ' +',
  toggleOffLog: /completions off/, // logged once the toggle took effect (null: don't check)
  noGhostWaitMs: 4000,
  backendLog: /\[info\] backend (\w+)/, // the log line naming the inference backend chosen
  lensCell: '#section-layers button.lens-cell[data-layer]', // the logit lens grid's cells (a model with the lens)
  lensLayerClicked: 2, // the layer whose cell the lens step clicks
};

// Settings put into the workspace's .vscode/settings.json (both hosts) and, for code-server,
// the user settings. They keep popups out of the way so Tab goes to the inline suggestion.
export const WORKSPACE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'editor.inlineSuggest.enabled': true,
  'nexttoken.suggestionThreshold': 0, // show every suggestion: the scenarios test the editor path, not the gate
  // Single-file requests, so that the panel can be compared with `explain --json` on the saved file:
  // repository context and language-server guidance (issue 14) have their own harness, crossfile.e2e.mjs.
  'nexttoken.context.enabled': false,
  'nexttoken.languageServer.enabled': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.parameterHints.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.hover.enabled': false,
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

// Application-scope settings: only valid as user settings (code-server's user-data-dir).
export const USER_SETTINGS = {
  ...WORKSPACE_SETTINGS,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--password-store=basic',
  '--use-mock-keychain',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2);
    if (v !== undefined) out[k] = v;
    else if (argv[i + 1] && !argv[i + 1].startsWith('--')) out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}

export function freePort(preferred = 0) {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', (e) => (preferred ? freePort(0).then(res, rej) : rej(e)));
    s.listen(preferred, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `nexttoken-${prefix}-`));
}

/** A throwaway workspace folder with the sample file and the workspace settings. */
export function makeWorkspace(dir, extraSettings = {}) {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  cpSync(FIXTURE, join(dir, SCENARIO.sampleFile));
  writeFileSync(join(dir, '.vscode/settings.json'), JSON.stringify({ ...WORKSPACE_SETTINGS, ...extraSettings }, null, 2));
  return dir;
}

export async function waitForHttp(url, timeoutMs = 60000, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`server exited while waiting for ${url}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${url}: ${last}`);
}

/** Debian's Chromium (never a downloaded one) with a new empty profile. */
export async function launchChromium({ extraArgs = [], log = () => {} } = {}) {
  const profile = tempDir('chromium-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1440, height: 900 },
    ignoreDefaultArgs: ['--enable-automation'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /NextToken|nexttoken/i.test(m.text())) log(`[console.${m.type()}] ${m.text()}`);
  });
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers

const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ');

export async function waitForWorkbench(page, timeoutMs = 120000) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar, .part.sidebar').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await sleep(1500); // let restored editors and notifications settle
}

async function quickInput(page) {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10000 });
  return widget;
}

async function closeQuickInput(page) {
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
}

/** Picks the row of the open quick input whose label is `label` (exactly, else containing it). */
async function pickRow(page, label, timeoutMs = 10000) {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const n = await rows.count();
    let partial = -1;
    for (let i = 0; i < n; i++) {
      const text = norm(await rows.nth(i).locator('.label-name, .monaco-highlighted-label').first().textContent().catch(() => ''));
      const aria = norm(await rows.nth(i).getAttribute('aria-label').catch(() => ''));
      if (text.trim() === label || aria.trim() === label || aria.startsWith(label + ',')) {
        await rows.nth(i).click();
        return true;
      }
      if (partial < 0 && (text.includes(label) || aria.includes(label))) partial = i;
    }
    if (partial >= 0) {
      await rows.nth(partial).click();
      return true;
    }
    await sleep(200);
  }
  return false;
}

/** Runs a command from the command palette by its title ("Category: Title"). */
export async function runCommand(page, title, { timeoutMs = 15000 } = {}) {
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  const widget = await quickInput(page);
  const input = widget.locator('input.input');
  await input.fill('>' + title);
  if (!(await pickRow(page, title, timeoutMs))) {
    const rows = await widget.locator('.monaco-list-row').allTextContents();
    await closeQuickInput(page);
    throw new Error(`command "${title}" not found in the palette (rows: ${JSON.stringify(rows.slice(0, 5))})`);
  }
  await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}

/** Opens a file of the workspace through Quick Open and waits for its editor. */
export async function openFile(page, name) {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  const widget = await quickInput(page);
  await widget.locator('input.input').fill(name);
  if (!(await pickRow(page, name, 10000))) {
    // File search is not available in every host (the test-web file system has no search
    // provider in every build): fall back to the Explorer.
    await closeQuickInput(page);
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"], .explorer-folders-view .monaco-list-row:has(.label-name:text-is("${name}"))`).first();
    await row.waitFor({ state: 'visible', timeout: 15000 }).catch(() => {
      throw new Error(`neither Quick Open nor the Explorer lists ${name}`);
    });
    await row.dblclick();
  }
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"], .tabs-container .tab.active:has-text("${name}")`).first().waitFor({ timeout: 15000 });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible' });
}

export function activeEditor(page) {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/** Text of the active editor's visible lines (the sample is short enough to be all visible). */
export async function editorText(page) {
  const lines = await activeEditor(page).locator('.view-lines .view-line').evaluateAll((els) =>
    els
      .map((el) => {
        // ghost text is rendered inside the line: leave it out, we want the document's text
        const copy = el.cloneNode(true);
        copy.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text').forEach((g) => g.remove());
        return { top: parseFloat(el.style.top || '0'), text: copy.textContent };
      })
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text)
  );
  return norm(lines.join('\n'));
}

export async function gotoLineEnd(page, line) {
  await activeEditor(page).locator('.view-lines').click();
  await page.keyboard.press('Control+G');
  const widget = await quickInput(page);
  await widget.locator('input.input').fill(`:${line}`);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  await page.keyboard.press('End');
}

/** Ghost text currently shown in the active editor ('' when none). */
export async function ghostText(page) {
  const ed = activeEditor(page);
  const inline = await ed.locator('.ghost-text-decoration, .ghost-text-decoration-preview').allTextContents();
  // Lines after the first: `.suggest-preview-text .view-line` in VS Code ≥ 1.9x, `.ghost-text .view-line` before.
  const block = await ed.locator('.suggest-preview-text .view-line, .ghost-text .view-line').allTextContents().catch(() => []);
  return norm([inline.join(''), ...block].filter(Boolean).join('\n'));
}

export async function waitForGhostText(page, timeoutMs = 30000) {
  await activeEditor(page).locator('.ghost-text-decoration').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await sleep(300); // let a streamed suggestion finish rendering
  return ghostText(page);
}

/** Shows an output channel in the Output panel; returns false while it does not exist yet. */
export async function showOutputChannel(page, channel) {
  await runCommand(page, 'Output: Show Output Channels...');
  const widget = await quickInput(page);
  const ok = await pickRow(page, channel, 3000);
  if (!ok) await closeQuickInput(page);
  await widget.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
  return ok;
}

export async function outputPanelText(page) {
  const lines = await page
    .locator('.part.panel .monaco-editor .view-lines .view-line')
    .evaluateAll((els) => els.map((el) => ({ top: parseFloat(el.style.top || '0'), text: el.textContent })).sort((a, b) => a.top - b.top).map((l) => l.text));
  return norm(lines.join('\n'));
}

/** Waits until `re` appears in the given output channel (read from the Output panel). */
export async function waitForOutputLine(page, channel, re, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  let shown = false;
  while (Date.now() < deadline) {
    // right after startup the Output commands may not be registered yet: keep trying
    if (!shown) shown = await showOutputChannel(page, channel).catch(async () => (await closeQuickInput(page), false));
    if (shown) {
      const m = (await outputPanelText(page)).match(re);
      if (m) return m[0];
    }
    await sleep(1000);
  }
  throw new Error(`"${re}" did not appear in output channel ${channel}${shown ? '' : ' (channel never appeared)'}`);
}

export async function closePanel(page) {
  if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel').catch(() => {});
}

/** Text of the body of the first webview that contains `re` (iframe.webview → iframe#active-frame). */
/** The inner document of the i-th webview: iframe.webview → iframe#active-frame. */
export function webviewBody(page, i = 0) {
  return page.frameLocator('iframe.webview').nth(i).frameLocator('iframe#active-frame').locator('body');
}

/**
 * Waits for a webview whose text matches `re` (and not `pending`) and, when given, that contains
 * an element matching `selector`; returns its text.
 */
export async function waitForWebviewText(page, re, timeoutMs = 30000, pending = null, selector = null) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const n = await page.locator('iframe.webview').count();
    for (let i = 0; i < n; i++) {
      const body = webviewBody(page, i);
      const text = norm(await body.innerText({ timeout: 1000 }).catch(() => ''));
      if (text) last = text;
      if (!text || !re.test(text) || (pending && pending.test(text))) continue;
      if (selector && !(await body.locator(selector).count().catch(() => 0))) continue;
      return text;
    }
    await sleep(500);
  }
  throw new Error(`no webview showed ${re}${selector ? ` with ${selector}` : ''}; last webview text: ${JSON.stringify(last.slice(0, 300))}`);
}

// ---------------------------------------------------------------------------------------------
// Scenario runner

export class Reporter {
  constructor(harness, { page, outDir }) {
    this.harness = harness;
    this.page = page;
    this.outDir = outDir ?? join(ROOT, 'test-results/e2e', harness);
    rmSync(this.outDir, { recursive: true, force: true });
    mkdirSync(this.outDir, { recursive: true });
    this.results = [];
    this.n = 0;
    this.aborted = null;
  }

  async shot(name) {
    const file = join(this.outDir, `${String(++this.n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await this.page.screenshot({ path: file, timeout: 15000 }).catch((e) => console.log(`  (screenshot failed: ${e.message})`));
    return file;
  }

  /** Runs one scenario step; prints PASS/FAIL; a failed `critical` step skips the rest. */
  async step(name, fn, { critical = false } = {}) {
    if (this.aborted) {
      this.results.push({ name, ok: false });
      console.log(`FAIL ${this.harness}: ${name} (skipped: ${this.aborted} failed)`);
      return undefined;
    }
    const t0 = Date.now();
    try {
      const detail = await fn();
      await this.shot(name);
      this.results.push({ name, ok: true });
      console.log(`PASS ${this.harness}: ${name}${detail ? ` — ${detail}` : ''} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      return detail;
    } catch (e) {
      await this.shot(`${name}-FAILED`);
      this.results.push({ name, ok: false });
      console.log(`FAIL ${this.harness}: ${name} — ${String(e.message).split('\n')[0]} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      if (critical) this.aborted = name;
      return undefined;
    }
  }

  summary() {
    const passed = this.results.filter((r) => r.ok).length;
    const failed = this.results.length - passed;
    console.log(`${this.harness}: ${passed} passed, ${failed} failed (screenshots in ${this.outDir})`);
    return failed;
  }
}

/** The body of the webview that shows NextToken's candidate rows. */
async function panelBody(page) {
  const n = await page.locator('iframe.webview').count();
  for (let i = 0; i < n; i++) {
    const body = webviewBody(page, i);
    if (await body.locator('.cand[data-prob]').count().catch(() => 0)) return body;
  }
  throw new Error('no webview with candidate rows');
}

/** The panel's record: its "Ghost text", the candidates the first shown token was picked from, and where the request was made. */
/** The cursor as the status bar shows it ("Ln 19, Col 38"). */
async function cursorPosition(page) {
  const text = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().textContent({ timeout: 5000 });
  const [, line, column] = text.match(/Ln (\d+), Col (\d+)/) ?? [];
  return { line: Number(line), column: Number(column) };
}

/**
 * Waits until the editor shows ghost text, or the panel's record for the request at the cursor
 * says the editor shows nothing there (the model's text was dropped by the suggestion rules, or
 * held back): either way the panel and the editor can then be compared. VS Code asks for a
 * suggestion on the keystroke only; when that request ends with nothing on screen and no record
 * at the cursor (it was cancelled, say, by the editor's own follow-up to the keystroke), the
 * harness asks once as a user would (Trigger Inline Suggestion) and says so in `retried`.
 */
async function ghostOrNothingShown(page, body, timeoutMs, state = {}) {
  const deadline = Date.now() + timeoutMs;
  const askAgainAt = Date.now() + Math.min(30000, timeoutMs / 3);
  let last;
  while (Date.now() < deadline) {
    const ghost = await ghostText(page).catch(() => '');
    if (ghost) return ghost;
    const panel = await panelRecord(body).catch(() => undefined);
    const at = await cursorPosition(page).catch(() => undefined);
    last = { panel: panel && { line: panel.line, column: panel.column, shown: panel.shown, request: panel.request }, cursor: at };
    if (panel && panel.shown === '' && at && at.line === panel.line && at.column === panel.column) {
      await sleep(1500); // a request still in flight for this cursor would show its text by now
      return (await ghostText(page).catch(() => '')) || '';
    }
    if (!state.retried && Date.now() > askAgainAt) {
      state.retried = true;
      await runCommand(page, 'Trigger Inline Suggestion').catch(() => {});
    }
    await sleep(500);
  }
  throw new Error(`no ghost text and no panel record at the cursor within ${timeoutMs} ms (last seen: ${JSON.stringify(last)}${state.retried ? '; asked again with Trigger Inline Suggestion' : ''})`);
}

export async function panelRecord(body) {
  const shown = await body.locator('#section-ghost .ghost-text').first().getAttribute('data-shown', { timeout: 5000 });
  const candidates = await body.locator('#section-next .cand[data-prob]').evaluateAll((rows) => rows.map((r) => ({ id: Number(r.dataset.tokenId), prob: Number(r.dataset.prob) })));
  const source = norm(await body.locator('header .source').textContent({ timeout: 5000 }));
  const [, line, column, request] = source.match(/:(\d+):(\d+) · request (\d+)/) ?? [];
  return { shown, candidates, line: Number(line), column: Number(column), request: Number(request) };
}

/** `nexttoken explain --json` for the inline request at a cursor of the saved document: the same suffix decision, healing and settings. */
function cliInlineRequest(doc, line, column, top) {
  const file = join(ROOT, 'test-results', 'e2e', `doc-${process.pid}.ts`);
  writeFileSync(file, doc);
  return cli(['explain', '--json', '--file', file, '--line', String(line), '--column', String(column), '--fim', 'midline', '--top', String(top)]);
}

/** Ghost text compared as the editor renders it: non-breaking spaces and runs of whitespace (indentation of block lines) folded. */
const sameText = (a, b) => norm(a).replace(/\s+/g, ' ').trim() === norm(b).replace(/\s+/g, ' ').trim();

/**
 * The CLI's ghost text for the same request follows the same greedy path; it may be longer or
 * shorter where the loop's time budget (1.5 s) cut one of them earlier.
 */
export function samePath(panelShown, cliResult) {
  const a = norm(panelShown).replace(/\s+/g, ' ').trim();
  const b = norm(cliResult.shown ?? '').replace(/\s+/g, ' ').trim();
  if (a === b || a.startsWith(b) || b.startsWith(a)) return;
  throw new Error(`panel ghost text ${JSON.stringify(panelShown)} vs CLI ${JSON.stringify(cliResult.shown)} (CLI stopped: ${cliResult.record?.stopReason})`);
}

/** The panel's candidates against the CLI's for the same request (ids in order, probabilities to 1e-4). */
export function compareCandidates(panel, cliResult) {
  if (!panel.candidates.length) throw new Error('the panel shows no candidates');
  panel.candidates.forEach((c, i) => {
    const want = cliResult.candidates[i];
    if (!want || c.id !== want.id || Math.abs(c.prob - want.prob) > 1e-4) throw new Error(`candidate ${i}: panel ${JSON.stringify(c)} vs CLI ${JSON.stringify(want && { id: want.id, prob: want.prob })}`);
  });
  return `${panel.candidates.length} candidates = explain --json (top ${JSON.stringify(cliResult.candidates[0].text)} p=${cliResult.candidates[0].prob.toFixed(4)})`;
}

/** Runs the product's CLI on the same bundled model the extension uses; parses its JSON. */
export function cli(args) {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args, '--model', join(ROOT, 'models/nexttoken-small')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

/** The NextToken scenarios, the same in every host. */
export async function runScenarios(rep, page, { activationLog, expectBackend, backendLabel, readDocument } = {}) {
  const S = SCENARIO;
  // The CLI runs the model on WASM. On WebGPU the kernels round differently, so where two tokens
  // are nearly tied the greedy path can part from the CLI's: there the panel is checked against the
  // editor only, and the panel-vs-CLI checks run in the WASM hosts (desktop, web-wasm).
  const againstCli = !expectBackend || !expectBackend.test('webgpu') || expectBackend.test('wasm');
  const checkAgainstCli = (panel, explain) => {
    if (!againstCli) return 'the CLI comparison runs on WASM hosts only (WebGPU rounds differently)';
    samePath(panel.shown, explain);
    return compareCandidates(panel, explain);
  };
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const typeLine = lines.findIndex((l) => S.typeAtLine.test(l)) + 1;
  if (typeLine < 1) throw new Error(`no line of ${FIXTURE} matches ${S.typeAtLine}`);
  let accepted = '';

  await rep.step('workbench loads', () => waitForWorkbench(page), { critical: true });

  await rep.step(
    'extension activates',
    async () => {
      // The harness may know a faster way (the log file on disk); the Output panel is the fallback
      // and is also shown so the screenshot has it.
      const fromDisk = activationLog ? await activationLog() : null;
      const line = await waitForOutputLine(page, S.channel, S.activatedLog, fromDisk ? 20000 : 120000);
      return fromDisk ?? line;
    },
    { critical: true }
  );

  await rep.step(
    'sample file opens',
    async () => {
      await closePanel(page);
      await openFile(page, S.sampleFile);
      const text = await editorText(page);
      if (!text.includes(lines[typeLine - 1].trim())) throw new Error(`editor does not show ${S.sampleFile}: ${text.slice(0, 200)}`);
    },
    { critical: true }
  );

  await rep.step('ghost text appears', async () => {
    await gotoLineEnd(page, typeLine);
    await page.keyboard.type(S.typeText, { delay: 60 });
    const ghost = await waitForGhostText(page, 120000);
    if (!S.ghostText.test(ghost)) throw new Error(`ghost text ${JSON.stringify(ghost)} does not match ${S.ghostText}`);
    accepted = ghost;
    return JSON.stringify(ghost);
  });

  await rep.step('Tab accepts ghost text', async () => {
    if (!accepted) throw new Error('no ghost text to accept');
    const before = await editorText(page);
    await page.keyboard.press('Tab');
    await sleep(500);
    await page.keyboard.press('Escape'); // hide a follow-up suggestion, if any
    const after = await editorText(page);
    const want = (lines[typeLine - 1] + S.typeText + accepted.split('\n')[0]).trimEnd();
    if (after === before) throw new Error('document did not change');
    if (before.includes(want)) throw new Error('ghost text was already in the document text before Tab');
    if (!after.includes(want)) throw new Error(`document does not contain ${JSON.stringify(want)}: line is ${JSON.stringify(after.split('\n')[typeLine - 1])}`);
    return `line ${typeLine}: ${JSON.stringify(after.split('\n')[typeLine - 1])}`;
  });

  if (expectBackend) {
    await rep.step(`model backend is ${backendLabel ?? expectBackend.source}`, async () => {
      const line = await waitForOutputLine(page, S.channel, S.backendLog, 60000);
      const backend = line.match(S.backendLog)[1];
      if (!expectBackend.test(backend)) throw new Error(`log says ${JSON.stringify(line)}`);
      await closePanel(page);
      await runCommand(page, 'View: Focus First Editor Group').catch(() => {});
      return JSON.stringify(line);
    });
  }

  await rep.step('explain command shows the panel', async () => {
    await page.keyboard.press('Escape');
    if (readDocument) {
      // At the end of the saved file the panel's context is exactly the file: comparable with the CLI.
      await activeEditor(page).locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Control+S');
      await sleep(800);
    }
    await runCommand(page, S.explainCommand);
    const text = await waitForWebviewText(page, S.panelText, 90000, S.panelPending, S.panelSelector);
    if (S.panelError && S.panelError.test(text)) throw new Error(`the panel shows an error: ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 200))}`);
    return JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 160));
  });

  if (readDocument) {
    await rep.step('panel candidates match the CLI for the same inline request (explain --json --line --column)', async () => {
      const body = await panelBody(page);
      const panel = await panelRecord(body);
      if (!againstCli) return checkAgainstCli(panel);
      const explain = cliInlineRequest(await readDocument(), panel.line, panel.column, panel.candidates.length);
      return checkAgainstCli(panel, explain);
    });

    await rep.step('Layer by layer: Explain Next Token shows the layer grid; clicking a cell shades the mask with that layer', async () => {
      const body = await panelBody(page);
      const deadline = Date.now() + 60000;
      while (!(await body.locator(S.lensCell).count().catch(() => 0))) {
        if (await body.locator('#section-layers .lens-none').count().catch(() => 0)) throw new Error(`the panel says: ${norm(await body.locator('#section-layers .lens-none').innerText())}`);
        if (Date.now() > deadline) throw new Error('no layer grid in the panel');
        await sleep(500);
      }
      const layers = await body.locator('#section-layers .lens-row[data-layer]').evaluateAll((rows) => rows.map((r) => ({ layer: Number(r.dataset.layer), cells: r.querySelectorAll('.lens-cell').length })));
      if (layers.length < 3 || layers.some((r, i) => r.layer !== i || r.cells < 1)) throw new Error(`layer rows ${JSON.stringify(layers)}`);
      const layer = Math.min(S.lensLayerClicked, layers.length - 1);
      const shading = () => body.locator('#section-mask .cell.allowed[fill-opacity]').evaluateAll((cells) => cells.map((c) => c.getAttribute('fill-opacity')).join());
      const before = await shading();
      await body.locator(`${S.lensCell.replace('[data-layer]', `[data-layer="${layer}"]`)}`).first().click();
      const until = Date.now() + 10000;
      let caption = '';
      while (Date.now() < until) {
        caption = norm(await body.locator('#section-mask .mask .note').first().innerText().catch(() => ''));
        if (new RegExp(`layer ${layer}\\b`).test(caption) && (await body.locator('#section-mask .cell.step-row').count()) > 0) break;
        await sleep(300);
      }
      if (!new RegExp(`layer ${layer}\\b`).test(caption)) throw new Error(`the mask caption says ${JSON.stringify(caption)} after clicking layer ${layer}`);
      const after = await shading();
      if (!after) throw new Error('the mask has no shaded cells');
      const heads = await body.locator('#section-layers .lens-head-row').count();
      if (!heads) throw new Error('no per-head list for the clicked layer');
      // Screenshots of the side bar for the README, in the workbench's theme (test-results/e2e/<harness>/lens-<theme>*.png).
      const theme = await page.evaluate(() => (/\b(vs-dark|hc-black)\b/.test(document.querySelector('.monaco-workbench')?.className ?? '') ? 'dark' : 'light')).catch(() => 'theme');
      const side = await page.locator('.part.sidebar').boundingBox().catch(() => null);
      for (const [part, name] of [['#section-layers', `lens-${theme}`], ['#section-mask', `lens-mask-${theme}`]]) {
        await body.locator(part).evaluate((el) => el.scrollIntoView({ block: 'start' })).catch(() => {});
        await sleep(500);
        await page.screenshot({ path: join(rep.outDir, `${name}.png`), timeout: 15000, ...(side ? { clip: side } : {}) }).catch(() => {});
      }
      return `${layers.length} rows (embedding + ${layers.length - 1} layers); clicked layer ${layer}: ${JSON.stringify(caption)}, ${heads} heads listed; shading ${before === after ? 'kept' : 'changed'}`;
    });

    await rep.step('clicking a candidate appends it and updates the distribution', async () => {
      const body = await panelBody(page);
      const before = await body.locator('.cand[data-prob]').evaluateAll((rows) => rows.map((r) => r.dataset.tokenId + ':' + r.dataset.prob).join());
      await body.locator('.cand[data-prob]').nth(1).click();
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        const after = await body.locator('.cand[data-prob]').evaluateAll((rows) => rows.map((r) => r.dataset.tokenId + ':' + r.dataset.prob).join()).catch(() => before);
        const text = norm(await body.innerText().catch(() => ''));
        if (after && after !== before && /Insert 1 token/i.test(text)) return 'the second candidate was appended; the distribution changed';
        await sleep(300);
      }
      throw new Error('the distribution did not change after clicking a candidate');
    });
  }

  if (readDocument) {
    // The panel's "Ghost text" is the editor's suggestion, at three kinds of cursor position.
    const positions = [
      {
        name: 'end of a line',
        place: async () => {
          await activeEditor(page).locator('.view-lines').click();
          await page.keyboard.press('Control+End');
          await page.keyboard.press('Enter');
          await page.keyboard.type('export function mul', { delay: 40 });
        },
      },
      {
        name: 'mid-line with text after the cursor',
        place: async () => {
          await activeEditor(page).locator('.view-lines').click();
          await page.keyboard.press('Control+End');
          await page.keyboard.press('Enter');
          await page.keyboard.type('export const origin: Point = { x: 0,  };', { delay: 20 });
          for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
          await runCommand(page, 'Trigger Inline Suggestion').catch(() => {});
        },
      },
      {
        name: 'an empty line inside a block',
        place: async () => {
          const line = lines.findIndex((l) => /^export function distance/.test(l)) + 1;
          await gotoLineEnd(page, line);
          await page.keyboard.press('Enter');
        },
      },
    ];
    for (const at of positions) {
      await rep.step(`panel "Ghost text" equals the editor's ghost text, and its candidates equal the CLI's: ${at.name}`, async () => {
        await page.keyboard.press('Escape');
        await at.place();
        const body = await panelBody(page);
        const state = {};
        let ghost = await ghostOrNothingShown(page, body, 120000, state);
        let panel;
        const deadline = Date.now() + 20000;
        do {
          // Both sides settle: a slower request may still replace the editor's suggestion and the panel's record.
          panel = await panelRecord(body).catch(() => undefined);
          ghost = (await ghostText(page)) || ghost;
          if (panel && sameText(panel.shown, ghost)) break;
          await sleep(300);
        } while (Date.now() < deadline);
        if (!panel || !sameText(panel.shown, ghost)) throw new Error(`panel "Ghost text" ${JSON.stringify(panel?.shown)} vs editor ${JSON.stringify(ghost)}`);
        await rep.shot(`ghost-and-panel-${at.name}`);
        await page.keyboard.press('Control+S'); // the CLI reads the saved text: the same as the editor's at the request
        await sleep(800);
        await page.keyboard.press('Escape');
        const explain = againstCli ? cliInlineRequest(await readDocument(), panel.line, panel.column, panel.candidates.length) : undefined;
        return `${JSON.stringify(ghost)} at ${panel.line}:${panel.column}${state.retried ? ' (after Trigger Inline Suggestion: the keystroke\'s request showed nothing)' : ''}; ${checkAgainstCli(panel, explain)}`;
      });
    }
  }

  await rep.step('toggle off: no ghost text', async () => {
    await runCommand(page, S.toggleCommand);
    await sleep(500);
    if (S.toggleOffLog) {
      await waitForOutputLine(page, S.channel, S.toggleOffLog, 20000);
      await closePanel(page);
    }
    await activeEditor(page).locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Escape');
    await gotoLineEnd(page, typeLine);
    await page.keyboard.type(S.typeAfterToggle, { delay: 60 });
    const deadline = Date.now() + S.noGhostWaitMs;
    while (Date.now() < deadline) {
      const g = await ghostText(page);
      if (g) throw new Error(`ghost text still appears: ${JSON.stringify(g)}`);
      await sleep(250);
    }
  });
}
