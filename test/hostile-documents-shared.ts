// What "safe" means for a suggestion in a hostile document, shared by the fixed cases
// (hostile-documents.test.ts) and the random-document property (stress/hostile-documents-property.test.ts).

import assert from 'node:assert/strict';
import { contextRange } from '../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type Suggestion } from '../src/completion/pipeline.js';

export const SETTINGS = { ...DEFAULT_PIPELINE, debounceMs: 0, maxTokens: 6, maxBlockTokens: 10 };

/** Provide a suggestion for `doc` at `offset` the way the editor adapter does. */
export async function suggest(pipeline: CompletionPipeline, doc: string, offset: number): Promise<Suggestion | undefined> {
  const { start, end } = contextRange(offset, doc.length);
  return pipeline.provide({ text: doc.slice(start, end), cursor: offset - start, startsDocument: start === 0, immediate: true });
}

/** A suggestion is safe when inserting it keeps the document's text around the cursor intact and valid. */
export function assertSafe(doc: string, offset: number, s: Suggestion | undefined, maxTokens: number): void {
  if (!s) return;
  const before = doc.slice(0, offset);
  const after = doc.slice(offset);
  assert.ok(s.text.length > 0, 'an empty suggestion is never offered');
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s.text), 'no lone surrogate in the suggestion');
  assert.ok(!/[\uD800-\uDBFF]$/.test(before) || !/^[\uDC00-\uDFFF]/.test(after), 'never inserts inside a surrogate pair');
  const lineAfter = after.split('\n')[0].replace(/\r$/, '');
  if (lineAfter.trim()) assert.ok(!s.text.includes('\n'), 'mid-line suggestions never break the line after the cursor');
  assert.ok(!/<fim_|<\|endoftext\|>/.test(s.text), 'no special tokens in ghost text');
  if (s.result) assert.ok(s.result.tokens.length <= maxTokens * 3, 'bounded work');
}
