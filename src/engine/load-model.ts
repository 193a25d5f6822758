// Opening a model folder (the transformers.js / Optimum layout of DESIGN.md):
//   config.json, generation_config.json?, tokenizer.json, tokenizer_config.json, onnx/model*.onnx

import { ModelError } from './errors.js';
import { LENS_FILE } from './logit-lens.js';
import type { ModelFiles } from './model-files.js';
import { readModelShape, type ModelShape } from './model-config.js';
import { TextTokenizer } from './tokenizer.js';

/** ONNX variants by file name; 'auto' takes the first present in this order (fastest first on WASM). */
export const ONNX_VARIANTS = {
  quantized: 'model_quantized.onnx',
  q4: 'model_q4.onnx',
  fp16: 'model_fp16.onnx',
  fp32: 'model.onnx',
} as const;
export type OnnxVariant = keyof typeof ONNX_VARIANTS | 'auto';

/** ONNX files larger than this are refused: the extension host would run out of memory. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3;

/** Size caps of the JSON files: a real config is a few KB, Qwen2.5-Coder's tokenizer.json 7 MB. */
export const MAX_JSON_BYTES: Record<string, number> = {
  'config.json': 1024 ** 2,
  'generation_config.json': 1024 ** 2,
  'tokenizer_config.json': 16 * 1024 ** 2,
  'tokenizer.json': 64 * 1024 ** 2,
};

export interface ModelFolder {
  name: string;
  shape: ModelShape;
  tokenizer: TextTokenizer;
  variant: keyof typeof ONNX_VARIANTS;
  onnx: Uint8Array;
  /** Reads onnx/lens.onnx (the logit lens), when the folder has one; read on first use only. */
  readLens?: () => Promise<Uint8Array>;
}

export async function readModelFolder(files: ModelFiles, variant: OnnxVariant = 'auto', autoOrder?: readonly (keyof typeof ONNX_VARIANTS)[]): Promise<ModelFolder> {
  if ((await files.size('config.json')) === undefined && (await files.list('').catch(() => undefined)) === undefined) {
    throw new ModelError('missing-folder', `the model folder ${files.location} does not exist`);
  }
  const config = asObject(await readJson(files, 'config.json', true), files, 'config.json');
  const shape = readModelShape(config);
  const generation = asObject((await readJson(files, 'generation_config.json', false)) ?? {}, files, 'generation_config.json');
  if (shape.bosTokenId === undefined && typeof generation.bos_token_id === 'number') shape.bosTokenId = generation.bos_token_id;
  if (typeof generation.eos_token_id === 'number' && !shape.eosTokenIds.includes(generation.eos_token_id)) shape.eosTokenIds.push(generation.eos_token_id);

  const tokenizerJson = asObject(await readJson(files, 'tokenizer.json', true), files, 'tokenizer.json');
  const tokenizerConfig = asObject((await readJson(files, 'tokenizer_config.json', false)) ?? {}, files, 'tokenizer_config.json');
  let tokenizer: TextTokenizer;
  try {
    tokenizer = TextTokenizer.fromParsed(tokenizerJson, tokenizerConfig);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError('tokenizer', `tokenizer.json in ${files.location} could not be read: ${(error as Error).message}`);
  }
  if (tokenizer.vocabSize > shape.vocabSize) {
    throw new ModelError('tokenizer', `the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary has ${shape.vocabSize}: they do not belong together`);
  }

  // Only files the folder lists are tried, so a web host asks for no file that is not there.
  // Where a folder cannot be listed, each candidate is probed by its size (a host may answer a
  // missing file with an empty one, so 0 bytes counts as absent). Each size is asked once.
  const order = variant === 'auto' ? (autoOrder ?? (Object.keys(ONNX_VARIANTS) as (keyof typeof ONNX_VARIANTS)[])) : [variant];
  const listed = await files.list('onnx').then((names) => new Set(names), () => undefined);
  let chosen: keyof typeof ONNX_VARIANTS | undefined;
  let size = 0;
  for (const v of order) {
    if (listed && !listed.has(ONNX_VARIANTS[v])) continue;
    size = (await files.size(`onnx/${ONNX_VARIANTS[v]}`)) ?? 0;
    if (size > 0) {
      chosen = v;
      break;
    }
  }
  if (!chosen) {
    const wanted = order.map((v) => `onnx/${ONNX_VARIANTS[v]}`).join(' or ');
    throw new ModelError('missing-file', `${files.location} has no ${wanted}`);
  }
  const onnxPath = `onnx/${ONNX_VARIANTS[chosen]}`;
  if (size > MAX_MODEL_BYTES) throw new ModelError('too-large', `${onnxPath} is ${(size / 1024 ** 3).toFixed(1)} GiB; NextToken runs models up to 2 GiB`);
  if (size < 64) throw new ModelError('bad-onnx', `${onnxPath} is empty or truncated (${size} bytes)`);
  const onnx = await files.readBytes(onnxPath, MAX_MODEL_BYTES);
  const name = typeof config._name_or_path === 'string' && config._name_or_path ? config._name_or_path : files.location.split(/[\\/]/).filter(Boolean).at(-1) ?? 'model';
  const lensName = LENS_FILE.slice('onnx/'.length);
  // Listed is enough: over HTTP a size probe reads the whole file, and the lens is read on first use only.
  const hasLens = listed ? listed.has(lensName) : ((await files.size(LENS_FILE)) ?? 0) > 0;
  const readLens = hasLens ? () => files.readBytes(LENS_FILE, MAX_MODEL_BYTES) : undefined;
  return { name, shape, tokenizer, variant: chosen, onnx, readLens };
}

/** A JSON file of the folder, parsed; undefined when an optional one is absent. Every failure is one ModelError naming the file. */
async function readJson(files: ModelFiles, rel: string, required: boolean): Promise<unknown> {
  if ((await files.size(rel)) === undefined) {
    if (required) throw new ModelError('missing-file', `${files.location} has no ${rel}`);
    return undefined;
  }
  let text: string;
  try {
    text = await files.readText(rel, MAX_JSON_BYTES[rel]);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError('bad-file', `${rel} in ${files.location} could not be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelError(rel === 'config.json' ? 'bad-config' : rel.startsWith('tokenizer') ? 'tokenizer' : 'bad-config', `${rel} in ${files.location} is not valid JSON`);
  }
}

function asObject(value: unknown, files: ModelFiles, rel: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelError(rel.startsWith('tokenizer') ? 'tokenizer' : 'bad-config', `${rel} in ${files.location} is not a JSON object (it is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value})`);
  }
  return value as Record<string, unknown>;
}
