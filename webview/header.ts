// The header: which model, its status, where the shown request was made, and the last
// characters of its prompt before the cursor.

import type { RecordView, StateMessage } from '../src/protocol';
import { visibleRun } from './chip';
import { h } from './dom';
import { formatInt, plural } from './format';

const STATUS_LABEL: Record<StateMessage['status'], string> = {
  loading: 'loading',
  ready: 'ready',
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
  const preview = h('div', { class: 'context-preview', 'aria-label': 'Text before the cursor' });

  const root = h(
    'header',
    { class: 'header' },
    h('div', { class: 'header-row' }, h('span', { class: 'brand' }, 'NextToken'), model, status),
    h('div', { class: 'header-row source-row' }, source),
    preview,
  );

  function render(state: StateMessage): void {
    const m = state.model;
    model.textContent = m ? `${m.name} · ${m.backend} · ${plural(m.threads, 'thread')}` : '';
    model.title = m ? `window ${formatInt(m.window)} tokens · vocabulary ${formatInt(m.vocabSize)}${m.fim ? ' · fill-in-the-middle' : ''}${m.attentions ? ' · exports attention' : ''}` : '';
    status.textContent = STATUS_LABEL[state.status];
    status.className = `status status-${state.status}`;
    const record = state.record;
    root.classList.toggle('has-context', !!record);
    source.textContent = record ? `${state.source ?? ''} · request ${record.id}` : '';
    preview.replaceChildren(...(record ? contextPreview(record) : []));
  }
  return { root, render };
}

function contextPreview(record: RecordView): Node[] {
  const prefix = record.prompt.parts.find((p) => p.kind === 'prefix');
  const text = (prefix?.tokens.map((t) => t.text).join('') ?? '') + record.healed;
  const nodes: Node[] = [];
  if (text.length > PREVIEW_CHARS || record.prompt.cutTokens > 0) nodes.push(h('span', { class: 'ellipsis' }, '…'));
  nodes.push(visibleRun(text.slice(-PREVIEW_CHARS)));
  nodes.push(h('span', { class: 'cursor', 'aria-label': 'cursor' }));
  return nodes;
}
