// The panel's pure functions: how numbers and tokens are printed, and the rank bands that shade
// the chain-rule rows. (The webview modules run in a browser; these need no DOM.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapedToken, formatExp, formatInt, formatLogprob, formatMs, formatPercent, formatProb, formatRatio, formatSigned, plural, visibleToken } from '../webview/format.js';

// chain-rule.ts reaches the webview's acquireVsCodeApi() handle when imported: give it a stand-in.
(globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi = () => ({ getState: () => undefined, setState: () => undefined, postMessage: () => undefined });
const chainRule = import('../webview/chain-rule.js');

const MINUS = '\u2212';

test('probabilities: three decimals, four below 0.01, exponent form below 0.001 with a true minus', () => {
  assert.equal(formatProb(0.6123), '0.612');
  assert.equal(formatProb(0.00421), '0.0042');
  assert.equal(formatProb(0.000031), `3.1e${MINUS}5`);
  assert.equal(formatProb(0), '0');
  assert.equal(formatProb(NaN), '—');
  assert.equal(formatExp(12345, 3), '1.23e4');
});

test('log-probs: true minus, fewer decimals as they grow, −∞ and — for the impossible and the unknown', () => {
  assert.equal(formatLogprob(-0.4912), `${MINUS}0.49`);
  assert.equal(formatLogprob(-12.34), `${MINUS}12.3`);
  assert.equal(formatLogprob(-123.4), `${MINUS}123`);
  assert.equal(formatLogprob(0), '0.00');
  assert.equal(formatLogprob(-Infinity), `${MINUS}∞`);
  assert.equal(formatLogprob(null), '—');
  assert.equal(formatLogprob(NaN), '—');
  assert.equal(formatSigned(-1.5, 2), `${MINUS}1.50`);
});

test('percent, integers, milliseconds, ratios and plurals', () => {
  assert.equal(formatPercent(0.961), '96.1 %');
  assert.equal(formatPercent(0.9995), '99.95 %');
  assert.equal(formatInt(92011.4), '92,011');
  assert.equal(formatMs(3.14), '3.1 ms');
  assert.equal(formatMs(212.4), '212 ms');
  assert.equal(formatMs(1240), '1.24 s');
  assert.equal(formatRatio(48.2), '48×');
  assert.equal(formatRatio(1.94), '1.9×');
  assert.equal(formatRatio(Infinity), '—');
  assert.equal(plural(1, 'token'), '1 token');
  assert.equal(plural(1200, 'token'), '1,200 tokens');
});

test('token text: whitespace and control characters made visible, special tokens untouched', () => {
  assert.equal(visibleToken(' return\t\n\r'), '·return⇥⏎␍');
  assert.equal(visibleToken('\u0000\u001b\u007f'), '␀␛␡');
  assert.equal(visibleToken(''), '∅');
  assert.equal(visibleToken('<fim_middle>', true), '<fim_middle>');
  assert.equal(visibleToken('é😀'), 'é😀');
  assert.equal(escapedToken('a\t"b"'), '"a\\t\\"b\\""');
});

test('rank bands: top 1, top 10, top 100, beyond, and none for the first token', async () => {
  const { rankBand } = await chainRule;
  assert.deepEqual([0, 1, 9, 10, 99, 100, 5000].map(rankBand), ['top1', 'top10', 'top10', 'top100', 'top100', 'beyond', 'beyond']);
  assert.equal(rankBand(null), 'none');
});

test('probabilities printed from their logs never underflow', async () => {
  const { formatFromLog } = await chainRule;
  assert.equal(formatFromLog(Math.log(0.0672)), '0.067');
  assert.equal(formatFromLog(-140 * Math.LN10 + Math.log(3.2)), `3.2e${MINUS}140`);
  assert.equal(formatFromLog(-2000), `2.6e${MINUS}869`, 'e^−2000, far below the smallest double');
});

test('the gate in the panel: its decision in one line, and where the confidence falls among the presets', async () => {
  const { gateLine, presetLadder } = await import('../webview/record.js');
  const presets = { conservative: 0.33, eager: 0.19, balanced: 0.24 };
  assert.equal(gateLine({ confidence: 0.2, shown: false, threshold: 0.24, preset: 'balanced' }), 'confidence 0.200 < threshold 0.240 (balanced): held back');
  assert.match(gateLine({ confidence: 0.3, shown: true, threshold: 0.24, preset: 'balanced' }), /≥ threshold 0\.240 \(balanced\): shown$/);
  assert.match(gateLine({ confidence: 0.01, shown: true, threshold: 0.24, preset: 'balanced', explicit: true }), /shown because you asked for it$/);
  assert.equal(presetLadder(0.2, presets), 'would show under: eager (≥ 0.190) ✓ · balanced (≥ 0.240) ✗ · conservative (≥ 0.330) ✗');
  assert.equal(presetLadder(0.5, presets).match(/✓/g)?.length, 3);
  assert.equal(presetLadder(0.1, presets).match(/✓/g), null);
});
