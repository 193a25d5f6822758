// The extension's settings as one typed, validated snapshot (read again on every change).

import * as vscode from 'vscode';
import type { Backend } from '../engine/ort.js';
import type { OnnxVariant } from '../engine/load-model.js';
import { parseThreshold, type SuggestionThreshold } from '../completion/gate.js';
import { DEFAULT_PIPELINE, type PipelineSettings } from '../completion/pipeline.js';
import { DEFAULT_CONTEXT, type ContextSource } from '../completion/repo-context.js';
import { DEFAULT_LANGUAGE_SERVER, type LanguageServerSettings } from './member-names.js';

const CONTEXT_SOURCES: readonly ContextSource[] = ['imports', 'editors', 'edits'];

export interface Settings {
  enable: boolean;
  /** languageId → enabled; '*' is the default for languages not listed. */
  languages: Record<string, boolean>;
  /** '' = the bundled model. Machine-scoped; ignored in untrusted workspaces. */
  modelFolder: string;
  onnxVariant: OnnxVariant;
  backend: Backend | 'auto';
  threads: number;
  pipeline: PipelineSettings;
  languageServer: LanguageServerSettings;
}

/** Edits answered ahead of the keystroke when `computeAhead` is on (accept, Enter, the likeliest next character). */
const COMPUTE_AHEAD = 3;
const VARIANTS: readonly OnnxVariant[] = ['auto', 'fp32', 'fp16', 'quantized', 'q4'];
const BACKENDS: readonly (Backend | 'auto')[] = ['auto', 'wasm', 'webgpu'];

const number = (value: unknown, fallback: number, min: number, max: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
const oneOf = <T>(value: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('nexttoken');
  const languages = c.get<unknown>('languages');
  return {
    enable: c.get<boolean>('enable') !== false,
    languages: typeof languages === 'object' && languages !== null ? Object.fromEntries(Object.entries(languages).filter(([, v]) => typeof v === 'boolean')) : { '*': true },
    modelFolder: vscode.workspace.isTrusted ? String(c.get<string>('modelFolder') ?? '').trim() : '',
    onnxVariant: oneOf(c.get('onnxVariant'), VARIANTS, 'auto'),
    backend: oneOf(c.get('backend'), BACKENDS, 'auto'),
    threads: Math.round(number(c.get('threads'), 1, 1, 16)),
    pipeline: {
      ...DEFAULT_PIPELINE,
      maxTokens: Math.round(number(c.get('maxTokens'), DEFAULT_PIPELINE.maxTokens, 1, 256)),
      temperature: number(c.get('temperature'), DEFAULT_PIPELINE.temperature, 0, 2),
      debounceMs: Math.round(number(c.get('debounceMs'), DEFAULT_PIPELINE.debounceMs, 0, 2000)),
      suggestionThreshold: readThreshold(c),
      multiline: c.get<boolean>('multiline') !== false,
      computeAhead: c.get<boolean>('computeAhead') !== false ? COMPUTE_AHEAD : 0,
      fillInTheMiddle: oneOf(c.get('fillInTheMiddle'), ['always', 'midline', 'never'] as const, DEFAULT_PIPELINE.fillInTheMiddle),
      context: readContextSettings(c),
    },
    languageServer: {
      enabled: c.get<boolean>('languageServer.enabled') !== false,
      timeBudgetMs: Math.round(number(c.get('languageServer.timeBudgetMs'), DEFAULT_LANGUAGE_SERVER.timeBudgetMs, 0, 1000)),
    },
  };
}

/** `suggestionThreshold`, or until it is migrated, the number in the old `minConfidence`. */
function readThreshold(c: vscode.WorkspaceConfiguration): SuggestionThreshold {
  const set = c.inspect('suggestionThreshold');
  const userSet = set?.workspaceFolderValue ?? set?.workspaceValue ?? set?.globalValue;
  const old = c.get<unknown>('minConfidence');
  return userSet === undefined && typeof old === 'number' && old > 0 ? parseThreshold(old) : parseThreshold(c.get('suggestionThreshold'));
}

/**
 * `minConfidence` (a floor on the suggestion's probability) became `suggestionThreshold` (a floor
 * on the gate's confidence, also a probability): copy its value in each scope that set it, unless
 * that scope already has the new setting, and remove the old one.
 */
export async function migrateMinConfidence(): Promise<void> {
  const c = vscode.workspace.getConfiguration('nexttoken');
  const old = c.inspect<unknown>('minConfidence');
  const now = c.inspect<unknown>('suggestionThreshold');
  if (!old) return;
  const scopes = [
    [old.globalValue, now?.globalValue, vscode.ConfigurationTarget.Global],
    [old.workspaceValue, now?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [old.workspaceFolderValue, now?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
  ] as const;
  for (const [value, current, target] of scopes) {
    if (value === undefined) continue;
    if (current === undefined && typeof value === 'number') await c.update('suggestionThreshold', parseThreshold(value), target);
    await c.update('minConfidence', undefined, target);
  }
}

function readContextSettings(c: vscode.WorkspaceConfiguration): PipelineSettings['context'] {
  const sources = c.get<unknown>('context.sources');
  return {
    enabled: c.get<boolean>('context.enabled') !== false,
    budgetTokens: Math.round(number(c.get('context.budget'), DEFAULT_CONTEXT.budgetTokens, 0, 512)),
    sources: Array.isArray(sources) ? CONTEXT_SOURCES.filter((s) => sources.includes(s)) : DEFAULT_CONTEXT.sources,
  };
}

export function languageEnabled(settings: Settings, languageId: string): boolean {
  return settings.languages[languageId] ?? settings.languages['*'] ?? true;
}
