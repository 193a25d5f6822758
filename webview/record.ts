// The record of the editor's latest inline request, section by section: the ghost text, the
// distribution its first shown token was picked from, the decode chain (model-picked or
// drafted-and-accepted tokens, rejected drafts, forward passes), the prompt in its parts, and
// what the request cost. Nothing here asks the engine anything.

import { perplexity } from '../src/core/chain-rule';
import type { GateView, RecordTokenView, RecordView, StepCandidateView } from '../src/protocol';
import { formatFromLog, totalLine } from './chain-rule';
import { tokenChip, visibleRun } from './chip';
import { h, setVar } from './dom';
import { escapedToken, formatInt, formatLogprob, formatMs, formatProb, plural, visibleToken } from './format';
import { post } from './vscode-state';

const SERVED: Record<RecordView['served'], string> = {
  model: 'decoded for this request',
  cache: 'from memory: the same request earlier',
  'typed-ahead': 'from memory: the rest after what you typed',
};

/** Why a request was answered before its keystroke (speculation.ts). */
const AHEAD: Record<NonNullable<RecordView['ahead']>, string> = {
  cursor: 'computed ahead, at the cursor before you typed there',
  accept: 'computed ahead, in case you accepted the suggestion before',
  enter: 'computed ahead, in case you pressed Enter',
  'next-char': 'computed ahead, in case you typed the likeliest next character',
};

const STOP: Record<string, string> = {
  line: 'end of line',
  block: 'end of block',
  eos: 'end token',
  budget: 'token budget',
  time: 'time budget',
  repeat: 'repetition guard',
  window: 'end of the model window',
  cancelled: 'cancelled',
};

export function renderGhostText(record: RecordView): HTMLElement {
  const root = h('div', { class: 'ghost-text', 'data-shown': record.shown });
  if (record.shown) root.append(h('code', { class: 'ghost' }, h('span', { class: 'cursor' }), visibleRun(record.shown)));
  else root.append(h('p', { class: 'note' }, 'none: the editor showed nothing here', record.generated ? ` (the model wrote ${JSON.stringify(record.generated.slice(0, 40))}, which the suggestion rules dropped)` : ''));
  const shownTokens = record.tokens.length - record.firstShown;
  root.append(
    h(
      'div',
      { class: 'ghost-facts note' },
      `${SERVED[record.served]}${record.ahead ? ` (${AHEAD[record.ahead]})` : ''} · stopped at ${STOP[record.stopReason] ?? record.stopReason} · ${plural(shownTokens, 'token')} · P = ${formatFromLog(record.logprob)}`,
    ),
  );
  if (record.healed) root.append(h('div', { class: 'ghost-facts note' }, 'healed: the tokens of ', tokenChip({ text: record.healed, special: false }), ' were held back; the first tokens had to spell it again'));
  if (record.gate) {
    const g = record.gate;
    root.append(h('div', { class: 'ghost-facts gate' }, gateLine(g)));
    if (g.presets) root.append(h('div', { class: 'ghost-facts gate note' }, presetLadder(g.confidence, g.presets)));
    if (!g.shown && record.shown) {
      const title = 'Show this suggestion in the editor, as Trigger Inline Suggestion (Alt+\\) does';
      root.append(h('vscode-button', { class: 'show-anyway', appearance: 'secondary', title, 'aria-label': title, onclick: () => post({ type: 'showAnyway' }) }, 'Show anyway'));
    }
  }
  return root;
}

/** The gate's decision in one line: "confidence 0.120 < threshold 0.240 (balanced): held back". */
export function gateLine(g: GateView): string {
  if (g.explicit) return `confidence ${formatProb(g.confidence)}, threshold ${formatProb(g.threshold)} (${g.preset}): shown because you asked for it`;
  return `confidence ${formatProb(g.confidence)} ${g.shown ? '≥' : '<'} threshold ${formatProb(g.threshold)} (${g.preset}): ${g.shown ? 'shown' : 'held back'}`;
}

/** Where a confidence falls among the presets, least strict first: "would show under: eager (≥ 0.190) ✓ · balanced (≥ 0.240) ✗ · …". */
export function presetLadder(confidence: number, presets: Record<string, number>): string {
  const steps = Object.entries(presets).sort((a, b) => a[1] - b[1]);
  return 'would show under: ' + steps.map(([name, t]) => `${name} (≥ ${formatProb(t)}) ${confidence >= t ? '✓' : '✗'}`).join(' · ');
}

/**
 * The candidate list of one decoding step, with the picked token marked; clicking one starts
 * exploring with it. Tokens the language server ruled out follow, struck through, with the
 * probability the model gave them before the mask.
 */
export function renderStepCandidates(candidates: readonly StepCandidateView[], picked: number | undefined, ruledOut: readonly StepCandidateView[] = []): HTMLElement {
  const list = h('div', { class: 'candidates step-candidates', role: 'group', 'aria-label': 'The distribution the first shown token was picked from: choose one to explore from it' });
  list.append(h('div', { class: 'cand-head', 'aria-hidden': 'true' }, h('span', {}, 'token'), h('span', {}), h('span', { class: 'num' }, 'P'), h('span', { class: 'num processed' }), h('span', { class: 'num' }, 'log P')));
  // The masked tokens go right after the candidates that kept some probability (before the zeros).
  const maskedAfter = candidates.reduce((last, c, i) => (c.prob > 0 ? i : last), -1);
  const appendMasked = () => ruledOut.length && list.append(maskedHeading(ruledOut.length), ...ruledOut.map(maskedRow));
  if (maskedAfter < 0) appendMasked();
  candidates.forEach((c, i) => {
    const raw = h('span', { class: 'bar-raw' });
    setVar(raw, '--p', String(c.prob));
    const isPicked = c.id === picked;
    const row = h(
      'button',
      {
        class: `cand${isPicked ? ' picked' : ''}`,
        'data-token-id': c.id,
        'data-prob': c.prob,
        'aria-label': `Explore from ${escapedToken(c.text)}: probability ${formatProb(c.prob)}${isPicked ? ' (picked)' : ''}`,
        title: `${visibleToken(c.text)} — P ${formatProb(c.prob)} · id ${c.id}${isPicked ? ' · picked' : ''}`,
      },
      h('span', { class: 'cand-token' }, tokenChip({ text: c.text, special: false }, isPicked ? 'chip-suggested' : '')),
      h('span', { class: 'bar' }, raw),
      h('span', { class: 'num' }, formatProb(c.prob)),
      h('span', { class: 'num processed' }, isPicked ? '✓' : ''),
      h('span', { class: 'num dim' }, formatLogprob(Math.log(c.prob))),
    );
    row.addEventListener('click', () => post({ type: 'appendToken', id: c.id }));
    list.append(row);
    if (i === maskedAfter) appendMasked();
  });
  return list;
}

/** A token the language server's vocabulary mask ruled out: struck through, beside its raw probability. */
function maskedRow(c: StepCandidateView): HTMLElement {
  const raw = h('span', { class: 'bar-raw' });
  setVar(raw, '--p', String(c.prob));
  const label = 'masked by the language server';
  return h(
    'div',
    { class: 'cand masked', 'data-token-id': c.id, 'data-masked-prob': c.prob, 'data-masked': 'language-server', 'aria-label': `${escapedToken(c.text)}: ${label}; probability before the mask ${formatProb(c.prob)}`, title: `${visibleToken(c.text)} — ${label} · P before the mask ${formatProb(c.prob)} · id ${c.id}` },
    h('span', { class: 'cand-token' }, tokenChip({ text: c.text, special: false }, 'chip-masked')),
    h('span', { class: 'bar' }, raw),
    h('span', { class: 'num' }, formatProb(c.prob)),
    h('span', { class: 'num processed' }, '✗'),
    h('span', { class: 'num dim masked-label' }, 'masked'),
  );
}

/** The line above the masked tokens: what they are and which probability they show. */
function maskedHeading(count: number): HTMLElement {
  return h('div', { class: 'cand-note masked-note' }, `${plural(count, 'token')} masked by the language server (struck through), with the probability the model gave them before the mask:`);
}

/** What the first shown token's distribution is, in words. */
export function stepNote(record: RecordView, index: number): string {
  const token = record.tokens[index];
  const parts = [record.sampling.temperature === 0 ? 'greedy (temperature 0): the top token is picked' : `temperature ${record.sampling.temperature}, seed ${record.sampling.seed}`];
  parts.push('special tokens other than the end token suppressed');
  if (token?.healingConstrained) parts.push(`constrained to spell the healed ${JSON.stringify(record.healed)}`);
  if (token?.source === 'draft') parts.push('this token was drafted by prompt lookup and accepted');
  if (token?.monitor) parts.push(`the language server allowed ${plural(record.monitor?.validNames ?? 0, 'name')} here: ${plural(token.monitor.masked, 'token')} masked (the likeliest struck through below)`);
  if (!token) parts.push('the end token was picked: nothing was written');
  return parts.join(' · ');
}

/** The generated tokens by the chain rule, each marked model-picked or drafted; rejected drafts where they were turned down. */
export function renderDecodeChain(record: RecordView): HTMLElement {
  const root = h('div', { class: 'chain' });
  root.append(
    h('div', { class: 'rank-legend', 'aria-label': 'Row colour: how the token was chosen' }, h('span', { class: 'note' }, 'chosen by:'), h('span', { class: 'band-key source-key-model' }, 'the model'), h('span', { class: 'band-key source-key-draft' }, 'prompt-lookup draft, accepted'), h('span', { class: 'note' }, '· faded: re-spells the healed text')),
  );
  const shownFrom = record.firstShown;
  const table = h('table', { class: 'chain-table decode-table' });
  table.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'token'), h('th', { scope: 'col' }, 'by'), h('th', { scope: 'col', class: 'num' }, 'P(tok | past)'), h('th', { scope: 'col', class: 'num' }, 'product'), h('th', { scope: 'col', class: 'num' }, 'log P'))));
  const body = h('tbody');
  const rejectedAt = new Map<number, RecordView['drafts']['rejected']>();
  for (const r of record.drafts.rejected) rejectedAt.set(r.at, [...(rejectedAt.get(r.at) ?? []), r]);
  record.tokens.forEach((t, i) => {
    for (const r of rejectedAt.get(i) ?? []) body.append(rejectedRow(r));
    body.append(decodeRow(t, i < shownFrom));
  });
  for (const r of rejectedAt.get(record.tokens.length) ?? []) body.append(rejectedRow(r));
  table.append(body);
  root.append(h('div', { class: 'table-scroll' }, table));
  const logprobs = record.tokens.map((t) => t.logprob);
  root.append(totalLine('P(suggestion | prompt)', logprobs, record.logprob, perplexity(logprobs), logprobs.length));
  const drafted = record.tokens.filter((t) => t.source === 'draft').length;
  root.append(
    h(
      'div',
      { class: 'passes', 'data-forward-passes': record.forwardPasses, 'data-tokens': record.tokens.length },
      h('strong', {}, plural(record.tokens.length, 'token')),
      ` from ${plural(record.forwardPasses, 'forward pass', 'forward passes')}`,
      h('span', { class: 'note' }, ` · ${formatInt(drafted)} drafted by prompt lookup and accepted (of ${formatInt(record.drafts.drafted)} proposed) · ${plural(record.drafts.rejected.length, 'draft')} turned down`),
    ),
  );
  return root;
}

function decodeRow(t: RecordTokenView, respelling: boolean): HTMLElement {
  return h(
    'tr',
    { class: `tok source-${t.source}${respelling ? ' respelling' : ''}`, 'data-source': t.source, title: respelling ? 'Re-spells the healed text (not shown as ghost text)' : '' },
    h('td', { class: 'tok-cell' }, tokenChip({ text: t.text, special: false }, t.source === 'draft' ? 'chip-draft' : 'chip-suggested')),
    h('td', { class: 'by' }, t.source === 'draft' ? 'draft ✓' : 'model'),
    h('td', { class: 'num' }, formatProb(t.prob)),
    h('td', { class: 'num' }, formatFromLog(t.cumulativeLogprob)),
    h('td', { class: 'num dim' }, formatLogprob(t.cumulativeLogprob)),
  );
}

function rejectedRow(r: RecordView['drafts']['rejected'][number]): HTMLElement {
  return h(
    'tr',
    { class: 'rejected', 'data-source': 'rejected' },
    h('td', { class: 'tok-cell', colspan: '5' }, h('span', { class: 'note' }, 'draft turned down: '), ...r.drafted.slice(0, 6).map((d) => tokenChip({ text: d.text, special: false }, 'chip-rejected')), r.drafted.length > 6 ? h('span', { class: 'note' }, ` +${r.drafted.length - 6}`) : null, h('span', { class: 'note' }, ' · the model chose '), tokenChip({ text: r.chosen.text, special: false })),
  );
}

/** Prefix tokens the prompt view shows before "… earlier". */
const PREFIX_TAIL = 48;

/** The prompt as the model saw it: cut marker, prefix, FIM tokens and suffix when sent, and the held-back healing tokens. */
export function renderPrompt(record: RecordView): HTMLElement {
  const root = h('div', { class: 'prompt' });
  const total = record.prompt.parts.reduce((n, p) => n + p.tokens.length, 0);
  root.append(h('div', { class: 'note' }, `${plural(total, 'token')} · suffix ${record.suffix.sent ? `sent (${plural(record.suffix.chars, 'character')})` : 'not sent'}: ${record.suffix.reason} · fill-in-the-middle setting '${record.suffix.setting}'`));
  const flow = h('div', { class: 'prompt-flow' });
  if (record.prompt.cutTokens > 0) flow.append(h('span', { class: 'prompt-cut', 'data-part': 'cut' }, `✂ ${plural(record.prompt.cutTokens, 'token')} of the file cut here to fit the window`));
  for (const part of record.prompt.parts) {
    const tokens = part.kind === 'prefix' || part.kind === 'context' ? part.tokens.slice(-PREFIX_TAIL) : part.tokens;
    const hidden = part.tokens.length - tokens.length;
    const label = { bos: 'start', fim: 'FIM', context: 'repository context (other files)', prefix: 'file text before the cursor', suffix: 'file text after the cursor (suffix)' }[part.kind];
    const group = h('span', { class: `prompt-part part-${part.kind}`, 'data-part': part.kind, title: label });
    if (part.kind === 'prefix' || part.kind === 'suffix' || part.kind === 'context') group.append(h('span', { class: 'part-label' }, label));
    if (hidden > 0) group.append(h('span', { class: 'note' }, `… ${formatInt(hidden)} earlier · `));
    for (const t of tokens) group.append(tokenChip(t, part.kind === 'fim' ? 'chip-fim' : ''));
    flow.append(group);
  }
  if (record.prompt.heldBack.length) {
    flow.append(h('span', { class: 'prompt-part part-held', 'data-part': 'held' }, h('span', { class: 'part-label' }, 'held back for healing'), ...record.prompt.heldBack.map((t) => tokenChip({ text: t.text, special: false }, 'chip-held'))));
  }
  root.append(flow);
  if (record.context) root.append(renderContextSnippets(record.context));
  return root;
}

/** The repository context in the prompt: each snippet's file, where it starts, what it is, and its ranking score. */
function renderContextSnippets(context: NonNullable<RecordView['context']>): HTMLElement {
  const KIND = { outline: 'declarations', window: 'lines', edit: 'recent edit' } as const;
  const list = h('ul', { class: 'context-snippets', 'aria-label': 'Repository context snippets' });
  for (const s of context.snippets) {
    list.append(
      h(
        'li',
        { class: 'context-snippet', 'data-path': s.path, 'data-score': s.score, title: s.text },
        h('code', {}, `${s.path}:${s.line + 1}`),
        h('span', { class: 'note' }, ` ${KIND[s.kind]} · from ${s.source} · score ${s.score.toFixed(3)} · ${plural(s.tokens, 'token')}`),
      ),
    );
  }
  return h('div', { class: 'context' }, h('div', { class: 'note' }, `repository context: ${plural(context.snippets.length, 'snippet')}, ${plural(context.tokens, 'token')} ahead of the file`), list);
}

/** The request's cost: prompt tokens reused from the KV cache or computed, passes, time. */
export function renderRequestCost(record: RecordView): HTMLElement {
  const c = record.cache;
  return h(
    'div',
    { class: 'kv' },
    h('div', { class: 'kv-line' }, h('strong', {}, formatInt(c.promptTokens)), ' prompt tokens: ', `${formatInt(c.reused)} reused from the KV cache · ${formatInt(c.computed)} computed`),
    h('div', { class: 'kv-line' }, `${plural(record.tokens.length, 'token')} generated in ${plural(record.forwardPasses, 'forward pass', 'forward passes')}`),
    h('div', { class: 'kv-line note' }, `engine ${formatMs(record.timings.engineMs)} · request ${formatMs(record.timings.totalMs)}${record.served === 'model' ? '' : ' (served from memory: no model call)'}`),
  );
}
