import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causalMask } from '../src/core/causal-mask.js';
import { bitsPerChar, chainRule, chainRuleLogProb, perplexity, productUnderflows } from '../src/core/chain-rule.js';

test('the chain rule multiplies conditional probabilities: P("I love AI <end>") = 0.2 × 0.6 × 0.7 × 0.8', () => {
  const steps = chainRule([0.2, 0.6, 0.7, 0.8].map(Math.log));
  assert.ok(Math.abs(Math.exp(steps.at(-1)!.cumulativeLogprob) - 0.0672) < 1e-12);
  assert.ok(Math.abs(Math.exp(steps[1].cumulativeLogprob) - 0.12) < 1e-12);
  assert.ok(Math.abs(perplexity([0.5, 0.5].map(Math.log)) - 2) < 1e-12);
  assert.ok(Math.abs(bitsPerChar([Math.log(0.5)], 1) - 1) < 1e-12);
});

test('long sequences underflow as a product but not as a log sum', () => {
  const logprobs = new Array(2000).fill(Math.log(0.5));
  assert.ok(productUnderflows(chainRuleLogProb(logprobs)));
  assert.ok(Math.abs(chainRuleLogProb(logprobs) - 2000 * Math.log(0.5)) < 1e-9);
});

test('the causal mask is lower-triangular', () => {
  const m = causalMask(4);
  assert.deepEqual(Array.from(m), [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
});
