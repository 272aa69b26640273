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
  /** The bundle: inline text (what the panel does: no resource fetch before the first paint) or a URI. */
  script: { text: string } | { uri: string };
  /** The page's stylesheet, inline or by URI. */
  style: { text: string } | { uri: string };
  /** The codicon stylesheet: the page adds it itself after the script starts (it never blocks the first paint). */
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

/** Text that must not close the element it is inlined into: `</script` / `</style` become `<\/…` (the same
 *  string in JavaScript and CSS). */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

export function dashboardHtml(o: DashboardHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(o.nonce)) throw new Error('dashboard nonce must be at least 16 base64 characters');
  const style = 'text' in o.style ? `<style nonce="${o.nonce}">${inlineSafe(o.style.text, 'style')}</style>` : `<link rel="stylesheet" href="${attr(o.style.uri)}" nonce="${o.nonce}">`;
  const script = 'text' in o.script ? `<script nonce="${o.nonce}">${inlineSafe(o.script.text, 'script')}</script>` : `<script nonce="${o.nonce}" src="${attr(o.script.uri)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(dashboardCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${style}
<title>Claude Usage</title>
</head>
<body>
<div id="app" aria-busy="true" data-codicon-href="${attr(o.codiconUri)}"><p>Loading Claude Usage…</p></div>
${script}
</body>
</html>
`;
}
