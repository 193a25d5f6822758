// What one inline request did, kept by the pipeline: the prompt in its parts, the suffix
// decision, healing, sampling, each generated token with the distribution it was picked from,
// the drafts accepted and rejected, the stop reason, timings and cache reuse. The inline
// provider shows `shown`; the panel shows the whole record. Plain data: it crosses postMessage
// and the worker boundary unchanged.

import type { CompletionResult, PromptRecord } from '../engine/engine.js';
import type { RejectedDraft, StepCandidate } from '../engine/generate.js';
import type { Snippet } from './repo-context.js';
import type { AheadReason } from './speculation.js';

/** Where the request came from, as the caller named it (the extension: the document and offset). */
export interface RequestOrigin {
  key: string;
  offset: number;
  version?: number;
}

export interface RecordToken {
  id: number;
  text: string;
  /** P(token | past) under the model, before any processing. */
  prob: number;
  logprob: number;
  cumulativeLogprob: number;
  /** 'model': picked from the distribution; 'draft': proposed by prompt lookup, accepted by the model. */
  source: 'model' | 'draft';
  /** The likeliest tokens of the distribution it was picked from (after suppression and the healing constraint). */
  candidates: StepCandidate[];
  healingConstrained: boolean;
  /** The language-server monitor constrained this step: tokens masked, and the likeliest of them with their probability before the mask. */
  monitor?: { masked: number; ruledOut: StepCandidate[] };
}

/** The confidence gate's decision (src/completion/gate.ts), when one ran. */
export interface GateRecord {
  confidence: number;
  shown: boolean;
  threshold: number;
  preset: string;
  /** Shown because the user asked for a suggestion, whatever the confidence. */
  explicit?: boolean;
}

export interface RequestRecord {
  /** Increases by one per model request of a pipeline. */
  id: number;
  origin?: RequestOrigin;
  mode: 'line' | 'block';
  /** The fill-in-the-middle setting, whether the suffix was sent, and why. */
  suffix: { setting: 'always' | 'midline' | 'never'; sent: boolean; reason: string; chars: number };
  prompt: PromptRecord;
  /** Text held back by token healing: the first tokens had to spell it; it is not shown. */
  healed: string;
  sampling: { temperature: number; topK: number; topP: number; seed: number; maxTokens: number; stop: 'line' | 'block' };
  tokens: RecordToken[];
  /** The end token that stopped generation, with its distribution. */
  end?: { id: number; text: string; candidates: StepCandidate[] };
  stopReason: string;
  /** Prompt-lookup drafting: tokens proposed, accepted, and the runs the model turned down. */
  drafts: { drafted: number; accepted: number; rejected: RejectedDraft[] };
  /** Forward passes of the decode loop (plus one when the prompt needed computing) against the tokens produced. */
  forwardPasses: number;
  /** The model's text (after the healed part), and the ghost text shown from it ('' when dropped). */
  generated: string;
  shown: string;
  /** How the shown text was served: decoded now, or the same request's text from memory (exact, or the rest after typing into it). */
  served: 'model' | 'cache' | 'typed-ahead';
  /** Characters of `generated` the user had typed before this was served (typed-ahead). */
  typed: number;
  /** Computed ahead of the keystroke that asked for it, expecting this edit (speculation.ts). */
  ahead?: AheadReason;
  logprob: number;
  cache: { promptTokens: number; reused: number; computed: number };
  timings: { totalMs: number; engineMs: number };
  gate?: GateRecord;
  /**
   * Repository context the prompt carried: the snippets (file, score, tokens), the block's tokens,
   * and the current file's path whose header closes the block (repo-context.ts blockOf makes the
   * same block again from snippets and path: `nexttoken explain --record` replays it).
   */
  context?: { snippets: Snippet[]; tokens: number; path?: string };
  /**
   * The language-server monitor: how many names it found valid at the cursor, and how many steps
   * it constrained; `names`, the names themselves, lets the CLI replay the request exactly.
   */
  monitor?: { validNames: number; maskedSteps: number; names?: readonly string[] };
}

/** Candidates each record keeps per token. */
export const RECORD_CANDIDATES = 10;

export function buildRecord(
  result: CompletionResult,
  parts: Pick<RequestRecord, 'id' | 'origin' | 'mode' | 'suffix' | 'shown'> & { seed: number; maxTokens: number; totalMs: number },
): RequestRecord {
  return {
    id: parts.id,
    origin: parts.origin,
    mode: parts.mode,
    suffix: parts.suffix,
    prompt: result.prompt,
    healed: result.healed,
    sampling: { ...result.sampling, seed: parts.seed, maxTokens: parts.maxTokens, stop: parts.mode },
    tokens: result.tokens.map((t) => ({
      id: t.id,
      text: t.text,
      prob: t.prob,
      logprob: t.logprob,
      cumulativeLogprob: t.cumulativeLogprob,
      source: t.source ?? 'model',
      candidates: t.candidates ?? [],
      healingConstrained: t.healingConstrained ?? false,
      ...(t.monitor ? { monitor: t.monitor } : {}),
    })),
    end: result.end && { ...result.end, candidates: result.end.candidates ?? [] },
    stopReason: result.stopReason,
    drafts: { drafted: result.drafted, accepted: result.accepted, rejected: result.rejected ?? [] },
    forwardPasses: (result.forwardPasses ?? 0) + (result.computedTokens > 0 ? 1 : 0),
    generated: result.text,
    shown: parts.shown,
    served: 'model',
    typed: 0,
    logprob: result.logprob,
    cache: { promptTokens: result.promptTokens, reused: result.reusedTokens, computed: result.computedTokens },
    timings: { totalMs: parts.totalMs, engineMs: result.ms },
  };
}

/**
 * The index of the first token whose text reaches into the shown text: the ghost text starts
 * after the healed text (and after what was typed into it); tokens before only re-spell those.
 * `tokens.length` when no token does (the end token then decided).
 */
export function firstShownToken(record: Pick<RequestRecord, 'tokens' | 'healed' | 'typed'>): number {
  const start = record.healed.length + record.typed;
  let chars = 0;
  for (let i = 0; i < record.tokens.length; i++) {
    chars += record.tokens[i].text.length;
    if (chars > start) return i;
  }
  return record.tokens.length;
}

/** The candidate list the first shown token was picked from (or the end token's, when generation ended at once). */
export function firstShownCandidates(record: RequestRecord): { candidates: StepCandidate[]; picked?: { id: number; text: string }; index: number } {
  const index = firstShownToken(record);
  const token = record.tokens[index];
  if (token) return { candidates: token.candidates, picked: token, index };
  return { candidates: record.end?.candidates ?? [], picked: record.end, index };
}
