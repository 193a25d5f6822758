// The chain rule over the text: P(text) = Π P(token | past). One row per token with its
// probability, the running product and the running log-prob, shaded by the rank the model gave
// the actual token (top-1, top-10, top-100, beyond — as GLTR does); then the product written out
// for short sequences, or the log form with perplexity when the product underflows.

import { productUnderflows } from '../src/core/chain-rule';
import type { ExplanationView, TokenView } from '../src/protocol';
import { tokenChip } from './chip';
import { h } from './dom';
import { formatInt, formatLogprob, formatProb, formatSigned } from './format';
import { saveUi, ui } from './vscode-state';

/** Context rows shown before "show all". */
const CONTEXT_ROWS = 12;
/** Sequences up to this many factors are written out as a product. */
const PRODUCT_FACTORS = 8;

type RankBand = 'top1' | 'top10' | 'top100' | 'beyond' | 'none';

export function rankBand(rank: number | null): RankBand {
  if (rank === null) return 'none';
  if (rank === 0) return 'top1';
  if (rank < 10) return 'top10';
  if (rank < 100) return 'top100';
  return 'beyond';
}

const BAND_LABEL: Record<Exclude<RankBand, 'none'>, string> = { top1: 'top 1', top10: 'top 10', top100: 'top 100', beyond: 'beyond' };

/** exp(lp) printed from the log, so it never underflows: 0.0672, 3.2e−140. */
export function formatFromLog(lp: number): string {
  if (lp >= Math.log(0.001)) return formatProb(Math.exp(lp));
  const log10 = lp / Math.LN10;
  const exponent = Math.floor(log10);
  const mantissa = 10 ** (log10 - exponent);
  // Built as text: below 1e−323 the number itself would be 0.
  const [m, e] = mantissa.toFixed(1) === '10.0' ? ['1.0', exponent + 1] : [mantissa.toFixed(1), exponent];
  return `${m}e${formatSigned(e, 0)}`;
}

export function renderChainRule(ex: ExplanationView, rerender: () => void): HTMLElement {
  const root = h('div', { class: 'chain' });
  root.append(legend());

  const table = h('table', { class: 'chain-table' });
  table.append(
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'token'), h('th', { scope: 'col', class: 'num' }, 'P(tok | past)'), h('th', { scope: 'col', class: 'num' }, 'product'), h('th', { scope: 'col', class: 'num' }, 'log P'))),
  );

  const body = h('tbody');
  const shownContext = ui.allContextRows ? ex.context : ex.context.slice(-CONTEXT_ROWS);
  const hidden = ex.contextTotal - shownContext.length;
  if (hidden > 0) {
    const before = ex.context.length > shownContext.length ? ex.context[ex.context.length - shownContext.length - 1].cumulativeLogprob : shownContext[0].cumulativeLogprob - (shownContext[0].logprob ?? 0);
    body.append(h('tr', { class: 'earlier' }, h('td', {}, `… ${formatInt(hidden)} earlier`), h('td', { class: 'num' }), h('td', { class: 'num' }, formatFromLog(before)), h('td', { class: 'num' }, formatLogprob(before))));
  }
  for (const t of shownContext) body.append(tokenRow(t, ''));
  for (const t of ex.appended) body.append(tokenRow(t, 'appended'));
  table.append(body);
  root.append(h('div', { class: 'table-scroll' }, table));

  if (ex.context.length > CONTEXT_ROWS) {
    const toggle = h('vscode-button', { appearance: 'secondary', class: 'small' }, ui.allContextRows ? `Show the last ${CONTEXT_ROWS}` : `Show all ${formatInt(ex.context.length)}`);
    toggle.addEventListener('click', () => {
      saveUi({ allContextRows: !ui.allContextRows });
      rerender();
    });
    root.append(h('div', { class: 'row-toggle' }, toggle, ex.contextTotal > ex.context.length ? h('span', { class: 'note' }, `(the panel receives the last ${formatInt(ex.context.length)} of ${formatInt(ex.contextTotal)})`) : null));
  }

  const scored = [...ex.context, ...ex.appended].filter((t) => t.logprob !== null);
  const allShown = ex.contextTotal === ex.context.length;
  root.append(totalLine('P(text)', allShown ? scored.map((t) => t.logprob!) : null, ex.logprob, ex.perplexity, scored.length && allShown ? scored.length : undefined));
  return root;
}

const formatPerplexity = (p: number): string => (p >= 100 ? formatInt(p) : p.toFixed(2));

function legend(): HTMLElement {
  return h(
    'div',
    { class: 'rank-legend', 'aria-label': 'Row colour: rank of the actual token in the model’s prediction' },
    h('span', { class: 'note' }, 'rank of the actual token:'),
    ...(Object.keys(BAND_LABEL) as (keyof typeof BAND_LABEL)[]).map((b) => h('span', { class: `band-key band-${b}` }, BAND_LABEL[b])),
  );
}

function tokenRow(t: TokenView, kind: '' | 'appended' | 'suggested'): HTMLElement {
  const band = rankBand(t.rank);
  const rankText = t.rank === null ? (t.logprob === null ? 'first token: nothing predicts it' : '') : `rank ${formatInt(t.rank + 1)} in the model’s prediction`;
  return h(
    'tr',
    { class: `tok band-${band}${kind ? ' row-' + kind : ''}`, title: rankText },
    h('td', { class: 'tok-cell' }, tokenChip(t, kind ? `chip-${kind}` : '')),
    h('td', { class: 'num' }, t.logprob === null ? '—' : formatProb(Math.exp(t.logprob))),
    h('td', { class: 'num' }, formatFromLog(t.cumulativeLogprob)),
    h('td', { class: 'num dim' }, formatLogprob(t.cumulativeLogprob)),
  );
}

/**
 * `P = 0.20 × 0.60 × 0.70 × 0.80 = 0.0672` when the factors are few and known; otherwise
 * `log P = −41.3 · perplexity 1.21 per token` and whether exp(log P) underflows in float64.
 */
export function totalLine(name: string, factors: readonly number[] | null, logprob: number, perplexity: number, count?: number): HTMLElement {
  const line = h('div', { class: 'total-line', 'data-name': name, 'data-logprob': logprob });
  if (factors && factors.length > 0 && factors.length <= PRODUCT_FACTORS) {
    const product = factors.map((lp) => formatProb(Math.exp(lp))).join(' × ');
    line.append(h('span', { class: 'formula' }, `${name} = ${product} = `), h('strong', {}, formatFromLog(logprob)));
    line.append(h('span', { class: 'note' }, ` · log P = ${formatLogprob(logprob)}`));
    return line;
  }
  const underflows = productUnderflows(logprob);
  line.append(
    h('span', { class: 'formula' }, `log ${name} = `),
    h('strong', {}, formatLogprob(logprob)),
    h('span', { class: 'note' }, ` · perplexity ${formatPerplexity(perplexity)} per token${count ? ` over ${formatInt(count)}` : ''}`),
    h(
      'div',
      { class: underflows ? 'underflow' : 'note' },
      underflows ? 'the product underflows to 0 in floating point → read the log form' : `product = e^${formatLogprob(logprob)} = ${formatFromLog(logprob)}`,
    ),
  );
  return line;
}
