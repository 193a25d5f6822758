// Picking the next token from a processed distribution. Randomness comes from an explicit,
// seedable RNG so that a sampled sequence can be replayed exactly.

import { argmax, type ProcessedDistribution } from './logits.js';

export type Rng = () => number; // uniform in [0, 1)

/** mulberry32: a tiny, fast, seedable 32-bit PRNG. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most likely token. */
export function pickGreedy(dist: ProcessedDistribution): number {
  return dist.kept.length === 1 ? dist.kept[0] : argmax(dist.probs);
}

/** Inverse-CDF sampling over the kept ids (already renormalised). */
export function pickSample(dist: ProcessedDistribution, rng: Rng): number {
  const r = rng();
  let acc = 0;
  for (const id of dist.kept) {
    acc += dist.probs[id];
    if (r < acc) return id;
  }
  return dist.kept[dist.kept.length - 1]; // rounding: the mass summed to slightly under 1
}
