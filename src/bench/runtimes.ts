// Decode and prefill timings on one runtime, with and without the KV cache. The same
// DecoderSession runs on onnxruntime-web (the product) and onnxruntime-node (the reference):
// both implement the onnxruntime-common API, so only the runtime differs.

import { DecoderSession } from '../engine/decoder-session.js';
import type { ModelFolder } from '../engine/load-model.js';
import type { OrtModule } from '../engine/ort.js';
import { median } from './stats.js';

export async function openDecoder(ort: OrtModule, folder: ModelFolder, provider: 'wasm' | 'cpu'): Promise<DecoderSession> {
  const session = await ort.InferenceSession.create(folder.onnx, { executionProviders: [provider as 'wasm'], graphOptimizationLevel: 'all' });
  return new DecoderSession(ort, session, folder.shape);
}

const tokens = (n: number, vocab: number, salt = 0) => Array.from({ length: n }, (_, i) => (i * 31 + 7 + salt * 101) % Math.min(vocab, 4000));

/** Median ms of `step` over `runs`, after one untimed warm-up; `setup` runs untimed before each. */
async function timed(runs: number, setup: () => Promise<void> | void, step: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = -1; i < runs; i++) {
    await setup();
    const started = performance.now();
    await step();
    if (i >= 0) times.push(performance.now() - started);
  }
  return median(times);
}

/** ms for one new token after `past` cached positions. */
export async function cachedDecodeMs(session: DecoderSession, past: number, runs: number): Promise<number> {
  const vocab = session.shape.vocabSize;
  await session.prepare(tokens(past, vocab));
  let i = 0;
  return timed(runs, () => session.rewind(past), () => session.advance([(i++ * 13) % vocab]));
}

/** ms to produce the same token without a cache: a forward pass over all past + 1 positions. */
export async function uncachedDecodeMs(session: DecoderSession, past: number, runs: number): Promise<number> {
  const ids = tokens(past + 1, session.shape.vocabSize);
  return timed(runs, () => session.rewind(0), () => session.advance(ids, { chunk: ids.length }));
}

/** ms to prefill a prompt of `length` tokens into an empty cache. */
export async function prefillMs(session: DecoderSession, length: number, runs: number): Promise<number> {
  const ids = tokens(length, session.shape.vocabSize, 1);
  return timed(runs, () => session.rewind(0), () => session.advance(ids, { chunk: ids.length }));
}
