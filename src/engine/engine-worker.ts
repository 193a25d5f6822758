// The worker's side of the protocol: one Engine, loaded on 'load', answering 'call's one at a
// time (the Engine's own queue), each with its AbortController that a 'cancel' message aborts.
// Transport-free: the Node and browser worker entries pass in how to post and how to load.

import type { Engine } from './engine.js';
import { serializeError, type CallMessage, type FileAnswerMessage, type FromWorker, type LoadSpec, type ToWorker } from './worker-protocol.js';

export interface WorkerSide {
  post(message: FromWorker): void;
  /** Everything posted to the worker (a web worker also receives its file answers here: ignored). */
  onMessage(handler: (message: ToWorker | FileAnswerMessage) => void): void;
  /** Loads the engine; `beforePass` must be handed to it (it yields so cancel messages are read). */
  load(spec: LoadSpec, beforePass: () => Promise<void>): Promise<Engine>;
  /** A macrotask turn: setImmediate in Node, a MessageChannel hop in a browser. */
  yieldToEvents(): Promise<void>;
}

export function serveEngine(side: WorkerSide): void {
  let engine: Engine | undefined;
  const running = new Map<number, AbortController>();
  /** Forward passes begun so far, and the count when each cancel arrived: cancelling must stop the next one. */
  let passes = 0;
  const passesAtCancel = new Map<number, number>();
  const beforePass = async () => {
    passes++; // counted before the yield: a cancel read during it stops this pass (the session checks right after)
    await side.yieldToEvents();
  };

  side.onMessage(async (message) => {
    if (message.type === 'cancel') {
      if (running.has(message.id)) passesAtCancel.set(message.id, passes);
      return running.get(message.id)?.abort();
    }
    if (message.type === 'load') {
      try {
        engine = await side.load(message.spec, beforePass);
        side.post({ type: 'ready', id: message.id, info: engine.info });
      } catch (error) {
        side.post({ type: 'error', id: message.id, error: serializeError(error) });
      }
      return;
    }
    if (message.type !== 'call') return; // file answers (web hosts) go to the worker's ModelFiles
    const controller = new AbortController();
    running.set(message.id, controller);
    const passesAtStart = passes;
    try {
      if (!engine) throw new Error('the engine worker has no model loaded');
      const value = await call(engine, message, controller.signal, side);
      side.post({ type: 'result', id: message.id, value, cache: engine.cacheStats, passes: passes - passesAtStart });
    } catch (error) {
      const atCancel = passesAtCancel.get(message.id);
      side.post({ type: 'error', id: message.id, error: serializeError(error), passes: passes - passesAtStart, passesAfterCancel: atCancel === undefined ? undefined : passes - atCancel });
    } finally {
      running.delete(message.id);
      passesAtCancel.delete(message.id);
    }
  });
}

function call(engine: Engine, message: CallMessage, signal: AbortSignal, side: WorkerSide): Promise<unknown> {
  const { id, stream } = message;
  switch (message.method) {
    case 'complete': {
      const request = message.request as CallMessage<'complete'>['request'];
      return engine.complete({ ...request, signal, onToken: stream ? (token) => side.post({ type: 'progress', id, progress: { kind: 'token', token } }) : undefined });
    }
    case 'explain':
      return engine.explain({ ...(message.request as CallMessage<'explain'>['request']), signal });
    case 'score': {
      const request = message.request as CallMessage<'score'>['request'];
      return engine.score({ ...request, signal, onProgress: stream ? (scored, total) => side.post({ type: 'progress', id, progress: { kind: 'score', scored, total } }) : undefined });
    }
    case 'decode':
      return engine.decode((message.request as CallMessage<'decode'>['request']).ids);
    default:
      throw new Error(`unknown engine method ${String((message as CallMessage).method)}`);
  }
}
