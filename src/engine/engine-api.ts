// What the editor asks of an engine, whether it runs in process (CLI, web host) or in a worker
// (desktop extension host): every call is async and every value is plain data.

import type { CompletionRequest, CompletionResult, EngineInfo, Explanation, ExplainRequest, ScoreRequest, ScoreResult } from './engine.js';

export interface EngineApi {
  readonly info: EngineInfo;
  complete(request: CompletionRequest): Promise<CompletionResult>;
  explain(request: ExplainRequest): Promise<Explanation>;
  score(request: ScoreRequest): Promise<ScoreResult>;
  decode(ids: readonly number[]): Promise<string>;
  dispose(): Promise<void>;
}
