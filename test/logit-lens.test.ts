// The logit lens (issue 16): the final norm and LM head applied to the residual stream after every
// layer. Its last row must be the model's own distribution; a model without the lens outputs
// still loads and completes and says "no lens"; completion passes never fetch the lens input.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { explanationJson } from '../src/cli.js';
import { softmax } from '../src/core/logits.js';
import { DecoderSession } from '../src/engine/decoder-session.js';
import { LENS_TOP } from '../src/engine/engine.js';
import { readModelFolder } from '../src/engine/load-model.js';
import { LogitLens, NO_LENS } from '../src/engine/logit-lens.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { bundledModelFolder, loadNodeEngine } from '../src/engine/node-runtime.js';
import { createSession, type OrtSession } from '../src/engine/ort.js';
import { fixturePath, loadFixtureEngine } from './helpers.js';

const PROMPT = 'function add(a, b) {\n\treturn a + b;\n}\n\nfunction sub(a, b) {\n\treturn a';

/** The bundled model, or NEXTTOKEN_LENS_MODEL (a folder exported by training/export_onnx.py). */
const BUNDLED = process.env.NEXTTOKEN_LENS_MODEL ?? bundledModelFolder();
const bundledHasLens = fs.existsSync(path.join(BUNDLED, 'onnx', 'lens.onnx'));

/** Every model folder whose last lens row is checked against its logits. */
const LENS_MODELS: { name: string; folder: string; skip?: string }[] = [
  { name: 'tiny-gpt2', folder: fixturePath('tiny-gpt2') },
  { name: 'tiny-llama', folder: fixturePath('tiny-llama') },
  {
    name: 'the bundled model',
    folder: BUNDLED,
    skip: bundledHasLens ? undefined : `${BUNDLED} has no onnx/lens.onnx yet (re-export it with training/export_onnx.py)`,
  },
];

/** A session whose run() records the output names each pass fetched. */
function recordFetches(session: OrtSession): string[][] {
  const fetched: string[][] = [];
  const run = session.run.bind(session);
  session.run = ((feeds: never, fetches: string[]) => {
    fetched.push([...fetches]);
    return run(feeds, fetches);
  }) as typeof session.run;
  return fetched;
}

for (const model of LENS_MODELS) {
  test(`logit lens on ${model.name}: the last row is the model's own distribution (every probability within 1e-4)`, { skip: model.skip }, async () => {
    await loadNodeEngine(model.folder).then((e) => e.dispose()); // configures the runtime once
    const folder = await readModelFolder(nodeModelFiles(model.folder));
    assert.ok(folder.readLens, 'the folder has onnx/lens.onnx');
    const session = new DecoderSession(ort, await createSession(ort, folder.onnx, 'wasm'), folder.shape);
    const lens = new LogitLens(ort, folder.readLens);
    try {
      assert.equal(session.hasResidualStream, true);
      await session.prepare(folder.tokenizer.encode(PROMPT));
      const { residuals } = await session.refeed(1, { residuals: true });
      assert.ok(residuals);
      assert.equal(residuals.rows, folder.shape.numLayers + 1, 'one row for the embedding and one per layer');
      const logits = await lens.logits(residuals);
      const vocab = session.nextLogits!.length;
      assert.equal(logits.length, residuals.rows * vocab);
      const own = softmax(session.nextLogits!);
      const last = softmax(logits.subarray((residuals.rows - 1) * vocab));
      let worst = 0;
      for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(own[i] - last[i]));
      assert.ok(worst <= 1e-4, `largest probability difference ${worst}`);
      // The earlier rows are other distributions (the lens shows something the last row does not).
      const first = softmax(logits.subarray(0, vocab));
      let apart = 0;
      for (let i = 0; i < vocab; i++) apart = Math.max(apart, Math.abs(first[i] - own[i]));
      assert.ok(apart > 1e-3, 'the embedding row differs from the final distribution');
    } finally {
      await session.dispose();
      await lens.dispose();
    }
  });
}

test('explain with lens: one row per layer, top candidates, the last row equal to the candidates, the picked token ranked', async () => {
  for (const name of ['tiny-gpt2', 'tiny-llama']) {
    const engine = await loadFixtureEngine(name);
    try {
      assert.equal(engine.info.lens, true, `${name} reports the lens`);
      const e = await engine.explain({ prefix: PROMPT, lens: true, attentions: true, top: 10 });
      assert.ok(e.lens && 'rows' in e.lens, 'rows, not "unavailable"');
      const rows = e.lens.rows;
      assert.deepEqual(rows.map((r) => r.layer), Array.from({ length: engine.shape.numLayers + 1 }, (_, i) => i));
      const last = rows.at(-1)!;
      assert.equal(last.candidates.length, LENS_TOP);
      assert.deepEqual(last.candidates.map((c) => c.id), e.candidates.slice(0, LENS_TOP).map((c) => c.id));
      last.candidates.forEach((c, i) => assert.ok(Math.abs(c.prob - e.candidates[i].prob) <= 1e-4));
      assert.equal(last.picked.id, e.greedy.id);
      assert.equal(last.picked.rank, 0, 'greedy: the model picked its top token');
      for (const row of rows) {
        assert.equal(row.picked.id, e.greedy.id);
        const better = row.candidates.filter((c) => c.prob > row.picked.prob).length;
        assert.equal(Math.min(row.picked.rank, LENS_TOP), Math.min(better, LENS_TOP), `layer ${row.layer}: rank agrees with the candidates`);
      }
      // Asking for the lens does not change the explanation's chain rule.
      const plain = await engine.explain({ prefix: PROMPT, attentions: true, top: 10 });
      assert.equal(plain.lens, undefined);
      assert.deepEqual(plain.context.map((t) => t.logprob), e.context.map((t) => t.logprob));
    } finally {
      await engine.dispose();
    }
  }
});

test('a model without the lens outputs loads, completes, and reports "no lens"', async () => {
  const engine = await loadFixtureEngine('tiny-llama-no-lens');
  try {
    assert.equal(engine.info.lens, false);
    const completion = await engine.complete({ prefix: PROMPT, maxTokens: 4, stop: 'none' });
    assert.ok(completion.tokens.length > 0, 'it completes');
    const e = await engine.explain({ prefix: PROMPT, lens: true });
    assert.deepEqual(e.lens, { unavailable: NO_LENS });
    assert.ok(e.candidates.length > 0, 'the rest of the explanation is there');
    const json: Record<string, unknown> = explanationJson(e);
    assert.equal(json.lens, null);
    assert.match(String(json.lensUnavailable), /^no lens/);
  } finally {
    await engine.dispose();
  }
  // Same graph as tiny-llama: the no-lens model's distribution equals the lens model's.
  const withLens = await loadFixtureEngine('tiny-llama');
  const without = await loadFixtureEngine('tiny-llama-no-lens');
  try {
    const [a, b] = [await withLens.explain({ prefix: PROMPT }), await without.explain({ prefix: PROMPT })];
    assert.deepEqual(a.candidates.map((c) => c.id), b.candidates.map((c) => c.id));
  } finally {
    await withLens.dispose();
    await without.dispose();
  }
});

test('a model folder with residual_stream but no lens.onnx reports "no lens"', async () => {
  const files = nodeModelFiles(fixturePath('tiny-llama'));
  const hidden = {
    ...files,
    location: files.location,
    list: async (folder: string) => (await files.list(folder)).filter((n) => n !== 'lens.onnx'),
    size: async (rel: string) => (rel === 'onnx/lens.onnx' ? undefined : files.size(rel)),
  };
  const folder = await readModelFolder(hidden);
  assert.equal(folder.readLens, undefined);
});

test('completion passes fetch only logits and the KV cache; the lens input only when explain asks', async () => {
  await loadNodeEngine(fixturePath('tiny-gpt2')).then((e) => e.dispose());
  const folder = await readModelFolder(nodeModelFiles(fixturePath('tiny-gpt2')));
  const ortSession = await createSession(ort, folder.onnx, 'wasm');
  const fetched = recordFetches(ortSession);
  const session = new DecoderSession(ort, ortSession, folder.shape);
  try {
    await session.prepare(folder.tokenizer.encode(PROMPT));
    await session.advance([5, 6]);
    const optional = (name: string) => name === 'residual_stream' || name.startsWith('attentions.');
    assert.ok(fetched.length >= 2);
    for (const names of fetched) {
      assert.deepEqual(names.filter(optional), [], 'no optional output on a plain pass');
      assert.ok(names.includes('logits') && names.includes('present.0.key'));
    }
    fetched.length = 0;
    const outputs = await session.refeed(3, { residuals: true });
    assert.deepEqual(fetched.map((names) => names.filter(optional)), [['residual_stream']]);
    assert.ok(outputs.residuals && !outputs.attentions);
  } finally {
    await session.dispose();
  }
});

test('nexttoken explain --json --lens prints one row per layer, the last equal to the candidates', () => {
  const cli = path.join(__dirname, '..', 'src', 'cli.ts');
  const run = (model: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', cli, 'explain', '--model', fixturePath(model), '--prefix', PROMPT, '--json', '--lens', '--top', '5'], { encoding: 'utf8' }));
  const json = run('tiny-llama');
  assert.equal(json.lens.length, 3, 'embedding + 2 layers');
  assert.deepEqual(Object.keys(json.lens[0]).sort(), ['candidates', 'layer', 'picked']);
  assert.deepEqual(Object.keys(json.lens[0].candidates[0]).sort(), ['id', 'prob', 'text']);
  assert.deepEqual(json.lens.at(-1).candidates.map((c: { id: number }) => c.id), json.candidates.map((c: { id: number }) => c.id));
  const none = run('tiny-llama-no-lens');
  assert.equal(none.lens, null);
  assert.equal(none.lensUnavailable, NO_LENS);
});
