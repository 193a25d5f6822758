// The ghost text the completion path would show at this position, with its probability.

import type { ExplanationView } from '../src/protocol';
import { visibleRun } from './chip';
import { h } from './dom';
import { formatLogprob, plural } from './format';
import { formatFromLog } from './chain-rule';

export function renderSuggestion(ex: ExplanationView): HTMLElement {
  const s = ex.suggestion;
  if (!s || !s.text) return h('div', { class: 'suggestion empty' }, h('span', { class: 'suggestion-label' }, 'ghost text'), h('span', { class: 'note' }, 'none at this position'));
  return h(
    'div',
    { class: 'suggestion', title: 'What the inline completion would show here' },
    h('span', { class: 'suggestion-label' }, 'ghost text'),
    h('code', { class: 'ghost' }, h('span', { class: 'cursor' }), visibleRun(s.text)),
    h('span', { class: 'suggestion-prob' }, `P = ${formatFromLog(s.logprob)}`, h('span', { class: 'dim' }, ` · log P ${formatLogprob(s.logprob)} · ${plural(s.tokens.length, 'token')}`)),
  );
}
