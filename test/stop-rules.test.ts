import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beforeLineSuffix, endOfBlock, endOfLine, repeatedNgram, timeBudget, trimDanglingOperator } from '../src/core/stop-rules.js';

const state = (text: string, ids: number[] = []) => ({ text, ids, elapsedMs: 0 });

test('end of line keeps the text before the newline', () => {
  assert.equal(endOfLine(state('abc')), null);
  assert.deepEqual(endOfLine(state('return x;\n  }')), { reason: 'line', keepText: 'return x;' });
  assert.equal(endOfLine(state('a;\r\nb'))!.keepText, 'a;');
});

test('end of block stops at a dedent', () => {
  const rule = endOfBlock();
  assert.equal(rule(state('\n\treturn 1;\n')), null);
  assert.deepEqual(rule(state('\n\treturn 1;\n}')), { reason: 'block', keepText: '\n\treturn 1;' });
});

test('end of block stops at a closing bracket the suggestion did not open, but not on the first line', () => {
  const rule = endOfBlock();
  assert.equal(rule(state('b, c)')), null, 'the first line may close what the prefix opened');
  assert.equal(rule(state('x = 1;\n\tif (a) {\n\t\tb();\n\t}\n')), null);
  assert.equal(rule(state('x = 1;\n\tif (a) {\n\t\tb();\n\t}\n\t}'))!.keepText, 'x = 1;\n\tif (a) {\n\t\tb();\n\t}');
});

test('end of block stops at a blank line and at the line limit', () => {
  assert.equal(endOfBlock()(state('\n\ta();\n\n\tb();'))!.keepText, '\n\ta();');
  assert.equal(endOfBlock(3)(state('\na;\nb;\nc;\nd;'))!.keepText, '\na;\nb;');
});

test('a repeating n-gram loop stops and keeps one copy', () => {
  const rule = repeatedNgram();
  assert.equal(rule(state('', [1, 2, 3, 4, 5, 6])), null);
  // config . config . config . config
  const loop = [7, 8, 9, 8, 9, 8, 9, 8, 9];
  const decision = rule(state('', loop));
  assert.equal(decision?.reason, 'repeat');
  assert.equal(decision?.keepTokens, 3);
  assert.equal(rule(state('', [5, 5, 5])), null, 'three equal tokens (`)))`) are not a loop');
  assert.equal(rule(state('', [5, 5, 5, 5, 5, 5, 5, 5]))?.reason, 'repeat');
  // `return a && x === 'P' && x === 'P' && x === 'P'`: a clause of 12 tokens, three times
  const clause = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
  const long = rule(state('', [40, 41, ...clause, ...clause, ...clause]));
  assert.equal(long?.reason, 'repeat');
  assert.equal(long?.keepTokens, 2 + clause.length);
  assert.equal(rule(state('', [40, 41, ...clause, ...clause])), null, 'twice is not yet a loop');
});

test('a loop cut to one copy does not end on a dangling operator or comma', () => {
  assert.equal(trimDanglingOperator("return a && x === 'P' &&"), "return a && x === 'P'");
  assert.equal(trimDanglingOperator('f(a, b,'), 'f(a, b');
  assert.equal(trimDanglingOperator('x ?? '), 'x');
  assert.equal(trimDanglingOperator('total + '), 'total');
  assert.equal(trimDanglingOperator('a || b'), 'a || b');
  assert.equal(trimDanglingOperator('i++'), 'i++', 'a postfix operator is not dangling');
  assert.equal(trimDanglingOperator('config.'), 'config.');
});

test('the time budget stops at its deadline once there is a word to show, and at 3× in any case', () => {
  assert.equal(timeBudget(50)({ text: 'a', ids: [1], elapsedMs: 10 }), null);
  assert.equal(timeBudget(50)({ text: 'a', ids: [1], elapsedMs: 60 })?.reason, 'time');
  assert.equal(timeBudget(50)({ text: '.(', ids: [1], elapsedMs: 60 }), null);
  assert.equal(timeBudget(50)({ text: '.(', ids: [1], elapsedMs: 160 })?.reason, 'time');
});

test('mid-line, the completion stops where it starts re-typing the text after the cursor', () => {
  const rule = beforeLineSuffix('!.document.body;');
  const at = (text: string) => rule({ ids: [], text, elapsedMs: 0 });
  assert.equal(at('w'), null);
  assert.equal(at('w!.doc'), null); // might still be re-typing: wait
  assert.deepEqual(at('w!.document.body;'), { reason: 'suffix', keepText: 'w' });
  assert.deepEqual(at('w !.document.body; x'), { reason: 'suffix', keepText: 'w' });
  // Once the line ends, a partial re-type of at least 2 characters is cut too.
  assert.deepEqual(at('w!.doc\n'), { reason: 'suffix', keepText: 'w' });
  assert.equal(at('wx\n'), null);
});

test('a cut before the line suffix never leaves a bracket open that the completion opened', () => {
  const close = beforeLineSuffix(')');
  assert.equal(close({ ids: [], text: 'bar(x', elapsedMs: 0 }), null);
  assert.deepEqual(close({ ids: [], text: 'bar(x))', elapsedMs: 0 }), { reason: 'suffix', keepText: 'bar(x)' });
  assert.deepEqual(close({ ids: [], text: 'a, b)', elapsedMs: 0 }), { reason: 'suffix', keepText: 'a, b' });
  assert.deepEqual(beforeLineSuffix('{')({ ids: [], text: 'e {', elapsedMs: 0 }), { reason: 'suffix', keepText: 'e' });
  assert.equal(beforeLineSuffix('  ')({ ids: [], text: 'a  ', elapsedMs: 0 }), null);
});
