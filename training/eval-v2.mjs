// Suite v2 of training/eval.mjs: the broader held-out eval of issue 13, through the product path
// (`node dist/cli.js complete --jsonl`).
//
//   node training/eval.mjs --model models/nexttoken-small --suite v2 --out training/runs/eval-v1.json
//        [--seed 7] [--eol-cases 300] [--mid-cases 300] [--tune [--tune-eol 120] [--tune-mid 80]]
//        [--next-token-tokens 60000]
//
// Without --tune: the three paths, the smoke table and next-token top-1 (~15 min on 2 shared
// cores); --tune adds the drafting-settings table (about twice as long).
//
// Writes OUT (JSON), OUT with .md (a markdown summary) and OUT with -samples.jsonl.
//
// Cases come from the TypeScript sources (.ts/.tsx/.mts/.cts, no .d.ts) of the held-out
// packages; the context is cut the way the extension cuts it (src/completion/context.ts):
// the prefix starts at a line boundary after a start that moves in steps, the suffix is the
// next maxSuffixChars characters after the cursor.
//   prefix-only, end of line: a line cut at a random column; the target is the rest of the line;
//                the model sees the prefix only (the extension's default at the end of a line).
//   FIM, end of line: the same cases with the suffix sent (the lines after the cut line, as the
//                extension sends them with fillInTheMiddle: always).
//   FIM, mid-line: a line cut at a random column c and a later token start e before the line's
//                end; the target is line[c, e) (at least one letter or digit); the suffix starts at
//                e (the rest of the line, then the following lines).
// Metrics, per path: EM (right-trimmed first line), ES (100 × (1 − Levenshtein / longer)),
// first-word accuracy (the leading identifier, or the first non-space character), and copies:
// a completion is a copy when prompt lookup kept a drafted token the model would not have picked
// (`overridden` in the CLI's JSON) or when it equals the rest of the latest earlier line that
// starts like the current one; a garbage copy is a copy that is not an exact match.
// Tuning: the drafting settings (acceptRatio, minMatch, minTyped) run on the first cases of the
// prefix-only and mid-line paths right after the default setting, so the KV cache of the prompt
// is reused; and on the smoke prompts (training/smoke-prompts.json).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { linePool, makeRng } from './eval-cases.mjs';
import { es, firstLine } from './metrics.mjs';

// The drafting settings tried; the first is the product's default (no fields sent).
export const TUNING = [
  { name: 'default', settings: {} },
  { name: 'greedy (acceptRatio 1)', settings: { acceptRatio: 1 } },
  { name: 'acceptRatio 1e-3', settings: { acceptRatio: 1e-3 } },
  { name: 'acceptRatio 1e-2', settings: { acceptRatio: 1e-2 } },
  { name: 'acceptRatio 1e-1', settings: { acceptRatio: 1e-1 } },
  { name: 'minMatch 3', settings: { minMatch: 3 } },
  { name: 'no n-gram drafts (minMatch 0)', settings: { minMatch: 0 } },
  { name: 'n-gram drafts (minMatch 2, the default before eval v2)', settings: { minMatch: 2 } },
  { name: 'line draft after 3 typed chars', settings: { minTyped: 3 } },
  { name: 'no line drafts (minTyped 0)', settings: { minTyped: 0 } },
  { name: 'acceptRatio 1e-2, minMatch 3', settings: { acceptRatio: 1e-2, minMatch: 3 } },
];

const isWordChar = (ch) => /[\p{L}\p{N}_$]/u.test(ch);
export const firstWord = (s) => /^\s*(?:[\p{L}\p{N}_$]+|\S)?/u.exec(s)[0];


/** The rest of the latest earlier line that starts like the current one (src/core/prompt-lookup.ts lineLookup). */
export function earlierLineRest(prefix) {
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const typed = prefix.slice(lineStart).trimStart();
  if (!typed) return undefined;
  const earlier = prefix.slice(0, lineStart).split('\n');
  for (let i = earlier.length - 1; i >= 0; i--) {
    const t = earlier[i].replace(/\r$/, '').trimStart();
    if (t.length > typed.length && t.startsWith(typed)) return t.slice(typed.length);
  }
  return undefined;
}

/**
 * Post-processing measured beside the product (not in it): the mid-line completion cut where it
 * starts re-typing the text after the cursor (`w!.document.body` with `!.document.body` after the
 * cursor → `w`). The overlap must be the whole rest of the completion or the whole line suffix,
 * and at least 2 characters unless the line suffix is shorter.
 */
export function cutAtLineSuffix(pred, lineSuffix) {
  const s = lineSuffix.trim();
  if (!s) return pred;
  for (let i = 0; i < pred.length; i++) {
    const rest = pred.slice(i).trimEnd();
    if (rest.length < Math.min(2, s.length)) break;
    if (s.startsWith(rest.trimStart()) || rest.trimStart().startsWith(s)) return pred.slice(0, i).trimEnd();
  }
  return pred;
}

/** The extension's context limits, read from src/completion/context.ts so the eval follows the product. */
export function contextLimits(root) {
  const src = fs.readFileSync(path.join(root, 'src', 'completion', 'context.ts'), 'utf8');
  const m = /DEFAULT_LIMITS[^{]*\{\s*maxPrefixChars:\s*(\d+),\s*maxSuffixChars:\s*(\d+),\s*step:\s*(\d+)/.exec(src);
  if (!m) throw new Error('DEFAULT_LIMITS not found in src/completion/context.ts');
  return { maxPrefixChars: +m[1], maxSuffixChars: +m[2], step: +m[3] };
}

/** prefix / suffix around document offsets as the extension reads them (contextRange + splitAtCursor). */
function around(text, cursor, suffixFrom, limits) {
  const start = Math.max(0, Math.floor((cursor - limits.maxPrefixChars) / limits.step) * limits.step);
  let prefix = text.slice(start, cursor);
  if (start > 0 && prefix.includes('\n')) prefix = prefix.slice(prefix.indexOf('\n') + 1);
  return { prefix, suffix: text.slice(suffixFrom, cursor + limits.maxSuffixChars) };
}

export const isSourceFile = (p) => /\.(ts|tsx|mts|cts)$/.test(p) && !/\.d\.[mc]?tsx?$/.test(p);

/** `n` end-of-line cases and `m` mid-line cases, each from a different line, fixed seed. */
export function makeCases(docs, n, m, seed, limits) {
  const { randint } = makeRng(seed);
  const pool = linePool(docs);
  const used = new Set();
  const eol = [], mid = [];
  let guard = 0;
  while ((eol.length < n || mid.length < m) && used.size < pool.length && guard++ < 100 * (n + m)) {
    const p = pool[randint(0, pool.length - 1)];
    const key = `${p.di}:${p.li}`;
    if (used.has(key)) continue;
    const text = docs[p.di].text;
    const line = p.line.replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const end = line.trimEnd().length;
    const base = { doc: `${docs[p.di].pkg}/${docs[p.di].path}`, line: p.li };
    const wantMid = mid.length < m && (eol.length >= n || (eol.length + mid.length) % 2 === 1);
    if (!wantMid) {
      const col = randint(indent, end - 1);
      const target = line.slice(col).trimEnd();
      if (!target.trim()) continue;
      used.add(key);
      eol.push({ ...base, col, target, ...around(text, p.off + col, p.off + line.length, limits) });
    } else {
      const col = randint(indent, end - 2);
      // token starts after the cursor and before the line's end: where the text after the cursor begins
      const stops = [];
      for (let e = col + 1; e < end; e++) {
        const a = line[e - 1], b = line[e];
        if (b !== ' ' && b !== '\t' && (a === ' ' || a === '\t' || isWordChar(a) !== isWordChar(b) || !isWordChar(b)) && /[\p{L}\p{N}]/u.test(line.slice(col, e))) stops.push(e);
      }
      if (!stops.length) continue;
      const e = stops[randint(0, stops.length - 1)];
      used.add(key);
      mid.push({ ...base, col, end: e, target: line.slice(col, e).trimEnd(), lineSuffix: line.slice(e), ...around(text, p.off + col, p.off + e, limits) });
    }
  }
  return { eol, mid };
}

/** A `complete --jsonl` child process: ask(request) → the parsed JSON line. */
function cliEngine(root, modelDir) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'complete', '--jsonl', '--model', modelDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout });
  const waiting = [];
  rl.on('line', (l) => { const w = waiting.shift(); if (w) w(JSON.parse(l)); });
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w({ error: `cli exited ${code}` }); });
  return {
    ask(req) { return new Promise((res) => { waiting.push(res); child.stdin.write(JSON.stringify(req) + '\n'); }); },
    close() { child.stdin.end(); },
  };
}

/** One scored completion: the fields used from the CLI's JSON are read defensively. */
function scored(c, r) {
  if (r.error) throw new Error(`complete failed: ${r.error}`);
  const pred = firstLine(String(r.text ?? ''));
  const rest = earlierLineRest(c.prefix);
  const overridden = typeof r.overridden === 'number' ? r.overridden : null;
  const copy = (overridden ?? 0) > 0 || (rest !== undefined && pred.trim() !== '' && pred === rest.trimEnd());
  return {
    pred,
    em: pred === c.target,
    es: es(pred, c.target),
    firstWord: firstWord(pred) === firstWord(c.target),
    copy,
    overridden,
    ms: typeof r.ms === 'number' ? r.ms : null,
  };
}

export function summarize(rows) {
  const n = rows.length || 1;
  const pct = (f) => +(100 * rows.filter(f).length / n).toFixed(1);
  const copies = rows.filter((r) => r.copy);
  const ms = rows.map((r) => r.ms).filter((x) => x !== null).sort((a, b) => a - b);
  return {
    cases: rows.length,
    EM: pct((r) => r.em),
    ES: +(rows.reduce((s, r) => s + r.es, 0) / n).toFixed(1),
    firstWord: pct((r) => r.firstWord),
    copies: pct((r) => r.copy),
    garbageCopies: pct((r) => r.copy && !r.em),
    copyExact: copies.length ? +(100 * copies.filter((r) => r.em).length / copies.length).toFixed(1) : null,
    medianMs: ms.length ? Math.round(ms[ms.length >> 1]) : null,
  };
}

function baselineRow(c) {
  const pred = (earlierLineRest(c.prefix) ?? '').trimEnd();
  return { pred, em: pred === c.target, es: es(pred, c.target), firstWord: firstWord(pred) === firstWord(c.target), copy: pred !== '', overridden: null, ms: null };
}

const MAX_TOKENS = 48;

export async function runSuiteV2({ args, root, modelDir, docs, nextToken }) {
  const t0 = Date.now();
  const seed = Number(args.seed ?? 7);
  const outFile = path.resolve(args.out ?? path.join(root, 'training', 'runs', 'eval-v2.json'));
  const limits = contextLimits(root);
  const sources = docs.filter((d) => isSourceFile(d.path));
  const { eol, mid } = makeCases(sources, Number(args['eol-cases'] ?? 300), Number(args['mid-cases'] ?? 300), seed, limits);
  const tuning = args.tune ? TUNING : TUNING.slice(0, 1);
  const tuneEol = args.tune ? Math.min(eol.length, Number(args['tune-eol'] ?? 120)) : 0;
  const tuneMid = args.tune ? Math.min(mid.length, Number(args['tune-mid'] ?? 80)) : 0;
  const log = (...a) => console.error(`[${Math.round((Date.now() - t0) / 1000)}s]`, ...a);
  log(`${eol.length} end-of-line + ${mid.length} mid-line cases from ${sources.length} source files; tuning ${tuning.length} settings on ${tuneEol} + ${tuneMid}`);

  const report = {
    suite: 'v2', model: path.relative(root, modelDir), seed, maxTokens: MAX_TOKENS, contextLimits: limits,
    heldOut: [...new Set(docs.map((d) => d.pkg))], sourceFiles: sources.length,
    cases: { endOfLine: eol.length, midLine: mid.length, total: eol.length * 2 + mid.length },
  };
  if (nextToken) { report.nextToken = await nextToken(); log('next-token', JSON.stringify(report.nextToken)); }

  const cli = cliEngine(root, modelDir);
  const req = (c, suffix, settings) => ({ prefix: c.prefix, ...(suffix ? { suffix: c.suffix } : {}), maxTokens: MAX_TOKENS, stop: 'line', ...settings });
  const rows = { prefixEol: [], fimEol: [], fimMid: [] };
  const tuned = tuning.map(() => ({ prefixEol: [], fimMid: [] }));
  const samples = [];
  for (let i = 0; i < eol.length; i++) {
    const c = eol[i];
    const a = scored(c, await cli.ask(req(c, false, {})));
    rows.prefixEol.push(a);
    tuned[0].prefixEol.push(a);
    if (i < tuneEol) for (let k = 1; k < tuning.length; k++) tuned[k].prefixEol.push(scored(c, await cli.ask(req(c, false, tuning[k].settings))));
    const b = scored(c, await cli.ask(req(c, true, {})));
    rows.fimEol.push(b);
    samples.push({ path: 'eol', doc: c.doc, line: c.line, typed: c.prefix.slice(c.prefix.lastIndexOf('\n') + 1), target: c.target, prefixOnly: a.pred, fim: b.pred, copyPrefix: a.copy, copyFim: b.copy });
    if ((i + 1) % 50 === 0) log(`eol ${i + 1}/${eol.length}`, JSON.stringify({ prefix: summarize(rows.prefixEol), fim: summarize(rows.fimEol) }));
  }
  for (let i = 0; i < mid.length; i++) {
    const c = mid[i];
    const a = scored(c, await cli.ask(req(c, true, {})));
    rows.fimMid.push(a);
    tuned[0].fimMid.push(a);
    if (i < tuneMid) for (let k = 1; k < tuning.length; k++) tuned[k].fimMid.push(scored(c, await cli.ask(req(c, true, tuning[k].settings))));
    samples.push({ path: 'mid', doc: c.doc, line: c.line, typed: c.prefix.slice(c.prefix.lastIndexOf('\n') + 1), target: c.target, lineSuffix: c.lineSuffix, fim: a.pred, copy: a.copy });
    if ((i + 1) % 50 === 0) log(`mid ${i + 1}/${mid.length}`, JSON.stringify(summarize(rows.fimMid)));
  }
  report.paths = { prefixEol: summarize(rows.prefixEol), fimEol: summarize(rows.fimEol), fimMid: summarize(rows.fimMid) };
  report.fimMidCutAtSuffix = summarize(mid.map((c, i) => {
    const pred = cutAtLineSuffix(rows.fimMid[i].pred, c.lineSuffix);
    return { ...rows.fimMid[i], pred, em: pred === c.target, es: es(pred, c.target), firstWord: firstWord(pred) === firstWord(c.target) };
  }));
  report.baseline = summarize(eol.map(baselineRow));

  const smokePrompts = JSON.parse(fs.readFileSync(path.join(root, 'training', 'smoke-prompts.json'), 'utf8'));
  const smokeBy = [];
  for (const t of tuning) {
    const answers = [];
    for (const s of smokePrompts) {
      const r = await cli.ask({ prefix: s.prompt, maxTokens: MAX_TOKENS, stop: 'line', ...t.settings });
      const text = firstLine(String(r.text ?? ''));
      answers.push({ prompt: s.prompt, completion: text, expect: s.expect, ok: s.expect.some((e) => text.trim().startsWith(e)), copy: (r.overridden ?? 0) > 0 });
    }
    smokeBy.push(answers);
  }
  cli.close();
  report.smoke = smokeBy[0];
  report.smokeOk = smokeBy[0].filter((a) => a.ok).length;
  const tuneSub = (k, p) => summarize(tuned[k][p]);
  const base = { prefixEol: summarize(tuned[0].prefixEol.slice(0, tuneEol)), fimMid: summarize(tuned[0].fimMid.slice(0, tuneMid)) };
  if (args.tune) report.tuning = {
    cases: { prefixEol: tuneEol, fimMid: tuneMid, smoke: smokePrompts.length },
    rows: tuning.map((t, k) => ({
      name: t.name, settings: t.settings,
      prefixEol: k === 0 ? base.prefixEol : tuneSub(k, 'prefixEol'),
      fimMid: k === 0 ? base.fimMid : tuneSub(k, 'fimMid'),
      smokeOk: smokeBy[k].filter((a) => a.ok).length,
      smokeCopies: smokeBy[k].filter((a) => a.copy).length,
    })),
  };
  report.seconds = Math.round((Date.now() - t0) / 1000);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(outFile.replace(/\.json$/, '') + '-samples.jsonl', samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  fs.writeFileSync(outFile.replace(/\.json$/, '') + '.md', markdown(report));
  console.log(markdown(report));
}

const cell = (s) => {
  const v = String(s).replace(/\n/g, '⏎').replace(/\|/g, '\\|');
  return v === '' ? '(empty)' : v.includes('`') ? `\`\` ${v} \`\`` : `\`${v}\``;
};

export function markdown(r) {
  const p = r.paths;
  const row = (name, s) => `| ${name} | ${s.cases} | ${s.EM} | ${s.ES} | ${s.firstWord} | ${s.copies} | ${s.garbageCopies} |`;
  const lines = [
    `### ${r.model}: suite v2, seed ${r.seed}, ${r.cases.total} completions (${r.seconds} s)`, '',
    `Held-out packages: ${r.heldOut.join(', ')} (${r.sourceFiles} TypeScript source files cut).`, '',
    '| path | cases | EM % | ES | first word % | copies % | garbage copies % |', '|---|---:|---:|---:|---:|---:|---:|',
    row('baseline: copy the rest of the latest earlier line that starts the same', r.baseline),
    row('prefix only, end of line', p.prefixEol), row('FIM, end of line (suffix = the following lines)', p.fimEol), row('FIM, mid-line (rest of the line in the suffix)', p.fimMid),
    ...(r.fimMidCutAtSuffix ? [row('FIM, mid-line, cut where it re-types the text after the cursor (eval post-processing, not in the product)', r.fimMidCutAtSuffix)] : []), '',
  ];
  if (r.nextToken) lines.push(`Next-token prediction: top-1 ${r.nextToken.top1} %, top-5 ${r.nextToken.top5} %, ${r.nextToken.bitsPerChar} bits/char over ${r.nextToken.tokens} tokens.`, '');
  lines.push(`Smoke prompts (${r.smokeOk}/${r.smoke.length} give an expected answer):`, '', '| prompt | completion | ok |', '|---|---|:-:|');
  for (const a of r.smoke) lines.push(`| ${cell(a.prompt.length > 90 ? '…' + a.prompt.slice(-90) : a.prompt)} | ${cell(a.completion)} | ${a.ok ? '✓' : '✗'} |`);
  if (!r.tuning) return lines.join('\n') + '\n';
  lines.push('', `Drafting settings (prefix only: first ${r.tuning.cases.prefixEol} end-of-line cases; FIM mid-line: first ${r.tuning.cases.fimMid} cases; smoke: ${r.tuning.cases.smoke} prompts):`, '',
    '| setting | prefix EM % | prefix ES | prefix garbage copies % | mid EM % | mid ES | mid garbage copies % | smoke ok | smoke copies |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of r.tuning.rows) lines.push(`| ${t.name} | ${t.prefixEol.EM} | ${t.prefixEol.ES} | ${t.prefixEol.garbageCopies} | ${t.fimMid.EM} | ${t.fimMid.ES} | ${t.fimMid.garbageCopies} | ${t.smokeOk} | ${t.smokeCopies} |`);
  return lines.join('\n') + '\n';
}
