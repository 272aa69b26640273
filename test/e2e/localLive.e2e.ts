// Live local transcripts in the real VS Code (issue 15), no keys, a sample HOME: an append shows in the
// status bar within 5 s also right after a reload; with a line appended every second for 30 s the status bar
// moves during the run (not only once it stops); and what the extension writes to its storage per appended
// line (the transcript index's journal, and everything else in its global storage) is measured and printed.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nowDate } from '../../src/core/clock';
import { Decimal } from '../../src/core/decimal';
import { usd } from '../../src/core/model/format';
import { makeClaudeHome, type ClaudeHome } from '../fixtures/makeClaudeHome';
import { removeDir, REPO, tempDir, STATUS_BAR_SELECTOR } from '../support/vscode';
import { useWorkbench } from './harness';

const homeRoot = tempDir('local-live');
const home = join(homeRoot, 'home');
mkdirSync(home, { recursive: true });
const sample: ClaudeHome = makeClaudeHome(home, nowDate());
const transcript = join(sample.projectsDir, '-home-dev-shop', '3f1c1a52-5b7e-4c1a-9d55-0a1b2c3d4e01.jsonl');

/** One response in Claude Code's shape: Sonnet 4.6 output at $15 per million tokens. */
function response(n: number, outputTokens: number): string {
  return `${JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dev/shop',
    sessionId: '3f1c1a52-5b7e-4c1a-9d55-0a1b2c3d4e01',
    version: '2.1.140',
    gitBranch: 'main',
    message: { model: 'claude-sonnet-4-6', id: `msg_live_${n}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'live '.repeat(200) }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens, service_tier: 'standard' } },
    requestId: `req_live_${n}`,
    type: 'assistant',
    uuid: `live-${n}`,
    timestamp: nowDate().toISOString(),
  })}\n`;
}

/** Bytes written under `dir` since the last call: growth of a file, or all of a new or replaced one. */
function storageWriter(dir: string): () => { total: number; byFile: Record<string, number> } {
  let seen = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  const walk = (d: string, out: string[]) => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, out);
      else if (e.isFile()) out.push(p);
    }
    return out;
  };
  return () => {
    const now = new Map<string, { ino: number; size: number; mtimeMs: number }>();
    const byFile: Record<string, number> = {};
    let total = 0;
    for (const p of walk(dir, [])) {
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      now.set(p, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
      const prev = seen.get(p);
      const b = !prev || prev.ino !== st.ino ? st.size : st.mtimeMs !== prev.mtimeMs || st.size !== prev.size ? (st.size >= prev.size ? st.size - prev.size : st.size) : 0;
      if (b > 0) {
        const name = p.slice(dir.length + 1).replace(/local-index-[0-9a-f]+/, 'local-index-*');
        byFile[name] = (byFile[name] ?? 0) + b;
        total += b;
      }
    }
    seen = now;
    return { total, byFile };
  };
}

function findUp(dir: string, name: string): string | undefined {
  for (const e of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    if (e.name === name) return p;
    const r = findUp(p, name);
    if (r) return r;
  }
  return undefined;
}

describe('local transcripts live in VS Code (e2e)', function () {
  this.timeout(180_000);
  const wb = useWorkbench({ name: 'local-live', keys: 'none', mock: false, home: { dir: home }, settings: { 'claudeUsage.local.timezone': 'UTC' } });
  let total = Decimal.parse(sample.today.costUsd);
  let n = 0;
  after(() => {
    if (!process.env.KEEP_TMP) removeDir(homeRoot);
  });

  const text = async () => ((await wb().page.locator(STATUS_BAR_SELECTOR).innerText().catch(() => '')) ?? '').trim();
  /** Milliseconds until the status bar starts with `≈<want>`, or undefined after `timeoutMs`. */
  const seen = async (want: string, timeoutMs: number): Promise<number | undefined> => {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      if ((await text()).startsWith(`≈${want}`)) return performance.now() - t0;
      await wb().page.waitForTimeout(100);
    }
    return undefined;
  };

  it("shows today's estimate", async () => {
    await wb().page.waitForFunction((s) => /today/.test(document.querySelector(s)?.textContent ?? ''), STATUS_BAR_SELECTOR, { timeout: 90_000 });
    assert.ok((await text()).startsWith(`≈${usd(total)}`), await text());
  });

  // The times are printed (the goal is 5 s; measured 1-2 s); the assertions only tell live updates (seconds)
  // from the old behaviour (nothing until the appends stop, or until the 5-minute timer), so a loaded CI machine
  // cannot turn a speed figure into a red build.
  it('a line every second for 30 s: the status bar moves during the run, and shows the last line soon after (time printed)', async () => {
    const changes: { at: number; text: string }[] = [];
    let last = await text();
    const t0 = performance.now();
    let appending = true;
    const poll = (async () => {
      while (appending || performance.now() - t0 < 40_000) {
        const t = await text();
        if (t !== last) {
          changes.push({ at: performance.now() - t0, text: t });
          last = t;
        }
        if (!appending && t.startsWith(`≈${usd(total)}`)) break;
        await wb().page.waitForTimeout(100);
      }
    })();
    let lastAppendAt = 0;
    for (let k = 0; k < 30; k++) {
      appendFileSync(transcript, response(++n, 6_667)); // $0.100005
      lastAppendAt = performance.now() - t0;
      total = total.add(Decimal.parse('0.100005'));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const stoppedAt = performance.now() - t0;
    appending = false;
    await poll;
    const during = changes.filter((c) => c.at < stoppedAt);
    const gaps = during.map((c, i) => c.at - (i ? during[i - 1]!.at : 0));
    const final = changes.find((c) => c.text.startsWith(`≈${usd(total)}`));
    console.log(`      [e2e] 30 appends, one a second: ${during.length} status bar updates during the run (largest gap ${(Math.max(...gaps) / 1000).toFixed(1)} s); the last line showed ${final ? `${((final.at - lastAppendAt) / 1000).toFixed(1)} s after it was appended` : 'not within 10 s'}`);
    assert.ok(during.length >= 3, `updates during the run: ${during.map((c) => `${(c.at / 1000).toFixed(1)}s ${c.text.slice(0, 12)}`).join(', ')}`);
    assert.ok(final && final.at - stoppedAt <= 15_000, `final total ≈${usd(total)} shown: ${final?.at}`);
  });

  it('writes to its storage per appended line: a few hundred bytes of index, and the rest (printed)', async () => {
    const storage = findUp(wb().userDataDir, 'local-index');
    assert.ok(storage, 'the extension keeps its transcript index in its global storage (local-index/)');
    const dir = join(storage, '..');
    const written = storageWriter(dir);
    written();
    const per: { total: number; byFile: Record<string, number> }[] = [];
    for (let k = 0; k < 8; k++) {
      appendFileSync(transcript, response(++n, 6_667));
      total = total.add(Decimal.parse('0.100005'));
      assert.ok((await seen(usd(total), 15_000)) !== undefined, `line ${k} shown`);
      await wb().page.waitForTimeout(500); // the store saves its snapshot after the refresh
      per.push(written());
    }
    const index = per.map((p) => Object.entries(p.byFile).filter(([f]) => f.startsWith('local-index')).reduce((a, [, b]) => a + b, 0));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Content-addressed snapshot chunks get new names: group them, so the line says what kind of file grew.
    const kind = (f: string) => (f.startsWith('snapshot/') ? 'snapshot/*' : f.replace(/local-index-[^.]+/, 'local-index-*'));
    const grouped = per.map((p) => Object.entries(p.byFile).reduce<Record<string, number>>((a, [f, b]) => ({ ...a, [kind(f)]: (a[kind(f)] ?? 0) + b }), {}));
    const files = [...new Set(grouped.flatMap((g) => Object.keys(g)))].map((f) => `${f} ${med(grouped.map((g) => g[f] ?? 0)).toLocaleString('en-US')}`);
    const totalMed = med(per.map((p) => p.total));
    console.log(`      [e2e] storage bytes per appended line (median): total ${totalMed.toLocaleString('en-US')}; ${files.join('; ')}`);
    writeFileSync(join(REPO, 'test-results', 'e2e', 'local-bytes-per-line.json'), `${JSON.stringify({ totalMedian: totalMed, byKind: Object.fromEntries(files.map((f) => f.split(' '))) }, null, 2)}\n`);
    assert.ok(med(index) < 10_240, `index bytes per line: ${index.join(', ')}`);
  });
  // After Reload Window the new window polls at once: deactivate() awaits the old instance's lease release,
  // and the watcher plus the refresh asked for after activation are in place (src/host/local.ts).
  it('right after a reload, an appended line shows in the status bar within seconds, not at the 5-minute timer (time printed)', async () => {
    await wb().runCommand('Developer: Reload Window');
    await wb().page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await wb().page.locator(STATUS_BAR_SELECTOR).waitFor({ state: 'visible', timeout: 60_000 });
    await wb().page.waitForFunction((s) => /today/.test(document.querySelector(s)?.textContent ?? ''), STATUS_BAR_SELECTOR, { timeout: 60_000 });
    appendFileSync(transcript, response(++n, 200_000)); // $3.00
    total = total.add(Decimal.parse('3'));
    const ms = await seen(usd(total), 90_000);
    console.log(`      [e2e] after a reload: the appended line showed in ${ms === undefined ? 'more than 90 s' : `${(ms / 1000).toFixed(1)} s`}`);
    assert.ok(ms !== undefined && ms <= 15_000, `shown in ${ms} ms (goal 5 s; the old behaviour waited for the 5-minute timer): ${await text()}`);
  });
});
