// The extension's settings as one typed, validated snapshot (read again on every change).

import * as vscode from 'vscode';
import type { Backend } from '../engine/ort.js';
import type { OnnxVariant } from '../engine/load-model.js';
import { DEFAULT_PIPELINE, type PipelineSettings } from '../completion/pipeline.js';

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
}

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
      minConfidence: number(c.get('minConfidence'), 0, 0, 1),
      multiline: c.get<boolean>('multiline') !== false,
      fillInTheMiddle: oneOf(c.get('fillInTheMiddle'), ['always', 'midline', 'never'] as const, DEFAULT_PIPELINE.fillInTheMiddle),
    },
  };
}

export function languageEnabled(settings: Settings, languageId: string): boolean {
  return settings.languages[languageId] ?? settings.languages['*'] ?? true;
}
