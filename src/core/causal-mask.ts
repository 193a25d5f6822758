// The causal mask: query position i may attend to key positions 0..i and never to the future.
// The panel draws it (webview/mask.ts); over the last n tokens of a longer context the mask
// stays lower-triangular, since every row also sees everything before the window.

/** (n, n) row-major, 1 = allowed, 0 = blocked. */
export function causalMask(n: number): Uint8Array {
  const mask = new Uint8Array(n * n);
  for (let q = 0; q < n; q++) for (let k = 0; k <= q; k++) mask[q * n + k] = 1;
  return mask;
}
