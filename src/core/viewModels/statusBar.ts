/**
 * The status bar item as data: text, background, accessibility label and the tooltip's Markdown.
 * Pure: the host turns this into a StatusBarItem + MarkdownString.
 */
import type { RateLimitFamily, RateLimitSnapshot } from '../anthropic/types';
import type { ApiErrorInit } from '../anthropic/errors';
import type { KeySource, SourceState, StoreSnapshot } from '../store/snapshot';
import { costOfDay, dayInZone, localCostOfDay, monthToDate } from './costs';
import { age, compact, duration, grouped, mdEscape, percent, relative, usd, utcToday } from './format';
import { Decimal } from '../decimal';

export interface StatusBarSettings {
  /** Template with `{headroom}`, `{todayCost}`, `{window}`; empty parts and their separators vanish. */
  format: string;
  /** Remaining share (percent) below which the background turns warning / error. */
  warningPercent: number;
  errorPercent: number;
  /** When local transcripts appear: `auto` only without keys, `always`, or `never`. */
  localMode: 'auto' | 'always' | 'never';
  /** Time zone of local days (`''` = system). */
  localTimezone?: string;
}

export const DEFAULT_STATUS_FORMAT = '{headroom} · {todayCost} · {window}';

export const DEFAULT_STATUS_SETTINGS: StatusBarSettings = {
  format: DEFAULT_STATUS_FORMAT,
  warningPercent: 25,
  errorPercent: 5,
  localMode: 'auto',
};

/** Commands the tooltip links to (and so the only ones its MarkdownString trusts). */
export const TOOLTIP_COMMANDS = ['claudeUsage.refresh', 'claudeUsage.showUsage', 'claudeUsage.setApiKey', 'claudeUsage.setAdminKey'] as const;

export interface StatusBarModel {
  text: string;
  background?: 'warning' | 'error';
  accessibilityLabel: string;
  tooltip: string;
  command: 'claudeUsage.showUsage' | 'claudeUsage.setApiKey';
}

export interface FamilyRow {
  key: string;
  label: string;
  short: string;
  limit?: number;
  remaining?: number;
  /** Remaining share 0..1, when both numbers are known. */
  share?: number;
  reset?: string;
}

const FAMILIES: { key: keyof RateLimitSnapshot; label: string; short: string }[] = [
  { key: 'requests', label: 'Requests per minute', short: 'RPM' },
  { key: 'inputTokens', label: 'Input tokens per minute', short: 'ITPM' },
  { key: 'outputTokens', label: 'Output tokens per minute', short: 'OTPM' },
  { key: 'tokens', label: 'Tokens per minute (combined)', short: 'TPM' },
  { key: 'priorityInput', label: 'Priority input tokens', short: 'P-ITPM' },
  { key: 'priorityOutput', label: 'Priority output tokens', short: 'P-OTPM' },
  { key: 'fastInput', label: 'Fast-mode input tokens', short: 'F-ITPM' },
  { key: 'fastOutput', label: 'Fast-mode output tokens', short: 'F-OTPM' },
];

/** Every limit family present in a probe's headers, in a fixed order. */
export function familyRows(snap: RateLimitSnapshot | undefined): FamilyRow[] {
  if (!snap) return [];
  const rows: FamilyRow[] = [];
  for (const f of FAMILIES) {
    const fam = snap[f.key] as RateLimitFamily | undefined;
    if (!fam || (fam.limit === undefined && fam.remaining === undefined)) continue;
    const share = fam.limit && fam.remaining !== undefined ? Math.max(0, fam.remaining) / fam.limit : undefined;
    rows.push({ key: f.key, label: f.label, short: f.short, limit: fam.limit, remaining: fam.remaining, share, reset: fam.reset });
  }
  return rows;
}

/** The two tightest families, shown in canonical order: `RPM 812/1k · OTPM 91k/400k`. */
export function headroomText(snap: RateLimitSnapshot | undefined): string {
  const rows = familyRows(snap).filter((r) => r.share !== undefined);
  if (rows.length > 0) {
    const tight = [...rows].sort((a, b) => a.share! - b.share!).slice(0, 2);
    return rows
      .filter((r) => tight.includes(r))
      .map((r) => `${r.short} ${compact(r.remaining!)}/${compact(r.limit!)}`)
      .join(' · ');
  }
  const u = snap?.unified;
  if (u && u.fiveHourUtilization !== undefined) {
    const parts = [`5h ${Math.round(u.fiveHourUtilization * 100)}%`];
    if (u.sevenDayUtilization !== undefined) parts.push(`7d ${Math.round(u.sevenDayUtilization * 100)}%`);
    return parts.join(' · ');
  }
  return '';
}

/** Lowest remaining share over every family (unified utilisation counts as 1 - utilisation). */
export function minShare(snap: RateLimitSnapshot | undefined): number | undefined {
  const shares = familyRows(snap)
    .map((r) => r.share)
    .filter((s): s is number => s !== undefined);
  const u = snap?.unified;
  for (const x of [u?.fiveHourUtilization, u?.sevenDayUtilization]) if (x !== undefined) shares.push(Math.max(0, 1 - x));
  return shares.length ? Math.min(...shares) : undefined;
}

const BLOCKING: ApiErrorInit['kind'][] = ['rateLimited', 'spendCap', 'orgSpendLimit'];

function sourceLabel(s: KeySource): string {
  return s === 'secretStorage' ? 'SecretStorage' : s === 'environment' ? 'environment variable' : 'not set';
}

function fillTemplate(format: string, parts: Record<string, string>): string {
  const filled = format.replace(/\{(\w+)\}/g, (_m, name: string) => parts[name] ?? '');
  return filled
    .split(' · ')
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join(' · ');
}

export function buildStatusBar(snap: StoreSnapshot, settings: StatusBarSettings, nowMs: number): StatusBarModel {
  const rl = snap.rateLimits;
  const probe = rl.data?.current;
  const hasApi = snap.keys.api !== 'none';
  const hasAdmin = snap.keys.admin !== 'none';
  const today = utcToday(nowMs);
  const local = snap.local.data;
  const showLocal =
    settings.localMode === 'always' || (settings.localMode === 'auto' && !hasApi && !hasAdmin);

  const parts: Record<string, string> = { headroom: '', todayCost: '', window: '' };
  const head = hasApi ? headroomText(probe) : '';
  if (head) parts.headroom = `$(pulse) ${head}`;
  if (hasAdmin && snap.costs.data) parts.todayCost = `${usd(costOfDay(snap.costs.data.rows, today))} today`;
  let localToday: ReturnType<typeof localCostOfDay> | undefined;
  if (showLocal && local && settings.localMode !== 'never') {
    const day = dayInZone(nowMs, settings.localTimezone || local.timezone);
    localToday = localCostOfDay(local, day);
    if (!parts.todayCost && (localToday.tokens > 0 || local.days.length > 0)) {
      parts.todayCost = `≈${usd(localToday.total)}${localToday.unpriced ? '+' : ''} today`;
    }
    const w = local.currentWindow;
    if (w?.active) {
      parts.window = `5h ${usd(w.costUsd)} · ${duration(Date.parse(w.end) - nowMs)} left · ${usd(w.burnUsdPerHour)}/h`;
    }
  }

  let text = fillTemplate(settings.format || DEFAULT_STATUS_FORMAT, parts);
  const anyData = text.length > 0;
  // Every state carries an icon, so the item is recognisable without its headroom part.
  if (anyData && !text.startsWith('$(')) text = `$(graph) ${text}`;
  const errors = (['rateLimits', 'costs', 'local'] as const)
    .map((s) => snap[s] as SourceState<unknown>)
    .filter((s) => s.error);
  const loading = rl.loading || snap.costs.loading || snap.local.loading;
  let command: StatusBarModel['command'] = 'claudeUsage.showUsage';
  if (!anyData) {
    if (!hasApi && !hasAdmin && !(showLocal && local)) {
      text = loading ? '$(sync~spin) Claude' : '$(key) Set Claude API key';
      if (!loading && !snap.local.loading) command = 'claudeUsage.setApiKey';
    } else {
      text = loading ? '$(sync~spin) Claude' : errors.length ? '$(warning) Claude' : '$(pulse) Claude';
    }
  } else if (errors.some((e) => e.stale)) {
    text = `$(warning) ${text}`;
  }

  // Background: error when blocked or under the error threshold, warning under the warning threshold.
  let background: StatusBarModel['background'];
  const share = hasApi ? minShare(probe) : undefined;
  const blocked =
    (rl.error && BLOCKING.includes(rl.error.kind)) ||
    (snap.costs.error && ['spendCap', 'orgSpendLimit'].includes(snap.costs.error.kind)) ||
    probe?.unified?.status === 'rejected';
  if (blocked || (share !== undefined && share * 100 < settings.errorPercent)) background = 'error';
  else if (share !== undefined && share * 100 < settings.warningPercent) background = 'warning';

  const tooltip = buildTooltip(snap, nowMs, localToday, showLocal);
  const accessibilityLabel =
    `Claude Usage: ${text.replace(/\$\([^)]+\)\s*/g, '').replace(/·/g, ',')}` +
    (background === 'error' ? ' (limit reached or nearly reached)' : background === 'warning' ? ' (running low)' : '');
  return { text, ...(background ? { background } : {}), accessibilityLabel, tooltip, command };
}

function errorLine(name: string, e: ApiErrorInit): string {
  const id = e.requestId ? ` (request-id \`${e.requestId.replace(/`/g, '')}\`)` : '';
  return `- **${name}**: ${mdEscape(e.message)}${id}`;
}

export function buildTooltip(
  snap: StoreSnapshot,
  nowMs: number,
  localToday?: ReturnType<typeof localCostOfDay>,
  showLocal = true,
): string {
  const lines: string[] = ['**Claude Usage**', ''];
  const rl = snap.rateLimits;
  const probe = rl.data?.current;
  const rows = familyRows(probe);
  if (rows.length) {
    lines.push(`Rate limits for \`${probe!.model.replace(/`/g, '')}\``, '', '| Limit | Max | Remaining | Left | Resets |', '|---|---:|---:|---:|---|');
    for (const r of rows) {
      const reset = r.reset ? relative(Date.parse(r.reset), nowMs) : '–';
      lines.push(
        `| ${r.label} | ${r.limit !== undefined ? grouped(r.limit) : '–'} | ${r.remaining !== undefined ? grouped(r.remaining) : '–'} | ${r.share !== undefined ? percent(r.remaining!, r.limit!) : '–'} | ${reset} |`,
      );
    }
    lines.push('');
  }
  const u = probe?.unified;
  if (u && (u.fiveHourUtilization !== undefined || u.sevenDayUtilization !== undefined)) {
    const fmt = (x?: number, reset?: number): string =>
      x === undefined ? '–' : `${Math.round(x * 100)}% used${reset ? `, resets ${relative(reset * 1000, nowMs)}` : ''}`;
    lines.push(`Subscription limits (${mdEscape(u.status ?? 'unknown')}): 5-hour ${fmt(u.fiveHourUtilization, u.fiveHourReset)} · 7-day ${fmt(u.sevenDayUtilization, u.sevenDayReset)}`, '');
  }
  if (snap.keys.api !== 'none' && !probe) lines.push('Rate limits: not probed yet.', '');

  const today = utcToday(nowMs);
  if (snap.costs.data) {
    const mtd = monthToDate(snap.costs.data.rows, nowMs);
    lines.push(
      `Cost today (UTC): **${usd(costOfDay(snap.costs.data.rows, today))}** · month to date: **${usd(mtd.total)}** · month-end projection (estimate): ${usd(mtd.projected)}`,
      '',
    );
  }
  if (showLocal && snap.local.data) {
    const l = localToday ?? localCostOfDay(snap.local.data, dayInZone(nowMs, snap.local.data.timezone));
    lines.push(`Claude Code on this machine today: ≈${usd(l.total)}${l.unpriced ? ' + unpriced models' : ''} (API-equivalent estimate), ${grouped(l.tokens)} tokens`);
    const w = snap.local.data.currentWindow;
    if (w?.active) {
      lines.push(
        '',
        `5-hour window: ${usd(w.costUsd)} used (${grouped(w.tokens)} tokens), ends ${relative(Date.parse(w.end), nowMs)}, burn ${usd(w.burnUsdPerHour)}/h, projected ${usd(w.projectedCostUsd)} (estimate)`,
      );
    }
    lines.push('');
  }

  const ages: string[] = [];
  for (const [name, st] of [
    ['rate limits', rl],
    ['costs', snap.costs],
    ['local', snap.local],
  ] as const) {
    if (st.fetchedAt) ages.push(`${name} ${age(st.fetchedAt, nowMs)}${st.stale ? ' (stale)' : ''}`);
  }
  if (ages.length) lines.push(`Updated: ${ages.join(' · ')}`, '');
  lines.push(`Keys: API key ${sourceLabel(snap.keys.api)} · Admin key ${sourceLabel(snap.keys.admin)}`, '');
  const spend = rl.data?.probeSpendToday;
  if (spend && spend.date === today && spend.probes > 0) {
    lines.push(
      `Probe spend today: ${spend.probes} probes, ${grouped(spend.inputTokens)} input + ${grouped(spend.outputTokens)} output tokens, ≈${usd(Decimal.parse(spend.costUsd), 6)}`,
      '',
    );
  }
  const errs: string[] = [];
  for (const [name, st] of [
    ['Rate limits', rl],
    ['Costs', snap.costs],
    ['Tokens', snap.tokens],
    ['Claude Code', snap.claudeCode],
    ['Local transcripts', snap.local],
  ] as const) {
    if (st.error) errs.push(errorLine(name, st.error));
  }
  if (errs.length) lines.push('Last error:', '', ...errs, '');
  lines.push(
    '[$(refresh) Refresh](command:claudeUsage.refresh) · [$(graph) Show Claude Usage](command:claudeUsage.showUsage) · [$(key) Set API Key](command:claudeUsage.setApiKey) · [$(key) Set Admin API Key](command:claudeUsage.setAdminKey)',
  );
  return lines.join('\n');
}
