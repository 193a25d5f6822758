// Hostile documents through the completion path (real engine on a tiny fixture): no exception,
// no suggestion that would corrupt the text around the cursor, bounded work.

import { test } from 'node:test';
import { CompletionPipeline } from '../src/completion/pipeline.js';
import { fixtureEngineForFile } from './helpers.js';
import { SETTINGS, assertSafe, suggest } from './hostile-documents-shared.js';

const fixtureEngine = fixtureEngineForFile('tiny-llama');

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
    const pipeline = new CompletionPipeline(fixtureEngine(), SETTINGS);
    for (const offset of offsets) assertSafe(doc, offset, await suggest(pipeline, doc, Math.min(offset, doc.length)), SETTINGS.maxBlockTokens);
  });
}
