// The typed messages between the extension host and the panel webview. One interface per
// message; `parseFromWebview` validates everything that comes back before the host uses it.
// This file imports nothing: both sides (and the tests) read it.

export interface TokenView {
  id: number;
  text: string;
  special: boolean;
  /** log P(token | past); null where nothing predicted it (the first token). */
  logprob: number | null;
  cumulativeLogprob: number;
  rank: number | null;
}

export interface CandidateView {
  id: number;
  text: string;
  special: boolean;
  prob: number;
  logprob: number;
  /** After temperature/top-k/top-p; 0 when cut. */
  processedProb: number;
  kept: boolean;
}

export interface SamplingView {
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export interface ModelView {
  name: string;
  backend: string;
  threads: number;
  window: number;
  vocabSize: number;
  fim: boolean;
  attentions: boolean;
}

export interface ExplanationView {
  /** Where the context came from, e.g. "sample.ts:12:8". */
  source: string;
  pinned: boolean;
  /** Context tokens (the last ones only when long) with the chain rule; `contextTotal` counts all. */
  context: TokenView[];
  contextTotal: number;
  /** Tokens appended by stepping through generation in the panel. */
  appended: TokenView[];
  candidates: CandidateView[];
  sampling: SamplingView & { cutBy: string; keptCount: number; keptMass: number };
  /** log P of context + appended, and perplexity per scored token. */
  logprob: number;
  perplexity: number;
  /** The last n tokens, for the causal mask; attention is (layers, heads, n, n) when the model exports it. */
  maskTokens: TokenView[];
  attention?: { layers: number; heads: number; size: number; weights: number[] };
  cache: { cached: number; lastReused: number; lastComputed: number; computed: number; withoutCache: number };
  /** The ghost text the completion path would show here, with its tokens' probabilities. */
  suggestion?: { text: string; tokens: TokenView[]; logprob: number };
  ms: number;
}

// ── extension → webview ────────────────────────────────────────────────────────────────
export interface StateMessage {
  type: 'state';
  model?: ModelView;
  status: 'loading' | 'ready' | 'off' | 'error' | 'no-editor';
  error?: string;
  explanation?: ExplanationView;
  sampling: SamplingView;
}
export interface BusyMessage {
  type: 'busy';
  busy: boolean;
}
export type ToWebviewMessage = StateMessage | BusyMessage;

// ── webview → extension ────────────────────────────────────────────────────────────────
export interface ReadyMessage {
  type: 'ready';
}
export interface SetSamplingMessage {
  type: 'setSampling';
  sampling: SamplingView;
}
export interface AppendTokenMessage {
  type: 'appendToken';
  id: number;
}
export interface StepMessage {
  type: 'step';
  mode: 'greedy' | 'sample';
}
export interface UndoStepMessage {
  type: 'undoStep';
}
export interface ResetStepsMessage {
  type: 'resetSteps';
}
export interface InsertAcceptedMessage {
  type: 'insertAccepted';
}
export interface SetPinnedMessage {
  type: 'setPinned';
  pinned: boolean;
}
export interface SetMaskSizeMessage {
  type: 'setMaskSize';
  size: number;
}
export type FromWebviewMessage =
  | ReadyMessage
  | SetSamplingMessage
  | AppendTokenMessage
  | StepMessage
  | UndoStepMessage
  | ResetStepsMessage
  | InsertAcceptedMessage
  | SetPinnedMessage
  | SetMaskSizeMessage;

export const SAMPLING_LIMITS = {
  temperature: { min: 0, max: 5 },
  topK: { min: 0, max: 1000 },
  topP: { min: 0.01, max: 1 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  maskSize: { min: 2, max: 48 },
} as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const inRange = (v: unknown, { min, max }: { min: number; max: number }): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A message from the webview, or undefined when it is malformed or out of range. */
export function parseFromWebview(raw: unknown, vocabSize: number): FromWebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
    case 'undoStep':
    case 'resetSteps':
    case 'insertAccepted':
      return { type: raw.type };
    case 'setSampling': {
      const s = raw.sampling;
      if (!isObject(s)) return undefined;
      const L = SAMPLING_LIMITS;
      if (!inRange(s.temperature, L.temperature) || !inRange(s.topK, L.topK) || !isInt(s.topK) || !inRange(s.topP, L.topP) || !inRange(s.seed, L.seed) || !isInt(s.seed)) return undefined;
      return { type: 'setSampling', sampling: { temperature: s.temperature, topK: s.topK, topP: s.topP, seed: s.seed } };
    }
    case 'appendToken':
      return isInt(raw.id) && raw.id >= 0 && raw.id < vocabSize ? { type: 'appendToken', id: raw.id } : undefined;
    case 'step':
      return raw.mode === 'greedy' || raw.mode === 'sample' ? { type: 'step', mode: raw.mode } : undefined;
    case 'setPinned':
      return typeof raw.pinned === 'boolean' ? { type: 'setPinned', pinned: raw.pinned } : undefined;
    case 'setMaskSize':
      return isInt(raw.size) && inRange(raw.size, SAMPLING_LIMITS.maskSize) ? { type: 'setMaskSize', size: raw.size } : undefined;
    default:
      return undefined;
  }
}
