// The chain rule of probability: P(t1..tn) = Π P(ti | t<i), accumulated in log space because
// the product underflows float64 after a few hundred tokens of ordinary code.

export interface ChainRuleStep {
  /** log P(token | past), natural log. */
  logprob: number;
  /** Σ logprob up to and including this token. */
  cumulativeLogprob: number;
}

/** Running sums of per-token log-probabilities. */
export function chainRule(logprobs: readonly number[]): ChainRuleStep[] {
  let cumulative = 0;
  return logprobs.map((logprob) => {
    cumulative += logprob;
    return { logprob, cumulativeLogprob: cumulative };
  });
}

export function chainRuleLogProb(logprobs: readonly number[]): number {
  let sum = 0;
  for (const lp of logprobs) sum += lp;
  return sum;
}

/** exp(−mean log-prob): the "effective number of choices" per token. */
export function perplexity(logprobs: readonly number[]): number {
  if (logprobs.length === 0) return 1;
  return Math.exp(-chainRuleLogProb(logprobs) / logprobs.length);
}

/** Bits per character, the tokenizer-independent way to compare models. */
export function bitsPerChar(logprobs: readonly number[], chars: number): number {
  return chars === 0 ? 0 : -chainRuleLogProb(logprobs) / Math.LN2 / chars;
}

/** True when the plain product Π p would be 0 in float64 (exp underflows below ≈ −745). */
export function productUnderflows(totalLogprob: number): boolean {
  return Math.exp(totalLogprob) === 0;
}
