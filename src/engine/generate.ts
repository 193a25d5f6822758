// The autoregressive loop: predict, process, pick, append, repeat — until a stop rule fires.
// With greedy decoding, each step also drafts tokens by prompt lookup and checks them in the
// same forward pass that appends the picked token; accepted drafts are free tokens.

import { chainRule } from '../core/chain-rule.js';
import { argmax, processLogits, softmax, tokenLogProb, topIndices, topProbs, type SamplingParams } from '../core/logits.js';
import { acceptsDraft, DEFAULT_LOOKUP, promptLookupDraft } from '../core/prompt-lookup.js';
import { pickGreedy, pickSample, type Rng } from '../core/sampler.js';
import { firstStop, trimDanglingOperator, type StopReason, type StopRule } from '../core/stop-rules.js';
import { constrainToHealing, healingRemainder } from '../core/token-healing.js';
import { identifierSoFar, maskToNames, NameTrie } from '../core/vocabulary-mask.js';
import { abortError, type DecoderSession } from './decoder-session.js';
import { rankNames, type ScoredName } from './name-choice.js';
import type { TextTokenizer } from './tokenizer.js';

export interface GeneratedToken {
  id: number;
  /** The token's own text (the first ones include the healed text). */
  text: string;
  /** P(token | past) under the model, before temperature/top-k/top-p. */
  prob: number;
  logprob: number;
  cumulativeLogprob: number;
  /** 'model': picked from the model's distribution; 'draft': proposed by prompt lookup and accepted. */
  source?: 'model' | 'draft';
  /**
   * The likeliest tokens of the distribution this token was chosen from (when `top` > 0): the
   * model's softmax after suppression and, while healing is pending, the healing constraint.
   */
  candidates?: StepCandidate[];
  /** The healing constraint applied to this step's distribution. */
  healingConstrained?: boolean;
  /**
   * The language-server monitor constrained this step: how many tokens it masked, and the
   * likeliest of them (`top` of the distribution before the mask) with their probability then.
   */
  monitor?: { masked: number; ruledOut: StepCandidate[] };
}

export interface StepCandidate {
  id: number;
  text: string;
  prob: number;
}

/** Draft tokens the model disagreed with: proposed at generated position `at`, the model chose `chosen`. */
export interface RejectedDraft {
  at: number;
  drafted: { id: number; text: string }[];
  chosen: { id: number; text: string };
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
  rejected: RejectedDraft[];
  /** The end token that stopped the loop, with the distribution it was picked from. */
  end?: { id: number; text: string; candidates?: StepCandidate[] };
  /** session.advance calls made by the loop (the prompt's own pass is not counted). */
  forwardPasses: number;
  /** Accepted draft tokens that were not the model's own top choice (kept only by acceptRatio < 1). */
  overridden: number;
  /** Per step constrained by the language-server monitor: how many tokens it masked. */
  masked?: number[];
  /** The valid names the model scored whole at the cursor, likeliest first (the first was spelled). */
  scoredNames?: ScoredName[];
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
  /** Record this many candidates of each step's distribution (0 or undefined: none). */
  top?: number;
  /**
   * Language-server guidance at a trigger point at the cursor: while the generated text is an
   * identifier that starts a valid name, tokens that would leave every valid name are masked
   * (and prompt lookup waits until the name is written).
   */
  monitor?: { names: readonly string[]; /** Score at most this many names whole and spell the likeliest (0: mask only). */ choose?: number };
  /** Called with each new token (for streaming to the panel). */
  onToken?: (token: GeneratedToken) => void;
}

/** Runs the loop on a session already prepared with the prompt. */
export async function generate(session: DecoderSession, tokenizer: TextTokenizer, options: GenerateOptions): Promise<Generation> {
  // With few valid names, the model picks one whole and the mask spells it (name-choice.ts).
  const scoredNames = options.monitor?.choose ? await rankNames(session, tokenizer, options.monitor.names, options.healed, { max: options.monitor.choose, signal: options.signal }) : undefined;
  const names = options.monitor && new NameTrie(scoredNames?.length ? [scoredNames[0].name] : options.monitor.names);
  const run = new Run(tokenizer, options, names);
  const lookup = options.sampling.temperature <= 0 ? options.lookup : undefined;
  let raw = session.nextLogits!; // (vocab) the model's own distribution: log-probs are reported from it
  let logits = suppressed(raw, options.suppress); // what may be picked
  let drafted = 0;
  let accepted = 0;
  let forwardPasses = 0;
  const rejected: RejectedDraft[] = [];
  const named = (id: number) => ({ id, text: tokenizer.tokenText(id) });
  const reject = (draft: readonly number[], chosen: number) => draft.length && rejected.push({ at: run.ids.length, drafted: draft.map(named), chosen: named(chosen) });
  let overridden = 0;
  const minMatch = lookup?.minMatch ?? DEFAULT_LOOKUP.minMatch;
  const ngrams = { ...DEFAULT_LOOKUP, minMatch, maxMatch: Math.max(DEFAULT_LOOKUP.maxMatch, minMatch) };

  const masked: number[] = [];
  let queued = run.constrained() !== undefined ? [] : lookup?.draft?.slice() ?? []; // draft tokens not yet checked against the model
  drafted += queued.length;

  while (true) {
    if (options.signal?.aborted) throw abortError();
    // 1. predict → 2. process (healing constraint, names mask, temperature, top-k, top-p) → 3. pick
    const healed = run.pending ? constrainToHealing(logits, tokenizer.tokenTexts(), run.pending) : logits;
    let allowed = healed;
    let monitor: GeneratedToken['monitor'];
    const typed = run.constrained();
    if (typed !== undefined) {
      const mask = maskToNames(healed, tokenizer.tokenTexts(), names!, typed, run.pending);
      allowed = mask.logits;
      masked.push(mask.masked);
      if (mask.masked > 0) monitor = { masked: mask.masked, ruledOut: options.top ? ruledOut(tokenizer, healed, allowed, options.top) : [] };
    }
    const dist = processLogits(allowed, options.sampling);
    let id = options.rng && options.sampling.temperature > 0 ? pickSample(dist, options.rng) : pickGreedy(dist);
    let source: GeneratedToken['source'] = 'model';
    if (queued.length && acceptsDraft(allowed, queued[0], id, lookup!.acceptRatio)) {
      if (queued[0] !== id) overridden++;
      id = queued.shift()!; // the draft's next token passes: take it instead
      source = 'draft';
      accepted++;
    } else {
      reject(queued, id);
      queued = [];
    }
    if (run.take(id, raw, { source, from: allowed, healingConstrained: healed !== logits, monitor }) === 'stop') break;

    // 4. append it — with draft tokens riding along in the same pass: what is left of the queued
    //    draft, or a new one from the last occurrence of the current n-gram earlier in the context
    if (run.constrained() !== undefined) queued = [];
    else if (lookup && minMatch > 0 && !run.pending && queued.length === 0) {
      queued = promptLookupDraft([...session.ids, id], ngrams);
      drafted += queued.length;
    }
    // The window bounds the cache: the picked token and its draft must fit, or the loop ends here.
    const room = session.shape.maxPositions - session.ids.length;
    if (room < 1) {
      run.stopReason = 'window';
      break;
    }
    const draft = queued.slice(0, Math.max(0, Math.min(options.maxTokens - run.ids.length, room - 1)));
    const rows: Float32Array[] = []; // rows[i]: the logits that predict draft[i]
    const firstDraftPosition = session.ids.length + 1;
    if (options.signal?.aborted) throw abortError();
    forwardPasses++;
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
      if (!acceptsDraft(allowedRow, draft[kept], best, lookup!.acceptRatio)) {
        reject(draft.slice(kept), best);
        break;
      }
      if (draft[kept] !== best) overridden++;
      stopped = run.take(draft[kept], rows[kept], { source: 'draft', from: allowedRow, healingConstrained: false }) === 'stop';
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
  return { ...run.result(), drafted, accepted, rejected, forwardPasses, overridden, masked, scoredNames };
}

/** The `top` likeliest tokens of a row of logits, as probabilities. */
function topCandidates(tokenizer: TextTokenizer, logits: ArrayLike<number>, top: number): StepCandidate[] {
  return topProbs(logits, top).map(({ id, prob }) => ({ id, text: tokenizer.tokenText(id), prob }));
}

/** The `top` likeliest tokens of `before` that the monitor's mask took out of `after`, with their probability before the mask. */
function ruledOut(tokenizer: TextTokenizer, before: ArrayLike<number>, after: ArrayLike<number>, top: number): StepCandidate[] {
  const probs = softmax(before);
  return topIndices(probs, top)
    .filter((id) => before[id] > -Infinity && after[id] === -Infinity)
    .map((id) => ({ id, text: tokenizer.tokenText(id), prob: probs[id] }));
}

/** How a token was chosen: by the model or from an accepted draft, and from which (vocab) logits. */
interface Choice {
  source: GeneratedToken['source'];
  from: ArrayLike<number>;
  healingConstrained?: boolean;
  monitor?: GeneratedToken['monitor'];
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
  private end: Generation['end'];
  private readonly choices: Omit<GeneratedToken, 'id' | 'text' | 'prob' | 'logprob' | 'cumulativeLogprob'>[] = [];
  pending: string; // healed text not yet produced
  private text = '';
  stopReason: StopReason = 'budget';
  private keepTokens: number | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly options: GenerateOptions,
    /** The names the monitor allows at the cursor (undefined: no monitor). */
    private readonly names?: NameTrie,
  ) {
    this.pending = options.healed;
  }

  /** The identifier written so far while the monitor constrains the next token, else undefined. */
  constrained(): string | undefined {
    const names = this.names;
    if (!names) return undefined;
    const typed = identifierSoFar(this.text);
    return typed !== undefined && names.has(typed) ? typed : undefined;
  }

  /** Appends `id` (predicted by `logits`) unless it ends generation; 'stop' when the loop must end. */
  take(id: number, logits: ArrayLike<number>, choice: Choice): 'stop' | 'go' {
    const { tokenizer, options } = this;
    const record = { source: choice.source, healingConstrained: choice.healingConstrained, monitor: choice.monitor, candidates: options.top ? topCandidates(tokenizer, choice.from, options.top) : undefined };
    if (tokenizer.isSpecial(id) || tokenizer.eosIds.includes(id)) {
      this.end = { id, text: tokenizer.tokenText(id), candidates: record.candidates };
      this.stopReason = 'eos';
      return 'stop';
    }
    this.ids.push(id);
    this.logprobs.push(tokenLogProb(logits, id));
    this.choices.push(record);
    this.pending = healingRemainder(tokenizer.tokenText(id), this.pending);
    // Decode the whole run: a token can be half of a UTF-8 character.
    this.text = tokenizer.decode(this.ids).slice(options.healed.length);
    const logprob = this.logprobs.at(-1)!;
    options.onToken?.({ id, text: tokenizer.tokenText(id), prob: Math.exp(logprob), logprob, cumulativeLogprob: this.logprobs.reduce((a, b) => a + b, 0), ...record });
    if (!this.pending) {
      const stop = firstStop(options.stopRules, { ids: this.ids, text: this.text, elapsedMs: performance.now() - this.started });
      if (stop) {
        this.stopReason = stop.reason;
        this.keepTokens = stop.keepTokens;
        this.text = stop.keepTokens !== undefined ? tokenizer.decode(this.ids.slice(0, stop.keepTokens)).slice(options.healed.length) : stop.keepText;
        if (stop.reason === 'repeat') {
          const whole = trimDanglingOperator(this.text);
          if (whole.length < this.text.length) this.keepTokens = tokensSpanning(tokenizer, this.ids, options.healed.length + whole.length);
          this.text = whole;
        }
        return 'stop';
      }
    }
    return this.ids.length >= options.maxTokens ? 'stop' : 'go';
  }

  result(): Omit<Generation, 'drafted' | 'accepted' | 'rejected' | 'forwardPasses' | 'overridden' | 'masked' | 'scoredNames'> {
    // A last token that is half of a UTF-8 character decodes to U+FFFD: hold it back.
    const whole = this.text.replace(/\uFFFD+$/, '');
    const cut = whole.length < this.text.length;
    this.text = whole;
    const spanned = tokensSpanning(this.tokenizer, this.ids, this.options.healed.length + this.text.length);
    const kept = cut ? Math.min(spanned, this.keepTokens ?? spanned) : (this.keepTokens ?? spanned);
    const steps = chainRule(this.logprobs.slice(0, kept));
    const tokens = steps.map((step, i) => ({ id: this.ids[i], text: this.tokenizer.tokenText(this.ids[i]), prob: Math.exp(step.logprob), ...step, ...this.choices[i] }));
    return { text: this.text, tokens, logprob: steps.at(-1)?.cumulativeLogprob ?? 0, stopReason: this.stopReason, end: this.end };
  }
}

/** How many leading tokens it takes to cover `chars` characters of their decoded text. */
function tokensSpanning(tokenizer: TextTokenizer, ids: readonly number[], chars: number): number {
  if (chars <= 0) return 0;
  for (let n = 1; n <= ids.length; n++) if (tokenizer.decode(ids.slice(0, n)).length >= chars) return n;
  return ids.length;
}
