/**
 * The dashboard page's HTML and Content-Security-Policy. Pure, so the browser tests serve exactly the page
 * the extension shows. Nothing inline runs: the one script is the bundle, allowed by a fresh nonce; styles
 * come from the extension's own folder (or carry the nonce); no remote URL is allowed anywhere.
 */

export interface DashboardHtmlOptions {
  /** `webview.cspSource`: the origin the extension's own files are served from. */
  cspSource: string;
  /** Fresh per render (`crypto.randomBytes(16).toString('base64')` on the host). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
}

export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function dashboardHtml(o: DashboardHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(o.nonce)) throw new Error('dashboard nonce must be at least 16 base64 characters');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(dashboardCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${o.nonce}">
<link rel="stylesheet" href="${attr(o.codiconUri)}" id="vscode-codicon-stylesheet" nonce="${o.nonce}">
<title>Claude Usage</title>
</head>
<body>
<div id="app" aria-busy="true"><p>Loading Claude Usage…</p></div>
<script nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
