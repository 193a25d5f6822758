// The forward pass with a KV cache. A DecoderSession owns one ONNX session and one cache, knows
// which token ids the cache holds, and keeps for each of them log P(token | tokens before it):
// those come free with the logits of the pass that fed the token, and are the chain rule.

import { abortError } from '../core/abort.js';
import { tokenStats } from '../core/logits.js';
import { ModelError } from './errors.js';
import { toFloat32, type FloatDType } from './float16.js';
import { KvCache, pastKeyName, presentKeyName } from './kv-cache.js';
import type { ModelShape } from './model-config.js';
import type { OrtModule, OrtSession, OrtTensor } from './ort.js';

/** Running totals of key/value work, for the panel's cache view. */
export interface CacheStats {
  /** Tokens fed to the model (K/V rows computed per layer) over the session. */
  computed: number;
  /** What a loop without a cache would have computed for the same steps: Σ (past + new). */
  withoutCache: number;
  /** Tokens fed by the most recent prepare()/advance() calls of one request. */
  lastComputed: number;
  /** Tokens the most recent prepare() found already in the cache. */
  lastReused: number;
}

/** Sees the logits row that predicted the token at absolute `position` (for alternatives). */
export type PredictionHook = (position: number, logits: Float32Array) => void;

/** (layers, heads, queries, keys) softmaxed attention weights of the last forward pass. */
export interface AttentionRows {
  layers: number;
  heads: number;
  queries: number;
  keys: number;
  weights: Float32Array;
}

/** (rows, hidden) the last position's residual stream: row 0 after the embedding, row i after layer i. */
export interface ResidualRows {
  rows: number;
  hidden: number;
  values: Float32Array;
}

/** Optional outputs a pass may fetch; a plain pass fetches logits and the KV cache only. */
export interface PassOutputs {
  attentions?: AttentionRows;
  residuals?: ResidualRows;
}

export class DecoderSession {
  /** Token ids whose keys/values are in the cache, in order. */
  readonly ids: number[] = [];
  /** logprobs[i] = log P(ids[i] | ids[<i]); NaN for the first token (nothing predicted it). */
  readonly logprobs: number[] = [];
  /** ranks[i] = how many tokens the model found likelier than ids[i] (0 = its top choice); NaN for the first. */
  readonly ranks: number[] = [];
  /** (vocab) logits for the token after `ids`. */
  nextLogits: Float32Array | undefined;
  readonly stats: CacheStats = { computed: 0, withoutCache: 0, lastComputed: 0, lastReused: 0 };
  readonly hasAttentions: boolean;
  /** The model exports `residual_stream` (the input of the logit lens). */
  readonly hasResidualStream: boolean;
  /**
   * Awaited before every forward pass. In a worker it yields to the event loop, so that a cancel
   * message is read between passes (WASM runs resolve as microtasks and would starve it).
   */
  beforePass: (() => Promise<void>) | undefined;
  private readonly cache: KvCache;
  private readonly usesPositionIds: boolean;
  private readonly plainFetches: readonly string[];

  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly shape: ModelShape,
  ) {
    checkContract(session, shape);
    this.cache = new KvCache(ort, shape, (name) => floatDType(session, name));
    this.usesPositionIds = session.inputNames.includes('position_ids');
    this.hasAttentions = session.outputNames.includes('attentions.0');
    this.hasResidualStream = session.outputNames.includes('residual_stream');
    // Fetch names per pass kind, fixed at load: a plain pass copies only logits and the cache.
    const optional = (name: string) => name.startsWith('attentions.') || name === 'residual_stream';
    this.plainFetches = session.outputNames.filter((name) => !optional(name));
  }

  /** Make the cache hold exactly `target` (with logits for the token after it), reusing the longest common prefix. */
  async prepare(target: readonly number[], signal?: AbortSignal): Promise<void> {
    if (target.length === 0) throw new Error('cannot run the model on an empty context');
    if (target.length > this.shape.maxPositions) {
      throw new Error(`context of ${target.length} tokens exceeds the model's window of ${this.shape.maxPositions}`);
    }
    let common = 0;
    while (common < this.ids.length && common < target.length && this.ids[common] === target[common]) common++;
    this.stats.lastComputed = 0;
    if (common === target.length && common === this.ids.length && this.nextLogits) {
      this.stats.lastReused = common;
      return;
    }
    // Logits are kept only for the end of the cache, so re-feed at least the last token.
    let keep = Math.min(common, target.length - 1);
    // Only the last row of logits is kept. Re-fed from `keep`, the token there needs the row that
    // predicted it: when it is the token cached before, its log-prob and rank are known already;
    // when it is new and the cache goes on past it, feed one more token to get that row.
    // (A cancelled pass can also leave the cache without its last row.)
    if (keep === common && keep > 0 && (keep < this.ids.length || !this.nextLogits)) keep--;
    const known = { logprob: this.logprobs[keep], rank: this.ranks[keep] };
    this.stats.lastReused = keep;
    this.rewind(keep);
    await this.advance(target.slice(keep), { signal });
    if (Number.isNaN(this.logprobs[keep]) && !Number.isNaN(known.logprob ?? NaN)) {
      this.logprobs[keep] = known.logprob;
      this.ranks[keep] = known.rank;
    }
  }

  /**
   * Throwaway passes on made-up ids: a prefill of `prefill` tokens, then `steps` single-token
   * steps, each timed (ms); the cache is left empty. The runtime compiles its WebAssembly lazily
   * and sets each kernel up on first use, so the first real request would otherwise pay for it.
   */
  async warmUp(prefill: number, steps: number, signal?: AbortSignal): Promise<number[]> {
    const made = (i: number) => (i * 7 + 3) % this.shape.vocabSize;
    await this.prepare(Array.from({ length: prefill }, (_, i) => made(i)), signal);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const started = performance.now();
      await this.advance([made(prefill + i)], { signal });
      times.push(performance.now() - started);
    }
    this.rewind(0);
    return times;
  }

  /** Drop cached positions beyond `length`; `nextLogits` is the row predicting position `length`, if known. */
  rewind(length: number, nextLogits?: Float32Array): void {
    if (length >= this.ids.length) return;
    this.cache.truncate(length);
    this.ids.length = length;
    this.logprobs.length = length;
    this.ranks.length = length;
    this.nextLogits = nextLogits;
  }

  /**
   * Feed `newIds` after the cache: one forward pass per chunk of at most `chunk` tokens, so a
   * long prefill can be cancelled between chunks. The optional outputs asked for are fetched
   * from the last chunk's pass only.
   */
  async advance(
    newIds: readonly number[],
    options: { signal?: AbortSignal; attentions?: boolean; residuals?: boolean; chunk?: number; onPrediction?: PredictionHook } = {},
  ): Promise<PassOutputs> {
    const chunk = options.chunk ?? 256;
    let outputs: PassOutputs = {};
    for (let start = 0; start < newIds.length; start += chunk) {
      await this.beforePass?.();
      if (options.signal?.aborted) throw abortError();
      const part = newIds.slice(start, start + chunk);
      const last = start + chunk >= newIds.length;
      const wanted = { attentions: last && options.attentions === true, residuals: last && options.residuals === true };
      outputs = await this.forward(part, wanted, options.onPrediction);
    }
    return outputs;
  }

  /**
   * Feed the last `count` cached tokens again, fetching optional outputs of that pass (attention
   * rows for them, the residual stream at the end). The first re-fed token keeps its log-prob and
   * rank: the row that predicted it is not re-run.
   */
  async refeed(count: number, options: { signal?: AbortSignal; attentions?: boolean; residuals?: boolean }): Promise<PassOutputs> {
    const from = this.ids.length - Math.max(1, Math.min(count, this.ids.length));
    const ids = this.ids.slice(from);
    const known = { logprob: this.logprobs[from], rank: this.ranks[from] };
    this.rewind(from);
    const outputs = await this.advance(ids, options);
    this.logprobs[from] = known.logprob;
    this.ranks[from] = known.rank;
    return outputs;
  }

  /** Release the ONNX session and cache. */
  async dispose(): Promise<void> {
    this.cache.dispose();
    await this.session.release();
  }

  // One forward pass over `ids` (seq) with the cache (past): input_ids (1, seq),
  // attention_mask (1, past + seq), position_ids (1, seq) → logits (1, seq, vocab).
  private async forward(ids: readonly number[], wanted: { attentions: boolean; residuals: boolean }, onPrediction?: PredictionHook): Promise<PassOutputs> {
    const { Tensor } = this.ort;
    const past = this.cache.length;
    const seq = ids.length;
    const feeds: Record<string, OrtTensor> = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, seq]),
      attention_mask: new Tensor('int64', new BigInt64Array(past + seq).fill(1n), [1, past + seq]),
      ...this.cache.feeds(),
    };
    if (this.usesPositionIds) {
      feeds.position_ids = new Tensor('int64', BigInt64Array.from({ length: seq }, (_, i) => BigInt(past + i)), [1, seq]);
    }
    const fetches = [...this.plainFetches];
    if (wanted.attentions && this.hasAttentions) fetches.push(...this.session.outputNames.filter((name) => name.startsWith('attentions.')));
    if (wanted.residuals && this.hasResidualStream) fetches.push('residual_stream');
    const outputs = await this.session.run(feeds, fetches);
    for (const name of ['input_ids', 'attention_mask', 'position_ids']) feeds[name]?.dispose();

    const logits = outputs.logits;
    const vocab = logits.dims[2];
    const rows = toFloat32(logits.data); // (seq, vocab); fp16 exports return float16 logits
    // The chain rule: the previous pass's last row predicts ids[0]; row i predicts ids[i + 1].
    for (let i = 0; i < seq; i++) {
      const predictor = i === 0 ? this.nextLogits : rows.subarray((i - 1) * vocab, i * vocab);
      const stats = predictor ? tokenStats(predictor, ids[i]) : { logprob: NaN, rank: NaN };
      if (predictor) onPrediction?.(this.ids.length, predictor);
      this.logprobs.push(stats.logprob);
      this.ranks.push(stats.rank);
      this.ids.push(ids[i]);
    }
    this.nextLogits = rows.slice((seq - 1) * vocab, seq * vocab);
    logits.dispose();
    this.cache.update(outputs);
    this.stats.computed += seq;
    this.stats.lastComputed += seq;
    this.stats.withoutCache += past + seq;
    return {
      attentions: wanted.attentions ? collectAttentions(outputs, this.shape.numLayers) : undefined,
      residuals: wanted.residuals ? collectResiduals(outputs) : undefined,
    };
  }
}

// residual_stream (1, layers + 1, hidden) → rows; fp16 exports return float16.
function collectResiduals(outputs: Record<string, OrtTensor>): ResidualRows | undefined {
  const t = outputs.residual_stream;
  if (!t) return undefined;
  const [, rows, hidden] = t.dims;
  const values = toFloat32(t.data).slice(0, rows * hidden);
  t.dispose();
  return { rows, hidden, values };
}

function collectAttentions(outputs: Record<string, OrtTensor>, numLayers: number): AttentionRows | undefined {
  const first = outputs['attentions.0'];
  if (!first) return undefined;
  const [, heads, queries, keys] = first.dims;
  const weights = new Float32Array(numLayers * heads * queries * keys);
  for (let layer = 0; layer < numLayers; layer++) {
    const t = outputs[`attentions.${layer}`];
    weights.set(toFloat32(t.data), layer * heads * queries * keys);
    t.dispose();
  }
  return { layers: numLayers, heads, queries, keys, weights };
}

/** The element type the session declares for a float input or output: float16 or float32. */
function floatDType(session: OrtSession, name: string): FloatDType {
  const meta = [...(session.inputMetadata ?? []), ...(session.outputMetadata ?? [])].find((m) => m.name === name);
  const type = meta?.isTensor ? meta.type : 'float32';
  if (type !== 'float32' && type !== 'float16') {
    throw new ModelError('contract', `the ONNX model's ${name} is ${type}; NextToken reads float32 or float16`);
  }
  return type;
}

/** The model-folder contract of DESIGN.md, checked against what the ONNX file declares. */
function checkContract(session: OrtSession, shape: ModelShape): void {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const missing = [
    ...['input_ids', 'attention_mask'].filter((n) => !inputs.has(n)),
    ...(outputs.has('logits') ? [] : ['logits (output)']),
  ];
  if (missing.length) throw new ModelError('contract', `the ONNX model lacks ${missing.join(', ')}`);
  if (!inputs.has(pastKeyName(0)) || !outputs.has(presentKeyName(0))) {
    throw new ModelError('contract', 'the ONNX model has no KV cache (past_key_values.* inputs and present.* outputs); export it "with past"');
  }
  const layers = session.inputNames.filter((n) => n.startsWith('past_key_values.') && n.endsWith('.key')).length;
  if (layers !== shape.numLayers) {
    throw new ModelError('contract', `config.json says ${shape.numLayers} layers but the ONNX model has a KV cache for ${layers}`);
  }
  floatDType(session, 'logits'); // float32 or float16, else one clear error now
  const meta = session.inputMetadata?.find((m) => m.name === pastKeyName(0));
  if (meta?.isTensor) {
    const [, heads, , dim] = meta.shape;
    if ((typeof heads === 'number' && heads !== shape.numKvHeads) || (typeof dim === 'number' && dim !== shape.headDim)) {
      throw new ModelError('contract', `the KV cache of the ONNX model is (${heads} heads × ${dim}) but config.json implies (${shape.numKvHeads} × ${shape.headDim})`);
    }
  }
}

export { abortError } from '../core/abort.js';
