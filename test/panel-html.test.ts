import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNonce, panelHtml } from '../src/extension/panel-html.js';

const CSP_SOURCE = 'https://*.vscode-cdn.net';
const render = (nonce = makeNonce()) =>
  panelHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.css',
  });

/** The policy of the CSP meta tag, as directive → sources. */
function csp(html: string): Map<string, string[]> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the page has a CSP meta tag');
  const policy = match[1].replace(/&#39;|&apos;/g, "'");
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

test('panel-csp-denies-everything-by-default', () => {
  assert.deepEqual(csp(render()).get('default-src'), ["'none'"]);
});

test('panel-csp-runs-scripts-only-by-nonce', () => {
  const nonce = makeNonce();
  const html = render(nonce);
  assert.deepEqual(csp(html).get('script-src'), [`'nonce-${nonce}'`]);
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, new RegExp(`nonce="${nonce}"`), `${tag} carries the nonce`);
  assert.ok(!/<script\b[^>]*>[^<\s]/.test(html), 'no inline script bodies');
  for (const [name, sources] of csp(html)) {
    assert.ok(!sources.includes("'unsafe-inline'") && !sources.includes("'unsafe-eval'"), `${name} allows no inline code or eval`);
  }
});

test('panel-csp-names-no-remote-origin-but-the-webview-source', () => {
  const html = render();
  for (const [name, sources] of csp(html)) {
    for (const source of sources) {
      if (/^https?:/i.test(source) || source === '*' || source === 'https:' || source === 'http:') assert.equal(source, CSP_SOURCE, `${name} allows only the webview's own origin`);
    }
  }
  assert.deepEqual(csp(html).get('style-src')?.[0], CSP_SOURCE);
  assert.deepEqual(csp(html).get('img-src'), [CSP_SOURCE, 'data:']);
});

test('panel-nonce-is-fresh-per-call', () => {
  const nonces = new Set(Array.from({ length: 50 }, makeNonce));
  assert.equal(nonces.size, 50);
  for (const n of nonces) assert.match(n, /^[0-9a-f]{32}$/);
  assert.notEqual(csp(render()).get('script-src')?.[0], csp(render()).get('script-src')?.[0]);
});

test('panel-html-refuses-a-weak-nonce', () => {
  assert.throws(() => render('abc'));
  assert.throws(() => render('"><script>alert(1)</script>'));
});

test('panel-html-loads-only-the-given-assets', () => {
  const html = render();
  const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(urls.sort(), ['https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.css', 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js']);
  assert.ok(!/\sstyle="/.test(html), 'no inline style attributes');
});
