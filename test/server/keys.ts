/**
 * Fake, deterministic keys for the local Anthropic server. They are built at runtime from parts so that
 * no key-shaped literal sits in the repository (secret scanners stay quiet, and a leak test can grep
 * output for the exact strings). They only ever unlock the mock server.
 */
export interface SampleKeys {
  /** A standard key (`sk-ant-api03-...`): POST /v1/messages only. */
  standard: string;
  /** An Admin key (`sk-ant-admin01-...`): the /v1/organizations/* endpoints only. */
  admin: string;
}

function body(tag: string, length: number): string {
  // A deterministic base64url-looking body, long like a real key.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let x = 0x9e3779b9;
  for (const c of tag) x = Math.imul(x ^ c.charCodeAt(0), 0x85ebca6b) >>> 0;
  let out = `MOCK${tag}`;
  while (out.length < length) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out += alphabet[x & 63];
  }
  return `${out}AA`;
}

export function sampleKeys(): SampleKeys {
  return {
    standard: ['sk', 'ant', 'api03', body('Standard', 93)].join('-'),
    admin: ['sk', 'ant', 'admin01', body('Admin', 93)].join('-'),
  };
}

/** The hint the Admin API shows for a key: prefix, three characters, ..., the last four. */
export function partialKeyHint(key: string): string {
  const dash = key.lastIndexOf('-', 16);
  const prefix = key.slice(0, dash + 1);
  return `${prefix}${key.slice(dash + 1, dash + 4)}...${key.slice(-4)}`;
}
