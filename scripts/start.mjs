#!/usr/bin/env node
// `npm start`: opens VS Code (code-server) in your browser with NextToken installed and a sample
// TypeScript file open, ready for ghost text.
//
//   npm start [-- --port 8080] [-- --host 127.0.0.1] [-- --verbose]
//
// 1. builds the .vsix (npm run package) when there is none or it is older than the build;
// 2. runs scripts/e2e/setup.sh (installs Node 24 + code-server into .e2e/ the first time);
// 3. starts code-server with throwaway settings/extensions dirs, installs the .vsix, opens a
//    throwaway copy of test/e2e/fixtures/sample.ts, prints the address, runs until Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, ROOT, SCENARIO, freePort, makeWorkspace, parseArgs } from '../test/e2e/workbench.mjs';
import { codeServerSandbox, installExtension, startCodeServer, waitForLogFile } from '../test/e2e/code-server.mjs';

const args = parseArgs();
const verbose = !!args.verbose;
const host = String(args.host || process.env.HOST || '127.0.0.1');
const wantedPort = Number(args.port || process.env.PORT || 8080);

function sh(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
function newestVsix() {
  return [join(ROOT, 'dist'), ROOT]
    .flatMap((d) => (existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.vsix')).map((n) => join(d, n)) : []))
    .sort((a, b) => mtime(b) - mtime(a))[0];
}

let vsix = args.vsix ? String(args.vsix) : newestVsix();
const builtAt = Math.max(mtime(join(ROOT, 'package.json')), mtime(join(ROOT, 'dist/extension.js')));
if (!args.vsix && (!vsix || mtime(vsix) < builtAt)) {
  console.log('[start] building the extension package (npm run package)…');
  sh('npm', ['run', 'package']);
  vsix = newestVsix();
  if (!vsix) {
    console.error('[start] npm run package did not produce a .vsix in dist/ or the repo root');
    process.exit(1);
  }
}

console.log('[start] checking the local VS Code (scripts/e2e/setup.sh)…');
sh('bash', [join(ROOT, 'scripts/e2e/setup.sh'), '--code-server-only']);

const sandbox = codeServerSandbox('start');
const workspace = makeWorkspace(join(sandbox.dirs.base, 'workspace'));
console.log(`[start] ${installExtension(sandbox, vsix)}`);
const port = await freePort(wantedPort);
if (port !== wantedPort) console.log(`[start] port ${wantedPort} is busy, using ${port}`);
const server = await startCodeServer(sandbox, {
  port,
  host,
  folder: workspace,
  log: (l) => verbose && console.log(l),
});

// open the sample file at the end of the line that is waiting for a completion
const lines = (await import('node:fs')).readFileSync(FIXTURE, 'utf8').split('\n');
const line = Math.max(1, lines.findIndex((l) => SCENARIO.typeAtLine.test(l)) + 1);
const file = `vscode-remote://${host}:${port}${join(workspace, SCENARIO.sampleFile)}:${line}:${(lines[line - 1] ?? '').length + 1}`;
const payload = encodeURIComponent(JSON.stringify([['openFile', file], ['gotoLineMode', 'true']]));
const url = `http://${host}:${port}/?folder=${encodeURIComponent(workspace)}&payload=${payload}`;

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping code-server…');
  await server.stop();
  sandbox.cleanup();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.child.on('exit', (code) => {
  if (!stopping) {
    console.error(`[start] code-server exited (${code})\n${server.output().slice(-2000)}`);
    stopping = true;
    sandbox.cleanup();
    process.exit(1);
  }
});

console.log(`
  NextToken is installed in VS Code (code-server), with sample.ts open at the end of line ${line}:
  type there, wait for the grey ghost text, press Tab to accept it. Ctrl-C here stops it.
  (http://${host}:${port}/ opens the same workspace without the sample file.)
`);
console.log(`[start] ready — open this address in your browser: ${url}`);

// The extension host starts when the browser connects; say when NextToken is up.
waitForLogFile(sandbox.dirs.userData, SCENARIO.channel, SCENARIO.activatedLog, 24 * 3600 * 1000)
  .then((line) => console.log(`[start] the browser tab connected: ${line.replace(/ \(logs\/.*\)$/, '')}`))
  .catch(() => {});
