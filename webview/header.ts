// The header: which model, its status, where the context comes from (and the pin), the last
// characters before the cursor, and what the request cost.

import type { ExplanationView, StateMessage } from '../src/protocol';
import { visibleRun } from './chip';
import { h } from './dom';
import { formatInt, formatMs, plural } from './format';
import { post } from './vscode-state';

const STATUS_LABEL: Record<StateMessage['status'], string> = {
  loading: 'loading',
  ready: 'ready',
  off: 'off',
  error: 'error',
  'no-editor': 'no editor',
};

/** How many characters of context the preview shows. */
const PREVIEW_CHARS = 80;

export interface Header {
  root: HTMLElement;
  render(state: StateMessage): void;
}

export function createHeader(): Header {
  const model = h('span', { class: 'model' });
  const status = h('span', { class: 'status', role: 'status' });
  const source = h('span', { class: 'source' });
  const pin = h('vscode-checkbox', { class: 'pin', title: 'Keep explaining this position while the cursor moves' }, 'Pin');
  pin.addEventListener('change', () => {
    const pinned = (pin as HTMLInputElement).checked;
    if (pinned !== lastPinned) post({ type: 'setPinned', pinned });
  });
  const preview = h('div', { class: 'context-preview', 'aria-label': 'Text before the cursor' });
  const stats = h('div', { class: 'stats' });
  let lastPinned = false;

  const root = h(
    'header',
    { class: 'header' },
    h('div', { class: 'header-row' }, h('span', { class: 'brand' }, 'NextToken'), model, status),
    h('div', { class: 'header-row source-row' }, source, pin),
    preview,
    stats,
  );

  function render(state: StateMessage): void {
    const m = state.model;
    model.textContent = m ? `${m.name} · ${m.backend} · ${plural(m.threads, 'thread')}` : '';
    model.title = m ? `window ${formatInt(m.window)} tokens · vocabulary ${formatInt(m.vocabSize)}${m.fim ? ' · fill-in-the-middle' : ''}${m.attentions ? ' · exports attention' : ''}` : '';
    status.textContent = STATUS_LABEL[state.status];
    status.className = `status status-${state.status}`;
    const ex = state.explanation;
    root.classList.toggle('has-context', !!ex);
    source.textContent = ex ? ex.source : '';
    lastPinned = ex?.pinned ?? false;
    (pin as HTMLInputElement).checked = lastPinned;
    pin.hidden = !ex;
    preview.replaceChildren(...(ex ? contextPreview(ex) : []));
    stats.replaceChildren(...(ex ? requestStats(ex) : []));
  }
  return { root, render };
}

function contextPreview(ex: ExplanationView): Node[] {
  const text = ex.context.map((t) => t.text).join('');
  const cut = text.length > PREVIEW_CHARS || ex.contextTotal > ex.context.length;
  const tail = text.slice(-PREVIEW_CHARS);
  const nodes: Node[] = [];
  if (cut) nodes.push(h('span', { class: 'ellipsis' }, '…'));
  nodes.push(visibleRun(tail));
  if (ex.appended.length) nodes.push(h('span', { class: 'appended-run', title: 'Tokens appended in the panel' }, visibleRun(ex.appended.map((t) => t.text).join(''))));
  nodes.push(h('span', { class: 'cursor', 'aria-label': 'cursor' }));
  return nodes;
}

function requestStats(ex: ExplanationView): Node[] {
  const total = ex.contextTotal + ex.appended.length;
  return [
    h('span', {}, plural(total, 'token')),
    h('span', { class: 'sep' }, ' · '),
    h('span', {}, `${formatInt(ex.cache.lastReused)} from cache`),
    h('span', { class: 'sep' }, ' · '),
    h('span', {}, `${formatInt(ex.cache.lastComputed)} computed`),
    h('span', { class: 'sep' }, ' · '),
    h('span', {}, formatMs(ex.ms)),
  ];
}
