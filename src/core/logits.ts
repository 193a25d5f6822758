// Logits → probabilities, and the processors that reshape a distribution before sampling.
// Every function returns a new array; logits from the model are never mutated.

/** Numerically stable log-softmax over one row of logits. (vocab) → (vocab) */
export function logSoftmax(logits: ArrayLike<number>): Float32Array {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[i] - logZ;
  return out;
}

/** log P(token) for one token of a row, without materialising the whole row. */
export function tokenLogProb(logits: ArrayLike<number>, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[token] - max - Math.log(sum);
}

/** log P(token) and its rank (0 = the model's top choice) in one pass over a row. */
export function tokenStats(logits: ArrayLike<number>, token: number): { logprob: number; rank: number } {
  const target = logits[token];
  let rank = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > target || (logits[i] === target && i < token)) rank++;
  return { logprob: tokenLogProb(logits, token), rank };
}

export function softmax(logits: ArrayLike<number>): Float32Array {
  const lp = logSoftmax(logits);
  for (let i = 0; i < lp.length; i++) lp[i] = Math.exp(lp[i]);
  return lp;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Token ids sorted by descending value; only the first `limit` are sorted fully. */
export function topIndices(values: ArrayLike<number>, limit: number): number[] {
  const k = Math.min(limit, values.length);
  // Keep a small sorted buffer: O(vocab · k) for small k, which is the common case (k ≤ 64).
  if (k <= 64) {
    const ids: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (ids.length === k && v <= values[ids[k - 1]]) continue;
      let j = ids.length < k ? ids.length : k - 1;
      while (j > 0 && values[ids[j - 1]] < v) j--;
      ids.splice(j, 0, i);
      if (ids.length > k) ids.pop();
    }
    return ids;
  }
  const all = Array.from({ length: values.length }, (_, i) => i);
  all.sort((a, b) => values[b] - values[a] || a - b);
  return all.slice(0, k);
}

/**
 * The `k` likeliest tokens of a row of logits with their probabilities, each equal to
 * `softmax(logits)[id]` to the bit, without materialising the (vocab) softmax: one pass for
 * the top k, one for the normaliser. What each generated step records for the panel.
 */
export function topProbs(logits: ArrayLike<number>, k: number): { id: number; prob: number }[] {
  const ids = topIndices(logits, k);
  if (ids.length === 0) return [];
  const max = logits[ids[0]];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  // The same float32 roundings as logSoftmax, then softmax, make.
  return ids.map((id) => ({ id, prob: Math.fround(Math.exp(Math.fround(logits[id] - logZ))) }));
}

export interface SamplingParams {
  /** 0 means greedy (argmax); otherwise logits are divided by it before softmax. */
  temperature: number;
  /** Keep only the k most likely tokens; 0 disables. */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p; 1 disables. */
  topP: number;
}

export const GREEDY: SamplingParams = { temperature: 0, topK: 0, topP: 1 };

/**
 * The sampling defaults, in one place: completions, the CLI and the panel's exploration start
 * here. Temperature 0 is greedy; top-k and top-p apply once a temperature is set.
 */
export const DEFAULT_SAMPLING: SamplingParams = { temperature: 0, topK: 40, topP: 0.95 };
/** The seed of a sampled completion when none is given (reproducible by default). */
export const DEFAULT_SEED = 0;

/** A distribution after temperature, top-k and top-p, with what each processor cut. */
export interface ProcessedDistribution {
  /** (vocab) renormalised probabilities; 0 for every excluded token. */
  probs: Float32Array;
  /** Ids that survived all processors, most likely first. */
  kept: number[];
  /** Probability mass (after temperature, before renormalising) of the kept ids. */
  keptMass: number;
  /** Which processor made the last cut: where the candidate list ends. */
  cutBy: 'top-k' | 'top-p' | 'greedy' | 'none';
}

/**
 * Temperature → top-k → top-p, in that order (as transformers.js and llama.cpp do).
 * Temperature 0 is greedy: all mass on the argmax.
 */
export function processLogits(logits: ArrayLike<number>, params: SamplingParams): ProcessedDistribution {
  const vocab = logits.length;
  if (params.temperature <= 0) {
    const best = argmax(logits);
    const probs = new Float32Array(vocab);
    probs[best] = 1;
    // P(best) without materialising the softmax: this runs at every greedy step of every keystroke.
    return { probs, kept: [best], keptMass: Math.exp(tokenLogProb(logits, best)), cutBy: 'greedy' };
  }
  const scaled = new Float32Array(vocab);
  for (let i = 0; i < vocab; i++) scaled[i] = logits[i] / params.temperature;
  const tempered = softmax(scaled);
  const order = topIndices(tempered, vocab);
  let limit = vocab;
  let cutBy: ProcessedDistribution['cutBy'] = 'none';
  if (params.topK > 0 && params.topK < limit) {
    limit = params.topK;
    cutBy = 'top-k';
  }
  if (params.topP < 1) {
    let mass = 0;
    for (let i = 0; i < limit; i++) {
      mass += tempered[order[i]];
      if (mass >= params.topP) {
        if (i + 1 < limit) {
          limit = i + 1;
          cutBy = 'top-p';
        }
        break;
      }
    }
  }
  const kept = order.slice(0, Math.max(1, limit));
  let keptMass = 0;
  for (const id of kept) keptMass += tempered[id];
  const probs = new Float32Array(vocab);
  for (const id of kept) probs[id] = tempered[id] / keptMass;
  return { probs, kept, keptMass, cutBy };
}
