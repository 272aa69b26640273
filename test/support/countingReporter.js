// Mocha's spec reporter plus closing lines in the plain form CI reads: one "✗ <suite>: <test> — <reason>" per
// failed test (so the tail of a CI log names what failed), then "<suite>: N passed, N failed".
'use strict';
const Mocha = require('mocha');
// TypeScript through tsx, which every mocha config here requires before the reporter is loaded.
const { failureLine } = require('./failureLine.ts');
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const label = process.env.TEST_SUITE_LABEL || 'tests';
    const failures = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => failures.push(failureLine(label, test.fullTitle(), String((err && err.message) || err))));
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const skipped = s.pending ? `, ${s.pending} skipped` : '';
      const list = failures.length ? `\n${failures.join('\n')}` : '';
      process.stdout.write(`${list}\n${label}: ${s.passes || 0} passed, ${s.failures || 0} failed${skipped}\n`);
    });
  }
}
module.exports = CountingReporter;
