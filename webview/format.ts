// Numbers and token text as the panel prints them: fixed precision, true minus signs, and
// tokens in the format the CLI prints too (src/core/visible-text.ts).

const MINUS = '\u2212';

/** The token display format shared with the CLI. */
export { visibleToken } from '../src/core/visible-text';

/** The raw text, escaped so a tooltip can show exactly what the token is. */
export function escapedToken(text: string): string {
  return JSON.stringify(text);
}

const signed = (s: string): string => (s.startsWith('-') ? MINUS + s.slice(1) : s);

/** A probability in [0, 1]: 0.612, 0.0421, 3.1e−5. */
export function formatProb(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p === 0) return '0';
  if (p >= 0.01) return p.toFixed(3);
  if (p >= 0.001) return p.toFixed(4);
  return formatExp(p);
}

/** A tiny positive number as 3.1e−5 (with a true minus). */
export function formatExp(x: number, digits = 2): string {
  const [mant, exp] = x.toExponential(digits - 1).split('e');
  return `${mant}e${signed(exp.replace('+', ''))}`;
}

/** A log-probability (natural log): −0.49, −12.3. */
export function formatLogprob(lp: number | null): string {
  if (lp === null || Number.isNaN(lp)) return '—';
  if (lp === 0) return '0.00';
  if (!Number.isFinite(lp)) return MINUS + '∞';
  const s = Math.abs(lp) >= 100 ? lp.toFixed(0) : Math.abs(lp) >= 10 ? lp.toFixed(1) : lp.toFixed(2);
  return signed(s);
}

/** A fraction as a percentage: 96.1 %. */
export function formatPercent(f: number): string {
  return `${(f * 100).toFixed(f >= 0.999 && f < 1 ? 2 : 1)} %`;
}

/** An integer with thousands separators: 92,011. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds: 3.1 ms, 212 ms, 1.24 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** A ratio: 48×, 1.9×. */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(1)}×`;
}

/** A number with a true minus sign and `digits` decimals. */
export function formatSigned(x: number, digits: number): string {
  return signed(x.toFixed(digits));
}

/** "1 token" / "3 tokens". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}
