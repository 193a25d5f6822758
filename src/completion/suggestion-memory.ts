// Recent suggestions, so that most keystrokes need no model call:
//  - an LRU keyed by the context (the same place asked again: undo, cursor moved back);
//  - typed-ahead reuse: the user types the first characters of the ghost text, show the rest.

import type { RequestRecord } from './request-record.js';

export interface Remembered {
  prefix: string;
  suffix: string;
  text: string;
  /** The request that produced the text (for the panel). */
  record?: RequestRecord;
}

const KEY_CHARS = 400;
const key = (prefix: string, suffix: string) => `${prefix.slice(-KEY_CHARS)}\u0000${suffix.slice(0, 80)}`;

export class SuggestionMemory {
  private readonly entries = new Map<string, Remembered>(); // insertion order = recency

  constructor(private readonly capacity = 64) {}

  remember(prefix: string, suffix: string, text: string, record?: RequestRecord): void {
    const k = key(prefix, suffix);
    this.entries.delete(k);
    this.entries.set(k, { prefix: prefix.slice(-KEY_CHARS), suffix: suffix.slice(0, 80), text, record });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** A suggestion for this context: an exact hit, or the rest of one the user is typing into. */
  lookup(prefix: string, suffix: string): { text: string; source: 'cache' | 'typed-ahead'; record?: RequestRecord; typed: number } | undefined {
    const k = key(prefix, suffix);
    const exact = this.entries.get(k);
    if (exact) {
      this.entries.delete(k);
      this.entries.set(k, exact);
      return { text: exact.text, source: 'cache', record: exact.record, typed: 0 };
    }
    const tail = prefix.slice(-KEY_CHARS);
    const suffixKey = suffix.slice(0, 80);
    // Newest first: the suggestion most likely on screen.
    for (const entry of [...this.entries.values()].reverse()) {
      if (entry.suffix !== suffixKey) continue;
      const typed = typedInto(entry, tail);
      if (typed !== undefined && typed.length < entry.text.length && entry.text.startsWith(typed)) {
        return { text: entry.text.slice(typed.length), source: 'typed-ahead', record: entry.record, typed: typed.length };
      }
    }
    return undefined;
  }

  /** Whether this exact context is remembered (recency untouched). */
  has(prefix: string, suffix: string): boolean {
    return this.entries.has(key(prefix, suffix));
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** What was typed after `entry.prefix` to reach `prefix` (both are tails of at most KEY_CHARS). */
function typedInto(entry: Remembered, prefix: string): string | undefined {
  for (let n = 1; n <= Math.min(entry.text.length, prefix.length); n++) {
    const typed = prefix.slice(-n);
    if ((entry.prefix + typed).slice(-KEY_CHARS) === prefix) return typed;
  }
  return undefined;
}
