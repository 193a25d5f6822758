import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { argmax } from '../src/core/logits.js';
import { constrainToHealing, healingAllows, healingRemainder } from '../src/core/token-healing.js';
import { loadNodeEngine } from '../src/engine/node-runtime.js';
import { FIXTURES, loadFixtureEngine } from './helpers.js';

test('the healing constraint admits tokens that extend the held-back text or are a prefix of it', () => {
  assert.ok(healingAllows('return', 'retu'));
  assert.ok(healingAllows('re', 'retu'));
  assert.ok(!healingAllows('rx', 'retu'));
  assert.ok(!healingAllows('', 'retu'));
  assert.equal(healingRemainder('re', 'retu'), 'tu');
  assert.equal(healingRemainder('return', 'retu'), '');
  const out = constrainToHealing([1, 2, 3], ['ret', 'x', 'return'], 'retu');
  assert.deepEqual(Array.from(out), [1, -Infinity, 3]); // 'ret' is a prefix of 'retu': 'u' must follow
});

for (const name of FIXTURES) {
  test(`${name}: a prompt cut inside a token backs up and picks the likeliest token that re-spells it`, async () => {
    const engine = await loadFixtureEngine(name);
    const whole = 'function add(a, b) {\n\treturn a + b;\n}\n\nfunction sub(a, b) {\n\treturn';
    let rebuilt = 0;
    for (let cut = whole.length - 5; cut <= whole.length; cut++) {
      const prefix = whole.slice(0, cut);
      const ids = engine.encode(prefix);
      const healed = await engine.complete({ prefix, maxTokens: 6, stop: 'none', lookup: false });
      const held = healed.healed;
      // The held-back tokens are the last ones of the prompt and spell the healed text.
      let count = 1;
      while (engine.tokenizer.decode(ids.slice(ids.length - count)) !== held) assert.ok(++count <= 4, `healed ${JSON.stringify(held)} is a token suffix`);
      assert.ok(held.length > 0 && prefix.endsWith(held));
      // Oracle: the model's logits after the prompt without those tokens, restricted to tokens that fit.
      const base = engine.promptIds(prefix).slice(0, -count);
      const row = await engine.nextLogitsFor(base);
      const expected = argmax(constrainToHealing(row, engine.tokenizer.tokenTexts(), held));
      assert.equal(healed.tokens[0].id, expected, `first token after healing ${JSON.stringify(held)}`);
      assert.ok(engine.tokenizer.decode(healed.tokens.map((t) => t.id)).startsWith(held) || held.startsWith(healed.tokens[0].text));
      if (count === 1 && expected === ids.at(-1)) {
        // It re-spelled the original token: from there it continues exactly as the unsplit prompt does.
        const unsplit = await engine.complete({ prefix, maxTokens: 5, stop: 'none', heal: false, lookup: false });
        assert.equal(healed.text, unsplit.text);
        rebuilt++;
      }
    }
    assert.ok(rebuilt > 0, 'some cut re-spelled its original token');
    await engine.dispose();
  });
}

const bundled = path.join(__dirname, '..', 'models', 'nexttoken-small');
test('bundled model: completing `retu` gives `rn`, not a new token after a broken one', { skip: !fs.existsSync(path.join(bundled, 'onnx')) && 'no bundled model yet' }, async () => {
  const engine = await loadNodeEngine(bundled);
  const prefix = 'export function sum(values: number[]): number {\n\tlet total = 0;\n\tfor (const v of values) total += v;\n\tretu';
  const result = await engine.complete({ prefix, maxTokens: 8 });
  assert.ok(result.text.startsWith('rn'), JSON.stringify(result.text));
  await engine.dispose();
});
