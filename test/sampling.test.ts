import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processLogits, softmax, topIndices, topProbs } from '../src/core/logits.js';
import { pickSample, seededRng } from '../src/core/sampler.js';
import { generate } from '../src/engine/generate.js';
import { openSession } from './helpers.js';

const logits = Float32Array.from([2.0, 1.0, 0.5, 0.1, -1.0, -3.0, 0.0, 1.5]);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

test('processed distributions sum to 1', () => {
  for (const params of [
    { temperature: 1, topK: 0, topP: 1 },
    { temperature: 0.7, topK: 3, topP: 1 },
    { temperature: 1.3, topK: 0, topP: 0.8 },
    { temperature: 0.5, topK: 5, topP: 0.9 },
  ]) {
    assert.ok(Math.abs(sum(processLogits(logits, params).probs) - 1) < 1e-6, JSON.stringify(params));
  }
});

test('the recorded top candidates are the softmax’s k likeliest tokens with its probabilities, to the bit', () => {
  const rng = seededRng(3);
  for (let row = 0; row < 50; row++) {
    const vocab = Float32Array.from({ length: 4096 }, () => (rng() - 0.5) * 24);
    vocab[17] = -Infinity; // a suppressed token
    vocab[900] = vocab[901] = vocab[902]; // a tie: the lower id first
    for (let i = 0; i < 4000; i += 7) vocab[i] = -Infinity; // a healing constraint
    const probs = softmax(vocab);
    const want = topIndices(probs, 10).map((id) => ({ id, prob: probs[id] }));
    assert.deepEqual(topProbs(vocab, 10), want);
  }
  assert.deepEqual(topProbs(Float32Array.from([0.5, 3, 3, -Infinity]), 3).map((c) => c.id), [1, 2, 0]);
});

test('top-k keeps exactly the k most likely tokens', () => {
  const d = processLogits(logits, { temperature: 1, topK: 3, topP: 1 });
  assert.deepEqual([...d.kept].sort(), [0, 1, 7]);
  assert.equal(d.cutBy, 'top-k');
  d.probs.forEach((p, id) => assert.equal(p > 0, [0, 1, 7].includes(id)));
});

test('top-p keeps the smallest set that reaches p, and reports the kept mass', () => {
  const p = softmax(logits);
  const order = topIndices(p, p.length);
  const d = processLogits(logits, { temperature: 1, topK: 0, topP: 0.75 });
  let mass = 0;
  let n = 0;
  while (mass < 0.75) mass += p[order[n++]];
  assert.equal(d.kept.length, n);
  assert.ok(Math.abs(d.keptMass - mass) < 1e-6);
  assert.equal(d.cutBy, 'top-p');
  // Renormalised: each kept token's share is its raw share of the kept mass.
  for (const id of d.kept) assert.ok(Math.abs(d.probs[id] - p[id] / mass) < 1e-6);
});

test('temperature sharpens below 1 and flattens above 1; 0 is greedy', () => {
  const cold = processLogits(logits, { temperature: 0.5, topK: 0, topP: 1 }).probs;
  const hot = processLogits(logits, { temperature: 2, topK: 0, topP: 1 }).probs;
  assert.ok(cold[0] > softmax(logits)[0] && hot[0] < softmax(logits)[0]);
  const greedy = processLogits(logits, { temperature: 0, topK: 0, topP: 1 });
  assert.deepEqual(greedy.kept, [0]);
  assert.equal(greedy.probs[0], 1);
});

test('a seeded sample sequence is reproducible and a different seed differs', () => {
  const d = processLogits(logits, { temperature: 1, topK: 0, topP: 1 });
  const draw = (seed: number) => {
    const rng = seededRng(seed);
    return Array.from({ length: 50 }, () => pickSample(d, rng));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  // The empirical frequency follows the distribution (loose bound, 5,000 draws).
  const rng = seededRng(1);
  let zeros = 0;
  for (let i = 0; i < 5000; i++) if (pickSample(d, rng) === 0) zeros++;
  assert.ok(Math.abs(zeros / 5000 - d.probs[0]) < 0.03);
});

test('seeded generation through the model is reproducible', async () => {
  const run = async (seed: number) => {
    const { session, tokenizer } = await openSession('tiny-llama');
    await session.prepare(tokenizer.encode('const x = '));
    const g = await generate(session, tokenizer, { maxTokens: 16, sampling: { temperature: 1, topK: 40, topP: 0.95 }, rng: seededRng(seed), stopRules: [], healed: '' });
    await session.dispose();
    return g.tokens.map((t) => t.id);
  };
  assert.deepEqual(await run(42), await run(42));
  assert.notDeepEqual(await run(42), await run(43));
});

test('completions never contain special tokens other than the end token (a FIM model may predict <fim_suffix>)', async () => {
  const { loadFixtureEngine } = await import('./helpers.js');
  const engine = await loadFixtureEngine('tiny-llama');
  const fim = new Set(['<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>'].map((t) => engine.tokenizer.idOf(t)));
  assert.equal(fim.size, 4, "tiny-llama's FIM tokens");
  assert.ok([...fim].every((id) => id !== undefined && engine.tokenizer.isSpecial(id)));
  for (const prefix of ['return ', 'const x = ', '\t}\n', 'a', '<fim_suffix>']) {
    const result = await engine.complete({ prefix, maxTokens: 24, stop: 'none', lookup: false });
    assert.ok(result.tokens.every((t) => !fim.has(t.id)), JSON.stringify(result.tokens.map((t) => t.id)));
  }
  await engine.dispose();
});
