import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixtureEngine } from './helpers.js';

// The drafting knobs of copy-first lookup: where a draft may start, and what the model overrode.

const LINE_COPY = 'function f() {\n\tthis.items.push(value);\n}\nfunction g() {\n\tthis.';

test('a line draft needs minTyped characters on the line; minTyped 0 turns line drafts off', async () => {
  const engine = await loadFixtureEngine('tiny-llama');
  const ask = (minTyped: number) => engine.complete({ prefix: LINE_COPY, maxTokens: 12, stop: 'line', lookup: { acceptRatio: 1e-30, minMatch: 0, minTyped } });
  assert.ok((await ask(5)).drafted > 0, '"this." is 5 characters: the earlier line is drafted');
  assert.equal((await ask(6)).drafted, 0, 'fewer characters typed than minTyped: no line draft');
  assert.equal((await ask(0)).drafted, 0);
  await engine.dispose();
});

test('minMatch 0 turns n-gram drafts off; a longer minMatch drafts less', async () => {
  const engine = await loadFixtureEngine('tiny-llama');
  // Token healing makes the first token re-spell `b`, which ends an n-gram seen three times.
  const prefix = 'a.b(c);\na.b(c);\na.b(c);\na.b';
  const ask = (minMatch: number) => engine.complete({ prefix, maxTokens: 24, stop: 'none', lookup: { acceptRatio: 1, minMatch, minTyped: 0 } });
  const two = await ask(2);
  assert.ok(two.drafted > 0);
  assert.equal((await ask(0)).drafted, 0);
  assert.ok((await ask(8)).drafted <= two.drafted);
  await engine.dispose();
});

test('overridden counts the kept draft tokens that were not the model\'s own top choice', async () => {
  const engine = await loadFixtureEngine('tiny-llama');
  const plain = await engine.complete({ prefix: LINE_COPY + 'items.', maxTokens: 12, stop: 'line', lookup: false });
  const greedy = await engine.complete({ prefix: LINE_COPY + 'items.', maxTokens: 12, stop: 'line', lookup: { acceptRatio: 1 } });
  const copied = await engine.complete({ prefix: LINE_COPY + 'items.', maxTokens: 12, stop: 'line', lookup: { acceptRatio: 1e-30 } });
  assert.equal(greedy.overridden, 0, 'acceptRatio 1 keeps only what greedy picks');
  assert.equal(copied.text, 'push(value);');
  assert.notEqual(plain.text, copied.text, 'the tiny model would not write the copy itself');
  assert.ok(copied.overridden > 0 && copied.overridden <= copied.accepted);
  await engine.dispose();
});
