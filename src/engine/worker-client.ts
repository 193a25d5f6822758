// The engine as the editor's thread sees it when the model runs in a worker: the same async
// methods as Engine (complete, explain, score, decode, info, dispose), answered by messages.
// The editor's thread never runs a forward pass; cancelling a request sends 'cancel', which
// the worker reads between passes. A worker that dies is restarted with backoff: requests in
// flight end as cancelled (one missed suggestion), later ones wait for the new worker.

import type { CacheStats } from './decoder-session.js';
import { abortError } from './decoder-session.js';
import type { CompletionRequest, CompletionResult, EngineInfo, Explanation, ExplainRequest, ScoreRequest, ScoreResult } from './engine.js';
import { ModelError, type ModelProblem } from './errors.js';
import { RequestError } from './request-checks.js';
import type { Calls, EnginePort, FromWorker, LoadSpec, Method, Progress, SerializedError } from './worker-protocol.js';

export interface WorkerEngineOptions {
  /** Starts a fresh worker (worker_threads on the desktop, a Worker in a browser). */
  spawn: () => EnginePort;
  spec: LoadSpec;
  /** A load that takes longer is abandoned (the worker terminated) with ModelError 'timeout'. */
  loadTimeoutMs?: number;
  /** Told once per crash. */
  log?: (message: string) => void;
  /** Restart delays: first, doubling up to the last. */
  backoffMs?: { first: number; max: number };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
}

export class WorkerEngine {
  /** The worker's cache after the last answered request. */
  cacheStats: CacheStats & { cached: number } = { computed: 0, withoutCache: 0, lastComputed: 0, lastReused: 0, cached: 0 };
  /** Worker restarts so far. */
  restarts = 0;
  /** Forward passes the worker ran for the last answered request. */
  lastPasses = 0;
  private port: EnginePort | undefined;
  private ready: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  private failedRestarts = 0;
  private restartError: Error | undefined;

  private constructor(
    readonly info: EngineInfo,
    private readonly options: WorkerEngineOptions,
  ) {}

  /** Starts a worker and loads the model in it; rejects with the worker's ModelError, or 'timeout'. */
  static async start(options: WorkerEngineOptions): Promise<WorkerEngine> {
    const { port, info } = await startWorker(options);
    const engine = new WorkerEngine(info, options);
    engine.attach(port);
    return engine;
  }

  complete(request: CompletionRequest): Promise<CompletionResult> {
    const { signal, onToken, ...data } = request;
    return this.call('complete', data, signal, onToken && ((p) => p.kind === 'token' && onToken(p.token)));
  }

  explain(request: ExplainRequest): Promise<Explanation> {
    const { signal, ...data } = request;
    return this.call('explain', data, signal);
  }

  score(request: ScoreRequest): Promise<ScoreResult> {
    const { signal, onProgress, ...data } = request;
    return this.call('score', data, signal, onProgress && ((p) => p.kind === 'score' && onProgress(p.scored, p.total)));
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.call('decode', { ids: [...ids] });
  }

  /** Terminates the worker: the model, tokenizer and KV cache go with it. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pending.values()) p.reject(abortError());
    this.pending.clear();
    await this.port?.terminate();
    this.port = undefined;
  }

  private async call<M extends Method>(method: M, request: Calls[M]['request'], signal?: AbortSignal, onProgress?: (p: Progress) => void): Promise<Calls[M]['result']> {
    if (this.disposed) throw new Error('the engine was disposed');
    if (signal?.aborted) throw abortError();
    await this.ready;
    if (this.restartError) throw this.restartError;
    if (signal?.aborted) throw abortError();
    const port = this.port!;
    const id = this.nextId++;
    return new Promise<Calls[M]['result']>((resolve, reject) => {
      const cancel = () => port.post({ type: 'cancel', id });
      signal?.addEventListener('abort', cancel, { once: true });
      const done = () => signal?.removeEventListener('abort', cancel);
      this.pending.set(id, {
        resolve: (value) => (done(), resolve(value as Calls[M]['result'])),
        reject: (error) => (done(), reject(error)),
        onProgress,
      });
      port.post({ type: 'call', id, method, request, stream: onProgress !== undefined });
    });
  }

  private attach(port: EnginePort): void {
    this.port = port;
    port.onMessage((message) => this.receive(message));
    port.onExit((reason) => this.crashed(reason));
  }

  private receive(message: FromWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') return pending.onProgress?.(message.progress);
    this.pending.delete(message.id);
    if (message.type === 'result') {
      this.cacheStats = message.cache;
      this.lastPasses = message.passes;
      this.failedRestarts = 0;
      pending.resolve(message.value);
    } else if (message.type === 'error') {
      pending.reject(Object.assign(deserializeError(message.error), { passes: message.passes, passesAfterCancel: message.passesAfterCancel }));
    }
  }

  /** The worker died: requests in flight end as cancelled, a new worker loads the same model after a backoff. */
  private crashed(reason: string): void {
    if (this.disposed) return;
    this.port = undefined;
    for (const p of this.pending.values()) p.reject(abortError());
    this.pending.clear();
    const { first, max } = this.options.backoffMs ?? { first: 200, max: 30_000 };
    const delay = Math.min(max, first * 2 ** this.failedRestarts);
    this.failedRestarts++;
    this.options.log?.(`the engine worker stopped (${reason}); restarting it in ${delay} ms`);
    this.ready = new Promise<void>((resolve) => setTimeout(resolve, delay))
      .then(() => (this.disposed ? Promise.reject(abortError()) : startWorker(this.options)))
      .then(({ port }) => {
        if (this.disposed) return void port.terminate();
        this.restarts++;
        this.restartError = undefined;
        this.attach(port);
      })
      .catch((error: Error) => {
        this.restartError = error;
      });
  }
}

/** A new worker with the model loaded, or the load's error (the worker is then terminated). */
async function startWorker(options: WorkerEngineOptions): Promise<{ port: EnginePort; info: EngineInfo }> {
  const port = options.spawn();
  const timeoutMs = options.loadTimeoutMs ?? 120_000;
  try {
    const info = await new Promise<EngineInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ModelError('timeout', `the model did not load within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      port.onMessage((message) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.info);
        else if (message.type === 'error') reject(deserializeError(message.error));
      });
      port.onExit((reason) => (clearTimeout(timer), reject(new Error(`the engine worker stopped while loading (${reason})`))));
      port.post({ type: 'load', id: 0, spec: options.spec });
    });
    return { port, info };
  } catch (error) {
    await port.terminate();
    throw error;
  }
}

/** An error from the worker as the error it was (AbortError, ModelError with its problem, RequestError). */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'AbortError') return abortError();
  const error = e.name === 'ModelError' ? new ModelError(e.problem as ModelProblem, e.message) : e.name === 'RequestError' ? new RequestError(e.message) : Object.assign(new Error(e.message), { name: e.name });
  if (e.stack) error.stack = e.stack;
  return error;
}
