#!/usr/bin/env node
// Train the byte-level BPE tokenizer of the bundled model with Hugging Face's `tokenizers`
// (native Node binding, installed in training/node_modules by `npm install --prefix training`).
//
//   node training/train-tokenizer.mjs [--vocab 8192] [--out training/data/tokenizer] [--measure 4096,8192,16384]
//
// The Node binding trains with the default BpeTrainer (no vocab-size option), so we train a
// large vocabulary once and keep its first merges: BPE training is greedy, so the first k merges
// are exactly what a k-merge training run would learn. The final vocabulary is
//   5 special tokens, the 256 byte-level symbols, then the merges in order.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const tk = require('tokenizers');

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const VOCAB = Number(args.vocab ?? 8192);
const outDir = path.resolve(args.out ?? path.join(here, 'data', 'tokenizer'));
const dataDir = path.join(here, 'data');
fs.mkdirSync(outDir, { recursive: true });

export const SPECIALS = ['<|endoftext|>', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>'];

// 1. training text: the train split only (held-out packages never reach the tokenizer)
const textFile = path.join(dataDir, 'tokenizer-train.txt');
{
  const lines = fs.readFileSync(path.join(dataDir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
  const fd = fs.openSync(textFile, 'w');
  for (const l of lines) fs.writeSync(fd, JSON.parse(l).text + '\n');
  fs.closeSync(fd);
}

// 2. train a big BPE once (default trainer: 30k vocab), ByteLevel pre-tokenizer without prefix space
const raw = path.join(dataDir, 'tokenizer-raw.json');
if (!fs.existsSync(raw) || args.retrain) {
  const t0 = Date.now();
  const tok = new tk.Tokenizer(tk.BPE.empty());
  tok.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
  tok.train([textFile]);
  tok.save(raw, false);
  console.error(`trained raw BPE in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
const rawJson = JSON.parse(fs.readFileSync(raw, 'utf8'));
const rawMerges = rawJson.model.merges.map((m) => (Array.isArray(m) ? m : m.split(' ')));

function build(vocabSize) {
  const alphabet = tk.byteLevelAlphabet().sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
  if (alphabet.length !== 256) throw new Error('byte alphabet is not 256 symbols');
  const vocab = Object.create(null);
  let id = 0;
  for (const s of SPECIALS) vocab[s] = id++;
  for (const a of alphabet) vocab[a] = id++;
  const merges = [];
  for (const [a, b] of rawMerges) {
    if (id >= vocabSize) break;
    const m = a + b;
    if (!(a in vocab) || !(b in vocab) || m in vocab) continue;
    vocab[m] = id++;
    merges.push([a, b]);
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, i) => ({ id: i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

export function tokenizerConfig(maxLen) {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<fim_pad>',
    add_bos_token: false,
    add_eos_token: false,
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLen,
    additional_special_tokens: SPECIALS.slice(1),
    added_tokens_decoder: Object.fromEntries(SPECIALS.map((c, i) => [String(i), { content: c, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }])),
  };
}

// 3. measure chars/token on held-out text for a few vocabulary sizes
const sizes = (args.measure ?? `2048,4096,8192,12288,16384`).split(',').map(Number);
const valText = fs.readFileSync(path.join(dataDir, 'val.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text).join('\n').slice(0, 2_000_000);
const report = [];
for (const v of sizes) {
  const t = tk.Tokenizer.fromString(JSON.stringify(build(v)));
  const enc = await t.encode(valText, null, { addSpecialTokens: false });
  const n = enc.getLength();
  report.push({ vocab: v, charsPerToken: +(valText.length / n).toFixed(3) });
}
console.error(JSON.stringify(report));
fs.writeFileSync(path.join(outDir, 'vocab-measure.json'), JSON.stringify(report, null, 2) + '\n');

const final = build(VOCAB);
fs.writeFileSync(path.join(outDir, 'tokenizer.json'), JSON.stringify(final));
fs.writeFileSync(path.join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(Number(args.maxlen ?? 1024)), null, 2) + '\n');
console.error(`wrote ${outDir}/tokenizer.json with ${Object.keys(final.model.vocab).length} tokens`);
