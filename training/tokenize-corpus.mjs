#!/usr/bin/env node
// Tokenize the corpus once into flat uint16 token files for train.py (which then needs no
// tokenizer and no registry: copy training/data/tok/ to a GPU box and train from it).
//
//   node training/tokenize-corpus.mjs [--tokenizer training/data/tokenizer] [--fim 0.5] [--seed 1]
//        [--context 0.3 [--context-budgets 128,256,512] [--max-context-tokens 488]]
//
// Output (training/data/tok/): train.bin, val.bin (uint16 little-endian), meta.json.
// train.bin: the train split, documents in shuffled order, each cut at line boundaries into
// chunks of 400..3500 characters. A chunk is kept as plain text or, with probability --fim,
// rewritten as a fill-in-the-middle sample, split at the character level. --fim-order spm (the
// default since v3) puts the suffix first and encodes prefix and middle as one run of text, so the
// model writes the middle exactly as it continues plain code (the last prefix token sits next to
// the first middle token, and the usual token healing applies at the cursor):
//   spm: <fim_suffix> suffix <fim_prefix> prefix middle <|endoftext|>
//   psm: <fim_prefix> prefix <fim_suffix> suffix <fim_middle> middle <|endoftext|>   (v1, v2)
// Middles are biased toward line-ish spans: the rest of a line from a random column (the
// completion task), a whole line, a few lines, or a random short span.
// --context P: a chunk (plain or FIM) carries, with probability P, the repository-context block the
// editor would put ahead of it (training/context-samples.mjs, built with the product's
// src/completion/repo-context.ts from the files of the same package: the file's imports and 0–2
// other files as open editors; budget drawn from --context-budgets, in the product's estimated
// tokens). Such a sample is laid out as the engine's prompt (src/engine/prompt.ts):
//   plain: <|endoftext|> context chunk <|endoftext|>
//   spm:   <|endoftext|> <fim_suffix> suffix <fim_prefix> context prefix middle <|endoftext|>
// The cursor the block is built for: the FIM cut, or a random point of a plain chunk.
// val.bin: the validation packages as plain text (documents separated by <|endoftext|>).
// No training document may come from a held-out package (val, eval, the crossfile eval's).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const tk = require('tokenizers');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const dataDir = path.join(here, 'data');
const tokDir = path.resolve(args.tokenizer ?? path.join(dataDir, 'tokenizer'));
const outDir = path.resolve(args.out ?? path.join(dataDir, 'tok'));
const FIM = Number(args.fim ?? 0.5);
const FIM_ORDER = args['fim-order'] ?? 'spm';
if (FIM_ORDER !== 'spm' && FIM_ORDER !== 'psm') throw new Error(`--fim-order must be spm or psm, not ${FIM_ORDER}`);
// Most characters of suffix kept in a FIM sample (0 = the rest of the chunk). The engine keeps
// only the nearest 64 suffix tokens, so the FIM fine-tuning corpus caps it (~200 chars).
const MAX_SUFFIX = Number(args['max-suffix-chars'] ?? 0);
const SAMPLE = Number(args.sample ?? 1); // fraction of training documents to use
// Split plain text at random characters (one split per SPLIT_EVERY chars on average) and
// tokenize the pieces separately, so the model sees words cut mid-token followed by their
// continuation — what it gets at inference when the cursor is inside a word (0 = off).
const SPLIT_EVERY = Number(args['split-every'] ?? 0);
const CONTEXT = Number(args.context ?? 0);
const CONTEXT_BUDGETS = String(args['context-budgets'] ?? '128,256,512').split(',').map(Number);
// The engine keeps at most half its prompt budget of context: (1024 - 48 tokens to generate) / 2.
const MAX_CONTEXT_TOKENS = Number(args['max-context-tokens'] ?? 488);
if (!(CONTEXT >= 0 && CONTEXT <= 1) || CONTEXT_BUDGETS.some((b) => !(b > 0))) throw new Error('--context must be in [0, 1] and --context-budgets positive numbers');
// The context builder is the product's TypeScript (src/completion/repo-context.ts), loaded through tsx.
const ctx = CONTEXT > 0 ? await (await import('tsx/esm/api')).tsImport('./context-samples.mjs', import.meta.url) : undefined;
fs.mkdirSync(outDir, { recursive: true });

// small seeded PRNG (mulberry32) so the corpus is reproducible
let seed = Number(args.seed ?? 1) >>> 0;
function rnd() { seed = (seed + 0x6d2b79f5) >>> 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
const randint = (a, b) => a + Math.floor(rnd() * (b - a + 1));

const tok = tk.Tokenizer.fromFile(path.join(tokDir, 'tokenizer.json'));
const id = (s) => tok.tokenToId(s);
const EOT = id('<|endoftext|>'), PRE = id('<fim_prefix>'), MID = id('<fim_middle>'), SUF = id('<fim_suffix>');

// Each document appears `weight` times (fetch-corpus.mjs gives application code weight 2).
function readDocs(name) {
  const docs = [];
  for (const l of fs.readFileSync(path.join(dataDir, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean)) {
    const d = JSON.parse(l);
    for (let w = 0; w < Math.max(1, Math.min(4, d.weight ?? 1)); w++) docs.push({ pkg: d.pkg, path: d.path, text: d.text });
  }
  return docs;
}

/** Packages no training document may come from: val, eval, and the crossfile eval's. */
async function heldOutPackages() {
  const { PACKAGES } = await import('./crossfile-cases.mjs');
  const names = new Set(PACKAGES.map((spec) => spec.replace(/@[^@]*$/, '')));
  for (const split of ['val', 'eval']) for (const d of readDocs(split)) names.add(d.pkg);
  return names;
}

function chunks(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const target = Math.round(Math.exp(Math.log(400) + rnd() * (Math.log(3500) - Math.log(400))));
    let j = Math.min(text.length, i + target);
    if (j < text.length) { const nl = text.indexOf('\n', j); j = nl < 0 ? text.length : nl + 1; }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

function fimSplit(c) {
  // returns [prefix, middle, suffix] with prefix+middle+suffix === c
  const n = c.length;
  const lineStarts = [0];
  for (let k = 0; k < n; k++) if (c[k] === '\n' && k + 1 < n) lineStarts.push(k + 1);
  const L = lineStarts.length;
  const eol = (s) => { const e = c.indexOf('\n', s); return e < 0 ? n : e; };
  const r = rnd();
  let a, b;
  const li = randint(0, L - 1);
  const ls = lineStarts[li], le = eol(ls);
  if (r < 0.45) { // rest of a line from a random column (what the extension asks for)
    a = randint(ls, Math.max(ls, le - 1)); b = le;
  } else if (r < 0.6) { // a whole line, from its indentation
    a = ls + (c.slice(ls, le).length - c.slice(ls, le).trimStart().length); b = le;
  } else if (r < 0.8) { // from a random column through 1..6 more lines
    a = randint(ls, Math.max(ls, le - 1));
    const lj = Math.min(L - 1, li + randint(1, 6));
    b = eol(lineStarts[lj]);
  } else { // a random span of up to 200 characters
    a = randint(0, n - 1); b = Math.min(n, a + randint(1, 200));
  }
  if (b < a) [a, b] = [b, a];
  return [c.slice(0, a), c.slice(a, b), c.slice(b)];
}

async function enc(s) {
  if (!s) return [];
  return (await tok.encode(s, null, { addSpecialTokens: false })).getIds();
}

const context = { samples: 0, tokens: 0, withImports: 0, byBudget: {} };
/** The context block for a cursor at `cursor` of `doc` (its imports resolved once per document), or ''. */
function contextFor(doc, state, packages, cursor) {
  if (!ctx || rnd() >= CONTEXT) return '';
  const files = packages.get(doc.pkg) ?? [];
  state.related ??= ctx.relatedFiles(doc, files);
  const imports = state.related.files.length > 0;
  const related = ctx.withOpenEditors(state.related, files, rnd, randint(imports ? 0 : 1, 2));
  const budget = CONTEXT_BUDGETS[randint(0, CONTEXT_BUDGETS.length - 1)];
  const text = ctx.contextText(doc.text.slice(0, cursor), related, budget);
  if (text) {
    context.byBudget[budget] = (context.byBudget[budget] ?? 0) + 1;
    if (imports) context.withImports++;
  }
  return text;
}

/** Appends a context sample ([bos] ... <|endoftext|>); bos is <|endoftext|>, so not twice in a row. */
function pushSample(out, ids) {
  out.push(...(out.at(-1) === EOT && ids[0] === EOT ? ids.slice(1) : ids));
}

async function contextSample(out, parts) {
  const ids = await ctx.sampleIds({ encode: enc, special: { eot: EOT, bos: EOT, prefix: PRE, middle: MID, suffix: SUF }, maxContextTokens: MAX_CONTEXT_TOKENS, ...parts });
  pushSample(out, ids);
  context.samples++;
  context.tokens += Math.min(MAX_CONTEXT_TOKENS, (await enc(parts.context)).length);
}

async function writeSplit(name, docs, fim, packages) {
  const out = [];
  let nFim = 0, nChunks = 0, chars = 0;
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    const state = {};
    chars += doc.text.length;
    if (!fim) { out.push(...(await enc(doc.text)), EOT); continue; }
    let offset = 0;
    for (const c of chunks(doc.text)) {
      const start = offset;
      offset += c.length;
      nChunks++;
      if (c.length > 20 && rnd() < fim) {
        let [p, m, s] = fimSplit(c);
        if (MAX_SUFFIX > 0 && s.length > MAX_SUFFIX) {
          const cut = randint(Math.floor(MAX_SUFFIX / 4), MAX_SUFFIX);
          const nl = s.lastIndexOf('\n', cut);
          s = s.slice(0, nl > 0 ? nl + 1 : cut);
        }
        const block = contextFor(doc, state, packages, start + p.length);
        if (block) await contextSample(out, { fim: FIM_ORDER, context: block, prefix: p, middle: m, suffix: s });
        else if (FIM_ORDER === 'spm') out.push(SUF, ...(await enc(s)), PRE, ...(await enc(p + m)), EOT);
        else out.push(PRE, ...(await enc(p)), SUF, ...(await enc(s)), MID, ...(await enc(m)), EOT);
        nFim++;
        continue;
      }
      // (no draw without --context: the same seed gives the same data as before the option)
      const block = ctx ? contextFor(doc, state, packages, start + randint(0, c.length)) : '';
      if (block) await contextSample(out, { context: block, prefix: c });
      else if (SPLIT_EVERY > 0) {
        let i = 0;
        while (i < c.length) {
          const j = Math.min(c.length, i + 1 + Math.floor(rnd() * 2 * SPLIT_EVERY));
          out.push(...(await enc(c.slice(i, j))));
          i = j;
        }
      } else out.push(...(await enc(c)));
    }
    out.push(EOT);
    if (d % 2000 === 0) process.stderr.write(`\r${name}: ${d}/${docs.length} docs, ${out.length} tokens`);
  }
  const arr = Uint16Array.from(out);
  fs.writeFileSync(path.join(outDir, `${name}.bin`), Buffer.from(arr.buffer));
  process.stderr.write(`\n${name}: ${docs.length} docs, ${chars} chars, ${arr.length} tokens (${(chars / arr.length).toFixed(2)} chars/token incl. FIM), ${nFim}/${nChunks} FIM chunks\n`);
  return { docs: docs.length, chars, tokens: arr.length, fimChunks: nFim, chunks: nChunks };
}

let train = readDocs('train');
const heldOut = await heldOutPackages();
const leaked = [...new Set(train.filter((d) => heldOut.has(d.pkg)).map((d) => d.pkg))];
if (leaked.length) throw new Error(`held-out packages in train.jsonl: ${leaked.join(', ')}`);
const packages = ctx ? ctx.packageIndex(train) : undefined;
for (let i = train.length - 1; i > 0; i--) { const j = randint(0, i); [train[i], train[j]] = [train[j], train[i]]; }
if (SAMPLE < 1) train = train.slice(0, Math.ceil(train.length * SAMPLE));
const stats = { train: await writeSplit('train', train, FIM, packages), val: await writeSplit('val', readDocs('val'), 0) };
if (ctx) {
  stats.train.context = { ...context, fraction: +(context.samples / stats.train.chunks).toFixed(4), meanTokens: +(context.tokens / Math.max(1, context.samples)).toFixed(1), tokenShare: +(context.tokens / stats.train.tokens).toFixed(4) };
  process.stderr.write(`context: ${context.samples}/${stats.train.chunks} chunks (${(100 * stats.train.context.fraction).toFixed(1)} %), ${context.tokens} context tokens (mean ${stats.train.context.meanTokens}, ${(100 * stats.train.context.tokenShare).toFixed(1)} % of train tokens), by budget ${JSON.stringify(context.byBudget)}\n`);
}
const vocabSize = tok.getVocabSize(true);
// The resume point records the data it was trained on (train.py's data_sha reads this)
const trainSha = createHash('sha256').update(fs.readFileSync(path.join(outDir, 'train.bin'))).digest('hex');
fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify({ vocab_size: vocabSize, eot_id: EOT, fim_prefix_id: PRE, fim_middle_id: MID, fim_suffix_id: SUF, fim_rate: FIM, fim_order: FIM_ORDER, max_suffix_chars: MAX_SUFFIX, context: CONTEXT, context_budgets: CONTEXT_BUDGETS, max_context_tokens: MAX_CONTEXT_TOKENS, split_every: SPLIT_EVERY, sample: SAMPLE, dtype: 'uint16', train_sha256: trainSha, stats }, null, 2) + '\n');
fs.copyFileSync(path.join(tokDir, 'tokenizer.json'), path.join(outDir, 'tokenizer.json'));
fs.copyFileSync(path.join(tokDir, 'tokenizer_config.json'), path.join(outDir, 'tokenizer_config.json'));
