import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextRange, splitAtCursor, splitsSurrogatePair } from '../src/completion/context.js';
import { shapeSuggestion, suggestionMode } from '../src/completion/suggestion-shape.js';

const limits = { maxPrefixChars: 100, maxSuffixChars: 20, step: 32 };

test('the context start moves in fixed steps, so typing keeps it (and the KV cache) in place', () => {
  const starts = new Set<number>();
  for (let offset = 228; offset < 260; offset++) starts.add(contextRange(offset, 1000, limits).start);
  assert.equal(starts.size, 1);
  assert.equal(contextRange(50, 1000, limits).start, 0);
  assert.equal(contextRange(990, 1000, limits).end, 1000);
});

test('splitting at the cursor drops the partial first line and reports the line around the cursor', () => {
  const text = 'tial line\nfunction f(a) {\n\treturn a|;\n}\nnext();\n';
  const cursor = text.indexOf('|');
  const ctx = splitAtCursor(text.replace('|', ''), cursor, false);
  assert.equal(ctx.prefix, 'function f(a) {\n\treturn a');
  assert.equal(ctx.linePrefix, '\treturn a');
  assert.equal(ctx.lineSuffix, ';');
  assert.deepEqual(ctx.nextLines.slice(0, 2), ['}', 'next();']);
});

test('a cursor inside a surrogate pair is detected and never split', () => {
  const s = 'a😀b';
  assert.ok(splitsSurrogatePair(s.slice(0, 2), s.slice(2)));
  const ctx = splitAtCursor(s, 2, true);
  assert.equal(ctx.prefix, 'a');
  assert.equal(ctx.suffix, 'b');
});

const ctxOf = (before: string, after: string) => splitAtCursor(before + after, before.length, true);

test('multi-line at the end of a block-opening line or on an empty line, single line elsewhere', () => {
  assert.equal(suggestionMode(ctxOf('function f() {', '\n}'), true), 'block');
  assert.equal(suggestionMode(ctxOf('if (x) {\n\t', '\n}'), true), 'block');
  assert.equal(suggestionMode(ctxOf('const x = fo', '\n'), true), 'line');
  assert.equal(suggestionMode(ctxOf('call(a', ');'), true), 'line');
  assert.equal(suggestionMode(ctxOf('function f() {', '\n}'), false), 'line');
});

const shape = (text: string, before: string, after: string) => shapeSuggestion(text, ctxOf(before, after));

test('suggestions that only repeat the text after the cursor or the next line are dropped', () => {
  assert.equal(shape('total);', 'sum(', 'total);'), undefined);
  assert.equal(shape('\treturn a + b;', 'function f() {\n', '\n\treturn a + b;\n}'), undefined);
});

test('whitespace-only and punctuation-only suggestions are dropped (confidence is the gate\'s call: suggestion-gate.test.ts)', () => {
  assert.equal(shape('   ', 'x', ''), undefined);
  assert.equal(shape(');', 'f(a', ''), undefined);
  assert.equal(shape('value', 'x = ', ''), 'value');
});

test('mid-line suggestions stay on one line and do not re-type the closers after the cursor', () => {
  assert.equal(shape('b, c)', 'f(a, ', ')'), 'b, c');
  assert.equal(shape('x)\ny();', 'f(', ')'), 'x');
});

test('a single-line suggestion is cut where it closes a bracket its line never opened', () => {
  assert.equal(shape('a + b) * 2', 'const x = ', ''), 'a + b');
  assert.equal(shape('(a + b) * 2', 'const x = ', ''), '(a + b) * 2');
});

test('a multi-line suggestion that reaches the existing next line is cut before it', () => {
  assert.equal(shape('\n\tconst y = 2;\n\treturn y;', 'function f() {', '\n\treturn y;\n}'), '\n\tconst y = 2;');
});
