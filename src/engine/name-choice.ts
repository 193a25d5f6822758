// Monitor-guided decoding, the choice among valid names. The language server says which names are
// valid after `.`; a token mask alone lets greedy decoding pick a name by its first token, which
// favours short, common prefixes (`encode` over `encodeSharedRef`). When the names are few, ask
// the model for each whole name instead:
//
//   P(name) = P(tokens of healed + name | prompt) × P(next token ends the identifier | … name)
//
// The last factor is what makes `encode` pay for the mass that continues into `encodeSharedRef`.
// One forward pass per name (its tokens in one chunk), rewound after: the cache ends as it began.
// Names are shortlisted by the probability of their first token, so the cost is bounded.

import { abortError, type DecoderSession } from './decoder-session.js';
import type { TextTokenizer } from './tokenizer.js';

/** Most names scored whole per trigger point when a request asks for the choice (each costs one forward pass). */
export const MAX_SCORED_NAMES = 8;

export interface ScoredName {
  name: string;
  /** log P(name, then a token that ends the identifier) under the model. */
  logprob: number;
}

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;
const endsIdentifier = new WeakMap<readonly string[], Uint8Array>();

/** (vocab) 1 where the token's text starts with a character that ends an identifier (or is empty/special). */
function identifierEnders(tokenizer: TextTokenizer): Uint8Array {
  const texts = tokenizer.tokenTexts();
  let mask = endsIdentifier.get(texts);
  if (!mask) {
    mask = Uint8Array.from(texts, (text, id) => (tokenizer.isSpecial(id) || text.length === 0 || !IDENTIFIER_CHAR.test(text[0]) ? 1 : 0));
    endsIdentifier.set(texts, mask);
  }
  return mask;
}

/** log Σ softmax(logits)[t] over the tokens t that end an identifier. */
function boundaryLogprob(logits: Float32Array, enders: Uint8Array): number {
  let max = -Infinity;
  for (let id = 0; id < logits.length; id++) if (logits[id] > max) max = logits[id];
  let all = 0;
  let ending = 0;
  for (let id = 0; id < logits.length; id++) {
    const p = Math.exp(logits[id] - max);
    all += p;
    if (enders[id]) ending += p;
  }
  return Math.log(ending / all);
}

/**
 * The valid names ranked by the model, likeliest first: at most `max` of them (those whose first
 * token the model finds likeliest after the prompt), each scored whole. The session must end at
 * the prompt (its `nextLogits` predict the first generated token); it is left so.
 */
export async function rankNames(
  session: DecoderSession,
  tokenizer: TextTokenizer,
  names: readonly string[],
  healed: string,
  options: { max?: number; signal?: AbortSignal } = {},
): Promise<ScoredName[]> {
  const start = session.ids.length;
  const next = session.nextLogits;
  if (!next) throw new Error('rankNames needs the logits after the prompt');
  const spelled = names.map((name) => ({ name, ids: tokenizer.encode(healed + name) })).filter((n) => n.ids.length > 0);
  // Same prompt, same normaliser: the first token's logit orders the names as its probability would.
  const shortlist = spelled.sort((a, b) => next[b.ids[0]] - next[a.ids[0]]).slice(0, options.max ?? MAX_SCORED_NAMES);
  const enders = identifierEnders(tokenizer);
  const room = session.shape.maxPositions - start;
  const scored: ScoredName[] = [];
  for (const { name, ids } of shortlist) {
    if (ids.length >= room) continue;
    if (options.signal?.aborted) throw abortError();
    try {
      await session.advance(ids, { signal: options.signal });
      const spelling = session.logprobs.slice(start).reduce((a, b) => a + b, 0);
      scored.push({ name, logprob: spelling + boundaryLogprob(session.nextLogits!, enders) });
    } finally {
      session.rewind(start, next);
    }
  }
  return scored.sort((a, b) => b.logprob - a.logprob);
}
