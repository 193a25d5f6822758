// The panel's HTML, as a pure function (no `vscode` import) so tests can check its CSP.
// Scripts run only by nonce; styles come from the webview's own origin (panel.css) or carry the
// nonce; nothing remote. The toolkit's FAST components style themselves through constructable
// stylesheets (adoptedStyleSheets), which style-src does not restrict; the one <style> element
// FAST creates (a probe for :focus-visible) takes its nonce from <meta property="csp-nonce">.

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin of the extension's local resources. */
  cspSource: string;
  /** A fresh nonce per render (makeNonce). */
  nonce: string;
  /** `asWebviewUri` of dist/webview/panel.js and panel.css. */
  scriptUri: string;
  styleUri: string;
  /** `asWebviewUri` of codicon.css, when the extension ships it. */
  codiconUri?: string;
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function panelHtml({ cspSource, nonce, scriptUri, styleUri, codiconUri }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64/hex characters');
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta property="csp-nonce" content="${nonce}">
  ${codiconUri ? `<link rel="stylesheet" href="${escapeAttr(codiconUri)}" nonce="${nonce}">` : ''}
  <link rel="stylesheet" href="${escapeAttr(styleUri)}" nonce="${nonce}">
  <title>NextToken</title>
</head>
<body>
  <script nonce="${nonce}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random hex characters from the platform's CSPRNG (globalThis.crypto: Node 20 and browsers). */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
