// An exploration's engine result → the panel's ExplanationView (plain data that crosses postMessage).

import type { ChainToken, Explanation } from '../engine/engine.js';
import type { ExplanationView, SamplingView, TokenView } from '../protocol.js';

/** The chain-rule table shows at most this many context tokens (the last ones); totals cover all. */
const CONTEXT_TOKENS_SHOWN = 200;

const tokenView = (t: ChainToken): TokenView => ({ id: t.id, text: t.text, special: t.special, logprob: t.logprob, cumulativeLogprob: t.cumulativeLogprob, rank: t.rank });

export function toExplanationView(
  explanation: Explanation,
  options: { appendedCount: number; sampling: SamplingView },
): ExplanationView {
  const all = explanation.context;
  const contextEnd = all.length - options.appendedCount;
  const context = all.slice(Math.max(0, contextEnd - CONTEXT_TOKENS_SHOWN), contextEnd).map(tokenView);
  return {
    context,
    contextTotal: contextEnd,
    appended: all.slice(contextEnd).map(tokenView),
    candidates: explanation.candidates,
    sampling: { ...options.sampling, ...explanation.sampling, seed: options.sampling.seed },
    logprob: explanation.logprob,
    perplexity: explanation.perplexity,
    maskTokens: explanation.maskTokens.map(tokenView),
    attention: explanation.attention,
    lens: explanation.lens,
    cache: {
      cached: explanation.cache.cached,
      lastReused: explanation.cache.lastReused,
      lastComputed: explanation.cache.lastComputed,
      computed: explanation.cache.computed,
      withoutCache: explanation.cache.withoutCache,
    },
    ms: explanation.ms,
  };
}
