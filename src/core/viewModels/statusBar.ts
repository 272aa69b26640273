/**
 * The status bar item as data: text, background, accessibility label and the tooltip's Markdown.
 * Pure: the host turns this into a StatusBarItem + MarkdownString.
 */
import type { RateLimitSnapshot } from '../anthropic/types';
import type { ApiErrorInit } from '../anthropic/errors';
import { COMMANDS } from '../model/commands';
import { utcDay } from '../model/days';
import { errorSentence, familyRows, localToday, minRemainingShare, monthToDate, orgToday, PROJECTION_LABEL, tightestFamilies, type LocalTotals } from '../model/facts';
import { ago, compact, duration, int, plural, relative, sharePct, usd, usdEstimate } from '../model/format';
import { KEY_SOURCE_LABEL, SOURCE_TITLES } from '../model/labels';
import type { SourceState, StoreSnapshot } from '../model/snapshot';
import { mdEscape } from './markdown';

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
export const TOOLTIP_COMMANDS = [COMMANDS.refresh, COMMANDS.showUsage, COMMANDS.setApiKey, COMMANDS.setAdminKey] as const;

export interface StatusBarModel {
  text: string;
  background?: 'warning' | 'error';
  accessibilityLabel: string;
  tooltip: string;
  command: typeof COMMANDS.showUsage | typeof COMMANDS.setApiKey;
}

/** The two tightest families, shown in canonical order: `RPM 812/1k · OTPM 91k/400k`. */
export function headroomText(snap: RateLimitSnapshot | undefined): string {
  const tight = tightestFamilies(snap, 2);
  if (tight.length > 0) return tight.map((r) => `${r.short} ${compact(r.remaining!)}/${compact(r.limit!)}`).join(' · ');
  const u = snap?.unified;
  if (u && u.fiveHourUtilization !== undefined) {
    const parts = [`5h ${sharePct(u.fiveHourUtilization)}`];
    if (u.sevenDayUtilization !== undefined) parts.push(`7d ${sharePct(u.sevenDayUtilization)}`);
    return parts.join(' · ');
  }
  return '';
}

const BLOCKING: ApiErrorInit['kind'][] = ['rateLimited', 'spendCap', 'orgSpendLimit'];

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
  const local = snap.local.data;
  const showLocal =
    settings.localMode === 'always' || (settings.localMode === 'auto' && !hasApi && !hasAdmin);

  const parts: Record<string, string> = { headroom: '', todayCost: '', window: '' };
  const head = hasApi ? headroomText(probe) : '';
  if (head) parts.headroom = `$(pulse) ${head}`;
  const orgDay = hasAdmin ? orgToday(snap.costs.data?.rows, nowMs) : undefined;
  if (orgDay) parts.todayCost = `${usd(orgDay.total)} today`;
  let localDay: LocalTotals | undefined;
  if (showLocal && local && settings.localMode !== 'never') {
    localDay = localToday(local, nowMs, settings.localTimezone);
    if (!parts.todayCost && (localDay.tokens > 0 || local.days.length > 0)) {
      parts.todayCost = `${usdEstimate(localDay.total, localDay.unpriced)} today`;
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
  let command: StatusBarModel['command'] = COMMANDS.showUsage;
  if (!anyData) {
    if (!hasApi && !hasAdmin && !(showLocal && local)) {
      text = loading ? '$(sync~spin) Claude' : '$(key) Set Claude API key';
      if (!loading && !snap.local.loading) command = COMMANDS.setApiKey;
    } else {
      text = loading ? '$(sync~spin) Claude' : errors.length ? '$(warning) Claude' : '$(pulse) Claude';
    }
  } else if (errors.some((e) => e.stale)) {
    text = `$(warning) ${text}`;
  }

  // Background: error when blocked or under the error threshold, warning under the warning threshold.
  let background: StatusBarModel['background'];
  const share = hasApi ? minRemainingShare(probe) : undefined;
  const blocked =
    (rl.error && BLOCKING.includes(rl.error.kind)) ||
    (snap.costs.error && ['spendCap', 'orgSpendLimit'].includes(snap.costs.error.kind)) ||
    probe?.unified?.status === 'rejected';
  if (blocked || (share !== undefined && share * 100 < settings.errorPercent)) background = 'error';
  else if (share !== undefined && share * 100 < settings.warningPercent) background = 'warning';

  const tooltip = buildTooltip(snap, nowMs, localDay, showLocal, settings.localTimezone);
  const accessibilityLabel =
    `Claude Usage: ${text.replace(/\$\([^)]+\)\s*/g, '').replace(/·/g, ',')}` +
    (background === 'error' ? ' (limit reached or nearly reached)' : background === 'warning' ? ' (running low)' : '');
  return { text, ...(background ? { background } : {}), accessibilityLabel, tooltip, command };
}

function errorLine(name: string, e: ApiErrorInit): string {
  return `- **${name}**: ${mdEscape(errorSentence(e))}`;
}

export function buildTooltip(snap: StoreSnapshot, nowMs: number, localDay?: LocalTotals, showLocal = true, localZone?: string): string {
  const lines: string[] = ['**Claude Usage**', ''];
  const rl = snap.rateLimits;
  const probe = rl.data?.current;
  const rows = familyRows(probe);
  if (rows.length) {
    lines.push(`Rate limits for \`${probe!.model.replace(/`/g, '')}\``, '', '| Limit | Max | Remaining | Left | Resets |', '|---|---:|---:|---:|---|');
    for (const r of rows) {
      const reset = r.reset ? relative(Date.parse(r.reset), nowMs) : '–';
      lines.push(
        `| ${r.label} | ${r.limit !== undefined ? int(r.limit) : '–'} | ${r.remaining !== undefined ? int(r.remaining) : '–'} | ${r.share !== undefined ? sharePct(r.share) : '–'} | ${reset} |`,
      );
    }
    lines.push('');
  }
  const u = probe?.unified;
  if (u && (u.fiveHourUtilization !== undefined || u.sevenDayUtilization !== undefined)) {
    const fmt = (x?: number, reset?: number): string =>
      x === undefined ? '–' : `${sharePct(x)} used${reset ? `, resets ${relative(reset * 1000, nowMs)}` : ''}`;
    lines.push(`Subscription limits (${mdEscape(u.status ?? 'unknown')}): 5-hour ${fmt(u.fiveHourUtilization, u.fiveHourReset)} · 7-day ${fmt(u.sevenDayUtilization, u.sevenDayReset)}`, '');
  }
  if (snap.keys.api !== 'none' && !probe) lines.push('Rate limits: not probed yet.', '');

  const today = utcDay(nowMs);
  const org = orgToday(snap.costs.data?.rows, nowMs);
  if (org && snap.costs.data) {
    const mtd = monthToDate(snap.costs.data.rows, nowMs);
    lines.push(`Cost today (UTC): **${usd(org.total)}** · month to date: **${usd(mtd.total)}** · ${PROJECTION_LABEL}: ${usd(mtd.projected)}`, '');
  }
  if (showLocal && snap.local.data) {
    const l = localDay ?? localToday(snap.local.data, nowMs, localZone);
    lines.push(`Claude Code on this machine today: ${usdEstimate(l.total)}${l.unpriced ? ' + unpriced models' : ''} (API-equivalent estimate), ${int(l.tokens)} tokens`);
    const w = snap.local.data.currentWindow;
    if (w?.active) {
      lines.push(
        '',
        `5-hour window: ${usd(w.costUsd)} used (${int(w.tokens)} tokens), ends ${relative(Date.parse(w.end), nowMs)}, burn ${usd(w.burnUsdPerHour)}/h, projected ${usd(w.projectedCostUsd)} (estimate)`,
      );
    }
    lines.push('');
  }

  const ages: string[] = [];
  for (const s of ['rateLimits', 'costs', 'local'] as const) {
    const st = snap[s] as SourceState<unknown>;
    if (st.fetchedAt) ages.push(`${SOURCE_TITLES[s].toLowerCase()} ${ago(st.fetchedAt, nowMs)}${st.stale ? ' (stale)' : ''}`);
  }
  if (ages.length) lines.push(`Updated: ${ages.join(' · ')}`, '');
  lines.push(`Keys: API key ${KEY_SOURCE_LABEL[snap.keys.api]} · Admin key ${KEY_SOURCE_LABEL[snap.keys.admin]}`, '');
  const spend = rl.data?.probeSpendToday;
  if (spend && spend.date === today && spend.probes > 0) {
    lines.push(
      `Probe spend today: ${plural(spend.probes, 'probe')}, ${int(spend.inputTokens)} input + ${int(spend.outputTokens)} output tokens, ${usdEstimate(spend.costUsd)}`,
      '',
    );
  }
  const errs: string[] = [];
  for (const s of ['rateLimits', 'costs', 'tokens', 'claudeCode', 'local'] as const) {
    const st = snap[s] as SourceState<unknown>;
    if (st.error) errs.push(errorLine(SOURCE_TITLES[s], st.error));
  }
  if (errs.length) lines.push('Last error:', '', ...errs, '');
  lines.push(
    `[$(refresh) Refresh](command:${COMMANDS.refresh}) · [$(graph) Show Claude Usage](command:${COMMANDS.showUsage}) · [$(key) Set API Key](command:${COMMANDS.setApiKey}) · [$(key) Set Admin API Key](command:${COMMANDS.setAdminKey})`,
  );
  return lines.join('\n');
}
