/**
 * The closing line for one failed test, the same for every suite (mocha's reporter `countingReporter.js`, the
 * host runner's `results.ts`): `✗ <suite>: <test> — <first non-empty line of the error>`. `npm test` repeats
 * these lines at the end of its log (scripts/test.sh), so a CI log's tail names what failed.
 */
export function failureLine(label: string, title: string, message: string): string {
  const reason = message.split('\n').find((l) => l.trim()) ?? '';
  return `✗ ${label}: ${title} — ${reason.trim().slice(0, 300)}`;
}
