// The causal mask over the last n tokens: row i (the query) may look at columns j ≤ i (keys in
// its past, itself included); cells with j > i are the future and are blocked. When the model
// exports attention, the allowed cells are shaded by the weight of the chosen layer and head
// (or the mean of the heads). Hover or arrow keys name the query and key of a cell.

import { causalMask } from '../src/core/causal-mask';
import type { ExplanationView } from '../src/protocol';
import { h, setVar, svg } from './dom';
import { formatPercent, visibleToken } from './format';
import { post, saveUi, ui } from './vscode-state';

const MASK_SIZES = [8, 16, 32];
/** SVG units: cell side, row-label width, column-label height. */
const CELL = 16;
const ROW_LABEL = 62;
const COL_LABEL = 54;
/** The smallest on-screen cell (px) before the grid scrolls sideways instead of shrinking. */
const MIN_CELL_PX = 9;
const MAX_CELL_PX = 22;

type Dropdown = HTMLElement & { value: string };

/** The last n tokens the mask covers, from a request record or from an exploration. */
export interface MaskInput {
  maskTokens: { text: string; special: boolean }[];
  /** Absolute position of maskTokens[0], and of the first generated (or appended) token. */
  base: number;
  generatedFrom: number;
  attention?: ExplanationView['attention'];
  /** Mark the last row: the step a layer was picked for in the lens grid. */
  markLastRow?: boolean;
}

export interface MaskView {
  controls: HTMLElement;
  render(input: MaskInput, body: HTMLElement): void;
}

/** A label short enough for a row or column header. */
function shortLabel(text: string, special: boolean, max = 7): string {
  const v = visibleToken(text, special);
  const chars = [...v];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : v;
}

function dropdown(label: string, onChange: (value: string) => void): Dropdown {
  const d = h('vscode-dropdown', { 'aria-label': label, class: 'mask-dropdown' }) as Dropdown;
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

function setOptions(d: Dropdown, options: [string, string][], selected: string): void {
  const same = d.children.length === options.length && options.every(([v], i) => (d.children[i] as HTMLElement).getAttribute('value') === v);
  if (!same) d.replaceChildren(...options.map(([value, text]) => h('vscode-option', { value, selected: value === selected }, text)));
  if (d.value !== selected) d.value = selected;
}

/** `repaint` redraws from the current state (a record's mask is cut in the webview). */
export function createMaskView(repaint: () => void): MaskView {
  let last: MaskInput | undefined;
  let lastBody: HTMLElement | undefined;
  // Guards: the toolkit may report a `change` for values set by render() itself.
  const size = dropdown('Mask size: how many of the last tokens', (v) => {
    if (!last || Number(v) === last.maskTokens.length) return;
    saveUi({ maskSize: Number(v) });
    post({ type: 'setMaskSize', size: Number(v) });
    repaint();
  });
  const layer = dropdown('Attention layer', (v) => {
    if (Number(v) === ui.layer) return;
    saveUi({ layer: Number(v) });
    if (last && lastBody) render(last, lastBody);
  });
  const head = dropdown('Attention head', (v) => {
    if (Number(v) === ui.head) return;
    saveUi({ head: Number(v) });
    if (last && lastBody) render(last, lastBody);
  });
  const attentionPickers = h('span', { class: 'attention-pickers' }, h('label', { class: 'picker' }, 'layer', layer), h('label', { class: 'picker' }, 'head', head));
  const controls = h('div', { class: 'mask-controls' }, h('label', { class: 'picker' }, 'last', size, 'tokens'), attentionPickers);

  function render(ex: MaskInput, body: HTMLElement): void {
    last = ex;
    lastBody = body;
    const n = ex.maskTokens.length;
    const sizes = MASK_SIZES.includes(n) ? MASK_SIZES : [...MASK_SIZES, n].sort((a, b) => a - b);
    setOptions(size, sizes.map((s) => [String(s), String(s)]), String(n));

    const att = ex.attention && ex.attention.size === n ? ex.attention : undefined;
    attentionPickers.hidden = !att;
    let weights: ((i: number, j: number) => number) | undefined;
    let caption = 'no attention weights from this model: allowed cells are filled, future cells hatched';
    if (att) {
      const l = ui.layer >= 0 && ui.layer < att.layers ? ui.layer : att.layers - 1;
      const hd = ui.head >= 0 && ui.head < att.heads ? ui.head : -1;
      setOptions(layer, Array.from({ length: att.layers }, (_, k) => [String(k), String(k + 1)]), String(l));
      setOptions(head, [['-1', 'mean'], ...Array.from({ length: att.heads }, (_, k): [string, string] => [String(k), String(k + 1)])], String(hd));
      const at = (hh: number, i: number, j: number): number => att.weights[((l * att.heads + hh) * n + i) * n + j];
      weights = hd >= 0 ? (i, j) => at(hd, i, j) : (i, j) => {
        let s = 0;
        for (let k = 0; k < att.heads; k++) s += at(k, i, j);
        return s / att.heads;
      };
      caption = `shade = attention weight, layer ${l + 1}, ${hd >= 0 ? `head ${hd + 1}` : `mean of ${att.heads} heads`}`;
    }
    body.replaceChildren(grid(ex, weights, caption));
  }
  return { controls, render };
}

function grid(ex: MaskInput, weight: ((i: number, j: number) => number) | undefined, caption: string): HTMLElement {
  const tokens = ex.maskTokens;
  const n = tokens.length;
  const base = ex.base; // absolute position of row 0
  const mask = causalMask(n); // (n, n) 1 = allowed
  const width = ROW_LABEL + n * CELL + 4;
  const height = COL_LABEL + n * CELL + 4;
  let max = 0;
  let outside = 0;
  if (weight) {
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j <= i; j++) {
        const w = weight(i, j);
        row += w;
        max = Math.max(max, w);
      }
      outside += Math.max(0, 1 - row) / n;
    }
  }

  const root = svg('svg', { class: 'mask-svg', viewBox: `0 0 ${width} ${height}`, role: 'grid', 'aria-label': `Causal mask over the last ${n} tokens. Use the arrow keys to read each cell.`, tabindex: '0' });
  const svgEl = root as unknown as HTMLElement;
  setVar(root, '--min-w', `${(width * MIN_CELL_PX) / CELL}px`);
  setVar(root, '--max-w', `${(width * MAX_CELL_PX) / CELL}px`);
  const defs = svg('defs', {}, svg('pattern', { id: 'hatch', width: '4', height: '4', patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, svg('line', { class: 'hatch-line', x1: '0', y1: '0', x2: '0', y2: '4' })));
  root.append(defs);

  const rowLabels: SVGTextElement[] = [];
  const colLabels: SVGTextElement[] = [];
  tokens.forEach((t, k) => {
    const y = COL_LABEL + k * CELL + CELL / 2;
    const kind = `axis-label${t.special ? ' special' : ''}${base + k >= ex.generatedFrom ? ' appended' : ''}`;
    const row = svg('text', { class: kind, x: String(ROW_LABEL - 4), y: String(y), 'text-anchor': 'end', 'dominant-baseline': 'central' }, shortLabel(t.text, t.special));
    const x = ROW_LABEL + k * CELL + CELL / 2;
    const col = svg('text', { class: kind, transform: `translate(${x + 3} ${COL_LABEL - 4}) rotate(-60)`, 'text-anchor': 'start' }, shortLabel(t.text, t.special, 6));
    rowLabels.push(row);
    colLabels.push(col);
    root.append(row, col);
  });

  const cells = svg('g', { class: 'cells' });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const allowed = mask[i * n + j] === 1;
      const kind = `cell ${allowed ? 'allowed' : 'blocked'}${ex.markLastRow && i === n - 1 ? ' step-row' : ''}`;
      const rect = svg('rect', { x: String(ROW_LABEL + j * CELL + 0.5), y: String(COL_LABEL + i * CELL + 0.5), width: String(CELL - 1), height: String(CELL - 1), rx: '2', class: kind, 'data-i': String(i), 'data-j': String(j) });
      if (allowed && weight && max > 0) rect.setAttribute('fill-opacity', (0.08 + 0.92 * Math.sqrt(weight(i, j) / max)).toFixed(3));
      cells.append(rect);
    }
  }
  root.append(cells);
  const focusRing = svg('rect', { class: 'cell-focus', width: String(CELL), height: String(CELL), rx: '3', visibility: 'hidden' });
  root.append(focusRing);

  const readout = h('div', { class: 'readout placeholder', 'aria-live': 'polite' }, 'Hover a cell, or focus the grid and use the arrow keys.');
  const describe = (i: number, j: number): string => {
    const q = `query ‘${visibleToken(tokens[i].text, tokens[i].special)}’ (pos ${base + i})`;
    const k = `key ‘${visibleToken(tokens[j].text, tokens[j].special)}’ (pos ${base + j})`;
    if (!mask[i * n + j]) return `${q} → ${k}: blocked — ${base + j} is in the future of ${base + i}`;
    const w = weight ? `weight ${weight(i, j).toFixed(3)}` : i === j ? 'allowed (itself)' : 'allowed (its past)';
    return `${q} → ${k}: ${w}`;
  };
  let active: [number, number] | undefined;
  const show = (i: number, j: number): void => {
    active = [i, j];
    readout.textContent = describe(i, j);
    readout.classList.toggle('blocked', !mask[i * n + j]);
    readout.classList.remove('placeholder');
    focusRing.setAttribute('x', String(ROW_LABEL + j * CELL));
    focusRing.setAttribute('y', String(COL_LABEL + i * CELL));
    focusRing.setAttribute('visibility', 'visible');
    rowLabels.forEach((el, k) => el.classList.toggle('active', k === i));
    colLabels.forEach((el, k) => el.classList.toggle('active', k === j));
  };
  svgEl.addEventListener('mouseover', (e) => {
    const target = e.target as Element;
    if (target.classList.contains('cell')) show(Number(target.getAttribute('data-i')), Number(target.getAttribute('data-j')));
  });
  svgEl.addEventListener('focus', () => !active && n && show(n - 1, n - 1));
  svgEl.addEventListener('keydown', (e) => {
    const [i, j] = active ?? [n - 1, n - 1];
    const moves: Record<string, [number, number]> = { ArrowUp: [i - 1, j], ArrowDown: [i + 1, j], ArrowLeft: [i, j - 1], ArrowRight: [i, j + 1], Home: [i, 0], End: [i, n - 1] };
    const next = moves[e.key];
    if (!next) return;
    e.preventDefault();
    show(Math.max(0, Math.min(n - 1, next[0])), Math.max(0, Math.min(n - 1, next[1])));
  });

  const legend = h(
    'div',
    { class: 'mask-legend' },
    h('span', { class: 'swatch swatch-allowed' + (weight ? ' swatch-gradient' : '') }),
    weight ? `allowed, 0 → ${max.toFixed(2)}` : 'allowed',
    h('span', { class: 'swatch swatch-blocked' }),
    'blocked (future)',
  );
  const note = h('div', { class: 'note' }, caption);
  const parts: Node[] = [h('div', { class: 'mask-scroll' }, root), readout, legend, note];
  if (weight && outside > 0.005) parts.push(h('div', { class: 'note' }, `rows sum to less than 1: on average ${formatPercent(outside)} of each row’s weight goes to tokens before these ${n}`));
  return h('div', { class: 'mask' }, ...parts);
}
