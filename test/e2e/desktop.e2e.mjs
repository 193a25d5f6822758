#!/usr/bin/env node
// Desktop-like end-to-end harness: NextToken in code-server (VS Code with a Node extension host),
// installed from the built .vsix, driven through Debian's Chromium by playwright-core.
//
//   node test/e2e/desktop.e2e.mjs [--vsix FILE] [--user-settings JSON] [--name NAME] [--port N] [--keep] [--verbose]
//
// The .vsix defaults to $NEXTTOKEN_E2E_VSIX, else the newest *.vsix in dist/ or the repo root
// (`npm run package` writes dist/nexttoken.vsix).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { ROOT, Reporter, SCENARIO, freePort, launchChromium, makeWorkspace, parseArgs, runScenarios } from './workbench.mjs';
import { codeServerInstalled, codeServerSandbox, installExtension, startCodeServer, waitForLogFile } from './code-server.mjs';

const args = parseArgs();
const harness = args.name || 'desktop';
const verbose = !!args.verbose || !!process.env.E2E_VERBOSE;

/** The .vsix to install: explicit, else the newest *.vsix in dist/ or the repo root. */
export function findVsix(explicit) {
  if (explicit) return resolve(explicit);
  const vsix = [join(ROOT, 'dist'), ROOT]
    .flatMap((d) => (existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.vsix')).map((n) => join(d, n)) : []))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!vsix.length) throw new Error('no .vsix in dist/ or the repo root; run `npm run package` (or pass --vsix FILE)');
  return vsix[0];
}

async function main() {
  const t0 = Date.now();
  const log = (m) => verbose && console.log(`  ${m}`);
  if (!codeServerInstalled()) throw new Error('code-server is not installed in .e2e/; run scripts/e2e/setup.sh');
  const vsix = findVsix(args.vsix || process.env.NEXTTOKEN_E2E_VSIX);
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist`);

  // extra user settings, e.g. E2E_USER_SETTINGS='{"nexttoken.modelFolder":"/path/to/model"}'
  const extra = JSON.parse(args['user-settings'] || process.env.E2E_USER_SETTINGS || '{}');
  const sandbox = codeServerSandbox('desktop', extra);
  const workspace = makeWorkspace(join(sandbox.dirs.base, 'workspace'));
  const installed = installExtension(sandbox, vsix);
  console.log(`${harness}: ${installed}`);
  const port = Number(args.port) || (await freePort());
  const server = await startCodeServer(sandbox, { port, folder: workspace, log });
  console.log(`${harness}: code-server at ${server.url}`);

  const browser = await launchChromium({ log });
  const rep = new Reporter(harness, { page: browser.page });
  let failed = 1;
  try {
    await browser.page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await runScenarios(rep, browser.page, {
      // code-server writes each LogOutputChannel to <user-data-dir>/logs/<session>/.../<name>.log
      activationLog: () => waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 120000),
      expectBackend: args['no-backend-check'] ? undefined : /^\w+$/, // any: reports which one the Node host uses
      backendLabel: 'reported',
      // The saved document, to check the panel against the CLI on exactly the same text.
      readDocument: () => readFileSync(join(workspace, SCENARIO.sampleFile), 'utf8'),
    });
    failed = rep.summary();
  } finally {
    await browser.close();
    await server.stop();
    if (failed && !verbose) console.log(`--- code-server output (tail) ---\n${server.output().slice(-3000)}`);
    if (!args.keep) sandbox.cleanup();
    else console.log(`${harness}: kept ${sandbox.dirs.base}`);
    console.log(`${harness}: finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${harness}: harness error — ${e.stack || e}`);
  process.exit(1);
});
