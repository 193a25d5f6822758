import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../src/completion/pipeline.js';
import { firstShownCandidates, firstShownToken, type RequestRecord } from '../src/completion/request-record.js';
import { softmax, topIndices } from '../src/core/logits.js';
import { NameTrie } from '../src/core/vocabulary-mask.js';
import type { Engine } from '../src/engine/engine.js';
import { loadFixtureEngine } from './helpers.js';

let engine: Engine;
before(async () => {
  engine = await loadFixtureEngine('tiny-llama'); // has FIM tokens and special tokens to suppress
});
after(() => engine.dispose());

const settings = { ...DEFAULT_PIPELINE, debounceMs: 0, minConfidence: 0 };

/** A pipeline whose records are collected; the engine's complete() calls are counted. */
function recordingPipeline(overrides: Partial<typeof settings> = {}) {
  let calls = 0;
  const counting = { complete: (r: Parameters<Engine['complete']>[0]) => (calls++, engine.complete(r)) };
  const pipeline = new CompletionPipeline(counting, { ...settings, ...overrides });
  const records: RequestRecord[] = [];
  pipeline.onRecord = (r) => records.push(r);
  return { pipeline, records, calls: () => calls };
}

test('the record holds the ghost text the pipeline returned and the prompt the model saw', async () => {
  const { pipeline, records } = recordingPipeline({ fillInTheMiddle: 'always' });
  const text = 'function add(a, b) {\n  return a + b;\n}\nfunction sub(a, b) {\n  return a - b;\n}\n';
  const suggestion = await pipeline.provide({ text, cursor: text.indexOf('return a - b') + 7, startsDocument: true, immediate: true });
  const record = records.at(-1)!;
  assert.equal(record.shown, suggestion?.text ?? '');
  assert.equal(record.suffix.sent, true);
  const kinds = record.prompt.parts.map((p) => p.kind);
  assert.deepEqual(kinds.filter((k) => k !== 'bos'), ['fim', 'prefix', 'fim', 'suffix', 'fim']);
  // The parts spell the ids the engine would build for the same prefix and suffix (healed tokens held back).
  const prefix = text.slice(0, text.indexOf('return a - b') + 7);
  const ids = record.prompt.parts.flatMap((p) => p.tokens.map((t) => t.id));
  const built = engine.promptIds(prefix.slice(0, prefix.length - record.healed.length), text.slice(prefix.length));
  assert.deepEqual(ids, built);
  assert.equal(record.prompt.heldBack.map((t) => t.text).join(''), record.healed);
});

test('the first shown token was picked from the recorded candidate list, which is the model’s distribution at that step', async () => {
  const { pipeline, records } = recordingPipeline({ fillInTheMiddle: 'never', heal: false });
  const text = 'let total = 0;\nfor (const x of xs) {\n  total += ';
  await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true });
  const record = records.at(-1)!;
  const first = firstShownCandidates(record);
  assert.ok(first.candidates.length > 0);
  // Recompute the distribution from the prompt and the tokens before the first shown one.
  const ids = [...record.prompt.parts.flatMap((p) => p.tokens.map((t) => t.id)), ...record.tokens.slice(0, first.index).map((t) => t.id)];
  const logits = await engine.nextLogitsFor(ids);
  const allowed = logits.slice();
  for (const id of engine.tokenizer.specialIds) if (!engine.tokenizer.eosIds.includes(id)) allowed[id] = -Infinity;
  const token = record.tokens[first.index];
  assert.equal(record.healed, '');
  assert.equal(first.index, 0);
  const probs = softmax(allowed);
  const want = topIndices(probs, first.candidates.length);
  assert.deepEqual(first.candidates.map((c) => c.id), want);
  first.candidates.forEach((c) => assert.ok(Math.abs(c.prob - probs[c.id]) < 1e-5, `${c.id}: ${c.prob} vs ${probs[c.id]}`));
  if (token && token.source === 'model') assert.equal(token.id, first.candidates[0].id, 'greedy picks the top candidate');
});

test('healing: the tokens before the first shown one re-spell the held-back text, and are constrained to it', async () => {
  const { pipeline, records } = recordingPipeline({ fillInTheMiddle: 'never' });
  const text = 'function multiply(a, b) {\n  return a * b;\n}\nconst product = multi';
  await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true });
  const record = records.at(-1)!;
  assert.ok(record.healed.length > 0, 'the word at the cursor is healed');
  const index = firstShownToken(record);
  const respelled = record.tokens.slice(0, index + 1).map((t) => t.text).join('');
  assert.ok(respelled.startsWith(record.healed) || record.healed.startsWith(respelled), `${JSON.stringify(respelled)} vs ${JSON.stringify(record.healed)}`);
  assert.equal(record.tokens[0]?.healingConstrained ?? true, true);
});

test('the same place asked again (the panel, then the editor) is served from memory with the same record', async () => {
  const { pipeline, records, calls } = recordingPipeline();
  const text = 'const values = [1, 2, 3];\nconst doubled = values.';
  const first = await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true, origin: { key: 'a', offset: 1 } });
  const second = await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true, origin: { key: 'a', offset: 1 } });
  assert.equal(calls(), 1);
  assert.equal(records.length, 2);
  assert.equal(records[1].id, records[0].id);
  assert.equal(records[1].served, 'cache');
  assert.equal(first?.text, second?.text);
  assert.equal(records[1].shown, records[0].shown);
});

test('forward passes and drafts add up: each pass yields one model-picked token, drafted tokens come free', async () => {
  const { pipeline, records } = recordingPipeline();
  const line = '  sum = sum + values[i] * weights[i];\n';
  const text = `function f(values, weights) {\n  let sum = 0;\n${line}${line}${line}  sum = sum`;
  await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true });
  const record = records.at(-1)!;
  const drafted = record.tokens.filter((t) => t.source === 'draft').length;
  const modelPicked = record.tokens.length - drafted;
  assert.ok(drafted <= record.drafts.accepted);
  assert.ok(modelPicked <= record.forwardPasses, `${modelPicked} model tokens from ${record.forwardPasses} passes`);
  for (const r of record.drafts.rejected) assert.ok(r.drafted.length > 0 && r.at >= 0 && r.at <= record.tokens.length);
  assert.ok(record.forwardPasses <= record.tokens.length + 1 + (record.end ? 1 : 0));
});

test('the record carries what the editor added: the context snippets (file, score) and the tokens the language server masked, with their probability before the mask', async () => {
  const { pipeline, records } = recordingPipeline({ suggestionThreshold: 0 });
  const accessor = 'export class Accessor {\n  getSize(): number {\n    return 1;\n  }\n  readUint32(offset: number): number {\n    return 0;\n  }\n}\n';
  const text = "import { Accessor } from './accessor';\nconst acc = new Accessor();\nacc.";
  const asked: string[] = [];
  pipeline.editor = {
    related: async (origin) => (asked.push(`related ${origin.key}`), { path: 'src/b.ts', text, files: [{ path: 'src/accessor.ts', text: accessor }] }),
    validNames: async (origin) => (asked.push(`names ${origin.offset}`), ['getSize', 'readUint32']),
  };
  await pipeline.provide({ text, cursor: text.length, startsDocument: true, immediate: true, origin: { key: 'file:///src/b.ts', offset: text.length } });
  const record = records.at(-1)!;
  assert.deepEqual(asked.sort(), ['names ' + text.length, 'related file:///src/b.ts']);
  assert.ok(record.context && record.context.snippets.some((s) => s.path === 'src/accessor.ts' && s.kind === 'outline' && s.score > 0));
  assert.ok(record.context.tokens > 0);
  assert.equal(record.prompt.parts.find((p) => p.kind === 'context')?.tokens.length, record.context.tokens);
  assert.equal(record.monitor?.validNames, 2);
  assert.ok(record.monitor.maskedSteps >= record.tokens.filter((t) => t.monitor).length);
  const step = record.tokens.find((t) => t.monitor)!;
  assert.ok(step.monitor!.masked > 0);
  // Each struck-through token is one the mask ruled out (it would leave every valid name), with
  // the probability the model gave it before the mask, likeliest first.
  const trie = new NameTrie(['getSize', 'readUint32']);
  const index = record.tokens.indexOf(step);
  const typed = record.tokens.slice(0, index).map((t) => t.text).join('').slice(record.healed.length);
  assert.ok(step.monitor!.ruledOut.length > 0);
  for (const c of step.monitor!.ruledOut) {
    assert.ok(!step.candidates.some((k) => k.id === c.id && k.prob > 0), `${c.text} is not among the allowed candidates`);
    assert.ok(!trie.allows(typed, c.text), `${JSON.stringify(c.text)} leaves every valid name after ${JSON.stringify(typed)}`);
    assert.ok(c.prob > 0 && c.prob <= 1);
  }
  const probs = step.monitor!.ruledOut.map((c) => c.prob);
  assert.deepEqual(probs, [...probs].sort((a, b) => b - a));
  // A failing editor never stops the completion: it goes on without context or names.
  pipeline.editor = { related: async () => Promise.reject(new Error('disk')), validNames: async () => Promise.reject(new Error('server')) };
  const other = text.replace(/acc/g, 'obj');
  await pipeline.provide({ text: other, cursor: other.length, startsDocument: true, immediate: true, origin: { key: 'file:///src/b.ts', offset: other.length } });
  assert.equal(records.at(-1)!.id, record.id + 1, 'a new record');
  assert.equal(records.at(-1)!.context, undefined);
  assert.equal(records.at(-1)!.monitor, undefined);
});
