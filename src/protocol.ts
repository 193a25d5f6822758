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
  /** The model exports the logit lens (the prediction after every layer). */
  lens: boolean;
}

// ── the record of an inline request (mirrors src/completion/request-record.ts) ─────────────
export interface StepCandidateView {
  id: number;
  text: string;
  prob: number;
}

export interface RecordTokenView {
  id: number;
  text: string;
  prob: number;
  logprob: number;
  cumulativeLogprob: number;
  /** 'model': picked from the distribution; 'draft': proposed by prompt lookup and accepted. */
  source: 'model' | 'draft';
  /** The distribution it was picked from (after suppression and the healing constraint). */
  candidates: StepCandidateView[];
  healingConstrained: boolean;
  /** The language-server monitor constrained this step: tokens masked, and the likeliest of them with their probability before the mask. */
  monitor?: { masked: number; ruledOut: StepCandidateView[] };
}

export interface PromptPartView {
  kind: 'bos' | 'fim' | 'context' | 'prefix' | 'suffix';
  tokens: { id: number; text: string; special: boolean }[];
}

export interface GateView {
  confidence: number;
  shown: boolean;
  threshold: number;
  preset: string;
  /** Shown because the user asked (explicit trigger), whatever the confidence. */
  explicit?: boolean;
  /** The confidence each preset needs, to place this suggestion among them. */
  presets?: Record<string, number>;
}

export interface RecordView {
  id: number;
  mode: 'line' | 'block';
  suffix: { setting: 'always' | 'midline' | 'never'; sent: boolean; reason: string; chars: number };
  prompt: { parts: PromptPartView[]; cutTokens: number; heldBack: { id: number; text: string }[] };
  healed: string;
  sampling: { temperature: number; topK: number; topP: number; seed: number; maxTokens: number; stop: 'line' | 'block' };
  tokens: RecordTokenView[];
  /** The first token that reaches into the shown text (the ones before re-spell healed or typed text). */
  firstShown: number;
  end?: { id: number; text: string; candidates: StepCandidateView[] };
  stopReason: string;
  drafts: { drafted: number; accepted: number; rejected: { at: number; drafted: { id: number; text: string }[]; chosen: { id: number; text: string } }[] };
  forwardPasses: number;
  generated: string;
  /** Exactly the ghost text the editor was given ('' when none). */
  shown: string;
  served: 'model' | 'cache' | 'typed-ahead';
  typed: number;
  /** Computed ahead of the keystroke, expecting this edit (accepting the suggestion, Enter, the likeliest next character). */
  ahead?: 'cursor' | 'accept' | 'enter' | 'next-char';
  logprob: number;
  cache: { promptTokens: number; reused: number; computed: number };
  timings: { totalMs: number; engineMs: number };
  gate?: GateView;
  /** Repository context in the prompt: each snippet with its file, where it starts (-1: the file's outline), source and score. */
  context?: { snippets: ContextSnippetView[]; tokens: number };
  /** The language-server monitor: how many names it found valid at the cursor, and how many steps it constrained. */
  monitor?: { validNames: number; maskedSteps: number };
}

export interface ContextSnippetView {
  path: string;
  source: 'imports' | 'editors' | 'edits';
  kind: 'outline' | 'window' | 'edit';
  line: number;
  text: string;
  score: number;
  tokens: number;
}

// ── the logit lens of one step (mirrors src/engine/logit-lens.ts) ──────────────────────
export interface LensRowView {
  /** 0 = straight from the embedding, i = after layer i; the last row is the model's own distribution. */
  layer: number;
  candidates: StepCandidateView[];
  /** The token the model picked at this step: its rank (0 = top) and probability at this layer. */
  picked: { id: number; text: string; rank: number; prob: number };
}
export type LensView = { rows: LensRowView[] } | { unavailable: string };

// ── the what-if exploration (an engine call made only on the user's request) ─────────────
export interface ExplanationView {
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
  /** The logit lens for the next token, when the model has it and it was asked for. */
  lens?: LensView;
  cache: { cached: number; lastReused: number; lastComputed: number; computed: number; withoutCache: number };
  ms: number;
}

// ── extension → webview ────────────────────────────────────────────────────────────────
export interface StateMessage {
  type: 'state';
  model?: ModelView;
  status: 'loading' | 'ready' | 'error' | 'no-editor';
  error?: string;
  /** The active editor's latest inline request, as the completion pipeline recorded it. */
  record?: RecordView;
  /** Where that request was made, e.g. "sample.ts:12:8". */
  source?: string;
  /** The what-if mode, only while the user explores (it never changes the editor's suggestions). */
  exploration?: ExplanationView;
  /** The exploration's sampling settings (they start from the record's). */
  sampling?: SamplingView;
  /**
   * The record's first shown step looked into (lens, mask tokens, attention): an engine call made
   * on "Explain Next Token" or when the user asks; absent until then and once a newer record arrives.
   */
  recordLens?: ExplanationView;
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
export interface ExploreMessage {
  type: 'explore';
  on: boolean;
}
export interface SetMaskSizeMessage {
  type: 'setMaskSize';
  size: number;
}
/** Look inside the record's first shown step: the logit lens and the attention there. */
export interface LensMessage {
  type: 'lens';
}
/** Show the suggestion the gate held back (as the explicit trigger does). */
export interface ShowAnywayMessage {
  type: 'showAnyway';
}
export type FromWebviewMessage =
  | ReadyMessage
  | SetSamplingMessage
  | AppendTokenMessage
  | StepMessage
  | UndoStepMessage
  | ResetStepsMessage
  | InsertAcceptedMessage
  | ExploreMessage
  | SetMaskSizeMessage
  | ShowAnywayMessage
  | LensMessage;

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
    case 'showAnyway':
    case 'lens':
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
    case 'explore':
      return typeof raw.on === 'boolean' ? { type: 'explore', on: raw.on } : undefined;
    case 'setMaskSize':
      return isInt(raw.size) && inRange(raw.size, SAMPLING_LIMITS.maskSize) ? { type: 'setMaskSize', size: raw.size } : undefined;
    default:
      return undefined;
  }
}
