// The messages between the editor's thread and the engine worker. Every request carries an id;
// progress (tokens, scored windows) streams back under that id before one result or error;
// cancellation is a message, read by the worker between forward passes. Everything here is
// plain data (structured-clone-able): no functions, no AbortSignals, no class instances.

import type { CacheStats } from './decoder-session.js';
import type { CompletionRequest, CompletionResult, EngineInfo, Explanation, ExplainRequest, ScoreRequest, ScoreResult } from './engine.js';
import type { GeneratedToken } from './generate.js';
import type { OnnxVariant } from './load-model.js';
import type { Backend } from './ort.js';

/**
 * What to load in the worker and the engine options that are data. `folder`: a model folder on
 * disk (desktop, read by the worker itself), or the folder's URI in a web host, where only the
 * editor's thread can read it (vscode.workspace.fs) and the worker asks for each file.
 */
export interface LoadSpec {
  folder: string;
  variant?: OnnxVariant;
  threads?: number;
  /** Folder (file URL on the desktop, http(s) URL in a browser) holding ort-wasm-*.{mjs,wasm}. */
  wasmFolder?: string;
  /** The backend setting (web hosts: WebGPU or WASM, 'auto' times both). */
  backend?: Backend | 'auto';
}

/** The request types as data: what the in-process request has, less its signal and callbacks. */
type Data<T> = Omit<T, 'signal' | 'onToken' | 'onProgress'>;

export interface Calls {
  complete: { request: Data<CompletionRequest>; result: CompletionResult };
  explain: { request: Data<ExplainRequest>; result: Explanation };
  score: { request: Data<ScoreRequest>; result: ScoreResult };
  decode: { request: { ids: number[] }; result: string };
}
export type Method = keyof Calls;

// ── to the worker ─────────────────────────────────────────────────────────────────────────
export interface LoadMessage {
  type: 'load';
  id: number;
  spec: LoadSpec;
}
export interface CallMessage<M extends Method = Method> {
  type: 'call';
  id: number;
  method: M;
  request: Calls[M]['request'];
  /** Stream progress (tokens for complete, windows for score) back as it happens. */
  stream: boolean;
}
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
export type ToWorker = LoadMessage | CallMessage | CancelMessage;

// ── from the worker ───────────────────────────────────────────────────────────────────────
export interface ReadyMessage {
  type: 'ready';
  id: number;
  info: EngineInfo;
}
export type Progress = { kind: 'token'; token: GeneratedToken } | { kind: 'score'; scored: number; total: number };
export interface ProgressMessage {
  type: 'progress';
  id: number;
  progress: Progress;
}
export interface ResultMessage {
  type: 'result';
  id: number;
  value: unknown;
  /** The worker's cache after the request (the panel's cache view, tests). */
  cache: CacheStats & { cached: number };
  /** Forward passes the worker began between receiving the request and answering it. */
  passes: number;
}
/** An error as data: name 'AbortError' for cancelled, 'ModelError' with its problem, 'RequestError', or any other. */
export interface SerializedError {
  name: string;
  message: string;
  problem?: string;
  stack?: string;
}
export interface ErrorMessage {
  type: 'error';
  id: number;
  error: SerializedError;
  passes?: number;
  /** For a cancelled request: forward passes begun after the cancel message was read (0: it stopped at the next pass). */
  passesAfterCancel?: number;
}
export type FromWorker = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage;

// ── model files, in web hosts: the worker asks, the editor's thread reads and answers ────────
/** From the worker: read a file of the model folder (a ModelFiles method and its arguments). */
export interface FileRequestMessage {
  type: 'file';
  id: number;
  op: 'readText' | 'readBytes' | 'list' | 'size';
  path: string;
  maxBytes?: number;
}
/** To the worker: the file's text, bytes (transferred, not copied), names or size; or the error. */
export interface FileAnswerMessage {
  type: 'file';
  id: number;
  value?: string | Uint8Array | string[] | number | null;
  error?: SerializedError;
}

/** One end of the channel: worker_threads' parentPort/Worker and the browser's Worker both fit. */
export interface EnginePort {
  post(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** Called once when the worker dies or exits (not after terminate()). */
  onExit(handler: (reason: string) => void): void;
  terminate(): Promise<void>;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, problem: (e as { problem?: string }).problem, stack: e.stack };
}
