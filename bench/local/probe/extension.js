// Bench only (bench/local/vscode.ts --spaces): installed next to the extension, or alone under --floor, it
// appends one line every 10 s to $CLAUDE_USAGE_PROBE_LOG with the extension host's RSS and its main thread's
// V8 heap (used / committed per space, array buffers), so the two hosts can be compared sample by sample.
const fs = require('node:fs');
const v8 = require('node:v8');

exports.activate = (context) => {
  const file = process.env.CLAUDE_USAGE_PROBE_LOG;
  if (!file) return;
  const mib = (n) => Math.round((n / 1048576) * 10) / 10;
  const sample = () => {
    const m = process.memoryUsage();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) {
      if (s.physical_space_size > 0) spaces[s.space_name] = [mib(s.space_used_size), mib(s.physical_space_size)];
    }
    fs.appendFileSync(file, `${JSON.stringify({ at: Date.now(), pid: process.pid, rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), arrayBuffers: mib(m.arrayBuffers), spaces })}\n`);
  };
  const timer = setInterval(sample, 10_000);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
};
