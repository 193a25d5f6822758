// Choosing the execution provider by measurement: a small model is often faster on WASM than on
// a GPU, and a software WebGPU adapter is far slower than either. Time a warm decode step on
// each backend the host offers and keep the fastest.

import { DecoderSession } from './decoder-session.js';
import { ModelError } from './errors.js';
import type { ModelShape } from './model-config.js';
import { createSession, type Backend, type OrtModule } from './ort.js';
import { median } from '../core/stats.js';

export interface BackendChoice {
  backend: Backend;
  session: DecoderSession;
  /** Median ms of a warm single-token decode step, per backend tried. */
  timings: Partial<Record<Backend, number>>;
  /** Backends that failed to start, with the reason. */
  failures: Partial<Record<Backend, string>>;
}

export async function chooseBackend(ort: OrtModule, onnx: Uint8Array, shape: ModelShape, candidates: readonly Backend[]): Promise<BackendChoice> {
  const timings: BackendChoice['timings'] = {};
  const failures: BackendChoice['failures'] = {};
  let best: { backend: Backend; session: DecoderSession } | undefined;
  for (const backend of candidates) {
    let session: DecoderSession | undefined;
    try {
      session = await openChecked(ort, onnx, shape, backend);
    } catch (cause) {
      const error = cause instanceof ModelError ? cause : new ModelError('bad-onnx', `the ONNX model could not be loaded on ${backend} (not a valid ONNX file, or an operator this runtime lacks): ${(cause as Error).message}`);
      if (candidates.length === 1) throw error;
      failures[backend] = (error as Error).message;
      continue;
    }
    if (candidates.length === 1) return { backend, session, timings, failures };
    try {
      timings[backend] = await timeDecodeStep(session);
    } catch (cause) {
      await session.dispose();
      failures[backend] = (cause as Error).message;
      continue;
    }
    if (!best || timings[backend]! < timings[best.backend]!) {
      await best?.session.dispose();
      best = { backend, session };
    } else {
      await session.dispose();
    }
  }
  if (!best) throw new ModelError('bad-onnx', `no backend could run the model: ${Object.entries(failures).map(([b, m]) => `${b}: ${m}`).join('; ')}`);
  return { ...best, timings, failures };
}

/** A DecoderSession over a new ORT session; when the model fails the contract check, the ORT session is released (~20 MB each). */
export async function openChecked(ort: OrtModule, onnx: Uint8Array, shape: ModelShape, backend: Backend): Promise<DecoderSession> {
  const session = await createSession(ort, onnx, backend);
  try {
    return new DecoderSession(ort, session, shape);
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
}

/** Median of a few single-token steps after a short prefill (the first runs warm the backend up). */
async function timeDecodeStep(session: DecoderSession): Promise<number> {
  return median(await session.warmUp(16, 6));
}
