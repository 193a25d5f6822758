// The NextToken panel. It speaks only the protocol in src/protocol.ts: it posts `ready` once,
// paints every `state` the host sends, shows `busy`, and posts what the user asks for.
// Sections, in the order a user asks: what comes next, how likely is the text, what may each
// position look at, why is it fast (the KV cache).

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
import type { StateMessage, ToWebviewMessage } from '../src/protocol';
import { nucleusSummary, renderAppended, renderCandidates } from './candidates';
import { renderChainRule } from './chain-rule';
import { createSamplingControls, createStepButtons } from './controls';
import { h } from './dom';
import { renderEmptyState } from './empty-state';
import { formatProb } from './format';
import { createHeader } from './header';
import { renderKvCache } from './kv-cache';
import { createMaskView } from './mask';
import { section } from './section';
import { renderSuggestion } from './suggestion';
import { tokenChip } from './chip';
import { post, rememberState, ui } from './vscode-state';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField(), vsCodeDivider(), vsCodeBadge(), vsCodeProgressRing());

// ── the page, built once; renders replace only what the state changes ──────────────────
const busyBar = h('div', { class: 'busy-bar', 'aria-hidden': 'true' });
const header = createHeader();
const empty = h('div', { class: 'empty-slot' });
const suggestion = h('div', { class: 'suggestion-slot' });

const next = section('next', 'What comes next?');
const sampling = createSamplingControls();
const steps = createStepButtons();
const appended = h('div', { class: 'appended-slot' });
const candidates = h('div', { class: 'candidates-slot' });
const nucleus = h('div', { class: 'nucleus' });
next.body.append(sampling.root, appended, candidates, nucleus, steps.root, h('p', { class: 'hint' }, 'Click a token to append it and see the next step: predict, pick, append, repeat.'));

const chain = section('chain', 'How likely is this text? (chain rule)');
const mask = section('mask', 'What may each position look at? (causal mask)');
const maskView = createMaskView();
const maskBody = h('div', { class: 'mask-slot' });
mask.body.append(maskView.controls, maskBody);
const kv = section('kv', 'KV cache');

const sections = h('div', { class: 'sections' }, suggestion, next.root, chain.root, mask.root, kv.root);
const main = h('main', { class: 'panel' }, busyBar, header.root, empty, sections);
document.body.append(main);

// ── painting a state ───────────────────────────────────────────────────────────────────
let current: StateMessage | undefined;

function paint(state: StateMessage): void {
  current = state;
  header.render(state);
  const emptyState = renderEmptyState(state);
  empty.replaceChildren(...(emptyState ? [emptyState] : []));
  const ex = state.explanation;
  sections.hidden = !ex;
  sampling.render(state.sampling);
  if (!ex) return;

  suggestion.replaceChildren(renderSuggestion(ex));
  const top = ex.candidates[0];
  next.aside.replaceChildren(...(top ? [tokenChip(top), ` ${formatProb(top.prob)}`] : []));
  appended.replaceChildren(...[renderAppended(ex)].filter((n): n is HTMLElement => n !== null));
  candidates.replaceChildren(renderCandidates(ex));
  nucleus.textContent = nucleusSummary(ex);
  steps.render(ex.appended.length, state.sampling.seed, ex.candidates.length > 0);

  paintChain();
  chain.aside.textContent = `log P ${formatLogprobShort(ex.logprob)}`;
  maskView.render(ex, maskBody);
  mask.aside.textContent = `${ex.maskTokens.length}×${ex.maskTokens.length}`;
  kv.body.replaceChildren(renderKvCache(ex));
  kv.aside.textContent = `${ex.cache.cached} cached`;
}

function paintChain(): void {
  const ex = current?.explanation;
  if (ex) chain.body.replaceChildren(renderChainRule(ex, paintChain));
}

const formatLogprobShort = (lp: number): string => (lp < 0 ? '\u2212' : '') + Math.abs(lp).toFixed(1);

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
else paint({ type: 'state', status: 'loading', sampling: { temperature: 0.8, topK: 40, topP: 0.95, seed: 0 } });
post({ type: 'ready' });
