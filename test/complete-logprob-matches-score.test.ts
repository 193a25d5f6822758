import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES, loadFixtureEngine } from './helpers.js';

for (const name of FIXTURES) {
  test(`${name}: the cumulative log-prob of complete equals score of prompt+completion in one pass (1e-4 per token)`, async () => {
    const engine = await loadFixtureEngine(name);
    const prefix = 'function add(a, b) {\n\treturn a + b;\n}\n';
    const result = await engine.complete({ prefix, maxTokens: 24, stop: 'none', heal: false });
    // 24 generated; a last token that is half of a UTF-8 character is held back (no U+FFFD in the text).
    assert.ok(result.tokens.length >= 20 && result.tokens.length <= 24, `${result.tokens.length} tokens`);
    assert.ok(!result.text.endsWith('\uFFFD'));
    // Score the same ids: the prompt as the engine built it (bos + prefix) and the completion.
    const scored = await engine.score({ before: prefix, text: result.tokens.map((t) => t.text).join('') });
    const completionIds = result.tokens.map((t) => t.id);
    // score() tokenises the text itself (greedy output need not re-tokenise to the same ids: on
    // tiny-llama it does not); over its own tokens it agrees with a fresh pass over those ids.
    const scoredIds = scored.tokens.map((t) => t.id);
    assert.equal(engine.tokenizer.decode(scoredIds), engine.tokenizer.decode(completionIds), 'the same text');
    const fresh = await engine.scoreIds([...engine.promptIds(prefix), ...scoredIds], engine.promptIds(prefix).length);
    assert.equal(fresh.length, scoredIds.length);
    scored.tokens.forEach((t, i) => assert.ok(Math.abs(t.logprob! - fresh[i]) < 1e-4, `scored token ${i}: ${t.logprob} vs ${fresh[i]}`));
    assert.ok(Math.abs(scored.logprob - fresh.reduce((a, b) => a + b, 0)) < 1e-4 * scoredIds.length);
    // Independent of re-tokenisation: a fresh forward pass over exactly these ids.
    const exact = await engine.scoreIds([...engine.promptIds(prefix), ...completionIds], engine.promptIds(prefix).length);
    exact.forEach((lp, i) => assert.ok(Math.abs(lp - result.tokens[i].logprob) < 1e-4, `token ${i}: ${lp} vs ${result.tokens[i].logprob}`));
    let cumulative = 0;
    result.tokens.forEach((t, i) => {
      cumulative += exact[i];
      assert.ok(Math.abs(t.cumulativeLogprob - cumulative) < 1e-4 * (i + 1));
    });
    await engine.dispose();
  });
}
