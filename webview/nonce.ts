// Evaluated before Lit loads: if Lit ever falls back to <style> elements (no adoptedStyleSheets), it tags
// them with this nonce so the page's CSP (style-src 'nonce-…') accepts them.
const script = document.currentScript as HTMLScriptElement | null;
const nonce = script?.nonce || script?.getAttribute('nonce') || undefined;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export const scriptNonce = nonce;
