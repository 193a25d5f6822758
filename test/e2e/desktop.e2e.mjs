#!/usr/bin/env node
// Desktop-like end-to-end harness: NextToken in code-server (VS Code with a Node extension host),
// installed from the built .vsix, driven through Debian's Chromium by playwright-core.
//
//   node test/e2e/desktop.e2e.mjs [--vsix FILE] [--user-settings JSON] [--name NAME] [--port N] [--keep] [--verbose]
//
// The .vsix defaults to $NEXTTOKEN_E2E_VSIX, else the newest *.vsix in dist/ or the repo root
// (`npm run package` writes dist/nexttoken.vsix).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Reporter, SCENARIO, parseArgs, runScenarios } from './workbench.mjs';
import { findVsix, startDesktopWorkbench, waitForLogFile } from './code-server.mjs';

const args = parseArgs();
const harness = args.name || 'desktop';
const verbose = !!args.verbose || !!process.env.E2E_VERBOSE;

async function main() {
  const t0 = Date.now();
  const log = (m) => verbose && console.log(`  ${m}`);
  // extra user settings, e.g. E2E_USER_SETTINGS='{"nexttoken.modelFolder":"/path/to/model"}'
  const extra = JSON.parse(args['user-settings'] || process.env.E2E_USER_SETTINGS || '{}');
  const workbench = await startDesktopWorkbench({ name: 'desktop', vsix: findVsix(args.vsix || process.env.NEXTTOKEN_E2E_VSIX), userSettings: extra, port: args.port, log });
  const { page, sandbox, server, workspace } = workbench;
  console.log(`${harness}: ${workbench.installed}`);
  console.log(`${harness}: code-server at ${workbench.url}`);
  const rep = new Reporter(harness, { page });
  let failed = 1;
  try {
    await page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await runScenarios(rep, page, {
      // code-server writes each LogOutputChannel to <user-data-dir>/logs/<session>/.../<name>.log
      activationLog: () => waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 120000),
      expectBackend: args['no-backend-check'] ? undefined : /^\w+$/, // any: reports which one the Node host uses
      backendLabel: 'reported',
      // The saved document, to check the panel against the CLI on exactly the same text.
      readDocument: () => readFileSync(join(workspace, SCENARIO.sampleFile), 'utf8'),
    });
    failed = rep.summary();
  } finally {
    const output = server.output();
    await workbench.close({ keep: !!args.keep });
    if (failed && !verbose) console.log(`--- code-server output (tail) ---\n${output.slice(-3000)}`);
    if (args.keep) console.log(`${harness}: kept ${sandbox.dirs.base}`);
    console.log(`${harness}: finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${harness}: harness error — ${e.stack || e}`);
  process.exit(1);
});
