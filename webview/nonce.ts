// Evaluated first (imported before anything else). Before Lit loads: if Lit ever falls back to <style> elements (no adoptedStyleSheets), it tags
// them with this nonce so the page's CSP (style-src 'nonce-…') accepts them.
const script = document.currentScript as HTMLScriptElement | null;
const nonce = script?.nonce || script?.getAttribute('nonce') || undefined;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export const scriptNonce = nonce;

// The codicon stylesheet (for @vscode-elements icons, which find it by this id) is added here rather than in
// the page's <head>, so its fetch never holds back the script and the first paint.
const app = document.getElementById('app');
const href = app?.dataset.codiconHref;
if (href && !document.getElementById('vscode-codicon-stylesheet')) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.id = 'vscode-codicon-stylesheet';
  link.href = href;
  if (nonce) link.nonce = nonce;
  document.head.append(link);
}
