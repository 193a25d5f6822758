// The peer on the same model: transformers.js (`@huggingface/transformers`, which runs
// onnxruntime-node underneath) loading the model folder locally, greedy generate().

import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * Loads a benchmark peer (onnxruntime-node, @huggingface/transformers) from .bench-peers/, where
 * scripts/bench-peers.mjs installs them (`npm run bench` runs it first). dist/cli.js → repo root.
 */
export function requirePeer(name: string): unknown {
  const folder = path.join(__dirname, '..', '.bench-peers');
  try {
    return createRequire(path.join(folder, 'package.json'))(name);
  } catch (error) {
    throw new Error(`${name} is not installed in ${folder}: run \`npm run bench\` (it installs the peers first) — ${(error as Error).message}`, { cause: error });
  }
}

export interface TransformersPeer {
  /** ms for a greedy completion of `newTokens` tokens after `prompt`, and how many it produced. */
  complete(prompt: string, newTokens: number): Promise<{ ms: number; tokens: number }>;
}

export async function loadTransformersPeer(modelFolder: string): Promise<TransformersPeer> {
  // Benchmarks only; loaded lazily from .bench-peers/ so the product never loads it.
  const tf = requirePeer('@huggingface/transformers') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = path.dirname(path.resolve(modelFolder)) + path.sep;
  const name = path.basename(path.resolve(modelFolder));
  const model = await tf.AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
  const tokenizer = await tf.AutoTokenizer.from_pretrained(name);
  return {
    async complete(prompt, newTokens) {
      const inputs = tokenizer(prompt, { add_special_tokens: false });
      const started = performance.now();
      const output = await model.generate({ ...inputs, max_new_tokens: newTokens, min_new_tokens: newTokens, do_sample: false });
      const ms = performance.now() - started;
      return { ms, tokens: output.dims.at(-1) - inputs.input_ids.dims.at(-1) };
    },
  };
}
