#!/usr/bin/env node
// Renders the NextToken panel outside VS Code, for development and the README screenshots.
//
//   npm run build && node --import tsx scripts/panel-preview.mjs [options]
//
// It makes the inline pipeline's request with the real engine (models/nexttoken-small when
// present, else the tiny-gpt2 test fixture) and shows its record, plus an exploration, writes a page built by panelHtml
// (the same CSP as in VS Code) with a fake acquireVsCodeApi and a Dark Modern / Light Modern
// set of VS Code theme variables, and screenshots it with playwright-core + Chromium.
//
// Options:
//   --width=420          viewport width in CSS px (the README images use 420)
//   --themes=dark,light  which themes to shoot (also: hc, a high-contrast dark set)
//   --out=media          folder for panel-<theme>.png (other widths add -<width> to the name)
//   --status=ready       ready | loading | error | no-editor (an empty state)
//   --top-k=40 --top-p=0.6 --temperature=0.8 --seed=7 --mask=16 --append=2   the exploration (default: the record's settings)
//   --explore=false      no exploration in the state
//   --ahead              the record answered ahead at the cursor, then served from memory
//   --model=DIR          the model folder (default: models/nexttoken-small)
//   --open=explore       also open these sections (comma-separated ids) before the screenshot
//   --parts              also shoot each section alone into test-results/panel-preview/
//   --check              also click, type and use the keyboard, and report what the panel posted
//   --html-only          write the page and stop (open test-results/panel-preview/*.html yourself)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// The engine and panelHtml are TypeScript: re-run under tsx when it is not loaded.
if (!process.execArgv.some((a) => a.includes('tsx')) && !process.env.PANEL_PREVIEW_TSX) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, PANEL_PREVIEW_TSX: '1' } });
  process.exit(r.status ?? 1);
}

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const width = Number(args.width ?? 420);
const themes = (args.themes ?? 'dark,light').split(',');
const outDir = path.resolve(root, args.out ?? 'media');
const workDir = path.join(root, 'test-results', 'panel-preview');
const status = args.status ?? 'ready';
fs.mkdirSync(workDir, { recursive: true });

// ── a realistic state from the real engine ─────────────────────────────────────────────
async function realState() {
  const { loadNodeEngine } = await import(pathToFileURL(path.join(root, 'src/engine/node-runtime.ts')).href);
  const { toExplanationView } = await import(pathToFileURL(path.join(root, 'src/extension/explanation-view.ts')).href);
  const { CompletionPipeline, DEFAULT_PIPELINE } = await import(pathToFileURL(path.join(root, 'src/completion/pipeline.ts')).href);
  const { firstShownToken } = await import(pathToFileURL(path.join(root, 'src/completion/request-record.ts')).href);
  const bundled = path.join(root, 'models', 'nexttoken-small');
  const modelFolder = args.model ? path.resolve(args.model) : fs.existsSync(path.join(bundled, 'config.json')) ? bundled : path.join(root, 'test/fixtures/models/tiny-gpt2');
  const wasmFolder = pathToFileURL(path.join(root, 'node_modules', 'onnxruntime-web', 'dist') + path.sep).href;
  const engine = await loadNodeEngine(modelFolder, { threads: 1, wasmFolder });

  // As a user meets it: the ghost text at the end of `export function mul` in sample.ts.
  const sample = fs.readFileSync(path.join(root, 'test/e2e/fixtures/sample.ts'), 'utf8').split('\n');
  const text = sample.slice(0, 13).join('\n') + '\nexport function mul';
  const lines = text.split('\n');
  const source = `sample.ts:${lines.length}:${lines.at(-1).length + 1}`;
  // A generous time budget: the picture should not depend on how busy the machine is.
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0, timeBudgetMs: 60000, computeAhead: args.ahead ? 1 : 0 });
  const keystroke = { text, cursor: text.length, startsDocument: true, immediate: true, origin: { key: 'sample.ts', offset: text.length } };
  if (args.ahead) {
    // The cursor answered before the keystroke (as after a click), then served from memory.
    pipeline.prepareAt(keystroke);
    await pipeline.idle();
  }
  await pipeline.provide(keystroke);
  const record = { ...pipeline.latest, firstShown: firstShownToken(pipeline.latest) };

  // The what-if mode, from the record's first shown token, with the record's own settings (or the flags).
  const sampling = {
    temperature: Number(args.temperature ?? record.sampling.temperature),
    topK: Number(args['top-k'] ?? record.sampling.topK),
    topP: Number(args['top-p'] ?? record.sampling.topP),
    seed: Number(args.seed ?? record.sampling.seed),
  };
  const promptIds = [...record.prompt.parts.flatMap((p) => p.tokens.map((t) => t.id)), ...record.tokens.slice(0, record.firstShown).map((t) => t.id)];
  const appended = [];
  for (let i = 0; i < Number(args.append ?? 2); i++) {
    const step = await engine.explain({ prefix: '', promptIds, appended, top: 1, maskSize: 2 });
    appended.push(step.greedy.id);
  }
  const { info } = engine;
  const explanation = await engine.explain({ prefix: '', promptIds, appended, maskSize: Number(args.mask ?? 16), attentions: true, top: 12, sampling, lens: info.lens });
  // "Explain Next Token" also looks inside the record's first shown step (the logit lens).
  const looked = await engine.explain({ prefix: '', promptIds, maskSize: Number(args.mask ?? 16), attentions: true, top: 12, sampling, lens: info.lens, lensToken: record.tokens[record.firstShown]?.id });
  return {
    type: 'state',
    status: 'ready',
    model: { name: info.name, backend: info.backend, threads: 1, window: info.window, vocabSize: info.vocabSize, fim: info.fim, attentions: info.attentions, lens: info.lens },
    record,
    source,
    exploration: args.explore === 'false' ? undefined : toExplanationView(explanation, { appendedCount: appended.length, sampling }),
    sampling,
    recordLens: info.lens ? toExplanationView(looked, { appendedCount: 0, sampling }) : undefined,
  };
}

function emptyState(kind) {
  return {
    type: 'state',
    status: kind,
    error: kind === 'error' ? "Could not load models/nexttoken-small: config.json is missing.\nSet nexttoken.modelFolder or reinstall the extension." : undefined,
    model: kind === 'no-editor' ? { name: 'nexttoken-small', backend: 'wasm', threads: 2, window: 2048, vocabSize: 49152, fim: true, attentions: true, lens: true } : undefined,
  };
}

// ── VS Code theme variables (typical Dark Modern / Light Modern values) ──────────────────
const COMMON = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"DejaVu Sans Mono", "Droid Sans Mono", monospace',
  'editor-font-size': '12px',
  'editor-font-weight': 'normal',
};
const THEMES = {
  dark: {
    kind: 'vscode-dark',
    vars: {
      foreground: '#cccccc', descriptionForeground: '#9d9d9d', disabledForeground: '#cccccc80', errorForeground: '#f85149', focusBorder: '#0078d4',
      'widget-border': '#313131', 'panel-border': '#2b2b2b', 'panel-background': '#181818', 'sideBar-background': '#181818', 'sideBar-foreground': '#cccccc',
      'sideBarSectionHeader-background': '#181818', 'sideBarSectionHeader-foreground': '#cccccc', 'sideBarSectionHeader-border': '#2b2b2b',
      'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'editorCursor-foreground': '#aeafad', 'editorGhostText-foreground': '#ffffff56', 'editorWarning-foreground': '#cca700',
      'charts-foreground': '#cccccc', 'charts-lines': '#cccccc80', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-yellow': '#cca700', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c',
      'textCodeBlock-background': '#2b2b2b', 'textLink-foreground': '#4daafc', 'textPreformat-foreground': '#d0d0d0', 'textPreformat-background': '#3c3c3c',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
      'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
      'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
      'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c', 'dropdown-listBackground': '#1f1f1f',
      'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'checkbox-foreground': '#cccccc',
      'list-hoverBackground': '#2a2d2e', 'list-focusBackground': '#04395e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
      'progressBar-background': '#0078d4', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'testing-iconPassed': '#73c991',
      'scrollbarSlider-background': '#79797966', 'scrollbarSlider-hoverBackground': '#646464b3',
    },
  },
  light: {
    kind: 'vscode-light',
    vars: {
      foreground: '#3b3b3b', descriptionForeground: '#3b3b3b', disabledForeground: '#61616180', errorForeground: '#f85149', focusBorder: '#005fb8',
      'widget-border': '#e5e5e5', 'panel-border': '#e5e5e5', 'panel-background': '#f8f8f8', 'sideBar-background': '#f8f8f8', 'sideBar-foreground': '#3b3b3b',
      'sideBarSectionHeader-background': '#f8f8f8', 'sideBarSectionHeader-foreground': '#3b3b3b', 'sideBarSectionHeader-border': '#e5e5e5',
      'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'editorCursor-foreground': '#000000', 'editorGhostText-foreground': '#00000077', 'editorWarning-foreground': '#bf8803',
      'charts-foreground': '#616161', 'charts-lines': '#61616180', 'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-yellow': '#bf8803', 'charts-purple': '#652d90', 'charts-red': '#e51400',
      'textCodeBlock-background': '#dcdcdc66', 'textLink-foreground': '#005fb8', 'textPreformat-foreground': '#3b3b3b', 'textPreformat-background': '#0000001f',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
      'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
      'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece', 'dropdown-listBackground': '#ffffff',
      'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'checkbox-foreground': '#3b3b3b',
      'list-hoverBackground': '#f2f2f2', 'list-focusBackground': '#e8e8e8', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
      'progressBar-background': '#005fb8', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'testing-iconPassed': '#388a34',
      'scrollbarSlider-background': '#64646466', 'scrollbarSlider-hoverBackground': '#646464b3',
    },
  },
  hc: {
    kind: 'vscode-high-contrast',
    vars: {
      foreground: '#ffffff', descriptionForeground: '#ffffff', errorForeground: '#f48771', focusBorder: '#f38518', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
      'widget-border': '#6fc3df', 'panel-border': '#6fc3df', 'sideBar-background': '#000000', 'sideBarSectionHeader-foreground': '#ffffff', 'sideBarSectionHeader-border': '#6fc3df',
      'editor-background': '#000000', 'editorCursor-foreground': '#ffffff', 'editorGhostText-foreground': '#ffffff99', 'editorWarning-foreground': '#ffd700',
      'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-yellow': '#ffd700', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c',
      'textCodeBlock-background': '#000000', 'textLink-foreground': '#21a6ff', 'textPreformat-foreground': '#ffffff',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
      'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df', 'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'dropdown-listBackground': '#000000',
      'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'checkbox-foreground': '#ffffff', 'list-hoverBackground': '#000000', 'progressBar-background': '#6fc3df', 'testing-iconPassed': '#89d185',
      'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#f48771',
    },
  },
};

// ── the page ───────────────────────────────────────────────────────────────────────────
const ORIGIN = 'https://panel.preview';

async function page(theme, state) {
  const { panelHtml, makeNonce } = await import(pathToFileURL(path.join(root, 'src/extension/panel-html.ts')).href);
  const nonce = makeNonce();
  const html = panelHtml({ cspSource: ORIGIN, nonce, scriptUri: `${ORIGIN}/dist/webview/panel.js`, styleUri: `${ORIGIN}/dist/webview/panel.css` });
  const vars = Object.entries({ ...COMMON, ...THEMES[theme].vars }).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  const kind = THEMES[theme].kind;
  // Stands in for VS Code: theme variables on <html>, the theme class on <body>, the webview
  // API (messages are recorded in window.__posted) and the host's answer to `ready`.
  const preamble = `
  <style nonce="${nonce}">html { ${vars} } body { margin: 0; }</style>
  <script nonce="${nonce}">
    document.body.classList.add(${JSON.stringify(kind)});
    document.body.dataset.vscodeThemeKind = ${JSON.stringify(kind)};
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    window.__posted = [];
    let saved = ${JSON.stringify(args.open ? { open: Object.fromEntries(args.open.split(',').map((id) => [id, true])) } : undefined)};
    window.acquireVsCodeApi = () => ({
      postMessage(m) {
        window.__posted.push(m);
        if (m.type === 'ready') setTimeout(() => window.postMessage(${JSON.stringify(state)}, '*'), 0);
      },
      getState: () => saved,
      setState: (s) => { saved = s; },
    });
  </script>`;
  return html.replace('<body>', `<body>${preamble}`);
}

/** Drives the panel as a user would and returns what went wrong (after the screenshot). */
async function check(tab) {
  const wrong = [];
  const log = [];
  const posted = async () => {
    const messages = await tab.evaluate(() => window.__posted.splice(0));
    log.push(...messages.map((m) => m.type));
    return messages;
  };
  await posted();
  if (!(await tab.locator('#section-explore').evaluate((d) => d.open))) await tab.click('#section-explore > summary');
  await tab.click('.cand >> nth=1');
  const append = await posted();
  if (!append.some((m) => m.type === 'appendToken' && Number.isInteger(m.id))) wrong.push(`clicking a candidate posted ${JSON.stringify(append)}`);
  const field = tab.locator('vscode-text-field.sampling-field >> nth=0');
  await field.click();
  await tab.keyboard.press('Control+A');
  await tab.keyboard.type('1.2');
  await tab.waitForTimeout(400);
  const sampling = await posted();
  if (!sampling.some((m) => m.type === 'setSampling' && m.sampling.temperature === 1.2)) wrong.push(`typing a temperature posted ${JSON.stringify(sampling)}`);
  await tab.keyboard.press('Control+A');
  await tab.keyboard.type('9');
  await tab.waitForTimeout(400);
  if ((await posted()).length) wrong.push('an out-of-range temperature was posted');
  if (!(await tab.locator('.field-error').textContent())?.includes('between')) wrong.push('an out-of-range temperature shows no message');
  await tab.click('#section-kv > summary');
  const saved = await tab.evaluate(() => window.acquireVsCodeApi === undefined ? null : document.querySelector('#section-kv').open);
  if (saved !== false) wrong.push('the KV section did not close');
  await tab.focus('.mask-svg');
  await tab.keyboard.press('ArrowLeft');
  const readout = await tab.locator('.readout').textContent();
  if (!/query .* → key .*: (weight|allowed)/.test(readout ?? '')) wrong.push(`mask readout after ArrowLeft: ${readout}`);
  await tab.keyboard.press('ArrowUp');
  await tab.keyboard.press('End');
  if (!/blocked/.test((await tab.locator('.readout').textContent()) ?? '')) wrong.push('a future cell does not read as blocked');
  if (await tab.locator('.attention-pickers').isVisible()) {
    await tab.click('.attention-pickers vscode-dropdown >> nth=1');
    await tab.click('.attention-pickers vscode-dropdown >> nth=1 >> vscode-option >> nth=2');
    const caption = await tab.locator('.mask .note >> nth=0').textContent();
    if (!caption?.includes('head 2')) wrong.push(`choosing head 2 shows: ${caption}`);
    if ((await posted()).length) wrong.push('choosing a head posted a message');
  }
  await tab.click('vscode-button:has-text("Greedy")');
  if (!(await posted()).some((m) => m.type === 'step' && m.mode === 'greedy')) wrong.push('Greedy posted no step');
  console.log(`  check: the panel posted ${log.join(', ')}`);
  return wrong;
}

async function main() {
  const state = status === 'ready' ? await realState() : emptyState(status);
  fs.writeFileSync(path.join(workDir, 'state.json'), JSON.stringify(state, null, 1));
  const pages = {};
  for (const theme of themes) {
    pages[theme] = await page(theme, state);
    fs.writeFileSync(path.join(workDir, `panel-${theme}.html`), pages[theme]);
  }
  if (args['html-only']) return console.log(`wrote ${workDir}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let failures = 0;
  try {
    for (const theme of themes) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 2, colorScheme: theme === 'light' ? 'light' : 'dark' });
      const tab = await context.newPage();
      const problems = [];
      tab.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`));
      tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // Everything is served from one fake origin; nothing reaches the network.
      await tab.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== ORIGIN) return route.abort();
        if (url.pathname === '/' || url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: pages[theme] });
        const file = path.join(root, decodeURIComponent(url.pathname));
        if (!file.startsWith(path.join(root, 'dist') + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
        const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
        return route.fulfill({ contentType: type, body: fs.readFileSync(file) });
      });
      await tab.goto(`${ORIGIN}/index.html`);
      await tab.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
      await tab.waitForTimeout(600); // toolkit components upgrade, fonts settle
      const csp = await tab.evaluate(() => window.__csp);
      problems.push(...csp.map((v) => `CSP violation: ${v}`));
      const name = width === 420 && status === 'ready' && path.resolve(outDir) === path.join(root, 'media') ? `panel-${theme}.png` : `panel-${theme}-${status}-${width}.png`;
      await tab.screenshot({ path: path.join(outDir, name), fullPage: true });
      if (args.parts) {
        // Each section on its own, at full resolution, for a closer look.
        for (const part of ['header', '#section-ghost', '#section-prompt', '#section-explore', '#section-next', '#section-chain', '#section-mask', '#section-kv', '.empty-slot']) {
          const el = await tab.$(part);
          if (el && (await el.isVisible())) await el.screenshot({ path: path.join(workDir, `part-${theme}-${width}-${part.replace(/[^a-z]/g, '')}.png`) });
        }
      }
      if (args.check) problems.push(...(await check(tab)));
      console.log(`${path.relative(root, path.join(outDir, name))}${problems.length ? '\n  ' + problems.join('\n  ') : ''}`);
      failures += problems.length;
      await context.close();
    }
  } finally {
    await browser.close();
  }
  if (failures) process.exitCode = 1;
}

await main();
