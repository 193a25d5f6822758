#!/usr/bin/env node
// Takes the README's opening picture: NextToken in code-server (installed from the built .vsix),
// ghost text in the editor and the panel beside it, a real screenshot through the e2e harness.
//
//   npm run package && node scripts/readme-picture.mjs [--out media/ghost-text-and-panel.png] [--verbose]
//
// Needs scripts/e2e/setup.sh to have run (code-server in .e2e/) and Debian's Chromium.
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  ROOT, SCENARIO, FIXTURE, activeEditor, freePort, gotoLineEnd, launchChromium, makeWorkspace, openFile, parseArgs, runCommand,
  waitForGhostText, waitForWebviewText, waitForWorkbench, closePanel,
} from '../test/e2e/workbench.mjs';
import { codeServerInstalled, codeServerSandbox, installExtension, startCodeServer, waitForLogFile } from '../test/e2e/code-server.mjs';
import { readFileSync } from 'node:fs';

const args = parseArgs();
const out = resolve(ROOT, args.out || 'media/ghost-text-and-panel.png');
const log = (m) => args.verbose && console.log(`  ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!codeServerInstalled()) throw new Error('code-server is not installed in .e2e/; run scripts/e2e/setup.sh');
const vsix = resolve(args.vsix || join(ROOT, 'dist/nexttoken.vsix'));
if (!existsSync(vsix)) throw new Error(`${vsix} does not exist; run \`npm run package\``);

// The side bar (NextToken's panel) on the right of the editor; nothing else open.
const sandbox = codeServerSandbox('readme-picture', {
  'workbench.editor.useModal': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.sideBar.location': 'right',
  'workbench.activityBar.location': 'hidden',
  'window.commandCenter': false,
  'breadcrumbs.enabled': false,
  'editor.fontSize': 15,
  'editor.lineHeight': 22,
});
const workspace = makeWorkspace(join(sandbox.dirs.base, 'workspace'));
console.log(installExtension(sandbox, vsix));
const server = await startCodeServer(sandbox, { port: await freePort(), folder: workspace, log });
const browser = await launchChromium({ log });
const { page } = browser;
try {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  await waitForWorkbench(page);
  await waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 120000);
  await closePanel(page);
  await openFile(page, SCENARIO.sampleFile);
  const line = readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => SCENARIO.typeAtLine.test(l)) + 1;
  // ghost text first (it loads the model), then the panel, then the same keystrokes again
  await gotoLineEnd(page, line);
  await page.keyboard.type(SCENARIO.typeText, { delay: 80 });
  await waitForGhostText(page, 60000);
  await page.keyboard.press('Escape');
  await runCommand(page, SCENARIO.explainCommand);
  await waitForWebviewText(page, SCENARIO.panelText, 90000, SCENARIO.panelPending, SCENARIO.panelSelector);
  await activeEditor(page).locator('.view-lines').click();
  await gotoLineEnd(page, line);
  for (let i = 0; i < SCENARIO.typeText.length; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type(SCENARIO.typeText, { delay: 80 });
  const ghost = await waitForGhostText(page, 60000);
  await sleep(2500);
  await page.mouse.move(640, 700);
  if (!(await activeEditor(page).locator('.ghost-text-decoration').count())) throw new Error('the ghost text went away before the screenshot');
  await page.screenshot({ path: out });
  console.log(`${out}: ghost text ${JSON.stringify(ghost)}`);
} finally {
  await browser.close();
  await server.stop();
  sandbox.cleanup();
}
