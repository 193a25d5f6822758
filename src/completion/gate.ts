// The gate: show a suggestion, or hold it back, from what the request already measured. The
// chain rule gives the suggestion's probability under the model; a tiny logistic model
// (gate-model.json, fitted by training/fit-gate.ts on held-out code) turns that and a few other
// facts about the request into a confidence: the estimated chance the suggestion is exactly right.
// A threshold on the confidence decides. An explicit trigger always shows the suggestion.

import type { CompletionResult } from '../engine/engine.js';
import type { CursorContext } from './context.js';
import fittedModel from './gate-model.json';
import { shapeSuggestion } from './suggestion-shape.js';

export type GatePreset = 'eager' | 'balanced' | 'conservative';
/** The setting: a preset, or a confidence in [0, 1] for experts. */
export type SuggestionThreshold = GatePreset | number;
export const GATE_PRESETS: readonly GatePreset[] = ['eager', 'balanced', 'conservative'];
export const DEFAULT_THRESHOLD: SuggestionThreshold = 'balanced';

/** What the gate sees of one request. */
export interface GateFeatures {
  /** Σ log p(token | past) over the suggestion's tokens (natural log). */
  logprob: number;
  /** logprob / tokens. */
  meanLogprob: number;
  /** log of the least likely token's probability. */
  minLogprob: number;
  tokens: number;
  /** Characters of the text that would be shown. */
  chars: number;
  /** Share of the tokens that came from prompt-lookup drafts the model accepted (0..1). */
  draftedShare: number;
  /** The completed line repeats an earlier line of the context word for word. */
  copied: boolean;
  /** Non-blank characters typed on the line before the cursor. */
  typedOnLine: number;
  /** The cursor's line continues after it (beyond closing brackets). */
  midline: boolean;
  /** VS Code language id ('' when unknown). */
  language: string;
}

/** The fitted model, as shipped in gate-model.json. */
export interface GateModel {
  /** Names of the inputs (see gateInputs), in the order of weights/mean/scale. */
  inputs: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** Added to the logit for a language id (languages not listed: 0). */
  languageOffset: Record<string, number>;
  /** Confidence thresholds of the presets. */
  presets: Record<GatePreset, number>;
}

/** The gate's decision for one request, as the request's record and the CLI carry it. */
export interface GateDecision {
  /** The gate's score: the estimated chance the suggestion is exactly right (0..1). */
  confidence: number;
  shown: boolean;
  /** The confidence the suggestion needed. */
  threshold: number;
  /** The preset the threshold came from, or 'custom' for a number. */
  preset: GatePreset | 'custom';
  /** Shown because the user asked for a suggestion (explicit trigger), whatever the confidence. */
  explicit: boolean;
}

export const GATE_MODEL: GateModel = fittedModel as GateModel;

/**
 * The gate's view of a completion: `text` is what would be shown (after shaping). A multi-line
 * suggestion is judged by its first line that has text (the gate was fitted on line completions,
 * and a user accepts a block up to its first wrong character).
 */
export function gateFeatures(result: Pick<CompletionResult, 'tokens' | 'logprob' | 'accepted'>, text: string, ctx: CursorContext, language = ''): GateFeatures {
  const judged = firstLineTokens(result.tokens);
  const tokens = Math.max(1, judged.length);
  const logprob = judged.length === result.tokens.length ? result.logprob : judged.reduce((s, t) => s + t.logprob, 0);
  const minLogprob = judged.reduce((m, t) => Math.min(m, t.logprob), 0);
  const firstLine = /\S/.test(text) ? text.slice(0, text.search(/\S/)) + text.slice(text.search(/\S/)).split('\n')[0] : text;
  return {
    logprob,
    meanLogprob: logprob / tokens,
    minLogprob,
    tokens: judged.length,
    chars: firstLine.length,
    draftedShare: Math.min(1, Math.min(result.accepted, judged.length) / tokens),
    copied: repeatsEarlierLine(ctx, text),
    typedOnLine: ctx.linePrefix.trim().length,
    midline: ctx.lineSuffix.trim() !== '',
    language,
  };
}

/** The model's inputs, in GateModel.inputs order (the names are checked against the JSON). */
export function gateInputs(f: GateFeatures): Record<string, number> {
  return {
    logprob: Math.max(f.logprob, -40),
    meanLogprob: Math.max(f.meanLogprob, -15),
    minLogprob: Math.max(f.minLogprob, -20),
    logChars: Math.log1p(f.chars),
    logTokens: Math.log1p(f.tokens),
    draftedShare: f.draftedShare,
    copied: f.copied ? 1 : 0,
    logTypedOnLine: Math.log1p(f.typedOnLine),
    midline: f.midline ? 1 : 0,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The estimated chance the suggestion is exactly right. */
export function gateConfidence(f: GateFeatures, model: GateModel = GATE_MODEL): number {
  const x = gateInputs(f);
  let z = model.bias + (model.languageOffset[f.language] ?? 0);
  model.inputs.forEach((name, i) => {
    const value = x[name];
    if (value === undefined) throw new Error(`gate model input ${name} is unknown`);
    z += model.weights[i] * ((value - model.mean[i]) / model.scale[i]);
  });
  return sigmoid(z);
}

/** The confidence threshold a setting stands for. Numbers are clamped to [0, 1]. */
export function resolveThreshold(setting: SuggestionThreshold, model: GateModel = GATE_MODEL): { threshold: number; preset: GatePreset | 'custom' } {
  if (typeof setting === 'number') return { threshold: Math.min(1, Math.max(0, Number.isFinite(setting) ? setting : 0)), preset: 'custom' };
  const preset = GATE_PRESETS.includes(setting) ? setting : 'balanced';
  return { threshold: model.presets[preset], preset };
}

/** Show or hold back. An explicit trigger always shows. */
export function decide(f: GateFeatures, setting: SuggestionThreshold, explicit = false, model: GateModel = GATE_MODEL): GateDecision {
  const confidence = gateConfidence(f, model);
  const { threshold, preset } = resolveThreshold(setting, model);
  return { confidence, shown: explicit || confidence >= threshold, threshold, preset, explicit };
}

/** The setting as typed by a user: a preset name or a number (strings of numbers too); else the default. */
export function parseThreshold(value: unknown): SuggestionThreshold {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.min(1, Math.max(0, value));
  if (typeof value === 'string') {
    if ((GATE_PRESETS as readonly string[]).includes(value)) return value as GatePreset;
    if (value.trim() !== '' && Number.isFinite(Number(value))) return Math.min(1, Math.max(0, Number(value)));
  }
  return DEFAULT_THRESHOLD;
}

/** The tokens up to the one that ends the first line with text (all of them for a single line). */
function firstLineTokens<T extends { text: string }>(tokens: readonly T[]): readonly T[] {
  let seen = '';
  for (let i = 0; i < tokens.length; i++) {
    seen += tokens[i].text;
    const start = seen.search(/\S/);
    if (start >= 0 && seen.indexOf('\n', start) >= 0) return tokens.slice(0, i + 1);
  }
  return tokens;
}

/** The line the suggestion completes is, trimmed, a line already written earlier in the context. */
function repeatsEarlierLine(ctx: CursorContext, text: string): boolean {
  const completed = (ctx.linePrefix + text.split('\n')[0]).trim();
  if (completed.length < 4) return false;
  const before = ctx.prefix.slice(0, ctx.prefix.length - ctx.linePrefix.length);
  return before.split('\n').some((line) => line.trim() === completed);
}

/**
 * Shape a completion into ghost text and gate it: the one path the pipeline and the CLI share, so
 * that the CLI's `shown` is the extension's decision. `text` is undefined when shaping leaves
 * nothing to show (then the decision is not shown either).
 */
export function judgeCompletion(
  result: CompletionResult,
  ctx: CursorContext,
  options: { threshold: SuggestionThreshold; explicit?: boolean; language?: string },
): { text: string | undefined; gate: GateDecision } {
  const text = shapeSuggestion(result.text, ctx);
  const gate = decide(gateFeatures(result, text ?? '', ctx, options.language), options.threshold, options.explicit);
  return { text, gate: text === undefined ? { ...gate, shown: false } : gate };
}
