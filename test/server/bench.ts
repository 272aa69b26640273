/**
 * Speed of the local Anthropic server (prints numbers; asserts nothing):
 *   npx tsx test/server/bench.ts        (or: npm run bench:mock-api)
 * - generating the 120-day organization (target < 1 s)
 * - answering report pages over loopback HTTP, cold (first touch builds the per-day/per-hour aggregates)
 *   and warm (target: a 31-day 1d page in milliseconds)
 */
import { generateOrg } from './org';
import { sampleKeys } from './keys';
import { startMockServer } from './server';

const NOW = Date.parse('2026-11-26T15:37:00Z');

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const keys = sampleKeys();
  const gen: number[] = [];
  let rows = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const org = generateOrg({ seed: 42 + i, now: NOW, keys });
    gen.push(performance.now() - t0);
    rows = org.rows.length;
  }
  gen.sort((a, b) => a - b);
  console.log(`generate 120 days: median ${gen[2]?.toFixed(1)} ms, max ${gen[4]?.toFixed(1)} ms (${rows} usage rows)`);

  const server = await startMockServer({ seed: 42, now: () => new Date(NOW) });
  const headers = { 'anthropic-version': '2023-06-01', 'x-api-key': server.keys.admin };
  const time = async (label: string, path: string) => {
    for (const pass of ['cold', 'warm', 'warm']) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}${path}`, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${text.slice(0, 200)}`);
      console.log(`${label.padEnd(44)} ${pass}: ${ms(t0).padStart(10)}  (${(text.length / 1024).toFixed(0)} KiB)`);
    }
  };
  try {
    await time('usage 1d x31, ungrouped', '/v1/organizations/usage_report/messages?starting_at=2026-10-27T00:00:00Z&limit=31');
    await time('usage 1d x31, group_by model+workspace', '/v1/organizations/usage_report/messages?starting_at=2026-09-27T00:00:00Z&limit=31&group_by[]=model&group_by[]=workspace_id');
    await time('usage 1h x168, group_by model', '/v1/organizations/usage_report/messages?starting_at=2026-11-10T00:00:00Z&bucket_width=1h&limit=168&group_by[]=model');
    await time('usage 1m x1440, group_by model', '/v1/organizations/usage_report/messages?starting_at=2026-11-25T00:00:00Z&bucket_width=1m&limit=1440&group_by[]=model');
    await time('cost 1d x31, group_by description', '/v1/organizations/cost_report?starting_at=2026-08-27T00:00:00Z&limit=31&group_by[]=description');
    await time('claude_code one day, limit 1000', '/v1/organizations/usage_report/claude_code?starting_at=2026-11-24&limit=1000');
    let t0 = performance.now();
    server.ledger.expectedCosts('2026-07-30');
    console.log(`ledger expectedCosts 120 days: ${ms(t0)}`);
    t0 = performance.now();
    server.ledger.expectedClaudeCode('2026-07-30');
    console.log(`ledger expectedClaudeCode 120 days: ${ms(t0)}`);
  } finally {
    await server.close();
  }
}

void main();
