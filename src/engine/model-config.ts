// config.json → the few sizes the engine needs. gpt2-style (n_layer/n_head/n_embd) and
// llama-style (num_hidden_layers/num_key_value_heads/head_dim) configs both map here.

import { ModelError } from './errors.js';

export interface ModelShape {
  modelType: string;
  numLayers: number;
  numHeads: number;
  /** Key/value heads: fewer than numHeads under grouped-query attention. */
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  /** The context window: the most positions the model has embeddings / was trained for. */
  maxPositions: number;
  bosTokenId?: number;
  eosTokenIds: number[];
}

const ENCODER_TYPES = new Set(['bert', 'roberta', 'distilbert', 'electra', 'albert', 'deberta', 'deberta-v2', 'xlm-roberta', 'mpnet', 'clip', 'vit']);
const LIMITS = { layers: 1024, heads: 1024, headDim: 4096, vocab: 2_000_000, positions: 10_000_000 };

export function readModelShape(config: Record<string, unknown>): ModelShape {
  const modelType = typeof config.model_type === 'string' ? config.model_type : '';
  if (!modelType) throw new ModelError('bad-config', 'config.json has no model_type');
  if (ENCODER_TYPES.has(modelType) || config.is_encoder_decoder === true) {
    throw new ModelError('not-a-decoder', `config.json says model_type "${modelType}": NextToken needs a decoder-only (causal) language model`);
  }
  const pick = (...keys: string[]) => {
    for (const key of keys) if (config[key] !== undefined && config[key] !== null) return config[key];
    return undefined;
  };
  const int = (name: string, value: unknown, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
      throw new ModelError('bad-config', `config.json: ${name} is ${JSON.stringify(value)}, expected a whole number from 1 to ${max}`);
    }
    return value;
  };
  const numLayers = int('number of layers', pick('num_hidden_layers', 'n_layer', 'num_layers'), LIMITS.layers);
  const numHeads = int('number of attention heads', pick('num_attention_heads', 'n_head'), LIMITS.heads);
  const numKvHeads = int('number of key/value heads', pick('num_key_value_heads', 'n_kv_head') ?? numHeads, LIMITS.heads);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelError('bad-config', `config.json: ${numHeads} attention heads cannot be grouped over ${numKvHeads} key/value heads`);
  }
  const hidden = pick('hidden_size', 'n_embd', 'd_model');
  const headDim = int('head size', pick('head_dim') ?? (typeof hidden === 'number' ? hidden / numHeads : undefined), LIMITS.headDim);
  const vocabSize = int('vocab_size', pick('vocab_size'), LIMITS.vocab);
  const maxPositions = int('context window', pick('max_position_embeddings', 'n_positions', 'n_ctx', 'max_sequence_length'), LIMITS.positions);
  const eos = pick('eos_token_id');
  const eosTokenIds = (Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]).filter((x): x is number => typeof x === 'number');
  const bos = pick('bos_token_id');
  return { modelType, numLayers, numHeads, numKvHeads, headDim, vocabSize, maxPositions, bosTokenId: typeof bos === 'number' ? bos : undefined, eosTokenIds };
}
