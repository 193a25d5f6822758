import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankNames } from '../src/engine/name-choice.js';
import { fixtureEngineForFile, withSession } from './helpers.js';

// The whole-name score, recomputed from scratch: log P(name's tokens | prompt) plus the log of
// the probability mass, after the name, on tokens that end an identifier.
function wholeNameLogprob(prompt: number[], nameIds: number[]): Promise<number> {
  return withSession('tiny-llama', async ({ session, tokenizer }) => {
    await session.prepare([...prompt, ...nameIds]);
    const spelling = session.logprobs.slice(prompt.length).reduce((a, b) => a + b, 0);
    const row = session.nextLogits!;
    const max = Math.max(...row);
    let all = 0;
    let ending = 0;
    row.forEach((logit, id) => {
      const p = Math.exp(logit - max);
      all += p;
      const text = tokenizer.tokenText(id);
      if (tokenizer.isSpecial(id) || text === '' || !/[\p{L}\p{N}_$]/u.test(text[0])) ending += p;
    });
    return spelling + Math.log(ending / all);
  });
}

test('each valid name is scored whole (spelling, then an identifier break), and the cache ends as it began', () =>
  withSession('tiny-llama', async ({ session, tokenizer }) => {
    const prompt = tokenizer.encode('const accessor = open();\nreturn accessor');
    await session.prepare(prompt);
    const before = { ids: [...session.ids], next: session.nextLogits!.slice() };
    const names = ['getSize', 'get', 'readUint32', 'dispose'];
    const scored = await rankNames(session, tokenizer, names, '.', { max: 8 });
    assert.deepEqual(session.ids, before.ids);
    assert.deepEqual([...session.nextLogits!], [...before.next]);
    assert.deepEqual(scored.map((s) => s.name).sort(), [...names].sort());
    assert.deepEqual(scored.map((s) => s.logprob), [...scored.map((s) => s.logprob)].sort((a, b) => b - a), 'likeliest first');
    for (const s of scored) {
      const expected = await wholeNameLogprob(prompt, tokenizer.encode('.' + s.name));
      assert.ok(Math.abs(s.logprob - expected) < 1e-3, `${s.name}: ${s.logprob} vs recomputed ${expected}`);
    }
  }));

test('the shortlist keeps the names whose first token the model finds likeliest', () =>
  withSession('tiny-llama', async ({ session, tokenizer }) => {
    const prompt = tokenizer.encode('let total = items');
    await session.prepare(prompt);
    const names = ['length', 'map', 'filter', 'reduce', 'forEach', 'some'];
    const next = session.nextLogits!;
    const byFirst = [...names].sort((a, b) => next[tokenizer.encode('.' + b)[0]] - next[tokenizer.encode('.' + a)[0]]);
    const scored = await rankNames(session, tokenizer, names, '.', { max: 2 });
    assert.deepEqual(scored.map((s) => s.name).sort(), byFirst.slice(0, 2).sort());
  }));

const fixtureEngine = fixtureEngineForFile('tiny-llama');

test('asked to choose among few valid names, the completion spells the one the model scores highest; by default the mask alone guides', async () => {
  const prefix = 'const accessor = open();\nreturn accessor.';
  const names = ['getSize', 'getName', 'readUint32', 'zebra'];
  const chosen = await fixtureEngine().complete({ prefix, validNames: names, chooseNames: 8, maxTokens: 12, stop: 'none' });
  assert.equal(chosen.scoredNames?.length, names.length);
  assert.ok(chosen.text.startsWith(chosen.scoredNames![0].name), `${JSON.stringify(chosen.text)} starts with ${chosen.scoredNames![0].name}`);
  assert.ok(!/^[\w$]/.test(chosen.text.slice(chosen.scoredNames![0].name.length)), 'and ends the name there');
  const maskOnly = await fixtureEngine().complete({ prefix, validNames: names, maxTokens: 12, stop: 'none' });
  assert.equal(maskOnly.scoredNames, undefined);
  assert.ok(names.some((n) => maskOnly.text.startsWith(n)));
});
