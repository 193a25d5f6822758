// One esbuild script for every bundle: the CLI, the desktop extension and its engine worker (Node,
// CJS), the web extension and its engine worker (browser workers), and the panel (browser). Type-checking is `npm run typecheck`.
// onnxruntime-web's .wasm/.mjs runtime files are copied into dist/ so nothing is fetched at run time.

import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dist = path.join(root, 'dist');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', target: 'es2022', legalComments: 'none' };
// esbuild's CJS output turns import.meta into {}; ORT's Node build needs import.meta.url.
const nodeCjs = {
  platform: 'node',
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
const exists = (rel) => fs.existsSync(path.join(root, rel));

const builds = [
  { ...nodeCjs, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node\n' + nodeCjs.banner.js }, external: ['onnxruntime-node', '@huggingface/transformers', 'typescript'] },
  // The engine worker (model, tokenizer, KV cache) that the desktop extension host starts with worker_threads.
  { ...nodeCjs, entryPoints: ['src/engine/node-engine-worker.ts'], outfile: 'dist/engine-worker.js' },
  exists('src/extension/node-main.ts') && { ...nodeCjs, entryPoints: ['src/extension/node-main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  exists('src/extension/web-main.ts') && {
    entryPoints: ['src/extension/web-main.ts'],
    outfile: 'dist/web/extension.js',
    platform: 'browser',
    format: 'cjs',
    external: ['vscode'],
    mainFields: ['browser', 'module', 'main'],
    conditions: ['onnxruntime-web-use-extern-wasm'],
    define: { global: 'globalThis', BUNDLED_ONNX_FILES: JSON.stringify(fs.readdirSync(path.join(root, 'models/nexttoken-small/onnx')).filter((n) => n.endsWith('.onnx'))) },
  },
  // The engine worker of web hosts: a classic script (VS Code's web extension host starts workers with importScripts).
  {
    entryPoints: ['src/engine/web-engine-worker.ts'],
    outfile: 'dist/web/engine-worker.js',
    platform: 'browser',
    format: 'iife',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['onnxruntime-web-use-extern-wasm'],
    define: { global: 'globalThis' },
  },
  exists('webview/main.ts') && { entryPoints: ['webview/main.ts'], outfile: 'dist/webview/panel.js', platform: 'browser', format: 'iife' },
].filter(Boolean);

fs.mkdirSync(dist, { recursive: true });
const ortDist = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
// Node (ort.node): the threaded SIMD build; browser (onnxruntime-web/webgpu): the asyncify build.
for (const file of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs']) {
  fs.copyFileSync(path.join(ortDist, file), path.join(dist, file));
}
if (exists('webview/panel.css')) {
  fs.mkdirSync(path.join(dist, 'webview'), { recursive: true });
  fs.copyFileSync(path.join(root, 'webview/panel.css'), path.join(dist, 'webview/panel.css'));
}

const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b, absWorkingDir: root })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
}
