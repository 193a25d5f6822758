// Layer by layer (the logit lens): what the model would predict if it stopped after each layer,
// for one step. One row per layer, the embedding first and the model's own distribution last:
// where the token it finally picked stands (rank, probability), and the top candidates. Clicking a
// candidate picks that layer: the causal mask is shaded by its heads' attention, and the heads'
// strongest looks at this step are listed under the grid.

import type { ExplanationView, LensRowView, ModelView } from '../src/protocol';
import { tokenChip } from './chip';
import { h, setVar } from './dom';
import { escapedToken, formatProb, visibleToken } from './format';
import { post, saveUi, ui } from './vscode-state';

/** Shown for a model without the lens outputs (and in the CLI as "no lens"). */
export const NO_LENS_TEXT = 'No lens for this model: it does not export the per-layer outputs (residual_stream and onnx/lens.onnx). The layer view needs a model exported by training/export_onnx.py.';

/** How many earlier tokens to name per head. */
const LOOKS_PER_HEAD = 3;

/**
 * The section body. `view` is the step looked into (an exploration step, or the record's first
 * shown step); `onPick` repaints after a layer is picked (the mask follows ui.lensLayer).
 */
export function renderLens(model: ModelView | undefined, view: ExplanationView | undefined, onPick: () => void): HTMLElement {
  if (model && !model.lens) return h('p', { class: 'hint lens-none' }, NO_LENS_TEXT);
  const lens = view?.lens;
  if (!view || !lens) {
    const ask = h('vscode-button', { appearance: 'secondary', class: 'lens-ask', title: 'Run the model once more on this step, with the per-layer outputs' }, 'Look inside this step');
    ask.addEventListener('click', () => post({ type: 'lens' }));
    return h('div', { class: 'lens-empty' }, h('p', { class: 'hint' }, 'What the model would predict after each of its layers, for the first shown token. "Explain Next Token" shows it too.'), ask);
  }
  if ('unavailable' in lens) return h('p', { class: 'hint lens-none' }, lens.unavailable);
  const rows = lens.rows;
  const last = rows.length - 1;
  const pickedText = rows[last]?.picked.text;
  const selected = ui.lensLayer >= 1 && ui.lensLayer <= last ? ui.lensLayer : undefined;
  const grid = h('div', { class: 'lens-grid', role: 'grid', 'aria-label': 'Top candidates after each layer' });
  grid.append(
    h('div', { class: 'lens-row lens-head', role: 'row' }, h('span', { role: 'columnheader' }, 'layer'), h('span', { class: 'num', role: 'columnheader', title: 'Rank and probability of the token the model picked' }, 'picked'), h('span', { role: 'columnheader' }, 'top candidates')),
  );
  for (const row of rows) grid.append(lensRow(row, row.layer === last, row.layer === selected, pick));
  function pick(layer: number): void {
    saveUi({ lensLayer: layer, layer: layer - 1, head: -1, open: { ...ui.open, mask: true } });
    onPick();
  }
  const parts: HTMLElement[] = [
    h(
      'p',
      { class: 'hint' },
      'What the model would predict if it stopped after each layer: its final norm and output layer applied there (the logit lens). ',
      pickedText !== undefined ? h('span', {}, 'Picked: ', tokenChip({ text: pickedText, special: false }), ' (ranked in the raw distribution, before healing and suppression). ') : '',
      'Click a candidate to see where that layer’s heads looked.',
    ),
    grid,
  ];
  if (selected !== undefined) parts.push(headLooks(view, selected));
  else if (ui.lensLayer === 0) parts.push(h('p', { class: 'note' }, 'The embedding row comes before any attention.'));
  return h('div', { class: 'lens' }, ...parts);
}

function lensRow(row: LensRowView, own: boolean, selected: boolean, pick: (layer: number) => void): HTMLElement {
  const name = row.layer === 0 ? 'embed' : own ? `${row.layer} out` : String(row.layer);
  const rank = h('span', { class: `num lens-picked band-${band(row.picked.rank)}`, title: `The picked token is #${row.picked.rank + 1} here, P ${formatProb(row.picked.prob)}` }, `#${row.picked.rank + 1} `, h('span', { class: 'dim' }, formatProb(row.picked.prob)));
  const cells = h('span', { class: 'lens-cands' });
  for (const c of row.candidates) {
    const cell = h(
      'button',
      {
        class: `lens-cell${c.id === row.picked.id ? ' lens-cell-picked' : ''}`,
        'data-layer': row.layer,
        'data-token-id': c.id,
        'data-prob': c.prob,
        'aria-label': `Layer ${name}: ${escapedToken(c.text)} ${formatProb(c.prob)}. Show this layer's attention on the mask`,
        title: `${visibleToken(c.text, false)} — P ${formatProb(c.prob)} after ${row.layer === 0 ? 'the embedding' : `layer ${row.layer}`}`,
      },
      tokenChip({ text: c.text, special: false }),
      h('span', { class: 'lens-prob' }, formatProb(c.prob)),
    );
    setVar(cell, '--p', String(c.prob));
    cell.addEventListener('click', () => pick(row.layer));
    cells.append(cell);
  }
  return h('div', { class: `lens-row${own ? ' lens-own' : ''}${selected ? ' lens-selected' : ''}`, role: 'row', 'data-layer': row.layer }, h('span', { class: 'lens-layer' }, name), rank, cells);
}

/** Rank bands, the colours the decode chain uses. */
function band(rank: number): string {
  return rank === 0 ? 'top1' : rank < 10 ? 'top10' : rank < 100 ? 'top100' : 'beyond';
}

/** For the picked layer: each head's strongest looks from this step (the last query row of the mask). */
function headLooks(view: ExplanationView, layer: number): HTMLElement {
  const att = view.attention;
  if (!att || att.layers < layer) return h('p', { class: 'note' }, 'This model exports no attention weights to show.');
  const n = att.size;
  const tokens = view.maskTokens;
  const list = h('div', { class: 'lens-heads' }, h('div', { class: 'note' }, `Layer ${layer}, this step: the earlier tokens each head looked at most (of the last ${n}; the mask below is shaded by their mean).`));
  for (let head = 0; head < att.heads; head++) {
    const row = (k: number) => att.weights[(((layer - 1) * att.heads + head) * n + (n - 1)) * n + k];
    const looks = Array.from({ length: n }, (_, k) => k).sort((a, b) => row(b) - row(a)).slice(0, LOOKS_PER_HEAD);
    list.append(
      h('div', { class: 'lens-head-row', 'data-head': head }, h('span', { class: 'lens-layer' }, `head ${head + 1}`), ...looks.map((k) => h('span', { class: 'lens-look' }, tokenChip(tokens[k]), h('span', { class: 'dim' }, ` ${formatProb(row(k))}`)))),
    );
  }
  return list;
}
