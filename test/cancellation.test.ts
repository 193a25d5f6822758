import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GREEDY } from '../src/core/logits.js';
import { generate } from '../src/engine/generate.js';
import { loadFixtureEngine, openSession } from './helpers.js';

test('aborting stops the decoding loop within one step', async () => {
  const { session, tokenizer } = await openSession('tiny-gpt2');
  const prompt = tokenizer.encode('function add(a, b) {');
  await session.prepare(prompt);
  const controller = new AbortController();
  const running = generate(session, tokenizer, {
    maxTokens: 64,
    sampling: GREEDY,
    stopRules: [],
    healed: '',
    signal: controller.signal,
    onToken: (_, ) => {
      if (session.ids.length - prompt.length === 2) controller.abort(); // third token picked
    },
  });
  await assert.rejects(running, { name: 'AbortError' });
  // Tokens 1 and 2 were fed back; the third was picked, then the loop stopped before another forward pass.
  assert.equal(session.stats.computed, prompt.length + 2);
  await session.dispose();
});

test('a request cancelled while queued never runs, and the engine serves the next one', async () => {
  const engine = await loadFixtureEngine('tiny-llama');
  const controller = new AbortController();
  const first = engine.complete({ prefix: 'const a = 1;\n', maxTokens: 8 });
  const second = engine.complete({ prefix: 'const b = 2;\n', maxTokens: 8, signal: controller.signal });
  controller.abort();
  await first;
  await assert.rejects(second, { name: 'AbortError' });
  const third = await engine.complete({ prefix: 'const c = 3;\n', maxTokens: 4 });
  assert.ok(third.tokens.length > 0 || third.stopReason === 'eos');
  await engine.dispose();
});
