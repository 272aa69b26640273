// The JSON the in-host runner (index.ts) writes and the launchers read.
import { failureLine } from '../support/failureLine';
export interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
  stack?: string;
}

export interface HostResults {
  done: true;
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: HostTestResult[];
}

/** Prints results like mocha's spec reporter plus the closing CI line; returns the process exit code. */
export function report(r: HostResults, label = process.env.TEST_SUITE_LABEL || 'host tests'): number {
  for (const t of r.tests) {
    const mark = t.state === 'passed' ? '✔' : t.state === 'pending' ? '-' : '✘';
    console.log(`  ${mark} ${t.title}${t.state === 'passed' ? ` (${t.durationMs} ms)` : ''}`);
  }
  const failures = r.tests.filter((t) => t.state === 'failed');
  failures.forEach((t, i) => {
    console.log(`\n  ${i + 1}) ${t.title}\n     ${t.error ?? ''}`);
    if (t.stack) console.log(t.stack.split('\n').map((l) => `     ${l}`).join('\n'));
  });
  for (const t of failures) console.log(failureLine(label, t.title, t.error ?? ''));
  const skipped = r.pending ? `, ${r.pending} skipped` : '';
  console.log(`\n${label}: ${r.passed} passed, ${r.failed} failed${skipped}`);
  return r.failed > 0 || r.passed === 0 ? 1 : 0;
}
