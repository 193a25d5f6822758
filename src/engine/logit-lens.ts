// The logit lens: the model's final norm and LM head applied to the residual stream after the
// embedding and after each layer, so the panel can show the next-token guess forming layer by
// layer. A model offers it with two optional parts of its folder:
//   onnx/model*.onnx  output residual_stream (batch, layers + 1, hidden), the last position only
//   onnx/lens.onnx    residual_stream (batch, rows, hidden) f32 → lens_logits (batch, rows, vocab) f32
// The lens is a graph of its own because onnxruntime runs every node of a graph whatever the
// caller fetches: inside the model graph it would slow every completion step. Its session is
// opened on first use, so a completion-only worker never holds it.

import { tokenStats, softmax, topIndices } from '../core/logits.js';
import type { ResidualRows } from './decoder-session.js';
import { ModelError } from './errors.js';
import { createSession, type OrtModule, type OrtSession } from './ort.js';

/** Where the lens graph sits in a model folder. */
export const LENS_FILE = 'onnx/lens.onnx';

/** Why a model shows no lens, in the words the CLI and the panel use. */
export const NO_LENS = 'no lens: this model does not export the logit lens (a residual_stream output and onnx/lens.onnx)';

/** One row of the lens: what the model would predict if it stopped after `layer`. */
export interface LensRow {
  /** 0 = straight from the embedding, i = after layer i; the last row is the model's own distribution. */
  layer: number;
  /** The likeliest tokens at this layer, best first. */
  candidates: { id: number; text: string; prob: number }[];
  /** The token the model finally picked: its rank (0 = top) and probability at this layer. */
  picked: { id: number; text: string; rank: number; prob: number };
}

export class LogitLens {
  private session: Promise<OrtSession> | undefined;

  /** `read` returns the bytes of onnx/lens.onnx; it is called once, on first use. */
  constructor(
    private readonly ort: OrtModule,
    private readonly read: () => Promise<Uint8Array>,
  ) {}

  /** (rows, vocab) logits, one row per residual row. */
  async logits(residuals: ResidualRows): Promise<Float32Array> {
    this.session ??= this.read().then((bytes) => createSession(this.ort, bytes, 'wasm'));
    let session: OrtSession;
    try {
      session = await this.session;
    } catch (cause) {
      this.session = undefined;
      throw new ModelError('bad-onnx', `${LENS_FILE} could not be loaded: ${(cause as Error).message}`);
    }
    const { rows, hidden, values } = residuals;
    const input = new this.ort.Tensor('float32', values, [1, rows, hidden]);
    const outputs = await session.run({ residual_stream: input });
    const out = outputs.lens_logits;
    if (!out || out.type !== 'float32') throw new ModelError('contract', `${LENS_FILE} must output lens_logits as float32`);
    const logits = (out.data as Float32Array).slice();
    out.dispose();
    return logits;
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await (await session?.catch(() => undefined))?.release();
  }
}

/**
 * Lens rows from (rows, vocab) logits: the top `top` candidates of each row and where `picked`
 * stands in it. `text` names a token for display.
 */
export function lensRows(logits: Float32Array, vocab: number, picked: number, top: number, text: (id: number) => string): LensRow[] {
  const rows: LensRow[] = [];
  for (let layer = 0; layer * vocab < logits.length; layer++) {
    const row = logits.subarray(layer * vocab, (layer + 1) * vocab);
    const probs = softmax(row);
    const stats = tokenStats(row, picked);
    rows.push({
      layer,
      candidates: topIndices(probs, top).map((id) => ({ id, text: text(id), prob: probs[id] })),
      picked: { id: picked, text: text(picked), rank: stats.rank, prob: probs[picked] },
    });
  }
  return rows;
}
