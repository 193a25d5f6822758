// Requests come from settings, the CLI's --jsonl lines, the panel and a worker message: check
// every field before the engine runs, so that a bad value is one clear error, never a loop that
// does not end ("abc" as maxTokens) or a cache grown past the window.

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

type Check = (value: unknown, field: string) => void;

const text: Check = (value, field) => {
  if (typeof value !== 'string') throw new RequestError(`${field} must be a string, got ${describe(value)}`);
};
const flag: Check = (value, field) => {
  if (typeof value !== 'boolean') throw new RequestError(`${field} must be true or false, got ${describe(value)}`);
};
const number = (min: number, max: number, integer = false): Check => (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RequestError(`${field} must be a ${integer ? 'whole number' : 'number'} from ${min} to ${max}, got ${describe(value)}`);
  }
};
const oneOf = (...allowed: string[]): Check => (value, field) => {
  if (typeof value !== 'string' || !allowed.includes(value)) throw new RequestError(`${field} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
};
const fields = (shape: Record<string, Check>): Check => (value, field) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RequestError(`${field} must be an object, got ${describe(value)}`);
  checkFields(value as Record<string, unknown>, shape, field);
};
const tokenIds = (max: number): Check => (value, field) => {
  if (!Array.isArray(value) || value.length > max) throw new RequestError(`${field} must be a list of at most ${max} token ids`);
  value.forEach((id, i) => number(0, 10_000_000, true)(id, `${field}[${i}]`));
};
const names = (max: number): Check => (value, field) => {
  if (!Array.isArray(value) || value.length > max) throw new RequestError(`${field} must be a list of at most ${max} names`);
  value.forEach((name, i) => text(name, `${field}[${i}]`));
};
/** Callbacks and signals pass through in process; they never cross a worker boundary. */
const callback: Check = (value, field) => {
  if (typeof value !== 'function') throw new RequestError(`${field} must be a function`);
};
const signal: Check = (value, field) => {
  if (typeof value !== 'object' || value === null || typeof (value as AbortSignal).aborted !== 'boolean') throw new RequestError(`${field} must be an AbortSignal`);
};

/** Texts longer than this are refused (a 6,000-character context is what the editor sends). */
export const MAX_REQUEST_CHARS = 4 * 1024 * 1024;
const longText: Check = (value, field) => {
  text(value, field);
  if ((value as string).length > MAX_REQUEST_CHARS) throw new RequestError(`${field} is ${(value as string).length} characters; the limit is ${MAX_REQUEST_CHARS}`);
};

const sampling = fields({ temperature: number(0, 100), topK: number(0, 10_000_000, true), topP: number(0, 1) });
const context = { prefix: longText, suffix: longText, context: longText, signal };

const COMPLETE: Record<string, Check> = {
  ...context,
  maxTokens: number(1, 100_000, true),
  reserveTokens: number(1, 100_000, true),
  stop: oneOf('line', 'block', 'none'),
  sampling,
  seed: number(-(2 ** 53), 2 ** 53, true),
  heal: flag,
  lookup: (value, field) => (value === false ? undefined : fields({ acceptRatio: number(0, 1), minMatch: number(0, 64, true), minTyped: number(0, 10_000, true) })(value, field)),
  timeBudgetMs: number(0, 3_600_000),
  onToken: callback,
  top: number(0, 1000, true),
  validNames: names(100_000),
  chooseNames: number(0, 1000, true),
};
const EXPLAIN: Record<string, Check> = {
  ...context,
  appended: tokenIds(100_000),
  promptIds: tokenIds(100_000),
  sampling: fields({ temperature: number(0, 100), topK: number(0, 10_000_000, true), topP: number(0, 1), seed: number(-(2 ** 53), 2 ** 53, true) }),
  top: number(1, 1000, true),
  maskSize: number(1, 4096, true),
  attentions: flag,
  lens: flag,
  lensToken: number(0, 10_000_000, true),
  seed: number(-(2 ** 53), 2 ** 53, true),
};
const SCORE: Record<string, Check> = { text: longText, before: longText, alternatives: number(0, 100, true), signal, onProgress: callback };

export const checkCompletionRequest = (request: unknown) => checkRequest(request, COMPLETE, 'completion request', ['prefix']);
export const checkExplainRequest = (request: unknown) => checkRequest(request, EXPLAIN, 'explain request', ['prefix']);
export const checkScoreRequest = (request: unknown) => checkRequest(request, SCORE, 'score request', ['text']);

function checkRequest(request: unknown, shape: Record<string, Check>, what: string, required: string[]): void {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new RequestError(`a ${what} must be an object, got ${describe(request)}`);
  for (const key of required) if ((request as Record<string, unknown>)[key] === undefined) throw new RequestError(`a ${what} needs ${key}`);
  checkFields(request as Record<string, unknown>, shape, what);
}

/** Known fields only; undefined counts as absent (optional fields are spread in as undefined). */
function checkFields(value: Record<string, unknown>, shape: Record<string, Check>, where: string): void {
  for (const [key, v] of Object.entries(value)) {
    const check = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!check) throw new RequestError(`${where}: unknown field "${key}"`);
    if (v !== undefined) check(v, key);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'a list' : typeof value;
}
