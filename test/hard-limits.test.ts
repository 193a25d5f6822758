// Hostile inputs, each with its input: a clear error or a clean cut, never a hang (the hangs are
// caught by each test's timeout, not by timing assertions).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { GREEDY } from '../src/core/logits.js';
import { ModelError } from '../src/engine/errors.js';
import { generate } from '../src/engine/generate.js';
import { loadNodeEngine } from '../src/engine/node-runtime.js';
import { TextTokenizer } from '../src/engine/tokenizer.js';
import { markdownText } from '../src/extension/markdown-text.js';
import { MAX_PREFIX_CHARS, parseCommandLine as parseArgs } from '../src/cli.js';
import { fixturePath, loadFixtureEngine, openSession } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nexttoken-limits-'));
function folder(name: string, change: (dir: string) => void): string {
  const dir = path.join(tmp, name);
  fs.cpSync(fixturePath('tiny-llama'), dir, { recursive: true });
  change(dir);
  return dir;
}

test('request fields: non-numeric, non-finite and out-of-range numbers and unknown fields are one RequestError each', { timeout: 30_000 }, async () => {
  const engine = await loadFixtureEngine('tiny-gpt2');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ prefix: 'x', maxTokens: 'abc' }, /maxTokens must be a whole number/],
    [{ prefix: 'x', maxTokens: NaN }, /maxTokens/],
    [{ prefix: 'x', maxTokens: Infinity }, /maxTokens/],
    [{ prefix: 'x', maxTokens: 2.5 }, /maxTokens/],
    [{ prefix: 'x', sampling: { temperature: -1 } }, /temperature/],
    [{ prefix: 'x', sampling: { topP: 2 } }, /topP/],
    [{ prefix: 'x', stop: 'forever' }, /stop must be one of/],
    [{ prefix: 'x', maxTokenz: 3 }, /unknown field "maxTokenz"/],
    [{ prefix: 42 }, /prefix must be a string/],
    [{ suffix: 'x' }, /needs prefix/],
  ];
  for (const [request, message] of bad) {
    assert.throws(() => void engine.complete(request as never), { name: 'RequestError', message }, JSON.stringify(request));
  }
  assert.throws(() => void engine.score({ text: 'x', alternatives: -1 }), { name: 'RequestError' });
  assert.throws(() => void engine.explain({ prefix: 'x', top: 1e9 }), { name: 'RequestError' });
  assert.ok((await engine.complete({ prefix: 'let x = ', maxTokens: 2 })).tokens.length <= 2, 'a good request still runs');
  await engine.dispose();
});

test('generation stops at the model window, whatever maxTokens says', { timeout: 60_000 }, async () => {
  const { session, tokenizer, shape } = await openSession('tiny-gpt2');
  const prompt = tokenizer.encode('function add(a, b) {\n\treturn a + b;\n}\n'.repeat(8)).slice(0, shape.maxPositions - 10);
  await session.prepare(prompt);
  const result = await generate(session, tokenizer, { maxTokens: 100_000, sampling: GREEDY, stopRules: [], healed: '', suppress: [...tokenizer.specialIds] });
  assert.equal(result.stopReason, 'window');
  assert.ok(session.ids.length <= shape.maxPositions, `cache ${session.ids.length} within ${shape.maxPositions}`);
  await session.dispose();
});

test('no suggestion ends in U+FFFD: a last token that is half a UTF-8 character is held back', { timeout: 60_000 }, async () => {
  const engine = await loadFixtureEngine('tiny-llama'); // byte-fallback tokens: characters split over tokens
  let heldBack = 0;
  for (let maxTokens = 1; maxTokens <= 30; maxTokens++) {
    const result = await engine.complete({ prefix: 'function add(a, b) {\n\treturn a + b;\n}\n', maxTokens, stop: 'none', heal: false });
    assert.ok(!result.text.endsWith('\uFFFD'), `maxTokens ${maxTokens}: ${JSON.stringify(result.text)}`);
    if (result.tokens.length < maxTokens && result.stopReason === 'budget') heldBack++;
  }
  assert.ok(heldBack > 0, 'the prompt does produce a split character somewhere (else this test proves nothing)');
  await engine.dispose();
});

const hostileFolders: [string, () => string, ModelError['problem'], RegExp][] = [
  ['config.json as a FIFO', () => folder('fifo', (d) => (fs.rmSync(path.join(d, 'config.json')), execFileSync('mkfifo', [path.join(d, 'config.json')]))), 'bad-file', /config\.json .*named pipe/],
  ['tokenizer.json as a FIFO', () => folder('fifo-tok', (d) => (fs.rmSync(path.join(d, 'tokenizer.json')), execFileSync('mkfifo', [path.join(d, 'tokenizer.json')]))), 'bad-file', /tokenizer\.json .*named pipe/],
  ['config.json → /dev/zero', () => folder('zero', (d) => (fs.rmSync(path.join(d, 'config.json')), fs.symlinkSync('/dev/zero', path.join(d, 'config.json')))), 'bad-file', /config\.json .*device/],
  ['a 5 MB config.json', () => folder('huge-config', (d) => fs.writeFileSync(path.join(d, 'config.json'), `{"pad": "${'x'.repeat(5 * 1024 ** 2)}"}`)), 'bad-file', /config\.json .*limit/],
  ['config.json = null', () => folder('null-config', (d) => fs.writeFileSync(path.join(d, 'config.json'), 'null')), 'bad-config', /config\.json .*not a JSON object/],
  ['malformed generation_config.json', () => folder('bad-gen', (d) => fs.writeFileSync(path.join(d, 'generation_config.json'), '{"eos_token_id": ')), 'bad-config', /generation_config\.json .*not valid JSON/],
  ['generation_config.json = []', () => folder('list-gen', (d) => fs.writeFileSync(path.join(d, 'generation_config.json'), '[]')), 'bad-config', /generation_config\.json .*not a JSON object/],
  ['malformed tokenizer_config.json', () => folder('bad-tokcfg', (d) => fs.writeFileSync(path.join(d, 'tokenizer_config.json'), '{"model_max_length": ')), 'tokenizer', /tokenizer_config\.json .*not valid JSON/],
  ['a folder named model.onnx', () => folder('dir-onnx', (d) => (fs.rmSync(path.join(d, 'onnx', 'model.onnx')), fs.mkdirSync(path.join(d, 'onnx', 'model.onnx')))), 'bad-file', /onnx\/model\.onnx .*folder/],
];

for (const [title, make, problem, message] of hostileFolders) {
  test(`hostile model folder: ${title} → one ModelError (${problem}) naming the file, no hang`, { timeout: 20_000 }, async () => {
    await assert.rejects(loadNodeEngine(make()), (error: unknown) => {
      assert.ok(error instanceof ModelError, `a ModelError, got ${(error as Error).stack}`);
      assert.equal(error.problem, problem);
      assert.match(error.message, message);
      return true;
    });
  });
}

test('a vocabulary of 151,665 tokens (Qwen2.5-Coder size) is measured with a loop, not Math.max(...ids)', { timeout: 30_000 }, () => {
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (let i = 1; i < 151_665; i++) vocab[`t${i}`] = i;
  const json = { version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null, model: { type: 'WordLevel', vocab, unk_token: '[UNK]' } };
  const tokenizer = new TextTokenizer(new Tokenizer(json as never, {} as never));
  assert.equal(tokenizer.vocabSize, 151_665);
});

test('CLI: boolean flags do not take the next argument; --file text is cut before tokenizing', () => {
  assert.throws(() => parseArgs(['complete', '--json', 'oops']), /unexpected argument oops/);
  assert.deepEqual({ ...parseArgs(['complete', '--no-lookup', '--max-tokens', '5']).flags }, { 'no-lookup': true, 'max-tokens': '5' });
  const big = path.join(tmp, 'big.ts');
  fs.writeFileSync(big, 'const a = 1;\n'.repeat(400_000)); // 5.2 MB: tokenizing it whole takes a minute
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'dist', 'cli.js'), 'complete', '--model', fixturePath('tiny-gpt2'), '--file', big, '--max-tokens', '4', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.ok(JSON.parse(out).promptTokens > 0);
  assert.ok(MAX_PREFIX_CHARS < 400_000 * 13);
  assert.throws(() => execFileSync(process.execPath, [path.join(__dirname, '..', 'dist', 'cli.js'), 'complete', '--model', fixturePath('tiny-gpt2'), '--prefix', 'x', '--max-tokens', 'abc'], { encoding: 'utf8', stdio: 'pipe', timeout: 60_000 }), /--max-tokens needs a number/);
});

test('tooltip and hover markdown: untrusted text cannot become an image, a link or HTML', () => {
  const hostile = '![x](https://evil.example/pixel.png) [click](command:workbench.action.quit) <img src=x> `code` $(alert)';
  const escaped = markdownText(hostile);
  assert.doesNotMatch(escaped, /(?<!\\)!(?<!\\)\[/);
  assert.doesNotMatch(escaped, /(?<!\\)[<`[\]()]/);
  assert.equal(escaped.replace(/\\(.)/g, '$1'), hostile, 'the text itself is kept');
});

test('a model that fails the contract check releases its ORT session (it leaked ~20 MB per failed load)', async () => {
  const { openChecked } = await import('../src/engine/backend-choice.js');
  let released = 0;
  const fakeOrt = { InferenceSession: { create: async () => ({ inputNames: ['input_ids'], outputNames: ['logits'], release: async () => void released++ }) } };
  const shape = { modelType: 'gpt2', numLayers: 2, numHeads: 4, numKvHeads: 4, headDim: 8, vocabSize: 10, maxPositions: 16, eosTokenIds: [] };
  await assert.rejects(openChecked(fakeOrt as never, new Uint8Array(8), shape, 'wasm'), { name: 'ModelError', problem: 'contract' });
  assert.equal(released, 1);
});
