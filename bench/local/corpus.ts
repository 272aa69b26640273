import * as fs from 'node:fs';
import * as path from 'node:path';

/** The transcripts (`*.jsonl`) below `d`, sub-agent folders included, sorted by path. */
export function listFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.name.endsWith('.jsonl')) out.push(p);
  }
  return out.sort();
}
