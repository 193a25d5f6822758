// The NextToken panel. It speaks only the protocol in src/protocol.ts: it posts `ready` once,
// paints every `state` the host sends, shows `busy`, and posts what the user asks for.
// Sections, in the order a user asks: what did the editor show, what was the choice, how likely
// is the text, what did the model see, what may each position look at, what did it cost; and
// apart from those, the what-if exploration.

import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import type { ExplanationView, RecordView, StateMessage, ToWebviewMessage } from '../src/protocol';
import { nucleusSummary, renderAppended, renderCandidates } from './candidates';
import { renderChainRule } from './chain-rule';
import { createSamplingControls, createStepButtons } from './controls';
import { h } from './dom';
import { renderEmptyState } from './empty-state';
import { formatProb } from './format';
import { createHeader } from './header';
import { renderKvCache } from './kv-cache';
import { renderLens } from './lens';
import { createMaskView, type MaskInput } from './mask';
import { renderDecodeChain, renderGhostText, renderPrompt, renderRequestCost, renderStepCandidates, stepNote } from './record';
import { section } from './section';
import { tokenChip } from './chip';
import { post, rememberState, ui } from './vscode-state';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField(), vsCodeDivider(), vsCodeBadge(), vsCodeProgressRing());

// ── the page, built once; renders replace only what the state changes ──────────────────
const busyBar = h('div', { class: 'busy-bar', 'aria-hidden': 'true' });
const header = createHeader();
const empty = h('div', { class: 'empty-slot' });

// The record of the editor's latest request: what it showed and how it was made.
const ghost = section('ghost', 'Ghost text');
const next = section('next', 'What comes next?');
const chain = section('chain', 'How likely is this text? (chain rule)');
const promptSection = section('prompt', 'What the model saw (prompt)');
const layers = section('layers', 'Layer by layer (logit lens)');
const mask = section('mask', 'What may each position look at? (causal mask)');
const maskView = createMaskView(() => current && paint(current));
const maskBody = h('div', { class: 'mask-slot' });
mask.body.append(maskView.controls, maskBody);
const kv = section('kv', 'KV cache and cost');

// What if: a separate mode that asks the engine, on request only; the editor is unaffected.
const explore = section('explore', 'Explore: what if?', false);
const exploreStart = h('vscode-button', { appearance: 'secondary', title: 'Step through generation from the first shown token, with your own sampling settings' }, 'Explore from this step');
exploreStart.addEventListener('click', () => post({ type: 'explore', on: true }));
const exploreStop = h('vscode-button', { appearance: 'secondary', title: 'Leave the what-if mode' }, 'Stop exploring');
exploreStop.addEventListener('click', () => post({ type: 'explore', on: false }));
const sampling = createSamplingControls();
const steps = createStepButtons();
const appended = h('div', { class: 'appended-slot' });
const candidates = h('div', { class: 'candidates-slot' });
const nucleus = h('div', { class: 'nucleus' });
const exploreChain = h('div', { class: 'explore-chain' });
const exploreKv = h('div', { class: 'explore-kv' });
const exploring = h('div', { class: 'exploring' }, sampling.root, appended, candidates, nucleus, steps.root, h('p', { class: 'hint' }, 'Click a token to append it and see the next step: predict, pick, append, repeat.'), exploreChain, exploreKv, exploreStop);
explore.body.append(h('p', { class: 'hint' }, 'A separate mode: it never changes what the editor suggests. It starts from the completion’s own settings (temperature 0 is greedy) at its first shown token, without suppression or the healing constraint.'), exploreStart, exploring);

const sections = h('div', { class: 'sections' }, ghost.root, next.root, layers.root, chain.root, promptSection.root, mask.root, kv.root, explore.root);
const main = h('main', { class: 'panel' }, busyBar, header.root, empty, sections);
document.body.append(main);

// ── painting a state ───────────────────────────────────────────────────────────────────
let current: StateMessage | undefined;

function paint(state: StateMessage): void {
  const previous = current;
  current = state;
  header.render(state);
  const emptyState = renderEmptyState(state);
  empty.replaceChildren(...(emptyState ? [emptyState] : []));
  const record = state.record;
  sections.hidden = !record;
  if (!record) return;

  ghost.body.replaceChildren(renderGhostText(record));
  ghost.aside.textContent = record.served === 'model' ? '' : record.served;

  const step = record.tokens[record.firstShown] ?? record.end;
  const list = record.tokens[record.firstShown]?.candidates ?? record.end?.candidates ?? [];
  next.body.replaceChildren(
    h('p', { class: 'hint' }, 'The distribution the first shown token was picked from: ', h('span', { class: 'note' }, stepNote(record, record.firstShown))),
    renderStepCandidates(list, step?.id, record.tokens[record.firstShown]?.monitor?.ruledOut),
    h('p', { class: 'hint' }, 'Click a token to explore what would follow it (the editor is unaffected).'),
  );
  const top = list[0];
  next.aside.replaceChildren(...(top ? [tokenChip({ text: top.text, special: false }), ` ${formatProb(top.prob)}`] : []));

  chain.body.replaceChildren(renderDecodeChain(record));
  chain.aside.textContent = `${record.tokens.length} tok · ${record.forwardPasses} passes`;
  promptSection.body.replaceChildren(renderPrompt(record));
  promptSection.aside.textContent = record.suffix.sent ? 'FIM' : 'prefix';
  kv.body.replaceChildren(renderRequestCost(record));
  kv.aside.textContent = `${record.cache.reused} reused`;

  const ex = state.exploration;
  if (ex && !previous?.exploration) explore.root.open = true; // a click on a candidate starts exploring: show it
  exploreStart.hidden = !!ex;
  exploring.hidden = !ex;
  if (ex && state.sampling) {
    sampling.render(state.sampling);
    appended.replaceChildren(...[renderAppended(ex)].filter((n): n is HTMLElement => n !== null));
    candidates.replaceChildren(renderCandidates(ex));
    nucleus.textContent = nucleusSummary(ex);
    steps.render(ex.appended.length, state.sampling.seed, ex.candidates.length > 0);
    paintExploreChain();
    exploreKv.replaceChildren(renderKvCache(ex));
  }
  explore.aside.textContent = ex ? `exploring · ${ex.appended.length} appended` : '';
  // The lens looks at the exploration's step while exploring, else at the record's first shown step.
  const looked = ex ?? state.recordLens;
  layers.body.replaceChildren(renderLens(state.model, looked, () => current && paint(current)));
  const lensRows = looked?.lens && 'rows' in looked.lens ? looked.lens.rows : undefined;
  layers.aside.textContent = lensRows ? `${lensRows.length - 1} layers` : state.model?.lens === false ? 'no lens' : '';
  mask.root.open = ui.open.mask ?? mask.root.open;
  const input = looked ? { ...explorationMask(looked), markLastRow: ui.lensLayer >= 1 && !!lensRows } : recordMask(record);
  maskView.render(input, maskBody);
  mask.aside.textContent = `${input.maskTokens.length}×${input.maskTokens.length}`;
}

/** The last tokens of the record's prompt and generated text, for the mask (no attention: that needs an engine call). */
function recordMask(record: RecordView): MaskInput {
  const prompt = record.prompt.parts.flatMap((p) => p.tokens);
  const all = [...prompt, ...record.tokens.map((t) => ({ text: t.text, special: false }))];
  const n = Math.min(ui.maskSize, all.length);
  return { maskTokens: all.slice(all.length - n), base: all.length - n, generatedFrom: prompt.length };
}

function explorationMask(ex: ExplanationView): MaskInput {
  const total = ex.contextTotal + ex.appended.length;
  return { maskTokens: ex.maskTokens, base: total - ex.maskTokens.length, generatedFrom: ex.contextTotal, attention: ex.attention };
}

function paintExploreChain(): void {
  const ex = current?.exploration;
  if (ex) exploreChain.replaceChildren(renderChainRule(ex, paintExploreChain));
}

// ── messages from the host ─────────────────────────────────────────────────────────────
window.addEventListener('message', (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (!message || typeof message !== 'object') return;
  if (message.type === 'state') {
    rememberState(message);
    paint(message);
  } else if (message.type === 'busy') {
    main.classList.toggle('busy', message.busy);
    main.setAttribute('aria-busy', String(message.busy));
  }
});

if (ui.last) paint(ui.last);
else paint({ type: 'state', status: 'loading' });
post({ type: 'ready' });
