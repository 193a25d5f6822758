// Plain-text tables for the CLI: the candidates, and the chain rule written out like
// P("I love AI <end>") = 0.20 × 0.60 × 0.70 × 0.80 = 0.0672.

import type { ChainToken, Explanation, ScoreResult } from './engine/engine.js';
import { firstShownCandidates, type RequestRecord } from './completion/request-record.js';
import { perplexity, productUnderflows } from './core/chain-rule.js';
import { visibleToken } from './core/visible-text.js';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function formatExplanation(e: Explanation): string {
  const lines = ['next token   P(raw)   log P    P(sampled)'];
  for (const c of e.candidates) {
    const bar = '█'.repeat(Math.round(c.prob * 20));
    lines.push(`${pad(visibleToken(c.text, c.special), 12)} ${padLeft(c.prob.toFixed(4), 6)}  ${padLeft(c.logprob.toFixed(2), 6)}   ${padLeft(c.kept ? c.processedProb.toFixed(4) : 'cut', 6)}  ${bar}`);
  }
  lines.push(`sampling: temperature ${e.sampling.temperature}, top-k ${e.sampling.topK}, top-p ${e.sampling.topP} → keeps ${e.sampling.keptCount} tokens (${(e.sampling.keptMass * 100).toFixed(1)} % of the mass, cut by ${e.sampling.cutBy})`);
  if (e.lens) lines.push('', ...lensTable(e.lens));
  lines.push('', ...chainRuleTable(e.context));
  return lines.join('\n') + '\n';
}

/** The logit lens: per layer, the top candidates and where the picked token stands. */
function lensTable(lens: NonNullable<Explanation['lens']>): string[] {
  if (!('rows' in lens)) return [lens.unavailable];
  const picked = lens.rows.at(-1)?.picked;
  const lines = [`layer   picked (rank, P)   top candidates`];
  for (const row of lens.rows) {
    const name = row.layer === 0 ? 'embed' : String(row.layer);
    const top = row.candidates.map((c) => `${visibleToken(c.text, false)} ${c.prob.toFixed(2)}`).join('  ');
    lines.push(`${pad(name, 7)} ${pad(`#${row.picked.rank + 1}  ${row.picked.prob.toFixed(4)}`, 18)} ${top}`);
  }
  if (picked) lines.push(`(the last row is the model's own distribution; "picked" is token ${picked.id})`);
  return lines;
}

/** The inline request's record: the ghost text, the first shown token's candidates, the decode chain. */
export function formatRecord(record: RequestRecord | undefined): string {
  if (!record) return 'no suggestion is asked for at this cursor\n';
  const first = firstShownCandidates(record);
  const lines = [`ghost text: ${JSON.stringify(record.shown)} (stopped: ${record.stopReason}; suffix ${record.suffix.sent ? 'sent' : 'not sent'}: ${record.suffix.reason}${record.healed ? `; healed ${JSON.stringify(record.healed)}` : ''})`, '', 'first shown token   P'];
  for (const c of first.candidates) lines.push(`${pad(visibleToken(c.text) + (c.id === first.picked?.id ? ' ✓' : ''), 18)} ${padLeft(c.prob.toFixed(4), 6)}`);
  lines.push('', 'token          by      P(token | past)');
  for (const t of record.tokens) lines.push(`${pad(visibleToken(t.text), 14)} ${pad(t.source, 7)} ${padLeft(t.prob.toFixed(4), 15)}`);
  lines.push('', `${record.tokens.length} tokens from ${record.forwardPasses} forward passes; ${record.drafts.accepted} drafted tokens accepted, ${record.drafts.rejected.length} drafts turned down`);
  return lines.join('\n') + '\n';
}

export function formatScore(s: ScoreResult): string {
  return chainRuleTable(s.tokens).join('\n') + `\nbits per character ${s.bitsPerChar.toFixed(3)} over ${s.chars} characters\n`;
}

export function chainRuleTable(tokens: readonly ChainToken[]): string[] {
  const lines = ['token          P(token | past)   running product   running log P'];
  let product = 1;
  for (const t of tokens) {
    if (t.logprob === null) {
      lines.push(`${pad(visibleToken(t.text, t.special), 14)} ${padLeft('(given)', 15)}`);
      continue;
    }
    product *= Math.exp(t.logprob);
    lines.push(`${pad(visibleToken(t.text, t.special), 14)} ${padLeft(Math.exp(t.logprob).toFixed(4), 15)}   ${padLeft(product.toPrecision(4), 15)}   ${padLeft(t.cumulativeLogprob.toFixed(3), 13)}`);
  }
  const scored = tokens.filter((t) => t.logprob !== null);
  const total = tokens.at(-1)?.cumulativeLogprob ?? 0;
  const factors = scored.slice(0, 8).map((t) => Math.exp(t.logprob!).toFixed(2));
  const product8 = scored.length <= 8 ? ` = ${Math.exp(total).toPrecision(4)}` : ` × … (${scored.length} factors)`;
  lines.push('', `P = ${factors.join(' × ')}${product8}`);
  lines.push(`log P = ${total.toFixed(3)} · perplexity ${perplexity(scored.map((t) => t.logprob!)).toFixed(3)} per token${productUnderflows(total) ? ' · the product underflows to 0 in float64, so the log form is the one to read' : ''}`);
  return lines;
}
