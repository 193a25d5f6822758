// The next-token distribution: one row per candidate with the raw probability as a bar and the
// probability after temperature/top-k/top-p as a thin bar under it; rows past the nucleus are
// greyed out below a "cut by …" line. Clicking a row appends that token.

import type { CandidateView, ExplanationView } from '../src/protocol';
import { tokenChip } from './chip';
import { h, setVar } from './dom';
import { escapedToken, formatInt, formatLogprob, formatPercent, formatProb, plural, visibleToken } from './format';
import { post } from './vscode-state';

export function renderCandidates(ex: ExplanationView): HTMLElement {
  const list = h('div', { class: 'candidates', role: 'group', 'aria-label': 'Likeliest next tokens: choose one to append it' });
  list.append(
    h(
      'div',
      { class: 'cand-head', 'aria-hidden': 'true' },
      h('span', {}, 'token'),
      h('span', { class: 'legend' }, h('span', { class: 'key key-raw' }), 'raw', h('span', { class: 'key key-processed' }), 'P′', h('span', { class: 'wide-only' }, ' after sampling')),
      h('span', { class: 'num' }, 'P'),
      h('span', { class: 'num processed', title: 'Probability after temperature, top-k and top-p' }, '→ P′'),
      h('span', { class: 'num' }, 'log P'),
    ),
  );
  const firstCut = ex.candidates.findIndex((c) => !c.kept);
  ex.candidates.forEach((c, i) => {
    if (i === firstCut) list.append(cutLine(ex));
    list.append(candidateRow(c));
  });
  if (firstCut === -1 && ex.sampling.cutBy !== 'none' && ex.sampling.keptCount > ex.candidates.length) {
    list.append(h('div', { class: 'cut-line cut-below' }, h('span', {}, `${plural(ex.sampling.keptCount - ex.candidates.length, 'more token')} kept below these`)));
  }
  return list;
}

function cutLine(ex: ExplanationView): HTMLElement {
  const by = ex.sampling.cutBy === 'greedy' ? 'temperature 0 (greedy)' : ex.sampling.cutBy;
  return h('div', { class: 'cut-line', role: 'separator', 'aria-label': `The tokens below are cut by ${by}` }, h('span', {}, `cut by ${by}`));
}

function candidateRow(c: CandidateView): HTMLElement {
  const shown = visibleToken(c.text, c.special);
  const label = `Append ${c.special ? c.text : escapedToken(c.text)}: probability ${formatProb(c.prob)}, after sampling ${formatProb(c.processedProb)}${c.kept ? '' : ' (cut)'}`;
  const raw = h('span', { class: 'bar-raw' });
  const processed = h('span', { class: 'bar-processed' });
  setVar(raw, '--p', String(c.prob));
  setVar(processed, '--p', String(c.processedProb));
  const row = h(
    'button',
    // data-* carry the exact numbers for tests and tools; the text shows them rounded.
    { class: `cand${c.kept ? '' : ' cut'}`, 'data-token-id': c.id, 'data-prob': c.prob, 'data-processed-prob': c.processedProb, 'aria-label': label, title: `${shown} — P ${formatProb(c.prob)} raw, ${formatProb(c.processedProb)} after sampling · log P ${formatLogprob(c.logprob)} · id ${c.id}` },
    h('span', { class: 'cand-token' }, tokenChip(c)),
    h('span', { class: 'bar' }, raw, processed),
    h('span', { class: 'num' }, formatProb(c.prob)),
    h('span', { class: 'num processed' }, c.kept ? formatProb(c.processedProb) : '—'),
    h('span', { class: 'num dim' }, formatLogprob(c.logprob)),
  );
  row.addEventListener('click', () => post({ type: 'appendToken', id: c.id }));
  return row;
}

/** "keeps 4 tokens, 96.1 % of the mass, renormalised". */
export function nucleusSummary(ex: ExplanationView): string {
  const s = ex.sampling;
  if (s.cutBy === 'greedy' || s.temperature === 0) return 'temperature 0: always the top token (greedy)';
  if (s.cutBy === 'none') return `keeps every token (${formatInt(s.keptCount)}), temperature ${s.temperature}`;
  return `${s.cutBy} keeps ${plural(s.keptCount, 'token')}, ${formatPercent(s.keptMass)} of the mass, renormalised`;
}

/** The appended tokens, as chips after a marker for the original cursor. */
export function renderAppended(ex: ExplanationView): HTMLElement | null {
  if (!ex.appended.length) return null;
  return h(
    'div',
    { class: 'appended', 'aria-label': 'Tokens appended so far' },
    h('span', { class: 'appended-label' }, 'appended'),
    ...ex.appended.map((t) => tokenChip(t, 'chip-appended')),
    h('span', { class: 'cursor' }),
  );
}
