import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import type { CompletionRequest, CompletionResult } from '../src/engine/engine.js';
import { splitAtCursor } from '../src/completion/context.js';
import { decide, gateConfidence, gateFeatures, GATE_MODEL, GATE_PRESETS, parseThreshold, resolveThreshold, type GateFeatures } from '../src/completion/gate.js';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../src/completion/pipeline.js';
import { bundledModelFolder, loadNodeEngine } from '../src/engine/node-runtime.js';

const root = path.join(__dirname, '..');

/** A completion whose every token has probability `prob`. */
function result(text: string, tokens: number, prob: number, accepted = 0): CompletionResult {
  const lp = Math.log(prob);
  const toks = Array.from({ length: tokens }, (_, i) => ({ id: i + 1, text: i === 0 ? text : '', prob, logprob: lp, cumulativeLogprob: lp * (i + 1) }));
  return { text, tokens: toks, logprob: lp * tokens, stopReason: 'line', ms: 1, healed: '', fim: false, promptTokens: 1, reusedTokens: 0, computedTokens: 1, drafted: accepted, accepted, rejected: [], forwardPasses: tokens, overridden: 0, prompt: { parts: [], cutTokens: 0, heldBack: [] }, sampling: { temperature: 0, topK: 0, topP: 1 } } as CompletionResult;
}

function randomFeatures(rnd: () => number): GateFeatures {
  const tokens = 1 + Math.floor(rnd() * 30);
  const logprob = -rnd() * 30;
  return {
    logprob, meanLogprob: logprob / tokens, minLogprob: Math.min(logprob, -rnd() * 8), tokens, chars: tokens * (1 + Math.floor(rnd() * 5)),
    draftedShare: rnd() < 0.5 ? 0 : rnd(), copied: rnd() < 0.2, typedOnLine: Math.floor(rnd() * 40), midline: rnd() < 0.3, language: 'typescript',
  };
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

test('the gate is monotone in the threshold: a higher threshold never shows a suggestion a lower one held back', () => {
  const rnd = seeded(3);
  const thresholds = [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1];
  const presetOrder = GATE_PRESETS.map((p) => resolveThreshold(p).threshold);
  assert.deepEqual([...presetOrder].sort((a, b) => a - b), presetOrder, 'eager ≤ balanced ≤ conservative');
  let mixed = 0;
  for (let i = 0; i < 500; i++) {
    const f = randomFeatures(rnd);
    const shown = [...thresholds, ...GATE_PRESETS.map((p) => resolveThreshold(p).threshold)].sort((a, b) => a - b).map((t) => decide(f, t).shown);
    for (let k = 1; k < shown.length; k++) assert.ok(shown[k - 1] || !shown[k], `features ${JSON.stringify(f)}: shown at a higher threshold only`);
    const byPreset = GATE_PRESETS.map((p) => decide(f, p).shown);
    assert.ok((byPreset[0] || !byPreset[1]) && (byPreset[1] || !byPreset[2]), 'presets nest');
    if (shown.includes(true) && shown.includes(false)) mixed++;
  }
  assert.ok(mixed > 50, `the thresholds must separate some cases (${mixed})`);
  assert.equal(decide(randomFeatures(rnd), 0).shown, true, 'threshold 0 shows everything');
});

test('the confidence grows with the chain-rule probability of the suggestion, the rest equal', () => {
  const rnd = seeded(11);
  for (let i = 0; i < 200; i++) {
    const f = randomFeatures(rnd);
    const likelier = { ...f, logprob: f.logprob + 1, meanLogprob: (f.logprob + 1) / f.tokens, minLogprob: Math.min(0, f.minLogprob + 1 / f.tokens) };
    assert.ok(gateConfidence(likelier) >= gateConfidence(f), JSON.stringify(f));
  }
});

test('settings: presets, numbers (also as strings) and nonsense', () => {
  assert.equal(parseThreshold('eager'), 'eager');
  assert.equal(parseThreshold(0.3), 0.3);
  assert.equal(parseThreshold('0.3'), 0.3);
  assert.equal(parseThreshold(7), 1);
  assert.equal(parseThreshold('loud'), 'balanced');
  assert.equal(parseThreshold(undefined), 'balanced');
  assert.deepEqual(resolveThreshold('balanced'), { threshold: GATE_MODEL.presets.balanced, preset: 'balanced' });
  assert.deepEqual(resolveThreshold(0.25), { threshold: 0.25, preset: 'custom' });
});

function fakeEngine(answer: CompletionResult) {
  const calls: CompletionRequest[] = [];
  return { calls, async complete(request: CompletionRequest) { calls.push(request); return answer; } };
}

test('the explicit trigger shows a suggestion the gate holds back; a held-back answer is remembered but stays held back', async () => {
  const unlikely = result('items.reduce((a, b) => a + b, 0);', 12, 0.05);
  const engine = fakeEngine(unlikely);
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const doc = 'const items = [1, 2];\nconst total = ';
  const typed = await pipeline.provide({ text: doc, cursor: doc.length, startsDocument: true, immediate: true });
  assert.equal(typed?.text, unlikely.text, 'the held-back text is still there for the panel');
  assert.equal(typed?.gate?.shown, false);
  assert.equal(typed?.gate?.preset, 'balanced');
  assert.ok(typed!.gate!.confidence < typed!.gate!.threshold);
  assert.deepEqual([pipeline.stats.shown, pipeline.stats.heldBack], [0, 1]);

  const asked = await pipeline.provide({ text: doc, cursor: doc.length, startsDocument: true, immediate: true, explicit: true });
  assert.equal(engine.calls.length, 1, 'the same place asked again is served from memory (the panel and the editor agree)');
  const again = await pipeline.provide({ text: doc, cursor: doc.length, startsDocument: true, immediate: true });
  assert.equal(again?.gate?.shown, false, 'still held back from memory while typing');
  assert.deepEqual([asked?.text, asked?.gate?.shown, asked?.gate?.explicit], [unlikely.text, true, true]);
  assert.equal(asked?.gate?.confidence, typed?.gate?.confidence, 'same request, same confidence');
  assert.deepEqual([pipeline.stats.shown, pipeline.stats.heldBack], [1, 1]);

  const showAll = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0, suggestionThreshold: 0 });
  assert.equal((await showAll.provide({ text: doc, cursor: doc.length, startsDocument: true, immediate: true }))?.gate?.shown, true);
});

test('a likely, copied line passes the balanced gate where an unlikely one does not', () => {
  const doc = 'import { f } from "./f";\nemitter.on("x", f);\nother();\nemitter.o';
  const ctx = splitAtCursor(doc, doc.length, true);
  const sure = gateFeatures(result('n("x", f);', 4, 0.97, 4), 'n("x", f);', ctx, 'typescript');
  const unsure = gateFeatures(result('ther(y);', 4, 0.05), 'ther(y);', ctx, 'typescript');
  assert.equal(sure.copied, true);
  assert.equal(unsure.copied, false);
  assert.equal(decide(sure, 'balanced').shown, true);
  assert.equal(decide(unsure, 'balanced').shown, false);
});

test('the CLI\'s confidence and shown are the pipeline\'s decision on the same request (bundled model)', async () => {
  const prefixes = [
    'import * as fs from \'node:fs\';\nimport * as path from \'node:path\';\n\nexport function readJson(file: string) {\n  return JSON.parse(fs.readFileSync(file, \'utf8\'));\n}\n\nexport function writeJson(file: string, value: unknown) {\n  fs.writeFileSync(file, JSON.st',
    'for (let i = 0; i < items.length; i++) {\n  const item = items[i];\n  if (!item) cont',
    'export class Point {\n  constructor(public x: number, public y: number) {}\n  norm(): number { return Math.sqrt(this.x ** 2 + this.',
    'const a = document.getElementById(\'a\');\nconst b = document.getElementById(\'b\');\nconst c = document.getEl',
    'function f(x) {\n  return x * ',
    'let total = 0;\nfor (const v of values) total',
    'app.get(\'/users\', (req, res) => {\n  res.js',
    'if (error) {\n  console.error(error);\n  process.exit(',
  ];
  const cli = execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'complete', '--jsonl'], {
    input: prefixes.map((prefix) => JSON.stringify({ prefix, maxTokens: DEFAULT_PIPELINE.maxTokens, stop: 'line' })).join('\n') + '\n',
    encoding: 'utf8',
  }).trim().split('\n').map((l) => JSON.parse(l));

  const engine = await loadNodeEngine(bundledModelFolder(), { threads: 1 });
  try {
    const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0, timeBudgetMs: 600_000, multiline: false });
    const decisions = [];
    for (const [i, prefix] of prefixes.entries()) {
      const suggestion = await pipeline.provide({ text: prefix, cursor: prefix.length, startsDocument: true, immediate: true });
      assert.equal(cli[i].text, suggestion?.result?.text ?? cli[i].text, `case ${i}: same completion`);
      assert.equal(cli[i].shown, suggestion?.gate?.shown ?? false, `case ${i}: shown`);
      if (suggestion?.gate) assert.ok(Math.abs(cli[i].confidence - suggestion.gate.confidence) < 1e-9, `case ${i}: confidence`);
      assert.equal(typeof cli[i].confidence, 'number');
      decisions.push(cli[i].shown);
    }
    assert.ok(decisions.includes(true) && decisions.includes(false), `both decisions occur: ${decisions}`);
  } finally {
    await engine.dispose();
  }
});
