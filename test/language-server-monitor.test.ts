import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifierSoFar, maskToNames, NameTrie } from '../src/core/vocabulary-mask.js';
import { atTrigger, TsNames } from '../src/ts-names.js';
import { fixtureEngineForFile } from './helpers.js';

test('the trie allows tokens that stay inside a valid name or finish one with a break character', () => {
  const trie = new NameTrie(['getSize', 'getName', 'Big']);
  assert.ok(trie.allows('', 'get'));
  assert.ok(trie.allows('get', 'Si'));
  assert.ok(trie.allows('get', 'Size'));
  assert.ok(trie.allows('get', 'Size('));
  assert.ok(trie.allows('get', 'Size();'));
  assert.ok(!trie.allows('get', 'Sizes'), 'runs past the name into more identifier characters');
  assert.ok(!trie.allows('', 'dispose'));
  assert.ok(!trie.allows('', '('), 'a name must come first');
  assert.ok(!trie.allows('', ''), 'an empty token writes nothing');
  assert.ok(trie.allows('zzz', 'anything'), 'off the trie: not constrained');
  assert.equal(identifierSoFar('getSi'), 'getSi');
  assert.equal(identifierSoFar('getSize()'), undefined);
});

test('the mask keeps healing tokens and masks the rest; the input logits are untouched', () => {
  const texts = ['.', '.get', '.dis', 'get', 'Size', '('];
  const logits = new Float32Array(texts.length).fill(1);
  const trie = new NameTrie(['getSize']);
  const healed = maskToNames(logits, texts, trie, '', '.');
  assert.deepEqual([...healed.logits].map((x) => x > -Infinity), [true, true, false, true, true, true]);
  assert.equal(healed.masked, 1);
  const plain = maskToNames(logits, texts, trie, 'get');
  assert.deepEqual([...plain.logits].map((x) => x > -Infinity), [false, false, false, false, true, false]);
  assert.ok(logits.every((x) => x === 1));
});

test('TypeScript names at a trigger point come from the imported file, as typed up to the cursor', () => {
  const names = new TsNames();
  const a = 'export class Accessor {\n  getSize(): number { return 1; }\n  private hidden = 1;\n}\nexport enum Endianness { Big, Little }\n';
  const files = [{ path: 'src/a.ts', text: a }];
  const members = names.namesAt('src/b.ts', "import { Accessor } from './a.js';\nconst acc = new Accessor();\nacc.", files, Infinity);
  assert.deepEqual(members.names, ['getSize']);
  const enumMembers = names.namesAt('src/b.ts', "import { Endianness } from './a';\nconst e = Endianness?.", files, Infinity);
  assert.deepEqual(enumMembers.names.sort(), ['Big', 'Little']);
  assert.equal(names.namesAt('src/b.ts', 'const x = 1.', files, Infinity).reason, 'no-trigger');
  assert.equal(names.namesAt('src/b.ts', 'const x = acc', files, Infinity).reason, 'no-trigger');
  assert.ok(atTrigger('foo().') && atTrigger('a[0]?.') && !atTrigger('x = 1.'));
});

test('a language service over budget or throwing gives no names (unconstrained), logged once', () => {
  const logged: string[] = [];
  const names = new TsNames((m) => logged.push(m));
  const files = [{ path: 'a.ts', text: 'export const a = { x: 1 };' }];
  assert.equal(names.namesAt('b.ts', "import { a } from './a';\na.", files, -1).reason, 'late');
  const service = (names as unknown as { service: { getCompletionsAtPosition: () => never } }).service;
  service.getCompletionsAtPosition = () => {
    throw new Error('crashed');
  };
  assert.equal(names.namesAt('b.ts', "import { a } from './a';\na.", files, Infinity).reason, 'error');
  assert.equal(names.namesAt('b.ts', "import { a } from './a';\na.", files, Infinity).reason, 'error');
  assert.equal(logged.length, 1);
});

const fixtureEngine = fixtureEngineForFile('tiny-llama');

test('with valid names, the completion starts with one of them; without, it need not', async () => {
  const prefix = 'const accessor = open();\nreturn accessor.';
  for (const name of ['getSize', 'readUint32', 'zebra']) {
    const guided = await fixtureEngine().complete({ prefix, validNames: [name], maxTokens: 12, stop: 'none' });
    assert.ok(guided.text.startsWith(name), `${JSON.stringify(guided.text)} starts with ${name}`);
    assert.ok((guided.masked ?? []).some((m) => m > 0), 'tokens were masked');
  }
  const free = await fixtureEngine().complete({ prefix, maxTokens: 12, stop: 'none' });
  assert.deepEqual(free.masked, []);
  assert.ok(!free.text.startsWith('zebra'));
});
