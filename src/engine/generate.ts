// The autoregressive loop: predict, process, pick, append, repeat — until a stop rule fires.

import { chainRule } from '../core/chain-rule.js';
import { processLogits, tokenLogProb, type SamplingParams } from '../core/logits.js';
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
}

export interface GenerateOptions {
  maxTokens: number;
  sampling: SamplingParams;
  rng?: Rng;
  stopRules: StopRule[];
  /** Text that the first token(s) must start with (token healing). */
  healed: string;
  signal?: AbortSignal;
  /** Called with each new token (for streaming to the panel). */
  onToken?: (token: GeneratedToken) => void;
}

/** Runs the loop on a session already prepared with the prompt. */
export async function generate(session: DecoderSession, tokenizer: TextTokenizer, options: GenerateOptions): Promise<Generation> {
  const started = performance.now();
  const ids: number[] = [];
  const logprobs: number[] = [];
  let pending = options.healed; // healed text not yet produced
  let text = '';
  let stopReason: StopReason = 'budget';
  let keepTokens: number | undefined;

  while (ids.length < options.maxTokens) {
    if (options.signal?.aborted) throw abortError();
    const logits = session.nextLogits!; // (vocab)
    // 1. predict → 2. process (healing constraint, temperature, top-k, top-p) → 3. pick
    const allowed = pending ? constrainToHealing(logits, tokenizer.tokenTexts(), pending) : logits;
    const dist = processLogits(allowed, options.sampling);
    const id = options.rng && options.sampling.temperature > 0 ? pickSample(dist, options.rng) : pickGreedy(dist);
    if (tokenizer.isSpecial(id) || tokenizer.eosIds.includes(id)) {
      stopReason = 'eos';
      break;
    }
    ids.push(id);
    logprobs.push(tokenLogProb(logits, id));
    pending = healingRemainder(tokenizer.tokenText(id), pending);
    // 4. append: decode the whole run (a token can be half of a UTF-8 character)
    text = tokenizer.decode(ids).slice(options.healed.length);
    options.onToken?.({ id, text: tokenizer.tokenText(id), prob: Math.exp(logprobs.at(-1)!), logprob: logprobs.at(-1)!, cumulativeLogprob: logprobs.reduce((a, b) => a + b, 0) });
    // 5. stop?
    if (!pending) {
      const stop = firstStop(options.stopRules, { ids, text, elapsedMs: performance.now() - started });
      if (stop) {
        stopReason = stop.reason;
        keepTokens = stop.keepTokens;
        text = stop.keepTokens !== undefined ? tokenizer.decode(ids.slice(0, stop.keepTokens)).slice(options.healed.length) : stop.keepText;
        break;
      }
    }
    if (ids.length >= options.maxTokens) break;
    if (options.signal?.aborted) throw abortError();
    await session.advance([id], { signal: options.signal });
  }

  const kept = keepTokens ?? tokensSpanning(tokenizer, ids, options.healed.length + text.length);
  const steps = chainRule(logprobs.slice(0, kept));
  const tokens = steps.map((step, i) => ({ id: ids[i], text: tokenizer.tokenText(ids[i]), prob: Math.exp(step.logprob), ...step }));
  return { text, tokens, logprob: steps.at(-1)?.cumulativeLogprob ?? 0, stopReason };
}

/** How many leading tokens it takes to cover `chars` characters of their decoded text. */
function tokensSpanning(tokenizer: TextTokenizer, ids: readonly number[], chars: number): number {
  if (chars <= 0) return 0;
  for (let n = 1; n <= ids.length; n++) if (tokenizer.decode(ids.slice(0, n)).length >= chars) return n;
  return ids.length;
}
