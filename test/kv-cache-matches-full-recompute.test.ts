import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmax } from '../src/core/logits.js';
import { FIXTURES, openSession, reference } from './helpers.js';

for (const name of FIXTURES) {
  test(`${name}: greedy decoding with the KV cache equals full recompute at every step (64 steps)`, async () => {
    const { session: cached } = await openSession(name);
    const { session: full } = await openSession(name);
    const prompt: number[] = reference(name).input_ids;
    await cached.prepare(prompt);
    const ids = [...prompt];
    for (let step = 0; step < 64; step++) {
      full.rewind(0); // no reuse: recompute the whole sequence
      await full.advance(ids);
      const fromCache = argmax(cached.nextLogits!);
      const fromScratch = argmax(full.nextLogits!);
      assert.equal(fromCache, fromScratch, `step ${step}`);
      for (let i = 0; i < 16; i++) assert.ok(Math.abs(cached.nextLogits![i] - full.nextLogits![i]) < 1e-4, `logit ${i} at step ${step}`);
      ids.push(fromCache);
      await cached.advance([fromCache]);
    }
    assert.equal(cached.stats.computed, prompt.length + 64);
    await cached.dispose();
    await full.dispose();
  });

  test(`${name}: onnxruntime-web reproduces PyTorch's logits and greedy tokens`, async () => {
    const ref = reference(name);
    const { session } = await openSession(name);
    await session.prepare(ref.input_ids);
    ref.last_logits_first16.forEach((v: number, i: number) => assert.ok(Math.abs(session.nextLogits![i] - v) < 1e-4, `logit ${i}`));
    assert.equal(argmax(session.nextLogits!), ref.last_logits_argmax);
    const greedy: number[] = [];
    for (let i = 0; i < ref.greedy_tokens.length; i++) {
      greedy.push(argmax(session.nextLogits!));
      await session.advance([greedy.at(-1)!]);
    }
    assert.deepEqual(greedy, ref.greedy_tokens);
    await session.dispose();
  });

  test(`${name}: a chunk fed after a cached past gives the same logits as one at a time`, async () => {
    const ref = reference(name);
    const { session: chunked } = await openSession(name);
    const { session: single } = await openSession(name);
    const ids: number[] = ref.input_ids;
    await chunked.advance(ids.slice(0, 5));
    await chunked.advance(ids.slice(5, 8));
    for (const id of ids.slice(0, 8)) await single.advance([id]);
    for (let i = 0; i < chunked.nextLogits!.length; i++) assert.ok(Math.abs(chunked.nextLogits![i] - single.nextLogits![i]) < 1e-4);
    chunked.logprobs.forEach((lp, i) => (i === 0 ? assert.ok(Number.isNaN(lp)) : assert.ok(Math.abs(lp - single.logprobs[i]) < 1e-4)));
    await chunked.dispose();
    await single.dispose();
  });
}

import { loadFixtureEngine } from './helpers.js';
import { promptLookupDraft } from '../src/core/prompt-lookup.js';

test('prompt lookup drafts the tokens that followed the latest earlier occurrence of the current n-gram', () => {
  assert.deepEqual(promptLookupDraft([1, 2, 3, 4, 9, 1, 2, 3]), [4, 9, 1, 2, 3]);
  assert.deepEqual(promptLookupDraft([5, 6, 7, 8]), []);
  assert.deepEqual(promptLookupDraft([1, 2, 7, 1, 2, 8, 1, 2]), [8, 1, 2], 'the most recent occurrence wins');
});

for (const name of FIXTURES) {
  test(`${name}: greedy decoding with prompt-lookup drafts gives exactly the tokens of plain greedy decoding`, async () => {
    const engine = await loadFixtureEngine(name);
    // Repetitive code so that drafts exist and some are accepted.
    const prefix = 'a.b(c);\na.b(c);\na.b(c);\nx = y + z;\nx = y + z;\nx = ';
    const plain = await engine.complete({ prefix, maxTokens: 40, stop: 'none', lookup: false });
    const drafted = await engine.complete({ prefix, maxTokens: 40, stop: 'none', lookup: { acceptRatio: 1, minMatch: 2 } });
    assert.deepEqual(drafted.tokens.map((t) => t.id), plain.tokens.map((t) => t.id));
    drafted.tokens.forEach((t, i) => assert.ok(Math.abs(t.logprob - plain.tokens[i].logprob) < 1e-4));
    assert.ok(drafted.drafted > 0, 'drafts were proposed');
    await engine.dispose();
  });
}

import { lineLookup } from '../src/core/prompt-lookup.js';

test('line lookup finds the rest of the latest earlier line that starts like the current one', () => {
  assert.equal(lineLookup('a.push(1);\n\tthis.items.push(x);\n\tthis.items.'), 'push(x);');
  assert.equal(lineLookup('this.a = 1;\nthis.b = 2;\nthis.'), 'b = 2;', 'the most recent match');
  assert.equal(lineLookup('foo();\nbar'), undefined);
  assert.equal(lineLookup('x\n   '), undefined, 'nothing typed on the line yet');
});

test('copy-first lookup: with a lenient ratio the rest of a matching earlier line is proposed and kept', async () => {
  const engine = await loadFixtureEngine('tiny-llama');
  const prefix = 'function f() {\n\tthis.items.push(value);\n}\nfunction g() {\n\tthis.items.';
  const copied = await engine.complete({ prefix, maxTokens: 24, stop: 'line', lookup: { acceptRatio: 1e-30 } });
  assert.equal(copied.text, 'push(value);');
  assert.ok(copied.accepted > 0);
  // The reported log-probs are still the model's own for the tokens it kept.
  const exact = await engine.scoreIds([...engine.promptIds(prefix).slice(0, -1), ...copied.tokens.map((t) => t.id)], engine.promptIds(prefix).length - 1);
  exact.forEach((lp, i) => assert.ok(Math.abs(lp - copied.tokens[i].logprob) < 1e-4));
  await engine.dispose();
});
