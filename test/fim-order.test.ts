import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildPrompt } from '../src/engine/prompt.js';
import { TextTokenizer } from '../src/engine/tokenizer.js';
import { fixturePath } from './helpers.js';

const files = (order?: string) => {
  const dir = fixturePath('tiny-llama');
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  if (order !== undefined) config.fim_order = order;
  return TextTokenizer.fromJson(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'), JSON.stringify(config));
};

const prefix = 'function add(a, b) {\n  return ';
const suffix = ';\n}\n';

test('a model folder without fim_order gets prefix-suffix-middle prompts', () => {
  const tok = files();
  assert.equal(tok.fim?.order, 'psm');
  const p = buildPrompt(tok, prefix, suffix, { budget: 500, heal: false });
  assert.deepEqual(p.parts.map((x) => x.kind), ['fim', 'prefix', 'fim', 'suffix', 'fim']);
  assert.deepEqual([p.ids[0], p.ids.at(-1)], [tok.fim!.prefix, tok.fim!.middle]);
});

test('fim_order "spm" puts the suffix first and ends the prompt with the prefix, which the middle continues', () => {
  const tok = files('spm');
  const p = buildPrompt(tok, prefix, suffix, { budget: 500, heal: false });
  assert.deepEqual(p.parts.map((x) => x.kind), ['fim', 'suffix', 'fim', 'prefix']);
  assert.deepEqual(p.ids, [tok.fim!.suffix, ...tok.encode(suffix), tok.fim!.prefix, ...tok.encode(prefix)]);
  // Typing before an unchanged suffix only appends to the prompt, so the KV cache keeps matching.
  const next = buildPrompt(tok, prefix + 'a', suffix, { budget: 500, heal: false });
  assert.deepEqual(next.ids.slice(0, p.ids.length - 1), p.ids.slice(0, -1));
  // Without a suffix the prompt is plain.
  assert.deepEqual(buildPrompt(tok, prefix, '', { budget: 500, heal: false }).parts.map((x) => x.kind), ['prefix']);
});

test('spm prompts fit the budget: the prefix is cut at its front, the suffix and markers stay', () => {
  const tok = files('spm');
  const long = 'let x = 1;\n'.repeat(300) + prefix;
  const p = buildPrompt(tok, long, suffix, { budget: 200, heal: false });
  assert.ok(p.ids.length <= 200, `${p.ids.length} tokens`);
  assert.ok(p.cutTokens > 0);
  assert.deepEqual(p.parts.map((x) => x.kind), ['fim', 'suffix', 'fim', 'prefix']);
});

test('an unknown fim_order is an error that names the file', () => {
  assert.throws(() => files('pms'), /tokenizer_config.json: fim_order/);
});

test('repository context reads as code right before the prefix in every order, and stays put while the user types', () => {
  const context = '// src/a.ts\nexport class Accessor {\n  getSize(): number\n}\n\n// src/b.ts\n';
  for (const order of ['psm', 'spm']) {
    const tok = files(order);
    const p = buildPrompt(tok, prefix, suffix, { budget: 500, heal: false, context });
    const kinds = p.parts.map((x) => x.kind);
    assert.equal(kinds[kinds.indexOf('context') + 1], 'prefix', `${order}: ${kinds.join(' ')}`);
    assert.deepEqual(p.parts.find((x) => x.kind === 'context')!.ids, tok.encode(context));
    const next = buildPrompt(tok, prefix + 'a', suffix, { budget: 500, heal: false, context });
    const upToContext = kinds.indexOf('context') + 1;
    const lead = (q: typeof p) => q.parts.slice(0, upToContext).flatMap((x) => x.ids);
    assert.deepEqual(lead(next), lead(p), `${order}: everything up to the context is the same after a keystroke`);
  }
  assert.deepEqual(buildPrompt(files('spm'), prefix, suffix, { budget: 500, heal: false, context }).parts.map((x) => x.kind), ['fim', 'suffix', 'fim', 'context', 'prefix']);
});
