import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Engine } from '../src/engine/engine.js';
import { buildPrompt } from '../src/engine/prompt.js';
import { loadFixtureEngine } from './helpers.js';

let engine: Engine;
before(async () => {
  engine = await loadFixtureEngine('tiny-llama');
});
after(() => engine.dispose());

const context = '// src/registry.ts\nexport class Registry {\n  lookupByName(name: string): Session\n}\n\n// src/main.ts\n';
const file = 'import { Registry } from "./registry";\nconst registry = new Registry();\nfunction open(name: string) {\n  return registry.';

test('the context block comes first and its tokens stay put while the prefix grows or is cut', () => {
  const tokenizer = engine.tokenizer;
  const contextIds = tokenizer.encode(context);
  const bos = engine.shape.bosTokenId;
  const lead = (ids: number[]) => ids.slice(0, contextIds.length + (bos !== undefined ? 1 : 0));
  const expected = [...(bos !== undefined ? [bos] : []), ...contextIds];
  for (const prefix of [file, file + 'look', file + 'lookupBy', 'x'.repeat(4000) + file]) {
    const prompt = buildPrompt(tokenizer, prefix, undefined, { budget: 300, heal: true, bos, context });
    assert.deepEqual(lead(prompt.ids), expected, `context first for a prefix of ${prefix.length} characters`);
    assert.equal(prompt.contextTokens, contextIds.length);
    assert.ok(prompt.ids.length <= 300);
  }
  // Without context the prompt is what it was.
  assert.deepEqual(buildPrompt(tokenizer, file, undefined, { budget: 300, heal: true, bos }).ids, buildPrompt(tokenizer, file, undefined, { budget: 300, heal: true, bos, context: '' }).ids);
});

test('a context longer than half the window keeps its last tokens (the current file header)', () => {
  const long = 'export const filler = 1;\n'.repeat(200) + '// src/main.ts\n';
  const prompt = buildPrompt(engine.tokenizer, file, undefined, { budget: 200, heal: false, context: long });
  assert.equal(prompt.contextTokens, 100);
  assert.ok(engine.tokenizer.decode(prompt.ids).includes('// src/main.ts\n' + file));
});

test('typing after an unchanged context block reuses its KV cache', async () => {
  await engine.complete({ prefix: file, context, maxTokens: 2, lookup: false });
  const next = await engine.complete({ prefix: file + 'l', context, maxTokens: 2, lookup: false });
  assert.ok(next.contextTokens! > 0);
  assert.ok(next.reusedTokens >= next.contextTokens!, `reused ${next.reusedTokens} of ${next.promptTokens}, context ${next.contextTokens}`);
});

test('prompt-lookup drafting also copies from the context snippets', async () => {
  const withSnippet = '// src/use.ts\n  return registry.lookupByName(name).connect(options);\n\n// src/main.ts\n';
  const prefix = 'function open(name: string, options: Options) {\n  return registry.lookupByName(';
  const without = await engine.complete({ prefix, maxTokens: 8, stop: 'none' });
  const withContext = await engine.complete({ prefix, context: withSnippet, maxTokens: 8, stop: 'none' });
  assert.equal(without.drafted, 0);
  assert.ok(withContext.drafted > 0, 'the earlier line in the snippet was proposed as a draft');
});
