// Hostile documents through the completion path (real engine on a tiny fixture): no exception,
// no suggestion that would corrupt the text around the cursor, bounded work.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contextRange } from '../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type Suggestion } from '../src/completion/pipeline.js';
import type { Engine } from '../src/engine/engine.js';
import { loadFixtureEngine } from './helpers.js';

const SETTINGS = { ...DEFAULT_PIPELINE, debounceMs: 0, maxTokens: 6, maxBlockTokens: 10 };

/** Provide a suggestion for `doc` at `offset` the way the editor adapter does. */
async function suggest(pipeline: CompletionPipeline, doc: string, offset: number): Promise<Suggestion | undefined> {
  const { start, end } = contextRange(offset, doc.length);
  return pipeline.provide({ text: doc.slice(start, end), cursor: offset - start, startsDocument: start === 0, immediate: true });
}

/** A suggestion is safe when inserting it keeps the document's text around the cursor intact and valid. */
function assertSafe(doc: string, offset: number, s: Suggestion | undefined, maxTokens: number): void {
  if (!s) return;
  const before = doc.slice(0, offset);
  const after = doc.slice(offset);
  const result = before + s.text + after;
  assert.ok(result.startsWith(before) && result.endsWith(after));
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s.text), 'no lone surrogate in the suggestion');
  assert.ok(!/[\uD800-\uDBFF]$/.test(before) || !/^[\uDC00-\uDFFF]/.test(after), 'never inserts inside a surrogate pair');
  const lineAfter = after.split('\n')[0].replace(/\r$/, '');
  if (lineAfter.trim()) assert.ok(!s.text.includes('\n'), 'mid-line suggestions never break the line after the cursor');
  assert.ok(!/<fim_|<\|endoftext\|>/.test(s.text), 'no special tokens in ghost text');
  if (s.result) assert.ok(s.result.tokens.length <= maxTokens * 3, 'bounded work');
}

let engine: Engine;
test.before(async () => {
  engine = await loadFixtureEngine('tiny-llama');
});
test.after(() => engine.dispose());

const SPECIAL_CASES: [string, string, number[]][] = [
  ['empty file', '', [0]],
  ['one 1 MB line', 'x'.repeat(1 << 20), [0, 1 << 19, 1 << 20]],
  ['binary-like text', Array.from({ length: 4000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(''), [0, 1000, 4000]],
  ['every Unicode plane', Array.from({ length: 17 }, (_, p) => String.fromCodePoint(p * 0x10000 + 0x41)).join(' '), [0, 5, 12, 40]],
  ['emoji and combining marks at the cursor', 'const s = "👩‍👩‍👧‍👦e\u0301\u0302"; // 🇯🇵', [11, 12, 13, 22, 23, 24, 25]],
  ['CRLF and mixed line endings', 'a();\r\nb();\nc();\r\n\r\nfunction f() {\r\n', [4, 5, 6, 11, 27, 29]],
  ['cursor at start, end and middle of surrogate pairs', '😀😀x😀', [0, 1, 2, 3, 4, 5, 6]],
  ['lone surrogates in the document', 'a\uD800b\uDC00c', [0, 1, 2, 3, 4, 5]],
  ['CJK (multi-byte, split into byte tokens) at the cursor', 'const 名前 = "一二三"; 一', [8, 10, 16, 19, 20, 21]],
  ['special-token text in the document', 'let t = "<fim_middle><|endoftext|>"; x', [8, 20, 38]],
];

for (const [title, doc, offsets] of SPECIAL_CASES) {
  test(`hostile document: ${title}`, async () => {
    const pipeline = new CompletionPipeline(engine, SETTINGS);
    for (const offset of offsets) assertSafe(doc, offset, await suggest(pipeline, doc, Math.min(offset, doc.length)), SETTINGS.maxBlockTokens);
  });
}

test('property: thousands of random documents and cursor positions never throw or corrupt the text', async () => {
  const pipeline = new CompletionPipeline(engine, SETTINGS);
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('\n', '\r\n', '\t', '{', '}', '(', ')', ';', '  ', 'return ', 'const ', '😀', '\uD800', '\uDC00', 'e\u0301', '<fim_suffix>'),
  );
  const documents = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
  await fc.assert(
    fc.asyncProperty(documents, fc.double({ min: 0, max: 1, noNaN: true }), async (doc, at) => {
      const offset = Math.floor(at * doc.length);
      assertSafe(doc, offset, await suggest(pipeline, doc, offset), SETTINGS.maxBlockTokens);
    }),
    { numRuns: 2000, seed: 20261128 },
  );
});
