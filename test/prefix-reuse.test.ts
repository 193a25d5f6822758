import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES, loadFixtureEngine } from './helpers.js';

const FILE = 'export function distance(a: Point, b: Point): number {\n\tconst dx = a.x - b.x;\n\tconst dy = a.y - b.y;\n\treturn Math.sqrt(dx * dx + dy * dy);\n}\n\nexport function mid';

for (const name of FIXTURES) {
  test(`${name}: a request that extends the previous one by a few characters runs only the new tokens`, async () => {
    const engine = await loadFixtureEngine(name);
    const first = await engine.complete({ prefix: FILE, maxTokens: 4 });
    assert.equal(first.reusedTokens, 0);
    assert.equal(first.computedTokens, first.promptTokens);
    const second = await engine.complete({ prefix: FILE + 'point(a', maxTokens: 4 });
    const grown = engine.promptIds(FILE + 'point(a').length - engine.promptIds(FILE).length;
    // Healing holds back the last token, and the old last token may merge with the new text: at most 2 extra.
    assert.ok(second.computedTokens <= grown + 2, `computed ${second.computedTokens} for ${grown} new tokens`);
    assert.ok(second.reusedTokens >= first.promptTokens - 2);
    assert.equal(second.reusedTokens + second.computedTokens, second.promptTokens);
    await engine.dispose();
  });

  test(`${name}: rewinding to a shorter prefix cuts the cache instead of recomputing from zero`, async () => {
    const engine = await loadFixtureEngine(name);
    await engine.complete({ prefix: FILE, maxTokens: 2, heal: false });
    const shorter = FILE.slice(0, FILE.indexOf('\treturn'));
    const result = await engine.complete({ prefix: shorter, maxTokens: 2, heal: false });
    assert.equal(result.computedTokens, 1, 'only the last token is fed again, for its logits');
    assert.equal(result.reusedTokens, result.promptTokens - 1);
    // …and the cut cache still predicts exactly what a fresh engine predicts.
    const fresh = await loadFixtureEngine(name);
    const expected = await fresh.complete({ prefix: shorter, maxTokens: 8, heal: false, stop: 'none' });
    const again = await engine.complete({ prefix: shorter, maxTokens: 8, heal: false, stop: 'none' });
    assert.deepEqual(again.tokens.map((t) => t.id), expected.tokens.map((t) => t.id));
    await engine.dispose();
    await fresh.dispose();
  });

  test(`${name}: a context longer than the window is cut at the front in fixed steps and stays cache-friendly`, async () => {
    const engine = await loadFixtureEngine(name);
    const long = FILE.repeat(20);
    const a = await engine.complete({ prefix: long, maxTokens: 4 });
    assert.ok(a.promptTokens <= engine.shape.maxPositions - 4);
    const b = await engine.complete({ prefix: long + 'x', maxTokens: 4 });
    assert.ok(b.reusedTokens > b.promptTokens / 2, 'typing one more character keeps most of the cache');
    await engine.dispose();
  });
}
