// What the .vsix holds and how the listing reads, checked without packaging: `vsce ls` applies
// package.json and .vscodeignore to the files on disk (run `npm run build` first for dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// Everything a user needs, nothing else: no sources, source maps, tests, training data or dev tools.
const ALLOWED = [
  /^package(\.nls)?\.json$/,
  /^(README|CHANGELOG)\.md$/,
  /^LICENSE$/,
  /^media\/icon\.(png|svg)$/,
  /^dist\/(web\/)?(extension|engine-worker)\.js$/,
  /^dist\/webview\/panel\.(js|css)$/,
  /^dist\/ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/,
  /^models\/nexttoken-small\/(config|generation_config|tokenizer|tokenizer_config)\.json$/,
  /^models\/nexttoken-small\/onnx\/(model(_fp16|_quantized|_q4)?|lens)\.onnx$/,
];

/** The files `vsce package` would put in the .vsix, as repo-relative paths (asked once). */
let listed: string[] | undefined;
function vsceLs(): string[] {
  if (listed) return listed;
  const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `vsce ls failed: ${r.stderr}`);
  listed = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return listed;
}

test('vsix-holds-only-allow-listed-files', () => {
  const files = vsceLs();
  const extra = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.deepEqual(extra, [], 'files in the .vsix that no user needs');
});

test('vsix-holds-every-file-the-manifest-points-at', () => {
  const files = new Set(vsceLs());
  const wanted = [
    'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE',
    manifest.main, manifest.browser, manifest.icon,
    ...manifest.contributes.viewsContainers.activitybar.map((c: { icon: string }) => c.icon),
    'dist/webview/panel.js', 'dist/webview/panel.css',
    'dist/engine-worker.js', 'dist/web/engine-worker.js', // the engine workers: started by path, not named in the manifest
    'models/nexttoken-small/config.json', 'models/nexttoken-small/tokenizer.json', 'models/nexttoken-small/onnx/model.onnx',
  ].map((f) => path.posix.normalize(f));
  const missing = wanted.filter((f) => !files.has(f));
  assert.deepEqual(missing, [], `not in the .vsix (run \`npm run build\` first if these are in dist/)`);
});

test('icon-png-is-rendered-from-icon-svg-by-the-script', () => {
  assert.equal(manifest.icon, 'media/icon.png');
  const png = fs.readFileSync(path.join(root, manifest.icon));
  // PNG signature, then the IHDR chunk: width and height as big-endian uint32 at bytes 16 and 20
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [256, 256]);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/make-icon.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('package-script-uses-no-escape-flags-and-links-readme-to-the-repository', () => {
  const script: string = manifest.scripts.package;
  assert.match(script, /\bvsce package\b/);
  for (const flag of ['--allow-missing-repository', '--allow-star-activation', '--allow-unused-files-pattern', '--allow-package-secrets', '--allow-package-all-secrets', '--allow-package-env-file', '--no-rewrite-relative-links', '--skip-license', '--allow-proposed-apis']) {
    assert.ok(!script.includes(flag), `npm run package uses ${flag}`);
  }
  const repository: string = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  assert.ok(repository, 'package.json names a repository');
  // README links and pictures point into that repository (vsce rewrites relative links with these)
  const home = repository.replace(/\.git$/, '');
  for (const flag of ['--baseContentUrl', '--baseImagesUrl']) {
    const url = new RegExp(`${flag}[ =](\\S+)`).exec(script)?.[1];
    if (url) assert.ok(url.startsWith(`${home}/`), `${flag} ${url} is not under ${home}`);
  }
});

test('listing-has-icon-banner-keywords-and-changelog', () => {
  assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
  assert.ok(['dark', 'light'].includes(manifest.galleryBanner?.theme));
  const keywords = (manifest.keywords as string[]).map((k) => k.toLowerCase());
  for (const k of ['code completion', 'local', 'offline', 'llm', 'onnx', 'explain', 'probability']) assert.ok(keywords.includes(k), `keyword ${k}`);
  assert.ok(keywords.length <= 30, 'the Marketplace takes at most 30 keywords');
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, /^## 0\.1\.0\b/m);
  assert.match(changelog, new RegExp(`^## (${manifest.version.replace(/\./g, '\\.')}|Unreleased)\\b`, 'm'), 'the current version has a section');
});

/** A description that reads as a sentence in the Settings UI. */
const sentence = (text: string | undefined) => !!text && text.length >= 20 && /^[A-Z`0-9]/.test(text) && /[.)]$/.test(text.trim());

test('every-command-keybinding-and-setting-is-described', () => {
  const commands: { command: string; title: string; category: string }[] = manifest.contributes.commands;
  for (const c of commands) {
    assert.equal(c.category, 'NextToken', `${c.command} is listed under NextToken in the palette`);
    assert.match(c.title, /^[A-Z][\w’'…]*( ([A-Z][\w’'…]*|a|an|the|of|to|in|on|by|for|and|or))*$/, `${c.command}: "${c.title}" is in title case`);
  }
  for (const k of manifest.contributes.keybindings) {
    assert.ok(commands.some((c) => c.command === k.command), `keybinding ${k.key} runs a contributed, titled command`);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json's JSON schema, read as is
  for (const [key, p] of Object.entries<Record<string, any>>(manifest.contributes.configuration.properties)) {
    if (p.markdownDeprecationMessage ?? p.deprecationMessage) continue; // hidden from the Settings UI; migrated at start
    assert.ok(sentence(p.markdownDescription ?? p.description), `${key}: "${p.markdownDescription ?? p.description}" reads as a sentence`);
    const enumDescriptions = p.markdownEnumDescriptions ?? p.enumDescriptions;
    if (p.enum) {
      assert.equal(enumDescriptions?.length, p.enum.length, `${key}: one description per value`);
      for (const d of enumDescriptions) assert.ok(sentence(d), `${key}: "${d}" reads as a sentence`);
    }
  }
});
