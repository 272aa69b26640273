/** Escapes text for a Markdown table cell or paragraph (messages from the API, names) in a tooltip. */
export function mdEscape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
