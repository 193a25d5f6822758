#!/usr/bin/env node
// Check that the product's tokenizer library (@huggingface/tokenizers, from the repo's
// node_modules) loads our tokenizer.json and round-trips code exactly, and that it encodes the
// same ids as the Rust trainer (tokenizers native binding) used to tokenize the corpus.
//
//   node training/check-tokenizer.mjs [models/nexttoken-small]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(process.argv[2] ?? path.join(here, '..', 'models', 'nexttoken-small'));
const tj = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
const tc = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
const tok = new Tokenizer(tj, tc);
let native = null;
try {
  native = createRequire(path.join(here, 'package.json'))('tokenizers').Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
} catch { /* native binding not installed: skip the id comparison */ }

const cases = [
  'export function add(a: number, b: number): number {\n\treturn a + b;\n}\n',
  'const s = "tabs\there";\r\nconst t = `crlf\r\nline`;\r\n',
  '  \t  mixed   indentation\t\t\n\n\n   \n',
  "// unicode: héllo wörld — ünïcödé ∑ ≠ λ → 日本語 中文 한국어\n",
  'const emoji = "👍🏽 🚀 👨‍👩‍👧‍👦 🇫🇷";\n',
  'x = a<b>(c) ?? d?.e!.f ||= g >>>= 2; /\\d+\\s*/gu;\n',
  '<|endoftext|> is text here but <fim_prefix> too\n',
  '\u0000\u0001\u007f \ufeffBOM and nulls\n',
  '',
  ' leading space',
  'trailing spaces   ',
];
// plus real held-out files
for (const f of ['eval.jsonl', 'val.jsonl']) {
  const p = path.join(here, 'data', f);
  if (fs.existsSync(p)) for (const l of fs.readFileSync(p, 'utf8').split('\n').filter(Boolean).slice(0, 15)) cases.push(JSON.parse(l).text);
}

let fail = 0, chars = 0, toks = 0;
for (const text of cases) {
  const ids = tok.encode(text, { add_special_tokens: false }).ids;
  if (!text) { if (ids.length) { fail++; console.error('empty text gave tokens'); } continue; }
  const back = tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  chars += text.length; toks += ids.length;
  if (back !== text) { fail++; console.error('ROUND-TRIP MISMATCH', JSON.stringify(text.slice(0, 80)), '->', JSON.stringify(back.slice(0, 80))); }
  const back2 = tok.decode(ids); // defaults, as a caller might use them
  if (back2 !== text) { fail++; console.error('DEFAULT DECODE MISMATCH', JSON.stringify(text.slice(0, 80))); }
  if (native && !text.includes('<|endoftext|>')) {
    const nids = (await native.encode(text, null, { addSpecialTokens: false })).getIds();
    if (nids.join() !== ids.join()) { fail++; console.error('ID MISMATCH vs Rust tokenizer', JSON.stringify(text.slice(0, 80))); }
  }
}
// special tokens are single ids
for (const s of ['<|endoftext|>', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>']) {
  const ids = tok.encode(s, { add_special_tokens: false }).ids;
  if (ids.length !== 1) { fail++; console.error('special token not atomic', s, ids); }
}
console.log(JSON.stringify({ cases: cases.length, chars, tokens: toks, charsPerToken: +(chars / toks).toFixed(3), vocab: Object.keys(tj.model.vocab).length + tj.added_tokens.length - tj.added_tokens.filter((t) => t.content in tj.model.vocab).length, failures: fail }));
process.exit(fail ? 1 : 0);
