// Broken model folders: each gives one clear ModelError, generated here from the good fixtures.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ModelError } from '../src/engine/errors.js';
import { loadNodeEngine } from '../src/engine/node-runtime.js';
import { fixturePath } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nexttoken-bad-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture with `change` applied. */
function variant(name: string, change: (dir: string) => void, from = 'tiny-llama'): string {
  const dir = path.join(tmp, name);
  fs.cpSync(fixturePath(from), dir, { recursive: true });
  change(dir);
  return dir;
}
const editJson = (file: string, edit: (j: Record<string, unknown>) => void) => {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
};

// ── a minimal protobuf writer, for an ONNX model that has no KV cache ───────────────────
const varint = (n: number) => {
  const out: number[] = [];
  for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
  return [...out, n];
};
const field = (no: number, bytes: number[]) => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
const intField = (no: number, n: number) => [...varint(no << 3), ...varint(n)];
const str = (no: number, s: string) => field(no, [...Buffer.from(s)]);
const tensorType = (elem: number, dims: string[]) => field(1, [...intField(1, elem), ...field(2, dims.flatMap((d) => field(1, str(2, d))))]);
const valueInfo = (no: number, name: string, elem: number, dims: string[]) => field(no, [...str(1, name), ...field(2, tensorType(elem, dims))]);
function onnxWithoutKvCache(): Uint8Array {
  const graph = [
    ...field(1, [...str(1, 'input_ids'), ...str(2, 'logits'), ...str(4, 'Identity')]),
    ...str(2, 'no-cache'),
    ...valueInfo(11, 'input_ids', 7, ['batch', 'seq']),
    ...valueInfo(11, 'attention_mask', 7, ['batch', 'seq']),
    ...valueInfo(12, 'logits', 7, ['batch', 'seq']),
  ];
  return Uint8Array.from([...intField(1, 8), ...field(8, intField(2, 17)), ...field(7, graph)]);
}

const cases: [string, () => string, ModelError['problem'], RegExp][] = [
  ['missing folder', () => path.join(tmp, 'does-not-exist'), 'missing-folder', /does not exist/],
  ['missing model.onnx', () => variant('no-onnx', (d) => fs.rmSync(path.join(d, 'onnx'), { recursive: true })), 'missing-file', /onnx\/model/],
  ['truncated model.onnx', () => variant('truncated', (d) => {
    const f = path.join(d, 'onnx', 'model.onnx');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 5000));
  }), 'bad-onnx', /could not be loaded|not a valid ONNX/],
  ['a text file renamed .onnx', () => variant('not-onnx', (d) => fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), 'this is not a model, just text pretending to be one\n'.repeat(10))), 'bad-onnx', /not a valid ONNX/],
  ['a model without a KV cache', () => variant('no-kv', (d) => fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), onnxWithoutKvCache())), 'contract', /no KV cache/],
  ['tokenizer larger than the model vocabulary', () => variant('vocab', (d) => editJson(path.join(d, 'config.json'), (j) => (j.vocab_size = 300))), 'tokenizer', /do not belong together/],
  ['config.json with missing sizes', () => variant('no-sizes', (d) => editJson(path.join(d, 'config.json'), (j) => delete j.num_hidden_layers)), 'bad-config', /number of layers/],
  ['config.json with absurd sizes', () => variant('absurd', (d) => editJson(path.join(d, 'config.json'), (j) => (j.num_attention_heads = 1e9))), 'bad-config', /attention heads/],
  ['config.json that is not JSON', () => variant('garbled', (d) => fs.writeFileSync(path.join(d, 'config.json'), '{ "model_type": ')), 'bad-config', /not valid JSON/],
  ['config.json whose layers differ from the ONNX file', () => variant('layers', (d) => editJson(path.join(d, 'config.json'), (j) => (j.num_hidden_layers = 3))), 'contract', /3 layers/],
  ['an encoder model', () => variant('encoder', (d) => editJson(path.join(d, 'config.json'), (j) => (j.model_type = 'bert'))), 'not-a-decoder', /decoder-only/],
  ['a huge file', () => variant('huge', (d) => {
    const f = path.join(d, 'onnx', 'model.onnx');
    fs.rmSync(f);
    fs.closeSync(fs.openSync(f, 'w'));
    fs.truncateSync(f, 3 * 1024 ** 3); // sparse: no disk is used
  }), 'too-large', /GiB/],
  ['a missing tokenizer', () => variant('no-tokenizer', (d) => fs.rmSync(path.join(d, 'tokenizer.json'))), 'missing-file', /tokenizer\.json/],
];

for (const [title, make, problem, message] of cases) {
  test(`bad model folder: ${title} → one clear error (${problem})`, async () => {
    const folder = make();
    await assert.rejects(loadNodeEngine(folder), (error: unknown) => {
      assert.ok(error instanceof ModelError, `a ModelError, got ${(error as Error).stack}`);
      assert.equal(error.problem, problem);
      assert.match(error.message, message);
      return true;
    });
  });
}

test('after a bad folder, a good one still loads (nothing is left half-initialised)', async () => {
  await assert.rejects(loadNodeEngine(path.join(tmp, 'does-not-exist')));
  const engine = await loadNodeEngine(fixturePath('tiny-gpt2'));
  const result = await engine.complete({ prefix: 'let x = ', maxTokens: 3, stop: 'none', lookup: false });
  assert.equal(result.tokens.length, 3, 'the good model completes after the failed load');
  assert.ok(result.tokens.every((t) => Number.isFinite(t.logprob)));
  await engine.dispose();
});
