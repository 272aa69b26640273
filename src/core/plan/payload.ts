/**
 * The JSON Claude Code writes to a status line command's stdin, read defensively: every field may be
 * missing or of the wrong type, `used_percentage` may be fractional, `resets_at` is epoch seconds (epoch
 * milliseconds and ISO strings are accepted too), unknown fields are ignored. Garbage, empty or truncated
 * input gives `undefined`, never an exception. See shared/docs/claude-code-statusline.md.
 */
import type { PlanWindowKind, StatusPayload } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim().replace(/%$/, ''));
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function str(v: unknown, max = 500): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s ? s.slice(0, max) : undefined;
}

/** 0-100; values slightly outside (rounding) are clamped, absurd ones rejected. */
export function percent(v: unknown): number | undefined {
  const n = num(v);
  if (n === undefined || n < -1 || n > 1000) return undefined;
  return Math.min(100, Math.max(0, n));
}

/**
 * A reset time as epoch ms: epoch seconds (documented), epoch ms (> 1e11), or an ISO 8601 string.
 * Anything before 2001 or after 2200 is treated as garbage.
 */
export function resetTime(v: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof v === 'string' && /[-T:]/.test(v)) {
    const t = Date.parse(v);
    ms = Number.isNaN(t) ? undefined : t;
  } else {
    const n = num(v);
    if (n !== undefined) ms = n > 1e11 ? n : n * 1000;
  }
  if (ms === undefined || ms < 978_307_200_000 || ms > 7_258_118_400_000) return undefined;
  return Math.round(ms);
}

/** `five_hour` → session, `seven_day` → week, `seven_day_<model>` → per-model week, anything else → other. */
export function windowKind(key: string): PlanWindowKind {
  if (key === 'five_hour') return 'session';
  if (key === 'seven_day') return 'week';
  if (key.startsWith('seven_day_')) return 'modelWeek';
  return 'other';
}

/** Window keys are kept only when they look like identifiers (they become JSON keys and labels). */
const KEY = /^[a-z0-9_]{1,40}$/i;

/** Parses stdin text (or an already parsed value). `undefined` for anything that is not a JSON object. */
export function parseStatusPayload(input: string | unknown): StatusPayload | undefined {
  let raw: unknown = input;
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    if (!text.trim()) return undefined;
    try {
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (!isObj(raw)) return undefined;
  const model = isObj(raw.model) ? raw.model : undefined;
  const cost = isObj(raw.cost) ? raw.cost : undefined;
  const ctx = isObj(raw.context_window) ? raw.context_window : undefined;
  const workspace = isObj(raw.workspace) ? raw.workspace : undefined;
  const p: StatusPayload = { windows: [] };
  const set = <K extends keyof StatusPayload>(k: K, v: StatusPayload[K] | undefined): void => {
    if (v !== undefined) p[k] = v;
  };
  set('sessionId', str(raw.session_id, 200));
  set('model', str(model?.display_name, 100) ?? str(model?.id, 100) ?? str(raw.model, 100));
  set('modelId', str(model?.id, 100));
  set('version', str(raw.version, 50));
  set('cwd', str(workspace?.current_dir) ?? str(raw.cwd));
  set('contextPercent', percent(ctx?.used_percentage));
  const usd = num(cost?.total_cost_usd);
  set('costUsd', usd !== undefined && usd >= 0 ? usd : undefined);
  const limits = isObj(raw.rate_limits) ? raw.rate_limits : undefined;
  if (limits) {
    for (const [key, w] of Object.entries(limits)) {
      if (!KEY.test(key) || !isObj(w)) continue;
      const used = percent(w.used_percentage ?? w.utilization);
      if (used === undefined) continue;
      const resetsAt = resetTime(w.resets_at);
      p.windows.push({ key, kind: windowKind(key), usedPercent: used, ...(resetsAt !== undefined ? { resetsAt } : {}) });
    }
  }
  return p;
}
