#!/usr/bin/env node
// Listing end-to-end harness: what a user sees of NextToken before using it, in code-server with
// the built .vsix installed. The extension's details page (icon, README and its pictures), the
// Settings UI filtered to `nexttoken`, the Keyboard Shortcuts editor and the Command Palette, each
// saved as a screenshot in test-results/e2e/listing/.
//
//   node test/e2e/listing.e2e.mjs [--vsix FILE (default dist/nexttoken.vsix)] [--name NAME] [--port N] [--keep] [--verbose]
//
// README pictures: VS Code renders an extension's README in a webview whose policy allows images
// from https: only (CSP `img-src https: data:`, and its sanitizer drops every src that is not
// http(s), relative paths and data: URIs included). So `npm run package` has vsce rewrite the
// README's relative links to the repository (--baseImagesUrl), and offline no README picture can
// load there. This harness has no network either: it answers requests under the images base URL
// with the files of this checkout, as the repository's host would serve them at HEAD, and checks
// that the details page then shows every picture (naturalWidth > 0).
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { ROOT, Reporter, parseArgs, runCommand, waitForWorkbench } from './workbench.mjs';
import { findFiles, startDesktopWorkbench } from './code-server.mjs';

const args = parseArgs();
const harness = args.name || 'listing';
const verbose = !!args.verbose || !!process.env.E2E_VERBOSE;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The base URL that `npm run package` gives vsce for README images. */
export function imagesBaseUrl(pkg = manifest) {
  const flag = /--baseImagesUrl[ =](\S+)/.exec(pkg.scripts?.package ?? '')?.[1];
  if (flag) return flag.replace(/\/$/, '');
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const gh = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?$/.exec(repo ?? '');
  if (gh) return `https://github.com/${gh[1]}/raw/HEAD`; // vsce's own guess for GitHub repositories
  throw new Error('package.json gives vsce no base URL for README images');
}

const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };

/** The details page's README webview: its <img> elements once they have settled. */
async function readmeImages(page, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no webview with the README';
  while (Date.now() < deadline) {
    for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
      const info = await frame
        .evaluate(() => {
          if (!/^NextToken/.test(document.querySelector('h1')?.textContent ?? '')) return null; // the README's title
          const imgs = [...document.images].map((i) => ({ src: i.getAttribute('src') ?? '', html: i.outerHTML.slice(0, 120), complete: i.complete, width: i.naturalWidth }));
          return { imgs, heading: document.querySelector('h1, h2')?.textContent ?? '' };
        })
        .catch(() => null);
      if (!info) continue;
      last = JSON.stringify(info.imgs);
      if (info.imgs.length && info.imgs.every((i) => i.complete)) return info;
    }
    await sleep(500);
  }
  throw new Error(`README images did not settle: ${last}`);
}

async function main() {
  const t0 = Date.now();
  const log = (m) => verbose && console.log(`  ${m}`);
  const vsix = resolve(args.vsix || process.env.NEXTTOKEN_E2E_VSIX || join(ROOT, 'dist/nexttoken.vsix')); // what `npm run package` writes
  // Settings and Keyboard Shortcuts as editors (this VS Code opens them in a modal by default)
  const userSettings = { 'workbench.editor.useModal': 'off', 'workbench.secondarySideBar.defaultVisibility': 'hidden' };
  const workbench = await startDesktopWorkbench({ name: 'listing', vsix, userSettings, port: args.port, log });
  const { browser, page, sandbox, server } = workbench;
  console.log(`${harness}: ${workbench.installed}`);
  const installedReadme = findFiles(sandbox.dirs.extensions, /^readme\.md$/i).find((f) => f.includes(`${manifest.publisher}.${manifest.name}-`));
  const rep = new Reporter(harness, { page });

  // The repository host, answered from this checkout (see the header).
  const base = imagesBaseUrl();
  const served = [];
  await browser.context.route(`${base}/**`, async (route) => {
    const rel = normalize(decodeURIComponent(new URL(route.request().url()).pathname.slice(new URL(base).pathname.length + 1)));
    const file = join(ROOT, rel);
    if (rel.startsWith('..') || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    served.push(rel);
    return route.fulfill({ status: 200, contentType: MIME[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });

  let failed = 1;
  try {
    await page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await rep.step('workbench loads', () => waitForWorkbench(page), { critical: true });

    await rep.step('installed README points its pictures at https URLs (all VS Code loads there)', async () => {
      if (!installedReadme) throw new Error(`no README in the installed extension under ${sandbox.dirs.extensions}`);
      const srcs = [...readFileSync(installedReadme, 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
      if (!srcs.length) throw new Error('the README has no pictures');
      const bad = srcs.filter((s) => !s.startsWith(`${base}/`));
      if (bad.length) throw new Error(`not under ${base}/: ${bad.join(', ')}`);
      return `${srcs.length} pictures under ${base}/`;
    });

    await rep.step(
      'details page shows the icon and the README with every picture loaded',
      async () => {
        await runCommand(page, 'View: Show Extensions');
        const query = page.locator('.extensions-viewlet .suggest-input-container .monaco-editor').first();
        await query.waitFor({ state: 'visible', timeout: 30000 });
        await query.click();
        await page.keyboard.press('Control+A');
        await page.keyboard.type(`@installed ${manifest.displayName}`, { delay: 20 });
        const row = page.locator(`.extensions-viewlet .monaco-list-row:has(.name:text-is("${manifest.displayName}"))`).first();
        await row.waitFor({ state: 'visible', timeout: 30000 });
        const listIcon = await row.locator('img.icon').evaluate((i) => i.naturalWidth).catch(() => 0);
        await row.click();
        const editor = page.locator('.extension-editor');
        await editor.locator('.header .name').filter({ hasText: manifest.displayName }).waitFor({ timeout: 30000 });
        const headerIcon = editor.locator('.header img.icon');
        await headerIcon.evaluate((i) => i.complete || new Promise((r) => i.addEventListener('load', r, { once: true })));
        const iconWidth = await headerIcon.evaluate((i) => i.naturalWidth);
        if (!(iconWidth > 0)) throw new Error(`the header icon did not load (${await headerIcon.getAttribute('src')})`);
        const { imgs } = await readmeImages(page);
        const broken = imgs.filter((i) => !(i.width > 0));
        if (broken.length) throw new Error(`pictures not loaded: ${JSON.stringify(broken)}`);
        await sleep(500);
        return `icon ${iconWidth}px (list ${listIcon}px); ${imgs.length} README pictures loaded: ${imgs.map((i) => `${i.src.slice(base.length + 1)} ${i.width}px`).join(', ')}`;
      },
      { critical: false },
    );

    await rep.step('Command Palette lists the NextToken commands', async () => {
      await page.keyboard.press('F1');
      const widget = page.locator('.quick-input-widget');
      await widget.waitFor({ state: 'visible' });
      await widget.locator('input.input').fill('>NextToken: ');
      await sleep(1000);
      const labels = await widget.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent));
      const wanted = manifest.contributes.commands.filter((c) => !(manifest.contributes.menus?.commandPalette ?? []).some((m) => m.command === c.command && m.when === 'false'));
      const missing = wanted.filter((c) => !labels.some((l) => l?.includes(`${c.category}: ${c.title}`)));
      if (missing.length) throw new Error(`not in the palette: ${missing.map((c) => c.title).join(', ')} (rows: ${labels.join(' | ')})`);
      await page.keyboard.press('Escape');
      return `${wanted.length} commands`;
    });

    await rep.step('Settings UI filtered to nexttoken: every setting shown with a description', async () => {
      await page.setViewportSize({ width: 1440, height: 2000 });
      await runCommand(page, 'Preferences: Open Settings (UI)');
      const search = page.locator('.settings-editor .settings-header .suggest-input-container .monaco-editor').first();
      await search.waitFor({ state: 'visible', timeout: 30000 });
      await search.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`@ext:${manifest.publisher}.${manifest.name} nexttoken`, { delay: 20 });
      // machine-scoped settings are listed on the Remote tab, not the User tab shown here; deprecated
      // ones (migrated at start) are hidden from the Settings UI
      const props = Object.entries(manifest.contributes.configuration.properties);
      const keys = props.filter(([, p]) => p.scope !== 'machine' && !p.markdownDeprecationMessage && !p.deprecationMessage).map(([k]) => k);
      const items = page.locator('.settings-editor .settings-tree-container .setting-item-contents');
      const deadline = Date.now() + 20000;
      // The settings list is virtualised: rows are collected while it scrolls, by label.
      const seen = new Map();
      let rows = [];
      while (Date.now() < deadline) {
        const visible = await items.evaluateAll((els) =>
          els.map((el) => ({
            label: (el.querySelector('.setting-item-category')?.textContent ?? '') + (el.querySelector('.setting-item-label')?.textContent ?? ''),
            description: el.querySelector('.setting-item-description')?.textContent?.trim() ?? '',
          })),
        );
        for (const row of visible) if (/^Nexttoken/i.test(row.label)) seen.set(row.label, row); // rows of the unfiltered list may show first
        rows = [...seen.values()];
        if (rows.length === keys.length && rows.every((r) => /^Nexttoken/i.test(r.label))) break;
        if (visible.length) {
          await page.mouse.move(720, 1000);
          await page.mouse.wheel(0, 600);
        }
        await sleep(500);
      }
      await page.mouse.move(0, 0);
      await sleep(800);
      if (rows.length !== keys.length || !rows.every((r) => /^Nexttoken/i.test(r.label))) {
        throw new Error(`${rows.length} settings shown, ${keys.length} contributed (${keys.join(', ')}): ${rows.map((r) => r.label).join(', ')}`);
      }
      const bare = rows.filter((r) => r.description.length < 20);
      if (bare.length) throw new Error(`settings without a real description: ${bare.map((r) => r.label).join(', ')}`);
      return `${rows.length} settings: ${rows.map((r) => r.label).join(', ')}`;
    });

    await rep.step('Keyboard Shortcuts filtered to NextToken: every command has a title', async () => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await runCommand(page, 'Preferences: Open Keyboard Shortcuts');
      await page.locator('.keybindings-editor').waitFor({ state: 'visible', timeout: 30000 });
      const search = page.locator('.keybindings-editor .keybindings-header input, .keybindings-editor .keybindings-header textarea').first();
      await search.waitFor({ state: 'visible', timeout: 30000 });
      await search.click();
      await page.keyboard.type('nexttoken.', { delay: 30 });
      const rowsLocator = page.locator('.keybindings-editor .monaco-list-row');
      const commands = manifest.contributes.commands;
      const deadline = Date.now() + 20000;
      let rows = [];
      while (Date.now() < deadline) {
        rows = await rowsLocator.evaluateAll((els) =>
          els.map((el) => ({ text: el.innerText.replace(/\s+/g, ' ').trim(), title: el.querySelector('.command .command-title, .command .monaco-highlighted-label')?.textContent ?? '' })),
        );
        if (commands.every((c) => rows.some((r) => r.text.includes(` ${c.command} `)))) break; // filtered by now
        await sleep(500);
      }
      await page.mouse.move(0, 0);
      const missing = commands.filter((c) => !rows.some((r) => r.text.includes(` ${c.command} `)));
      if (missing.length) throw new Error(`not listed: ${missing.map((c) => c.command).join(', ')} (rows: ${JSON.stringify(rows)})`);
      // each row reads "<category>: <title> <command id> <keybinding> <when> <source>"
      const untitled = commands.filter((c) => !rows.some((r) => r.text.includes(`${c.category}: ${c.title} ${c.command} `)));
      if (untitled.length) throw new Error(`commands shown without their title: ${untitled.map((c) => c.command).join(', ')} (rows: ${JSON.stringify(rows)})`);
      const keyed = (manifest.contributes.keybindings ?? []).map((k) => commands.find((c) => c.command === k.command));
      return `${commands.length} commands titled; keybindings on ${keyed.map((c) => `${c?.category}: ${c?.title}`).join(', ')}`;
    });

    failed = rep.summary();
    console.log(`${harness}: served from the checkout: ${[...new Set(served)].join(', ') || 'nothing'}`);
  } finally {
    const output = server.output();
    await workbench.close({ keep: !!args.keep });
    if (failed && !verbose) console.log(`--- code-server output (tail) ---\n${output.slice(-3000)}`);
    if (args.keep) console.log(`${harness}: kept ${sandbox.dirs.base}`);
    console.log(`${harness}: finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  main().catch((e) => {
    console.log(`FAIL ${harness}: harness error — ${e.stack || e}`);
    process.exit(1);
  });
}
