// The KV cache: how many positions sit in the cache, how much of the last request was reused
// versus computed, and the key/value rows computed over the session against what a loop
// without a cache would have computed (1 + 2 + … + n against n).

import type { ExplanationView } from '../src/protocol';
import { h, setVar } from './dom';
import { formatInt, formatRatio, plural } from './format';

function meter(parts: { value: number; className: string; label: string }[], total: number, label: string): HTMLElement {
  const bar = h('div', { class: 'meter', role: 'img', 'aria-label': label });
  for (const part of parts) {
    const seg = h('span', { class: `meter-part ${part.className}`, title: part.label });
    setVar(seg, '--f', String(total > 0 ? part.value / total : 0));
    bar.append(seg);
  }
  return bar;
}

export function renderKvCache(ex: ExplanationView): HTMLElement {
  const c = ex.cache;
  const lastTotal = c.lastReused + c.lastComputed;
  const ratio = c.computed > 0 ? c.withoutCache / c.computed : NaN;
  return h(
    'div',
    { class: 'kv' },
    h('div', { class: 'kv-line' }, h('strong', {}, formatInt(c.cached)), ` ${c.cached === 1 ? 'position' : 'positions'} cached`),
    h('div', { class: 'kv-caption' }, 'this request', h('span', { class: 'num' }, h('span', { class: 'swatch-inline reused' }), `${formatInt(c.lastReused)} reused · `, h('span', { class: 'swatch-inline computed' }), `${formatInt(c.lastComputed)} computed`)),
    meter(
      [
        { value: c.lastReused, className: 'reused', label: `${plural(c.lastReused, 'position')} found in the cache` },
        { value: c.lastComputed, className: 'computed', label: `${plural(c.lastComputed, 'position')} fed to the model` },
      ],
      lastTotal,
      `This request: ${c.lastReused} reused from the cache, ${c.lastComputed} computed`,
    ),
    h('div', { class: 'kv-caption' }, 'session, K/V rows computed', h('span', { class: 'num' }, formatInt(c.computed))),
    meter([{ value: c.computed, className: 'computed', label: 'with the cache' }], c.withoutCache, `With the cache: ${c.computed} rows`),
    h('div', { class: 'kv-caption' }, 'without a cache', h('span', { class: 'num' }, formatInt(c.withoutCache))),
    meter([{ value: c.withoutCache, className: 'uncached', label: 'without a cache' }], c.withoutCache, `Without a cache: ${c.withoutCache} rows`),
    h('div', { class: 'kv-ratio' }, Number.isFinite(ratio) ? `${formatRatio(ratio)} fewer key/value rows with the cache` : 'nothing computed yet'),
    h(
      'p',
      { class: 'note' },
      'Without a cache every step recomputes keys and values for the whole past: 1 + 2 + … + n = n(n+1)/2 rows for n steps. With it, each step computes only its new token’s row: n in all.',
    ),
  );
}
