// Monitor-guided decoding (Agrawal et al., NeurIPS 2023): at a trigger point (`.`, `?.`) a
// language server says which names are valid; while the model writes an identifier there, only
// tokens that keep it a prefix of a valid name — or finish one and go on with a character that
// ends an identifier — may be picked. Every other token gets −∞: a vocabulary mask, beside the
// causal mask.
//
// Names live in a character trie; a token is allowed when walking its characters from the node
// of the identifier typed so far either stays inside the trie, or leaves it right after a
// complete name with a non-identifier character.

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;

/** True when the text before the cursor ends at a member-access trigger (`x.`, `x?.`), not a number like `1.`. */
export function atTrigger(prefix: string): boolean {
  return /[\p{L}\p{N}_$)\]>'"`]\??\.$/u.test(prefix) && !/(^|[^\p{L}\p{N}_$])\d+\.$/u.test(prefix);
}

interface TrieNode {
  children: Map<string, TrieNode>;
  /** A valid name ends here. */
  end: boolean;
}

export class NameTrie {
  private readonly root: TrieNode = { children: new Map(), end: false };

  constructor(names: Iterable<string>) {
    for (const name of names) {
      let node = this.root;
      for (const ch of name) {
        let next = node.children.get(ch);
        if (!next) node.children.set(ch, (next = { children: new Map(), end: false }));
        node = next;
      }
      node.end = true;
    }
  }

  /** The node reached by `typed`, or undefined when no name starts with it. */
  private find(typed: string): TrieNode | undefined {
    let node: TrieNode | undefined = this.root;
    for (const ch of typed) node = node?.children.get(ch);
    return node;
  }

  /** True when some name starts with `typed`. */
  has(typed: string): boolean {
    return this.find(typed) !== undefined;
  }

  /**
   * Whether `text` may follow `typed` (the identifier written so far): it stays a prefix of a
   * valid name, or completes one and continues with a non-identifier character.
   */
  allows(typed: string, text: string): boolean {
    const start = this.find(typed);
    if (!start) return true; // not constrained
    let node: TrieNode = start;
    for (const ch of text) {
      const next = node.children.get(ch);
      if (next) {
        node = next;
        continue;
      }
      return node.end && !IDENTIFIER_CHAR.test(ch);
    }
    return text.length > 0;
  }
}

/** The identifier written since the trigger, or undefined once the text is past it (a break character). */
export function identifierSoFar(generated: string): string | undefined {
  return /^[\p{L}\p{N}_$]*$/u.test(generated) ? generated : undefined;
}

/**
 * (vocab) logits with every token the names rule out at −∞; `tokenTexts[i]` is token i's text
 * (with `skip` characters of it already spelled by token healing). Returns the masked logits
 * and how many tokens were masked; the input array is left alone.
 */
export function maskToNames(logits: Float32Array, tokenTexts: readonly string[], trie: NameTrie, typed: string, skip = ''): { logits: Float32Array; masked: number } {
  const out = logits.slice();
  let masked = 0;
  for (let id = 0; id < out.length && id < tokenTexts.length; id++) {
    if (out[id] === -Infinity) continue;
    const text = tokenTexts[id];
    let rest: string;
    if (skip) {
      if (skip.startsWith(text)) continue; // still spelling the healed text: healing decides
      if (!text.startsWith(skip)) continue; // healing rules it out anyway
      rest = text.slice(skip.length);
    } else rest = text;
    if (!trie.allows(typed, rest)) {
      out[id] = -Infinity;
      masked++;
    }
  }
  return { logits: out, masked };
}
