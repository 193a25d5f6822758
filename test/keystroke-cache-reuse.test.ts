// What a keystroke does not recompute: the repository-context block while the user types within
// a line (ContextMemo), and the prompt's cut when a line's first keystroke (a block request) is
// followed by the next ones (line requests).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ContextMemo } from '../src/completion/context-memo.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type CompletionEngine } from '../src/completion/pipeline.js';
import { contextBlock, DEFAULT_CONTEXT, type RelatedFiles, type WorkspaceFile } from '../src/completion/repo-context.js';
import type { CompletionRequest, CompletionResult, Engine } from '../src/engine/engine.js';
import { loadFixtureEngine } from './helpers.js';

const accessor = 'export class Accessor {\n  constructor(readonly bytes: Uint8Array) {}\n  getSize(): number {\n    return this.bytes.length;\n  }\n}\n';
const helpers = 'export function clamp(x: number, lo: number, hi: number): number {\n  return Math.min(hi, Math.max(lo, x));\n}\n';
const head = "import { Accessor } from './accessor.js';\nimport { clamp } from './helpers.js';\n\nexport function size(acc: Accessor) {\n  return acc.";

/** The related files as the editor sends them each keystroke: fresh objects, the document's text so far. */
function related(text: string, files: readonly WorkspaceFile[]): RelatedFiles {
  return { path: 'src/b.ts', text, files: files.map((f) => ({ ...f })), openEditors: [{ path: 'src/notes.ts', text: 'const notes = [1, 2, 3];\n' }] };
}
const workspace = [
  { path: 'src/accessor.ts', text: accessor },
  { path: 'src/helpers.ts', text: helpers },
];

test('the context block stays the same object while the user types within a line, and equals a fresh one', () => {
  const memo = new ContextMemo();
  const first = memo.blockFor(head, related(head, workspace), DEFAULT_CONTEXT);
  assert.ok(first.snippets.length > 0);
  for (const typed of ['g', 'ge', 'getS', 'getSize(']) {
    const prefix = head + typed;
    const block = memo.blockFor(prefix, related(prefix, workspace), DEFAULT_CONTEXT);
    assert.equal(block, first, `after "${typed}" the block is the one computed for the line`);
    assert.deepEqual(block, contextBlock(prefix, related(prefix, workspace), DEFAULT_CONTEXT));
  }
  assert.equal(memo.computed, 1);
});

test('the context block is computed again when a related file changes, and then shows the change', () => {
  const memo = new ContextMemo();
  memo.blockFor(head, related(head, workspace), DEFAULT_CONTEXT);
  const edited = [{ path: 'src/accessor.ts', text: accessor.replace('getSize(): number {', 'getSize(): number {\n  }\n  getLength(): number {') }, workspace[1]];
  const block = memo.blockFor(head + 'g', related(head + 'g', edited), DEFAULT_CONTEXT);
  assert.equal(memo.computed, 2);
  assert.match(block.text, /getLength\(\): number/);
  assert.deepEqual(block, contextBlock(head + 'g', related(head + 'g', edited), DEFAULT_CONTEXT));
});

test('the context block is computed again on a new line, when the current file imports something else, and when the settings change', () => {
  const memo = new ContextMemo();
  memo.blockFor(head, related(head, workspace), DEFAULT_CONTEXT);
  const nextLine = head + 'getSize();\n  ';
  assert.deepEqual(memo.blockFor(nextLine, related(nextLine, workspace), DEFAULT_CONTEXT), contextBlock(nextLine, related(nextLine, workspace), DEFAULT_CONTEXT));
  assert.equal(memo.computed, 2);
  // An import typed on the current line (the document's text carries it; the lines above do not change).
  const withImport = head.replace("import { clamp } from './helpers.js';\n", '');
  memo.blockFor(withImport, related(withImport, workspace), DEFAULT_CONTEXT);
  const before = memo.computed;
  const importing = withImport + 'x';
  const block = memo.blockFor(importing, related(importing + "\nimport { clamp } from './helpers.js';", workspace), DEFAULT_CONTEXT);
  assert.equal(memo.computed, before + 1);
  assert.ok(block.snippets.some((s) => s.path === 'src/helpers.ts'));
  memo.blockFor(importing, related(importing, workspace), { ...DEFAULT_CONTEXT, budgetTokens: 64 });
  assert.equal(memo.computed, before + 2);
});

let engine: Engine;
before(async () => {
  engine = await loadFixtureEngine('tiny-llama');
});
after(() => engine.dispose());

test("a line's first keystroke (a block request) and the next ones (line requests) cut a long prefix at the same place: the KV cache holds", async () => {
  // Line and block requests of their own sizes (the block's within a quarter of the fixture's window): with a
  // reserve of their own, some lengths of the document cut them differently.
  const settings = { ...DEFAULT_PIPELINE, debounceMs: 0, maxTokens: 8, maxBlockTokens: 32, timeBudgetMs: 60_000 };
  const results: { request: CompletionRequest; result: CompletionResult }[] = [];
  const recording: CompletionEngine = { complete: async (request) => (results.push({ request, result: await engine.complete(request) }), results.at(-1)!.result) };
  // Two pipelines on one engine: each asks the model (no suggestion memory between them), the engine keeps its cache.
  const ask = (text: string) => new CompletionPipeline(recording, settings).provide({ text, cursor: text.length, startsDocument: true, immediate: true });
  for (let lines = 30; lines < 38; lines++) {
    const document = Array.from({ length: lines }, (_, i) => `const value${i} = compute(${i}, "item${i}");`).join('\n') + '\n';
    results.length = 0;
    await ask(document); // an empty line: a block request
    await ask(document + 'c'); // the line's next keystroke: a line request
    assert.deepEqual(results.map((r) => r.request.stop), ['block', 'line']);
    const [block, line] = results.map((r) => r.result);
    assert.ok(block.prompt.cutTokens > 0, 'the document is longer than the window');
    assert.equal(line.prompt.cutTokens, block.prompt.cutTokens, `${lines} lines: the same cut`);
    assert.ok(line.reusedTokens >= line.promptTokens - 3, `${lines} lines: reused ${line.reusedTokens} of ${line.promptTokens}`);
  }
});
