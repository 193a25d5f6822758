// The layers of README.md's "How it works" table, checked on the imports of every file: who may
// import what. Dependencies point down only; core, engine, completion, the protocol and the
// webview never import vscode.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..');

/** Every import of a TypeScript file: the module named and whether it is type-only. */
function importsOf(file: string): { from: string; typeOnly: boolean }[] {
  const source = fs.readFileSync(file, 'utf8');
  const found: { from: string; typeOnly: boolean }[] = [];
  // `import … from 'x'`, `export … from 'x'` (over several lines too), `import 'x'`, `import('x')`
  for (const m of source.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gms)) found.push({ from: m[3], typeOnly: m[2] !== undefined });
  for (const m of source.matchAll(/^import\s+'([^']+)'/gm)) found.push({ from: m[1], typeOnly: false });
  for (const m of source.matchAll(/\bimport\('([^']+)'\)/g)) found.push({ from: m[1], typeOnly: false });
  return found;
}

function filesUnder(folder: string): string[] {
  const full = path.join(root, folder);
  if (fs.statSync(full).isFile()) return [full];
  return fs.readdirSync(full, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(full, f));
}

/** The imports of `folder` that break `allowed` (given the module named, resolved when relative, and the importing file). */
function violations(folder: string, allowed: (target: string, imported: { from: string; typeOnly: boolean }, file: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of filesUnder(folder)) {
    for (const imported of importsOf(file)) {
      const target = imported.from.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), imported.from)) : imported.from;
      if (!allowed(target, imported, file)) bad.push(`${path.relative(root, file)} imports ${imported.from}`);
    }
  }
  return bad;
}

const inside = (target: string, folder: string) => target === folder || target.startsWith(`${folder}/`) || target.startsWith(`${folder}.`);

test('core imports nothing outside itself', () => {
  assert.deepEqual(violations('src/core', (t) => inside(t, 'src/core')), []);
});

test('the protocol imports nothing', () => {
  assert.deepEqual(violations('src/protocol.ts', () => false), []);
});

test('the engine imports core, onnxruntime-web and the tokenizer library; Node built-ins only in its node-* files', () => {
  const libraries = ['onnxruntime-web', '@huggingface/tokenizers'];
  assert.deepEqual(
    violations('src/engine', (t, _, file) => inside(t, 'src/engine') || inside(t, 'src/core') || libraries.some((l) => t === l || t.startsWith(`${l}/`)) || (t.startsWith('node:') && path.basename(file).startsWith('node-'))),
    [],
  );
});

test('completion imports core, and only types from the engine', () => {
  assert.deepEqual(violations('src/completion', (t, i) => inside(t, 'src/completion') || inside(t, 'src/core') || (inside(t, 'src/engine') && i.typeOnly)), []);
});

test('the webview imports the typed protocol, pure core and the UI toolkit, never extension or engine code', () => {
  const bad = violations('webview', (t) => inside(t, 'webview') || inside(t, 'src/protocol') || inside(t, 'src/core') || t === '@vscode/webview-ui-toolkit');
  assert.deepEqual(bad, []);
  // The scan sees the webview's imports at all (its entry imports the toolkit over several lines).
  assert.ok(importsOf(path.join(root, 'webview', 'main.ts')).some((i) => i.from === '@vscode/webview-ui-toolkit'));
});
