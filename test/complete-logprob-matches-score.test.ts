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
    const same = scored.tokens.map((t) => t.id).join() === completionIds.join();
    if (same) {
      scored.tokens.forEach((t, i) => assert.ok(Math.abs(t.logprob! - result.tokens[i].logprob) < 1e-4, `token ${i}`));
      assert.ok(Math.abs(scored.logprob - result.logprob) < 1e-4 * result.tokens.length);
    }
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
