// The causal mask: query position i may attend to key positions 0..i and never to the future.

/**
 * (n, n) row-major, 1 = allowed, 0 = blocked. `offset` shifts the query rows when the window
 * shows only the last n of a longer context (they still see all of it, so the mask over the
 * window stays lower-triangular).
 */
export function causalMask(n: number): Uint8Array {
  const mask = new Uint8Array(n * n);
  for (let q = 0; q < n; q++) for (let k = 0; k <= q; k++) mask[q * n + k] = 1;
  return mask;
}

/** The number of key/value rows a decoder computes for n tokens, with and without a KV cache. */
export function kvWork(n: number): { cached: number; uncached: number } {
  // Without a cache, step t recomputes keys/values for all t tokens: 1 + 2 + … + n.
  return { cached: n, uncached: (n * (n + 1)) / 2 };
}
