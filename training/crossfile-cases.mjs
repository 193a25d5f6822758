#!/usr/bin/env node
// Cross-file eval cases (CrossCodeEval-style) from held-out npm packages that ship TypeScript
// sources with relative imports between files.
//
//   node training/crossfile-cases.mjs [--packs /tmp/nexttoken-packs] [--out training/data/crossfile.jsonl]
//                                     [--per-package 30] [--seed 11]
//
// A case is a line of a package's .ts file, cut right after `.`/`?.` where the rest of the line
// starts with a name declared only in a file the current file imports (relative import, resolved):
// declared there (export, class/interface member, enum member) and not declared in the current
// file. The case carries the current file's path, the text before the cut (prefix), the rest of
// the line (target), the name, and the workspace files a completion may use: the files the
// current file imports, and up to 4 other files of the package (distractors the ranking must
// skip). Packages come from `npm pack` (MIT/Apache/BSD/ISC only) and none of them is in
// training/corpus-manifest.json (train, val or eval).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]] : a), []));
const packsDir = path.resolve(args.packs ?? '/tmp/nexttoken-packs');
const outFile = path.resolve(args.out ?? path.join(here, 'data', 'crossfile.jsonl'));
const PER_PACKAGE = Number(args['per-package'] ?? 30);
const PER_FILE = 3;
const DISTRACTORS = 4;

export const PACKAGES = [
  '@msgpack/msgpack@3.1.3',
  'prosemirror-markdown@1.13.9',
  '@tanstack/react-router@1.170.46',
  '@tanstack/router-generator@1.168.0',
  '@tanstack/db@0.15.2',
  '@tanstack/pacer@0.22.0',
  '@effect/platform@0.97.2',
  '@effect/cli@0.77.2',
  '@lexical/table@0.52.0',
  '@tanstack/solid-router@1.170.36',
  '@effect/sql@0.52.1',
  '@effect/rpc@0.76.2',
];
const LICENCES = /^(MIT|APACHE-2\.0|ISC|0BSD|BSD(-[23]-CLAUSE)?)$/i;

let seed = Number(args.seed ?? 11) >>> 0;
function rnd() { seed = (seed + 0x6d2b79f5) >>> 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
function shuffled(xs) { const a = xs.slice(); for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; }

// Names so common on built-in objects that a match says nothing about the other file.
const COMMON = new Set('map filter reduce forEach find some every push pop shift slice splice concat join length get set has delete add clear keys values entries then catch finally toString valueOf call apply bind next return throw size type name value data index key id error message code push includes indexOf start end run init create update options props state children parent text node nodes pipe'.split(' '));
const KEYWORDS = new Set('if for while switch catch return function constructor new typeof await yield else do try case default import export from const let var class interface enum type extends implements super this'.split(' '));

/** Names a TypeScript file declares: top-level declarations, class/interface members, enum members. */
export function declaredNames(text) {
  const names = new Set();
  const add = (n) => n && !KEYWORDS.has(n) && names.add(n);
  for (const m of text.matchAll(/\b(?:class|interface|enum|type|function\*?|const|let|var|namespace)\s+([A-Za-z_$][\w$]*)/g)) add(m[1]);
  const mod = '(?:(?:public|private|protected|static|readonly|abstract|async|override|declare|get|set)\\s+)';
  for (const line of text.split('\n')) {
    let m = new RegExp(`^\\s*${mod}*#?([A-Za-z_$][\\w$]*)\\s*[?!]?\\s*:`).exec(line); // property with a type, object key
    if (m) add(m[1]);
    m = new RegExp(`^\\s*${mod}+#?([A-Za-z_$][\\w$]*)\\s*[?!]?\\s*[(<=;]`).exec(line); // modified member
    if (m) add(m[1]);
    m = new RegExp(`^\\s*${mod}*\\*?([A-Za-z_$][\\w$]*)\\s*(?:<[^>]*>)?\\([^)]*\\)?\\s*(?::[^;]*)?\\{\\s*$`).exec(line); // method definition
    if (m) add(m[1]);
  }
  for (const m of text.matchAll(/\benum\s+[\w$]+\s*\{([^}]*)\}/g)) for (const e of m[1].matchAll(/(?:^|,)\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z_$][\w$]*)/g)) add(e[1]);
  return names;
}

/** Relative module specifiers a file imports (and re-exports from). */
export function relativeImports(text) {
  const out = [];
  for (const m of text.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]);
  return out;
}

const GLOBALS = new Set('console Math Object JSON Array Promise Number String Symbol Reflect Date Error Map Set WeakMap BigInt Buffer process window document globalThis performance Intl URL'.split(' '));

/** Local names a file imports: name → the specifier it comes from. */
export function importedBindings(text) {
  const out = new Map();
  for (const m of text.matchAll(/\bimport\s+(?:type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g)) {
    const clause = m[1];
    const ns = /\*\s+as\s+([\w$]+)/.exec(clause);
    if (ns) out.set(ns[1], m[2]);
    const def = /^([\w$]+)\s*(?:,|$)/.exec(clause);
    if (def) out.set(def[1], m[2]);
    const named = /\{([^}]*)\}/.exec(clause);
    if (named) for (const part of named[1].split(',')) { const local = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim(); if (local) out.set(local, m[2]); }
  }
  return out;
}

/** The file a relative specifier names among `files` (path → text): x.ts, x.tsx, x/index.ts; .js written for .ts. */
export function resolveImport(fromPath, spec, files) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromPath), spec)).replace(/\.(m?js|jsx)$/, '');
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) if (files.has(c) && /\.tsx?$/.test(c)) return c;
  return undefined;
}

function packageFiles(spec) {
  fs.mkdirSync(packsDir, { recursive: true });
  const tgzName = execFileSync('npm', ['pack', '--silent', spec], { cwd: packsDir, encoding: 'utf8' }).trim().split('\n').pop();
  const dir = path.join(packsDir, tgzName.replace(/\.tgz$/, ''));
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', path.join(packsDir, tgzName), '-C', dir]);
  const root = path.join(dir, 'package');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const licence = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? '';
  if (!LICENCES.test(licence.trim())) throw new Error(`${spec}: licence ${licence} not allowed`);
  const files = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules' && e.name !== 'dist' && e.name !== 'build') walk(p); }
      else if (/\.tsx?$/.test(e.name) && !/\.d\.ts$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) files.set(path.relative(root, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return { name: pkg.name, version: pkg.version, licence, files };
}

function casesOf(pkg) {
  const out = [];
  const decls = new Map([...pkg.files].map(([p, t]) => [p, declaredNames(t)]));
  for (const [file, text] of shuffled([...pkg.files])) {
    const imported = [...new Set(relativeImports(text).map((s) => resolveImport(file, s, pkg.files)).filter((p) => p && p !== file))];
    if (!imported.length) continue;
    const own = decls.get(file);
    const foreign = new Map(); // name → the imported file that declares it
    for (const p of imported) for (const n of decls.get(p)) if (!own.has(n) && !COMMON.has(n) && n.length >= 3 && !foreign.has(n)) foreign.set(n, p);
    const bindings = importedBindings(text);
    const spots = [];
    let offset = 0;
    for (const [li, line] of text.split('\n').entries()) {
      const t = line.trim();
      if (!/^(\*|\/\/|\/\*|import\b)/.test(t)) {
        for (const m of line.matchAll(/(?<=[\w$)\]]\??\.)([A-Za-z_$][\w$]*)/g)) {
          if (!foreign.has(m[1])) continue;
          // The receiver must not be a global or come from another package; a receiver imported
          // from a file of this package must be the file that declares the name.
          const receiver = /([A-Za-z_$][\w$]*)\??\.$/.exec(line.slice(0, m.index))?.[1];
          if (receiver && GLOBALS.has(receiver)) continue;
          const source = receiver ? bindings.get(receiver) : undefined;
          if (source && !source.startsWith('.')) continue;
          if (source && !decls.get(resolveImport(file, source, pkg.files) ?? '')?.has(m[1])) continue;
          spots.push({ li, col: m.index, name: m[1], from: foreign.get(m[1]), lineStart: offset, line });
        }
      }
      offset += line.length + 1;
    }
    const others = shuffled([...pkg.files.keys()].filter((p) => p !== file && !imported.includes(p))).slice(0, DISTRACTORS);
    for (const s of shuffled(spots).slice(0, PER_FILE)) {
      const prefix = text.slice(0, s.lineStart + s.col);
      out.push({
        pkg: `${pkg.name}@${pkg.version}`,
        path: file,
        line: s.li,
        name: s.name,
        declaredIn: s.from,
        nameInPrefix: new RegExp(`\\b${s.name.replace(/\$/g, '\\$')}\\b`).test(prefix),
        prefix,
        suffix: text.slice(s.lineStart + s.line.length),
        target: s.line.slice(s.col).trimEnd(),
        files: [...imported, ...others].map((p) => ({ path: p, text: pkg.files.get(p) })),
      });
    }
    if (out.length >= PER_PACKAGE) break;
  }
  return out.slice(0, PER_PACKAGE);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifest = JSON.parse(fs.readFileSync(path.join(here, 'corpus-manifest.json'), 'utf8'));
  const trained = new Set(manifest.packages.map((p) => p.package));
  const all = [];
  for (const spec of PACKAGES) {
    const name = spec.replace(/@[^@]*$/, '');
    if (trained.has(name)) throw new Error(`${name} is in corpus-manifest.json`);
    const pkg = packageFiles(spec);
    const cases = casesOf(pkg);
    console.error(`${spec} (${pkg.licence}): ${pkg.files.size} files, ${cases.length} cases`);
    all.push(...cases);
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, all.map((c) => JSON.stringify(c)).join('\n') + '\n');
  console.error(`${all.length} cases → ${path.relative(process.cwd(), outFile)} (name already in the prefix: ${all.filter((c) => c.nameInPrefix).length})`);
}
