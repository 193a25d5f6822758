// fp16 and int8 models, as users bring them: the fixtures' fp16 export (float16 KV cache inputs
// and logits) and its dynamically quantized int8 export (scripts/make-fixtures.py).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmax } from '../src/core/logits.js';
import { halfToNumber, toFloat32 } from '../src/engine/float16.js';
import { openSession, reference } from './helpers.js';

/**
 * Largest |logit difference| allowed between the cached decode and a full recompute, for a row of
 * logits spanning `range`. fp16: the cache is stored in float16 (measured: 0). int8: activations
 * are quantized per tensor at run time, so one new row and the whole sequence get different
 * scales (measured: up to 8.1 % of the row's range on these fixtures).
 */
const TOLERANCE = { fp16: () => 0.05, int8: (range: number) => 0.1 * range } as const;
const TOLERANCE_TEXT = { fp16: '0.05', int8: '10 % of the logit range' } as const;
/**
 * Greedy tokens that must equal the fp32 model's. fp16: all 16. int8 (measured: tiny-gpt2 16 of
 * 16, tiny-llama 7 of 16 — random weights give flat distributions that quantization tips): 4.
 */
const GREEDY_AGREEMENT = { fp16: 16, int8: 4 } as const;

test('float16 bits decode to the numbers they stand for', () => {
  assert.equal(halfToNumber(0x3c00), 1);
  assert.equal(halfToNumber(0xc000), -2);
  assert.equal(halfToNumber(0x7bff), 65504);
  assert.equal(halfToNumber(0x0001), 2 ** -24);
  assert.equal(halfToNumber(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToNumber(0x7e00)));
  assert.deepEqual([...toFloat32(new Uint16Array([0x3555, 0xbc00]))], [Math.fround(0.333251953125), -1]);
});

for (const base of ['tiny-gpt2', 'tiny-llama'] as const) {
  for (const dtype of ['fp16', 'int8'] as const) {
    const name = `${base}-${dtype}`;

    test(`${name}: the session declares ${dtype === 'fp16' ? 'float16' : 'float32'} KV cache inputs and logits, and loads`, async () => {
      const { session } = await openSession(name);
      const ort = (session as unknown as { session: { inputMetadata: { name: string; type?: string }[]; outputMetadata: { name: string; type?: string }[] } }).session;
      const want = dtype === 'fp16' ? 'float16' : 'float32';
      const kv = ort.inputMetadata.filter((m) => m.name.startsWith('past_key_values.'));
      assert.ok(kv.length > 0 && kv.every((m) => m.type === want), JSON.stringify(kv));
      assert.equal(ort.outputMetadata.find((m) => m.name === 'logits')?.type, want);
      await session.dispose();
    });

    test(`${name}: cached decode equals full recompute within ${TOLERANCE_TEXT[dtype]} per logit (24 greedy steps)`, async (t) => {
      const { session: cached } = await openSession(name);
      const { session: full } = await openSession(name);
      const prompt: number[] = reference(base).input_ids;
      await cached.prepare(prompt);
      const ids = [...prompt];
      let worst = 0;
      for (let step = 0; step < 24; step++) {
        full.rewind(0);
        await full.advance(ids);
        const a = cached.nextLogits!;
        const b = full.nextLogits!;
        assert.ok(a instanceof Float32Array && a.length === b.length && a.every(Number.isFinite), 'finite float32 logits');
        const range = Math.max(...b) - Math.min(...b);
        let diff = 0;
        for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
        assert.ok(diff < TOLERANCE[dtype](range), `step ${step}: ${diff} (logit range ${range})`);
        worst = Math.max(worst, diff / range);
        ids.push(argmax(a));
        await cached.advance([ids.at(-1)!]);
      }
      // and the cache can be rewound (a copy in the cache's own dtype) and reused
      cached.rewind(prompt.length + 4);
      await cached.advance(ids.slice(prompt.length + 4, prompt.length + 8));
      full.rewind(0);
      await full.advance(ids.slice(0, prompt.length + 8));
      const range = Math.max(...full.nextLogits!) - Math.min(...full.nextLogits!);
      for (let i = 0; i < full.nextLogits!.length; i++) assert.ok(Math.abs(cached.nextLogits![i] - full.nextLogits![i]) < TOLERANCE[dtype](range), 'after rewind');
      t.diagnostic(`${name}: largest |cached − full| logit difference ${(100 * worst).toFixed(2)} % of the logit range`);
      await cached.dispose();
      await full.dispose();
    });

    test(`${name}: greedy decoding agrees with the fp32 model (${GREEDY_AGREEMENT[dtype]} of 16 tokens at least)`, async (t) => {
      const { session: variant } = await openSession(name);
      const { session: fp32 } = await openSession(base);
      const prompt: number[] = reference(base).input_ids;
      await variant.prepare(prompt);
      await fp32.prepare(prompt);
      const mine: number[] = [];
      const theirs: number[] = [];
      for (let step = 0; step < 16; step++) {
        mine.push(argmax(variant.nextLogits!));
        theirs.push(argmax(fp32.nextLogits!));
        await variant.advance([mine.at(-1)!]);
        await fp32.advance([theirs.at(-1)!]);
      }
      const firstDifference = mine.findIndex((id, i) => id !== theirs[i]);
      const agreeing = firstDifference < 0 ? 16 : firstDifference;
      t.diagnostic(`${name}: the first ${agreeing} of 16 greedy tokens equal fp32's`);
      assert.deepEqual(mine.slice(0, GREEDY_AGREEMENT[dtype]), theirs.slice(0, GREEDY_AGREEMENT[dtype]));
      await variant.dispose();
      await fp32.dispose();
    });
  }
}
