// The autoregressive loop: predict, process, pick, append, repeat — until a stop rule fires.
// With greedy decoding, each step also drafts tokens by prompt lookup and checks them in the
// same forward pass that appends the picked token; accepted drafts are free tokens.

import { chainRule } from '../core/chain-rule.js';
import { argmax, processLogits, tokenLogProb, type SamplingParams } from '../core/logits.js';
import { acceptsDraft, DEFAULT_LOOKUP, promptLookupDraft } from '../core/prompt-lookup.js';
import { pickGreedy, pickSample, type Rng } from '../core/sampler.js';
import { firstStop, type StopReason, type StopRule } from '../core/stop-rules.js';
import { constrainToHealing, healingRemainder } from '../core/token-healing.js';
import { abortError, type DecoderSession } from './decoder-session.js';
import type { TextTokenizer } from './tokenizer.js';

export interface GeneratedToken {
  id: number;
  /** The token's own text (the first ones include the healed text). */
  text: string;
  /** P(token | past) under the model, before temperature/top-k/top-p. */
  prob: number;
  logprob: number;
  cumulativeLogprob: number;
}

export interface Generation {
  /** What to insert at the cursor: generated text less the healed part, cut by the stop rule. */
  text: string;
  tokens: GeneratedToken[];
  /** Σ logprob of the tokens: the chain-rule log-probability of the completion given the prompt. */
  logprob: number;
  stopReason: StopReason;
  /** Tokens proposed by prompt lookup, and how many the model accepted. */
  drafted: number;
  accepted: number;
  /** Accepted draft tokens that were not the model's own top choice (kept only by acceptRatio < 1). */
  overridden: number;
}

export interface GenerateOptions {
  maxTokens: number;
  sampling: SamplingParams;
  rng?: Rng;
  stopRules: StopRule[];
  /** Text that the first token(s) must start with (token healing). */
  healed: string;
  /** Tokens never to generate (special tokens other than the end token: <fim_suffix>…). */
  suppress?: readonly number[];
  signal?: AbortSignal;
  /**
   * Prompt-lookup drafting (greedy only). acceptRatio 1 keeps the output identical to plain
   * greedy decoding; below 1 a draft token is also kept when it is at least that fraction as
   * likely as the greedy token. Off when undefined.
   */
  lookup?: {
    acceptRatio: number;
    /** Shortest n-gram that starts an n-gram draft (default DEFAULT_LOOKUP.minMatch); 0 = none. */
    minMatch?: number;
    /** Tokens to propose first (e.g. the rest of an earlier line). */
    draft?: number[];
  };
  /** Called with each new token (for streaming to the panel). */
  onToken?: (token: GeneratedToken) => void;
}

/** Runs the loop on a session already prepared with the prompt. */
export async function generate(session: DecoderSession, tokenizer: TextTokenizer, options: GenerateOptions): Promise<Generation> {
  const run = new Run(tokenizer, options);
  const lookup = options.sampling.temperature <= 0 ? options.lookup : undefined;
  let raw = session.nextLogits!; // (vocab) the model's own distribution: log-probs are reported from it
  let logits = suppressed(raw, options.suppress); // what may be picked
  let drafted = 0;
  let accepted = 0;
  let overridden = 0;
  const minMatch = lookup?.minMatch ?? DEFAULT_LOOKUP.minMatch;
  const ngrams = { ...DEFAULT_LOOKUP, minMatch, maxMatch: Math.max(DEFAULT_LOOKUP.maxMatch, minMatch) };

  let queued = lookup?.draft?.slice() ?? []; // draft tokens not yet checked against the model
  drafted += queued.length;

  while (true) {
    if (options.signal?.aborted) throw abortError();
    // 1. predict → 2. process (healing constraint, temperature, top-k, top-p) → 3. pick
    const allowed = run.pending ? constrainToHealing(logits, tokenizer.tokenTexts(), run.pending) : logits;
    const dist = processLogits(allowed, options.sampling);
    let id = options.rng && options.sampling.temperature > 0 ? pickSample(dist, options.rng) : pickGreedy(dist);
    if (queued.length && acceptsDraft(allowed, queued[0], id, lookup!.acceptRatio)) {
      if (queued[0] !== id) overridden++;
      id = queued.shift()!; // the draft's next token passes: take it instead
      accepted++;
    } else queued = [];
    if (run.take(id, raw) === 'stop') break;

    // 4. append it — with draft tokens riding along in the same pass: what is left of the queued
    //    draft, or a new one from the last occurrence of the current n-gram earlier in the context
    if (lookup && minMatch > 0 && !run.pending && queued.length === 0) {
      queued = promptLookupDraft([...session.ids, id], ngrams);
      drafted += queued.length;
    }
    const draft = queued.slice(0, Math.max(0, options.maxTokens - run.ids.length));
    const rows: Float32Array[] = []; // rows[i]: the logits that predict draft[i]
    const firstDraftPosition = session.ids.length + 1;
    if (options.signal?.aborted) throw abortError();
    await session.advance([id, ...draft], {
      signal: options.signal,
      onPrediction: draft.length ? (pos, row) => pos >= firstDraftPosition && rows.push(row.slice()) : undefined,
    });
    // 5. keep the draft tokens the model agrees with; stop rules see each one
    let kept = 0;
    let stopped = false;
    while (kept < draft.length) {
      const allowedRow = suppressed(rows[kept], options.suppress);
      const best = argmax(allowedRow);
      if (!acceptsDraft(allowedRow, draft[kept], best, lookup!.acceptRatio)) break;
      if (draft[kept] !== best) overridden++;
      stopped = run.take(draft[kept], rows[kept]) === 'stop';
      kept++;
      if (stopped) break;
    }
    accepted += kept;
    if (stopped) break;
    queued = [];
    if (kept < draft.length) session.rewind(session.ids.length - (draft.length - kept), rows[kept]);
    raw = session.nextLogits!;
    logits = suppressed(raw, options.suppress);
  }
  return { ...run.result(), drafted, accepted, overridden };
}

/** (vocab) logits with the suppressed tokens at −∞; the same array when there are none. */
function suppressed(logits: Float32Array, ids: readonly number[] | undefined): Float32Array {
  if (!ids?.length) return logits;
  const out = logits.slice();
  for (const id of ids) if (id < out.length) out[id] = -Infinity;
  return out;
}

/** The generated tokens, their text and chain-rule log-probs, and the stop decision. */
class Run {
  readonly ids: number[] = [];
  private readonly logprobs: number[] = [];
  pending: string; // healed text not yet produced
  private text = '';
  private stopReason: StopReason = 'budget';
  private keepTokens: number | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly options: GenerateOptions,
  ) {
    this.pending = options.healed;
  }

  /** Appends `id` (predicted by `logits`) unless it ends generation; 'stop' when the loop must end. */
  take(id: number, logits: ArrayLike<number>): 'stop' | 'go' {
    const { tokenizer, options } = this;
    if (tokenizer.isSpecial(id) || tokenizer.eosIds.includes(id)) {
      this.stopReason = 'eos';
      return 'stop';
    }
    this.ids.push(id);
    this.logprobs.push(tokenLogProb(logits, id));
    this.pending = healingRemainder(tokenizer.tokenText(id), this.pending);
    // Decode the whole run: a token can be half of a UTF-8 character.
    this.text = tokenizer.decode(this.ids).slice(options.healed.length);
    const logprob = this.logprobs.at(-1)!;
    options.onToken?.({ id, text: tokenizer.tokenText(id), prob: Math.exp(logprob), logprob, cumulativeLogprob: this.logprobs.reduce((a, b) => a + b, 0) });
    if (!this.pending) {
      const stop = firstStop(options.stopRules, { ids: this.ids, text: this.text, elapsedMs: performance.now() - this.started });
      if (stop) {
        this.stopReason = stop.reason;
        this.keepTokens = stop.keepTokens;
        this.text = stop.keepTokens !== undefined ? tokenizer.decode(this.ids.slice(0, stop.keepTokens)).slice(options.healed.length) : stop.keepText;
        return 'stop';
      }
    }
    return this.ids.length >= options.maxTokens ? 'stop' : 'go';
  }

  result(): Omit<Generation, 'drafted' | 'accepted' | 'overridden'> {
    const kept = this.keepTokens ?? tokensSpanning(this.tokenizer, this.ids, this.options.healed.length + this.text.length);
    const steps = chainRule(this.logprobs.slice(0, kept));
    const tokens = steps.map((step, i) => ({ id: this.ids[i], text: this.tokenizer.tokenText(this.ids[i]), prob: Math.exp(step.logprob), ...step }));
    return { text: this.text, tokens, logprob: steps.at(-1)?.cumulativeLogprob ?? 0, stopReason: this.stopReason };
  }
}

/** How many leading tokens it takes to cover `chars` characters of their decoded text. */
function tokensSpanning(tokenizer: TextTokenizer, ids: readonly number[], chars: number): number {
  if (chars <= 0) return 0;
  for (let n = 1; n <= ids.length; n++) if (tokenizer.decode(ids.slice(0, n)).length >= chars) return n;
  return ids.length;
}
