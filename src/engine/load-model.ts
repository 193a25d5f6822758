// Opening a model folder (the transformers.js / Optimum layout of DESIGN.md):
//   config.json, generation_config.json?, tokenizer.json, tokenizer_config.json, onnx/model*.onnx

import { ModelError } from './errors.js';
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

export interface ModelFolder {
  name: string;
  shape: ModelShape;
  tokenizer: TextTokenizer;
  variant: keyof typeof ONNX_VARIANTS;
  onnx: Uint8Array;
}

export async function readModelFolder(files: ModelFiles, variant: OnnxVariant = 'auto', autoOrder?: readonly (keyof typeof ONNX_VARIANTS)[]): Promise<ModelFolder> {
  if ((await files.size('config.json')) === undefined && (await files.list('').catch(() => undefined)) === undefined) {
    throw new ModelError('missing-folder', `the model folder ${files.location} does not exist`);
  }
  const configText = await readRequired(files, 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(configText);
  } catch {
    throw new ModelError('bad-config', `config.json in ${files.location} is not valid JSON`);
  }
  const shape = readModelShape(config);
  const generation = await files.readText('generation_config.json').then(JSON.parse, () => ({}));
  if (shape.bosTokenId === undefined && typeof generation.bos_token_id === 'number') shape.bosTokenId = generation.bos_token_id;
  if (typeof generation.eos_token_id === 'number' && !shape.eosTokenIds.includes(generation.eos_token_id)) shape.eosTokenIds.push(generation.eos_token_id);

  let tokenizer: TextTokenizer;
  try {
    tokenizer = TextTokenizer.fromJson(await readRequired(files, 'tokenizer.json'), await files.readText('tokenizer_config.json').catch(() => undefined));
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
  const onnx = await files.readBytes(onnxPath);
  const name = typeof config._name_or_path === 'string' && config._name_or_path ? config._name_or_path : files.location.split(/[\\/]/).filter(Boolean).at(-1) ?? 'model';
  return { name, shape, tokenizer, variant: chosen, onnx };
}

async function readRequired(files: ModelFiles, rel: string): Promise<string> {
  try {
    return await files.readText(rel);
  } catch {
    throw new ModelError('missing-file', `${files.location} has no ${rel}`);
  }
}
