// Stress (npm run test:stress): thousands of random documents and cursor positions through the
// completion path on a real tiny model; what "safe" means is in ../hostile-documents-shared.ts.

import { test } from 'node:test';
import fc from 'fast-check';
import { CompletionPipeline } from '../../src/completion/pipeline.js';
import type { Engine } from '../../src/engine/engine.js';
import { loadFixtureEngine } from '../helpers.js';
import { SETTINGS, assertSafe, suggest } from '../hostile-documents-shared.js';

let engine: Engine;
test.before(async () => {
  engine = await loadFixtureEngine('tiny-llama');
});
test.after(() => engine.dispose());

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
