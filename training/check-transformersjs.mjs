#!/usr/bin/env node
// Check that transformers.js loads the model folder as a local model and generates with it.
//   node training/check-transformersjs.mjs [models/nexttoken-small]
import path from 'node:path';
import { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';

const dir = path.resolve(process.argv[2] ?? 'models/nexttoken-small');
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(dir) + path.sep;
const name = path.basename(dir);
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
const prompt = 'import * as vscode from "vscode";\n\nexport function activate(context: vscode.ExtensionContext) {\n  const disposable = ';
const inputs = tokenizer(prompt);
const out = await model.generate({ ...inputs, max_new_tokens: 16, do_sample: false });
const ids = out.tolist()[0].slice(inputs.input_ids.dims[1]).map(Number);
const text = tokenizer.decode(ids, { skip_special_tokens: false });
console.log(JSON.stringify({ loaded: name, model_type: model.config.model_type, generated: text }));
