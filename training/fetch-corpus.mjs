#!/usr/bin/env node
// Fetch the training corpus for the bundled NextToken model from the npm registry.
//
//   node training/fetch-corpus.mjs [--pinned]  # -> training/data/{train,val,eval}.jsonl + training/corpus-manifest.json
//   (--pinned fetches the exact versions listed in the committed corpus-manifest.json)
//
// Each package is fetched with `npm pack`, its licence is read from its own package.json
// (only MIT, Apache-2.0, BSD-*, ISC, 0BSD are kept), and readable TypeScript/JavaScript is
// extracted: no minified or bundled files, no files > 300 KB, no files with very long lines,
// no compiled .js/.d.ts when the package ships its TypeScript sources. Files are deduplicated
// by content hash (whitespace-normalised) across the whole corpus. Validation and evaluation
// are held out by package (see HOLDOUT below), never by file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(here, 'data');
const packDir = path.join(dataDir, 'packs');
fs.mkdirSync(packDir, { recursive: true });

// Training packages: TypeScript close to what users of an editor write (libraries that ship
// src/**/*.ts first), then readable JS/.d.ts of common web and Node libraries.
const TRAIN = [
  'rxjs@7', '@tanstack/query-core@5', '@tanstack/react-query@5', '@trpc/server@11', '@trpc/client@11',
  'immer@10', 'mobx@6', 'zod@3', 'effect@3', 'kysely@0', 'valibot@1',
  'vscode-jsonrpc@8', 'vscode-languageserver-protocol@3', 'vscode-languageclient@9', 'vscode-languageserver@9',
  'vscode-languageserver-types@3', 'vscode-uri@3', '@types/vscode@1', '@types/node@22', 'typescript@5',
  'preact@10', '@vue/runtime-core@3', '@vue/reactivity@3', '@vue/shared@3', '@vue/compiler-core@3', '@vue/runtime-dom@3',
  'lit@3', 'lit-html@3', 'lit-element@4', '@lit/reactive-element@2', 'hono@4', 'date-fns@4', 'lodash-es@4',
  'prosemirror-model@1', 'prosemirror-transform@1', 'prosemirror-commands@1',
  '@tanstack/router-core@1', '@tanstack/virtual-core@3', '@reduxjs/toolkit@2', 'redux@5', 'zustand@5', 'jotai@2', 'valtio@2',
  'xstate@5', 'neverthrow@8', 'fp-ts@2', 'io-ts@2', 'ts-pattern@5', 'remeda@2', 'type-fest@4',
  'vscode-json-languageservice@5', 'vscode-css-languageservice@6', 'vscode-html-languageservice@5',
  'svelte@5', 'solid-js@1', 'express@4', 'koa@2', 'commander@12', 'yargs@17', 'axios@1', 'ky@1', 'undici@6', 'ws@8',
  'fastify@5', 'pino@9', 'graphql@16', 'drizzle-orm@0', 'chokidar@4', 'eslint@9', 'prettier@3', 'esbuild@0',
  '@angular/core@19', '@angular/common@19', 'mongoose@8', 'socket.io@4', 'vite@6', 'vitest@3', 'jsonc-parser@3',
  '@codemirror/state@6', '@codemirror/view@6', '@codemirror/language@6', '@codemirror/autocomplete@6',
  'class-validator@0', 'inversify@6', 'tsyringe@4', 'reflect-metadata@0', 'ajv@8', 'yaml@2', 'semver@7', 'minimatch@10',
  'vue-router@4', 'pinia@2', '@sveltejs/kit@2', 'astro@5', 'nanostores@0', 'msw@2', 'openai@4', '@octokit/rest@21',
  '@octokit/core@6', 'execa@9', 'got@14', 'ofetch@1', 'superstruct@2', 'yup@1', '@sinclair/typebox@0', 'arktype@2',
  '@microsoft/fast-element@2', 'mitt@3', 'eventemitter3@5', 'p-queue@8', 'lru-cache@11', 'tslib@2',
  // v2: application-style TypeScript shipped as sources (editors, extension tooling, app state, CLIs)
  '@codemirror/commands@6', '@codemirror/search@6', '@codemirror/lint@6', '@codemirror/lang-javascript@6',
  '@tiptap/core@2', '@tiptap/pm@2', '@vscode/debugadapter@1', '@vscode/debugprotocol@1', 'vscode-languageserver-textdocument@1',
  '@tanstack/query-persist-client-core@5', '@tanstack/vue-query@5', '@tanstack/solid-query@5', '@tanstack/angular-table@8',
  'prosemirror-inputrules@1', 'prosemirror-keymap@1', 'prosemirror-history@1', 'prosemirror-schema-list@1',
  '@lexical/utils@0', 'lexical@0', '@trpc/react-query@11', '@vueuse/core@12', '@vueuse/shared@12',
  // v3: more application-style code (editor languages and UIs, extension tooling, CLIs, app
  // frameworks, state/forms/UI components, servers, test utilities), none a held-out package or
  // a wrapper of one (no @tanstack/*form*/*router*/*table*, prosemirror-view plugins, @effect/*, @lexical/table)
  '@codemirror/lang-html@6', '@codemirror/lang-css@6', '@codemirror/lang-json@6', '@codemirror/lang-markdown@6',
  '@codemirror/lang-python@6', '@codemirror/lang-sql@6', '@codemirror/lang-xml@6', '@codemirror/legacy-modes@6',
  '@codemirror/theme-one-dark@6', '@lezer/common@1', '@lezer/lr@1', '@lezer/highlight@1', '@lezer/markdown@1',
  '@tiptap/react@2', '@tiptap/vue-3@2', '@tiptap/starter-kit@2', '@tiptap/suggestion@2', '@tiptap/extension-mention@2',
  '@tiptap/extension-table@2', '@tiptap/extension-bubble-menu@2', '@tiptap/extension-floating-menu@2',
  '@tiptap/extension-collaboration@2', '@tiptap/extension-image@2', '@tiptap/extension-task-item@2',
  '@tiptap/extension-text-align@2', '@tiptap/extension-highlight@2', '@tiptap/extension-character-count@2',
  '@tiptap/extension-code-block-lowlight@2', 'prosemirror-tables@1', 'prosemirror-menu@1',
  '@lexical/rich-text@0', '@lexical/list@0', '@lexical/selection@0', '@lexical/history@0',
  '@vscode/l10n@0', 'vscode-oniguruma@2', 'vscode-textmate@9', '@vscode/webview-ui-toolkit@1', '@vscode/vsce@3',
  '@microsoft/vscode-azext-utils@2', 'monaco-languageclient@9', 'vscode-ws-jsonrpc@3', '@volar/language-core@2',
  '@volar/language-service@2', '@volar/language-server@2', '@volar/typescript@2', '@vue/language-core@2',
  '@oclif/core@4', 'clipanion@3', 'citty@0', 'cac@6', 'ink@5', 'listr2@8', 'consola@3',
  'swr@2', 'react-router@7', '@remix-run/router@1', 'h3@1', 'unstorage@1', 'hookable@5', 'defu@6', 'ufo@1', '@nuxt/kit@3',
  '@nestjs/common@10', '@nestjs/core@10', 'typeorm@0', '@mikro-orm/core@6', '@angular/router@19', '@angular/forms@19',
  '@ngrx/store@19', '@ngrx/effects@19', '@ngrx/signals@19', 'rxdb@16', 'dexie@4', 'yjs@13', 'y-protocols@1',
  '@trpc/next@11', '@trpc/tanstack-react-query@11', 'react-redux@9', 'mobx-react-lite@4', 'mobx-state-tree@6', 'effector@23',
  '@preact/signals-core@1', '@preact/signals@1', '@solidjs/router@0', '@sveltejs/vite-plugin-svelte@4',
  '@lit/task@1', '@lit/context@1', '@lit/localize@0', '@lit-labs/router@0', '@lit-labs/virtualizer@2', '@microsoft/fast-foundation@2',
  '@floating-ui/dom@1', '@floating-ui/core@1', '@floating-ui/react@0', '@headlessui/vue@1', '@headlessui/react@2',
  '@radix-ui/react-dialog@1', '@radix-ui/react-dropdown-menu@2', '@radix-ui/react-popover@1', '@zag-js/core@1',
  '@mantine/hooks@7', '@mantine/core@7', 'react-hook-form@7', 'formik@2', 'final-form@4', 'vee-validate@4',
  '@hono/node-server@1', '@koa/router@13', 'joi@17', '@hapi/hapi@21', 'itty-router@5', 'elysia@1',
  '@testing-library/dom@10', '@testing-library/react@16', '@testing-library/user-event@14', '@vitest/expect@3',
  '@vitest/runner@3', 'supertest@7', 'sinon@19', 'chai@5', 'fast-check@3',
  'monaco-editor@0', '@milkdown/core@7', '@milkdown/ctx@7', '@milkdown/utils@7', '@milkdown/transformer@7',
  '@milkdown/preset-commonmark@7', '@material/web@2', '@supabase/supabase-js@2', '@supabase/auth-js@2',
  '@supabase/postgrest-js@1', '@supabase/realtime-js@2', '@supabase/storage-js@2', '@mswjs/interceptors@0',
  '@grpc/grpc-js@1', 'mongodb@6', 'puppeteer-core@23', 'discord.js@14', 'knex@3', 'pg@8', 'sequelize@6',
  'graphql-yoga@5', 'i18next@23', 'unified@11', 'micromark@4', 'mdast-util-from-markdown@2', 'vfile@6',
  '@tanstack/react-virtual@3', '@tanstack/svelte-query@5',
];
// Application code (editors, extensions, app state) counts twice in the token stream: the code
// users write looks more like it than like library internals.
const APP = new Set(['@codemirror/commands', '@codemirror/search', '@codemirror/lint', '@codemirror/lang-javascript',
  '@codemirror/view', '@codemirror/autocomplete', '@codemirror/language', '@tiptap/core', '@vscode/debugadapter',
  'vscode-languageclient', 'vscode-languageserver', '@tanstack/query-core', '@tanstack/router-core', '@tanstack/vue-query',
  '@tanstack/solid-query', 'prosemirror-commands', 'prosemirror-inputrules', 'prosemirror-keymap', 'prosemirror-history',
  'prosemirror-schema-list', 'lexical', '@lexical/utils', '@trpc/react-query', '@vueuse/core', 'vscode-json-languageservice',
  'vscode-css-languageservice', 'vscode-html-languageservice', 'pinia', 'vue-router', 'zustand', 'xstate', '@sveltejs/kit',
  // v3
  '@codemirror/lang-html', '@codemirror/lang-css', '@codemirror/lang-json', '@codemirror/lang-markdown',
  '@codemirror/lang-python', '@codemirror/lang-sql', '@codemirror/lang-xml', '@tiptap/react', '@tiptap/vue-3',
  '@tiptap/starter-kit', '@tiptap/suggestion', '@tiptap/extension-mention', '@tiptap/extension-table',
  '@tiptap/extension-bubble-menu', '@tiptap/extension-floating-menu', '@tiptap/extension-collaboration',
  '@tiptap/extension-image', '@tiptap/extension-task-item', '@tiptap/extension-text-align', '@tiptap/extension-highlight',
  '@tiptap/extension-character-count', '@tiptap/extension-code-block-lowlight', 'prosemirror-tables', 'prosemirror-menu',
  '@vscode/l10n', '@vscode/webview-ui-toolkit', '@vscode/vsce', '@microsoft/vscode-azext-utils', 'monaco-languageclient',
  '@volar/language-service', '@volar/language-server', '@oclif/core', 'clipanion', 'citty', 'ink', 'listr2',
  'swr', 'react-router', '@angular/router', '@angular/forms', '@ngrx/store', '@ngrx/effects', '@ngrx/signals',
  '@trpc/next', '@trpc/tanstack-react-query', 'react-redux', 'mobx-react-lite', '@solidjs/router', '@lit/task',
  '@lit/context', '@lit-labs/router', '@headlessui/vue', '@headlessui/react', '@mantine/hooks', 'react-hook-form',
  'formik', 'vee-validate', '@testing-library/react', '@testing-library/user-event', '@milkdown/core',
  '@milkdown/preset-commonmark', '@material/web', '@supabase/supabase-js', '@supabase/auth-js', '@tanstack/svelte-query']);
// Held out by package: editor / editor-extension and web-app TypeScript shipped as sources.
const HOLDOUT = {
  val: ['prosemirror-state@1', '@tanstack/table-core@8'],
  eval: ['prosemirror-view@1', '@tanstack/form-core@0', '@vscode/extension-telemetry@0', '@tanstack/store@0',
    // v2 eval: more application-style TypeScript sources (editor UI, extension tooling, app state)
    '@codemirror/merge@6', '@codemirror/collab@6', 'prosemirror-dropcursor@1', 'prosemirror-gapcursor@1',
    '@tiptap/extension-link@2', '@tiptap/extension-placeholder@2', '@vscode/test-electron@2', 'vscode-tas-client@0',
    '@tanstack/query-devtools@5', '@tanstack/history@1'],
};
// v2 continues from v1's weights and tokenizer, so no eval package may be one v1 trained on
// (corpus-manifest.json of v1 lists them); every package above is new to both.

const ALLOWED = new Set(['MIT', 'APACHE-2.0', 'ISC', '0BSD', 'BSD-2-CLAUSE', 'BSD-3-CLAUSE', 'BSD']);
function licenceOk(lic) {
  if (!lic) return false;
  if (typeof lic === 'object') lic = lic.type;
  if (Array.isArray(lic)) lic = lic.map((l) => l.type ?? l).join(' OR ');
  const s = String(lic).replace(/[()]/g, ' ').trim();
  if (/ AND /i.test(s)) return s.split(/ AND /i).every((p) => licenceOk(p));
  return s.split(/ OR /i).some((p) => ALLOWED.has(p.trim().toUpperCase()));
}

const EXT = /\.(d\.ts|d\.mts|d\.cts|ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;
const MAX_BYTES = 300_000;
const MAX_DTS_BYTES = 1_000_000; // big hand-written API declarations (@types/vscode) are kept
const BUILD_DIRS = new Set(['src', 'source', 'dist', 'lib', 'esm', 'cjs', 'es', 'es5', 'es2015', 'es2020', 'esnext', 'module', 'modules',
  'build', 'umd', 'node', 'browser', 'mjs', 'out', 'types', 'typings', 'development', 'production', 'fesm2022', 'esm2022']);

function pack(spec) {
  const dir = path.join(packDir, spec.replace(/[@/]/g, '_'));
  if (fs.existsSync(path.join(dir, 'package', 'package.json'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const info = JSON.parse(out)[0];
  execFileSync('tar', ['xzf', path.join(dir, info.filename), '-C', dir]);
  fs.rmSync(path.join(dir, info.filename));
  // Some tarballs unpack to a folder other than package/
  if (!fs.existsSync(path.join(dir, 'package'))) {
    const sub = fs.readdirSync(dir).find((d) => fs.existsSync(path.join(dir, d, 'package.json')));
    if (sub) fs.renameSync(path.join(dir, sub), path.join(dir, 'package'));
  }
  return dir;
}

function walk(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      out.push(...walk(dir, r));
    } else if (e.isFile()) out.push(r);
  }
  return out;
}

function readable(text, file) {
  if (/\.min\.|[.-]bundle\.|\.umd\.|\.prod\./.test(file)) return false;
  if (/(^|\/)(locales?|i18n|l10n|__snapshots__|fixtures?)\//.test(file)) return false; // generated data tables
  if (text.length > (/\.d\.[mc]?ts$/.test(file) ? MAX_DTS_BYTES : MAX_BYTES) || text.length < 64) return false;
  const lines = text.split('\n');
  let long = 0;
  for (const l of lines) if (l.length > 400) long++;
  if (long > 2 || lines.some((l) => l.length > 2000)) return false;
  if (text.length / lines.length > 90) return false;
  if (/^\s*\/\/[#@] sourceMappingURL=data:/m.test(text)) return false; // inline sourcemap => generated
  if (/@generated|auto-generated|autogenerated|do not edit|do not modify|code is generated|generated by/i.test(text.slice(0, 600))) return false;
  if (/^\s*(\/\*[\s\S]{0,2000}?\*\/\s*)?"use strict";\s*\n?\s*var __/.test(text.slice(0, 3000)) && /__webpack_require__|__esModule/.test(text)) return false;
  return true;
}

// Compiled output (tsc's CommonJS/ES5 emit, bundler glue) taught v1 to write `(0, x_1.y)(...)`.
// Each marker is counted (filterStats) so the model card can say what each filter removed.
const EMIT_MARKERS = [
  ['esModule-define', /Object\.defineProperty\(exports,\s*["']__esModule["']/],
  ['commonjs-call (0, x_1.y)', /\(0,\s*[\w$]+_\d+\.[\w$]+\)/],
  ['__importDefault/__importStar', /\b__import(Default|Star)\b/],
  ['__awaiter/__generator', /\b__(awaiter|generator)\b/],
  ['__createBinding/__exportStar', /\b__(createBinding|exportStar|setModuleDefault)\b/],
  ['__decorate/__metadata', /\b__(decorate|metadata|param)\(/],
  ['sourceMappingURL', /^\s*\/\/[#@] sourceMappingURL=/m],
  ['"use strict" + exports.', /^\s*(\/\*[\s\S]{0,2000}?\*\/\s*)?["']use strict["'];[\s\S]{0,400}\bexports\.[\w$]+\s*=/],
];
const filterStats = {};
function emitMarker(text, file) {
  // TypeScript sources never carry emit; declaration files (.d.ts) are typed API surfaces that
  // user code is written against, kept even when a declaration map points at their source
  if (/\.(ts|tsx|mts|cts)$/.test(file)) return null;
  for (const [name, re] of EMIT_MARKERS) if (re.test(text)) return name;
  return null;
}
function countFiltered(name, bytes) { const s = (filterStats[name] ??= { files: 0, bytes: 0 }); s.files++; s.bytes += bytes; }

// Near-duplicate files (vendored copies, the same module in two builds under other names):
// MinHash over 4-line shingles of whitespace-normalised lines, LSH with 16 bands of 2 rows;
// a file whose estimated Jaccard with a kept file is >= 0.8 is dropped.
const NH = 32, BANDS = 16, ROWS = 2;
const lsh = Array.from({ length: BANDS }, () => new Map());
function fnv(str, seed) { let h = (0x811c9dc5 ^ seed) >>> 0; for (let i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; } return h; }
function minhash(text) {
  const lines = text.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.length > 2);
  const sig = new Array(NH).fill(0xffffffff);
  for (let i = 0; i + 4 <= Math.max(lines.length, 4); i++) {
    const sh = lines.slice(i, i + 4).join('\n');
    for (let k = 0; k < NH; k++) { const h = fnv(sh, k * 0x9e3779b1); if (h < sig[k]) sig[k] = h; }
  }
  return sig;
}
const kept = [];
function nearDuplicate(text) {
  const sig = minhash(text);
  const cands = new Set();
  for (let b = 0; b < BANDS; b++) { const key = sig.slice(b * ROWS, b * ROWS + ROWS).join(','); for (const j of lsh[b].get(key) ?? []) cands.add(j); }
  for (const j of cands) { let same = 0; for (let k = 0; k < NH; k++) if (kept[j][k] === sig[k]) same++; if (same / NH >= 0.8) return true; }
  const idx = kept.push(sig) - 1;
  for (let b = 0; b < BANDS; b++) { const key = sig.slice(b * ROWS, b * ROWS + ROWS).join(','); const l = lsh[b].get(key); if (l) l.push(idx); else lsh[b].set(key, [idx]); }
  return false;
}

function normKey(file) {
  const parts = file.replace(EXT, (m) => (m.startsWith('.d.') ? '.d.ts' : '.js')).split('/');
  return parts.filter((p) => !BUILD_DIRS.has(p)).join('/');
}

const seen = new Set();
const manifest = [];
const splits = { train: [], val: [], eval: [] };
// eval packages first, so their files win the duplicate checks and never reach training
let jobs = [...HOLDOUT.eval.map((s) => ['eval', s]), ...HOLDOUT.val.map((s) => ['val', s]), ...TRAIN.map((s) => ['train', s])];
// --pinned: fetch exactly the versions recorded in the committed manifest (reproducible retrain)
if (process.argv.includes('--pinned')) {
  const prev = JSON.parse(fs.readFileSync(path.join(here, 'corpus-manifest.json'), 'utf8'));
  jobs = prev.packages.map((p) => [p.split, `${p.package}@${p.version}`]);
}
for (const [split, spec] of jobs) {
  let dir;
  try { dir = pack(spec); } catch (e) { console.error(`skip ${spec}: npm pack failed`); continue; }
  const root = path.join(dir, 'package');
  let pj;
  try { pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')); } catch { console.error(`skip ${spec}: no package.json`); continue; }
  const lic = typeof pj.license === 'object' ? pj.license?.type : (pj.license ?? (pj.licenses ? pj.licenses.map((l) => l.type ?? l).join(' OR ') : undefined));
  if (!licenceOk(lic)) { console.error(`skip ${spec}: licence ${JSON.stringify(lic)}`); continue; }
  let files = walk(root).filter((f) => EXT.test(f));
  // When the package ships TypeScript sources, the compiled .js of the same module is skipped
  // (same normalised key; sources are ranked first); other readable JS is kept. Declaration
  // files (.d.ts) are kept once per module (one build's copy), beside the sources: they are the
  // typed API surface that user code is written against.
  // typescript@5: only the lib .d.ts files (the compiler itself is a bundle)
  if (pj.name === 'typescript') files = files.filter((f) => /^lib\/lib\..*\.d\.ts$/.test(f));
  // Prefer sources > esm > others when several builds of the same module exist.
  const rank = (f) => (/\.(ts|tsx|mts)$/.test(f) && !/\.d\./.test(f) ? 0 : /(^|\/)(src|source)\//.test(f) ? 1 : /\.mjs$|(^|\/)(esm|es|module|mjs)\//.test(f) ? 2 : /\.d\./.test(f) ? 4 : 3);
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const keys = new Set();
  let count = 0, bytes = 0;
  for (const f of files) {
    const k = normKey(f);
    if (keys.has(k)) continue;
    const full = path.join(root, f);
    if (fs.statSync(full).size > MAX_DTS_BYTES) continue;
    let text = fs.readFileSync(full, 'utf8');
    if (!readable(text, f)) continue;
    const marker = emitMarker(text, f);
    if (marker) { countFiltered(`emit: ${marker}`, text.length); continue; }
    text = text.replace(/^\/\/[#@] sourceMappingURL=.*$/gm, '').replace(/\s+$/, '') + '\n';
    const h = createHash('sha1').update(text.replace(/\s+/g, ' ')).digest('hex');
    if (seen.has(h)) { countFiltered("exact duplicate", text.length); continue; }
    if (split === 'train' && nearDuplicate(text)) { countFiltered("near duplicate (MinHash J>=0.8)", text.length); continue; }
    seen.add(h); keys.add(k);
    splits[split].push(JSON.stringify({ pkg: pj.name, path: f, text, weight: split === 'train' && APP.has(pj.name) ? 2 : 1 }));
    count++; bytes += Buffer.byteLength(text);
  }
  manifest.push({ package: pj.name, version: pj.version, license: lic, split, files: count, bytes });
  console.error(`${split.padEnd(5)} ${pj.name}@${pj.version} ${lic} files=${count} bytes=${bytes}`);
}
for (const [k, v] of Object.entries(splits)) fs.writeFileSync(path.join(dataDir, `${k}.jsonl`), v.join('\n') + '\n');
const totals = Object.fromEntries(Object.keys(splits).map((k) => [k, manifest.filter((m) => m.split === k).reduce((a, m) => ({ packages: a.packages + 1, files: a.files + m.files, bytes: a.bytes + m.bytes }), { packages: 0, files: 0, bytes: 0 })]));
fs.writeFileSync(path.join(here, 'corpus-manifest.json'), JSON.stringify({ generatedBy: 'training/fetch-corpus.mjs', allowedLicences: [...ALLOWED], totals, filtered: filterStats, packages: manifest }, null, 2) + '\n');
console.error(JSON.stringify(totals));
console.error(JSON.stringify(filterStats, null, 1));
