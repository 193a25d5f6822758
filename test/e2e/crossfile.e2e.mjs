#!/usr/bin/env node
// Cross-file end-to-end harness (issue 14): NextToken in code-server on a two-file TypeScript
// workspace where b.ts imports a class from a.ts. At `obj.` in b.ts, with the language server
// guiding decoding, the ghost text starts with a method declared only in a.ts; with guidance and
// repository context off (today's completions) it does not; the panel shows the tokens the
// language server masked. With repository context on (guidance off), the panel's candidates are the
// CLI's when `nexttoken explain --record` replays the snippets the panel lists. Screenshots go to
// test-results/e2e/crossfile/.
//
//   node test/e2e/crossfile.e2e.mjs [--vsix FILE] [--name NAME] [--port N] [--keep] [--verbose]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerInstalled, codeServerSandbox, findVsix, installExtension, startCodeServer, waitForLogFile } from './code-server.mjs';
import {
  Reporter, ROOT, SCENARIO, WORKSPACE_SETTINGS, activeEditor, cli, closePanel, compareCandidates, freePort, ghostText, gotoLineEnd, launchChromium, makeWorkspace, openFile, panelRecord, parseArgs, runCommand, samePath,
  waitForWebviewText, webviewBody,
} from './workbench.mjs';

const args = parseArgs();
const harness = args.name || 'crossfile';
const verbose = !!args.verbose || !!process.env.E2E_VERBOSE;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Method names no model guesses from b.ts alone.
const METHODS = ['reconcileQuarterlyLedger', 'archiveStaleVouchers'];
const A_TS = `export class Bookkeeper {
  private readonly entries: number[] = [];

  reconcileQuarterlyLedger(quarter: number): number {
    return this.entries.filter((_, i) => i % 4 === quarter).reduce((a, b) => a + b, 0);
  }

  archiveStaleVouchers(before: Date): void {
    this.entries.length = 0;
  }
}
`;
const B_TS = `import { Bookkeeper } from './a';

export function closeBooks(obj: Bookkeeper, quarter: number): number {
  const total = obj.
  return total;
}
`;
const TRIGGER_LINE = 4; // "  const total = obj."
const GUIDED = { 'nexttoken.languageServer.enabled': true, 'nexttoken.languageServer.timeBudgetMs': 1000, 'nexttoken.context.enabled': true };
const UNGUIDED = { 'nexttoken.languageServer.enabled': false, 'nexttoken.context.enabled': false };
// Repository context alone: the panel's record carries snippets, and the CLI replays them.
const CONTEXT_ONLY = { 'nexttoken.languageServer.enabled': false, 'nexttoken.context.enabled': true };

function writeSettings(workspace, extra) {
  writeFileSync(join(workspace, '.vscode/settings.json'), JSON.stringify({ ...WORKSPACE_SETTINGS, ...extra }, null, 2));
}

/** Asks for an inline suggestion at the end of the trigger line and returns the ghost text ('' when none comes). */
async function suggestAtTrigger(page, timeoutMs) {
  await gotoLineEnd(page, TRIGGER_LINE);
  await runCommand(page, 'Trigger Inline Suggestion');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ghost = await ghostText(page).catch(() => '');
    if (ghost) {
      await sleep(500);
      return ghostText(page);
    }
    await sleep(500);
  }
  return '';
}

/** The NextToken panel whose body passes `ready`, within a minute. */
async function panelWith(page, ready) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const n = await page.locator('iframe.webview').count();
    for (let i = 0; i < n; i++) {
      const b = webviewBody(page, i);
      if (await ready(b)) return b;
    }
    await sleep(1000);
  }
  throw new Error('no panel in the expected state');
}

async function main() {
  const t0 = Date.now();
  const log = (m) => verbose && console.log(`  ${m}`);
  if (!codeServerInstalled()) throw new Error('code-server is not installed in .e2e/; run scripts/e2e/setup.sh');
  const vsix = findVsix(args.vsix || process.env.NEXTTOKEN_E2E_VSIX);
  const sandbox = codeServerSandbox('crossfile');
  const workspace = makeWorkspace(join(sandbox.dirs.base, 'workspace'), GUIDED);
  writeFileSync(join(workspace, 'a.ts'), A_TS);
  writeFileSync(join(workspace, 'b.ts'), B_TS);
  console.log(`${harness}: ${installExtension(sandbox, vsix)}`);
  const port = Number(args.port) || (await freePort());
  const server = await startCodeServer(sandbox, { port, folder: workspace, log });
  const browser = await launchChromium({ log });
  const rep = new Reporter(harness, { page: browser.page });
  const page = browser.page;
  let failed = 1;
  try {
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await rep.step('workbench and NextToken start', async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 120000 });
      await openFile(page, 'a.ts');
      await openFile(page, 'b.ts');
      return (await waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 120000)).trim();
    }, { critical: true });

    await rep.step('the TypeScript language server answers at obj.', async () => {
      // Warm tsserver with VS Code's own suggest widget, so its answer comes within the budget.
      const deadline = Date.now() + 90000;
      while (Date.now() < deadline) {
        await gotoLineEnd(page, TRIGGER_LINE);
        await page.keyboard.press('Control+Space');
        const widget = page.locator('.suggest-widget .monaco-list-row', { hasText: METHODS[0] }).first();
        if (await widget.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false)) {
          await page.keyboard.press('Escape');
          return `suggest widget lists ${METHODS[0]}`;
        }
        await page.keyboard.press('Escape');
      }
      throw new Error('the suggest widget never listed the members of Bookkeeper');
    }, { critical: true });

    await rep.step('guided: the ghost text at obj. starts with a method declared only in a.ts', async () => {
      const ghost = await suggestAtTrigger(page, 120000);
      if (!METHODS.some((m) => ghost.startsWith(m))) throw new Error(`ghost text ${JSON.stringify(ghost)} starts with none of ${METHODS.join(', ')}`);
      return JSON.stringify(ghost);
    }, { critical: true });

    await rep.step('the panel shows the tokens the language server masked, struck through', async () => {
      await runCommand(page, SCENARIO.explainCommand);
      const body = await panelWith(page, async (b) => (await b.locator('.cand.masked').count().catch(() => 0)) > 0);
      await waitForWebviewText(page, /masked by the language server/, 10000);
      const rows = await body.locator('.cand.masked').evaluateAll((els) => els.map((e) => ({ text: e.textContent, prob: Number(e.dataset.maskedProb) })));
      if (!rows.length || rows.some((r) => !(r.prob >= 0 && r.prob <= 1))) throw new Error(`masked rows ${JSON.stringify(rows)}`);
      const snippets = await body.locator('.context-snippet').count();
      await body.locator('.cand.masked').first().scrollIntoViewIfNeeded().catch(() => {});
      return `${rows.length} masked rows, ${snippets} context snippets`;
    });

    await rep.step('context on: the panel\'s candidates = the CLI replaying the panel\'s context snippets (explain --record)', async () => {
      await closePanel(page).catch(() => {});
      writeSettings(workspace, CONTEXT_ONLY);
      await sleep(3000);
      await activeEditor(page).locator('.view-lines').click();
      await suggestAtTrigger(page, 60000); // a suggestion or none: the request's record is what counts
      await runCommand(page, SCENARIO.explainCommand);
      const body = await panelWith(page, async (b) => (await b.locator('.context-snippet').count().catch(() => 0)) > 0 && (await b.locator('.cand.masked').count().catch(() => 1)) === 0);
      const panel = await panelRecord(body);
      if (panel.line !== TRIGGER_LINE) throw new Error(`the panel shows a request at ${panel.line}:${panel.column}, not on line ${TRIGGER_LINE}`);
      // The record's context as the panel lists it: each snippet's file, first line, kind, source and text (its tooltip).
      const KINDS = { declarations: 'outline', lines: 'window', 'recent edit': 'edit' };
      const snippets = await body.locator('.context-snippet').evaluateAll((items) =>
        items.map((li) => ({ path: li.dataset.path, text: li.getAttribute('title'), line: Number(/:(\d+)$/.exec(li.querySelector('code').textContent)[1]) - 1, note: li.querySelector('.note').textContent, score: Number(li.dataset.score) })),
      );
      const record = {
        context: {
          path: 'b.ts',
          tokens: 0,
          snippets: snippets.map(({ note, ...s }) => ({ ...s, kind: KINDS[/^\s*([^·]+?)\s*·/.exec(note)[1]], source: /from (\w+)/.exec(note)[1], tokens: Number(/(\d+) tokens?/.exec(note)[1]) })),
        },
      };
      const dir = join(ROOT, 'test-results', 'e2e', 'crossfile');
      mkdirSync(dir, { recursive: true });
      const doc = join(dir, `b-${process.pid}.ts`);
      const recordFile = join(dir, `record-${process.pid}.json`);
      writeFileSync(doc, B_TS);
      writeFileSync(recordFile, JSON.stringify(record, null, 2));
      const args = ['explain', '--json', '--file', doc, '--line', String(panel.line), '--column', String(panel.column), '--fim', 'midline', '--top', String(panel.candidates.length)];
      const replayed = cli([...args, '--record', recordFile]);
      if (!replayed.record?.prompt.parts.some((p) => p.kind === 'context')) throw new Error('the CLI prompt has no context part');
      samePath(panel.shown, replayed);
      const same = compareCandidates(panel, replayed);
      // Without the snippets the CLI sees b.ts alone: say whether the comparison could tell.
      const bare = cli(args);
      const differs = bare.candidates.some((c, i) => c.id !== panel.candidates[i]?.id || Math.abs(c.prob - panel.candidates[i].prob) > 1e-4);
      return `${snippets.length} snippets; ${same}; without --record the CLI's candidates ${differs ? 'differ' : 'are the same (context changed nothing here)'}`;
    });

    await rep.step('unguided (language server and context off): the ghost text does not start with a method of a.ts', async () => {
      await closePanel(page).catch(() => {});
      writeSettings(workspace, UNGUIDED);
      await sleep(3000); // the settings change reaches the extension (the pipeline forgets its answers)
      await activeEditor(page).locator('.view-lines').click();
      const ghost = await suggestAtTrigger(page, 60000);
      if (METHODS.some((m) => ghost.startsWith(m))) throw new Error(`ghost text ${JSON.stringify(ghost)} starts with a method of a.ts without guidance`);
      return ghost ? JSON.stringify(ghost) : 'no ghost text';
    });
    failed = rep.summary();
  } finally {
    await browser.close();
    await server.stop();
    if (failed && !verbose) console.log(`--- code-server output (tail) ---\n${server.output().slice(-3000)}`);
    if (!args.keep) sandbox.cleanup();
    console.log(`${harness}: finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${harness}: harness error — ${e.stack || e}`);
  process.exit(1);
});
