/**
 * Plan limits rendered for each surface, from `planFacts` (facts.ts). Pure data: the extension's views turn
 * it into a StatusBarItem, a MarkdownString, TreeItems and webview messages. Every number is labelled as
 * coming from Claude Code with its age; nothing here is an estimate.
 * No vscode import.
 */
import { COMMANDS } from '../model/commands';
import { planFacts, type PlanFacts, type PlanLevel, type PlanSettings, type WindowFact } from './facts';
import { pct } from './format';
import type { PlanData } from './types';

/** One window in the status bar: `5h 42% ↻14:05`, `wk 18%`, `5h reset`. */
export function windowStatusText(w: WindowFact): string {
  if (w.state === 'reset') return `${w.short} reset`;
  const base = `${w.short} ${pct(w.usedPercent)}`;
  return w.kind === 'session' && w.resetClock ? `${base} ↻${w.resetClock}` : base;
}

/**
 * The status bar part: `5h 42% ↻14:05 · wk 18%`. The 5-hour and weekly windows always, a per-model
 * weekly window only from the warning threshold on. Stale figures get their age: `… · 2 h ago`.
 * Empty when nothing was observed yet.
 */
export function planStatusText(facts: PlanFacts): string {
  const shown = facts.windows.filter((w) => w.kind === 'session' || w.kind === 'week' || w.level !== 'normal');
  if (!shown.length) return '';
  const text = shown.map(windowStatusText).join(' · ');
  return facts.stale && facts.age ? `${text} · ${facts.age}` : text;
}

/** The status bar colour the plan figures ask for (stale and reset windows never colour it). */
export function planStatusLevel(facts: PlanFacts): PlanLevel {
  let level: PlanLevel = 'normal';
  for (const w of facts.windows) {
    if (w.state !== 'current') continue;
    if (w.level === 'error') return 'error';
    if (w.level === 'warning') level = 'warning';
  }
  return level;
}

/** "resets 14:05 (in 2 h 13 min)", "reset at 14:05", "" when unknown. */
export function resetText(w: WindowFact): string {
  if (!w.resetClock) return '';
  return w.state === 'reset' ? `reset at ${w.resetClock}` : `resets ${w.resetClock} (in ${w.resetIn})`;
}

/** "from Claude Code, 3 min ago" (+ "stale" when older than the stale threshold). */
export function sourceText(w: WindowFact): string {
  return `from Claude Code, ${w.age}${w.state === 'stale' ? ' (stale)' : ''}`;
}

/**
 * Tooltip lines (Markdown, one window per line, then the pace sentences and the latest session):
 *   **5-hour session** 42% · resets 14:05 (in 2 h 13 min) · from Claude Code, 1 min ago
 *   _At this pace the 5-hour window runs out at 15:40, 25 min before it resets._
 */
export function planTooltipLines(facts: PlanFacts, options: { connected?: boolean } = {}): string[] {
  const lines: string[] = [];
  if (!facts.windows.length) {
    // Nothing observed yet: offer Connect (the tooltip must trust PLAN_TOOLTIP_COMMANDS), or say what comes next.
    if (options.connected) return ["Plan limits: waiting for Claude Code's next response (Pro/Max plans only)."];
    return options.connected === false ? ['On a Claude Pro/Max plan? [Connect Claude Code plan limits](command:claudeUsage.connectPlan)'] : [];
  }
  for (const w of facts.windows) {
    const used = w.state === 'reset' ? `reset (was ${pct(w.observedPercent)})` : pct(w.usedPercent);
    lines.push(`**${w.label}** ${used}${resetText(w) ? ` · ${resetText(w)}` : ''} · ${sourceText(w)}`);
    if (w.pace) lines.push(`_${capitalize(w.pace.sentence)}._`);
  }
  const s = facts.session;
  if (s) {
    const parts = [s.model, s.contextPercent !== undefined ? `context ${pct(s.contextPercent)}` : undefined, s.costUsd !== undefined ? `session $${s.costUsd.toFixed(2)} (Claude Code's estimate)` : undefined, s.version ? `Claude Code ${s.version}` : undefined].filter(Boolean);
    if (parts.length) lines.push(`Latest session: ${parts.join(' · ')} · ${s.age}`);
  }
  return lines;
}

const capitalize = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** Commands the plan lines of a tooltip link to. */
export const PLAN_TOOLTIP_COMMANDS = [COMMANDS.connectPlan] as const;

/** A tree node as plain data (label, description, tooltip, children), e.g. the "Plan limits" node. */
export interface PlanTreeNode {
  id: string;
  label: string;
  /** Command id to run on click (the Connect offer). */
  command?: string;
  description?: string;
  tooltip?: string;
  level?: PlanLevel;
  children?: PlanTreeNode[];
}

/**
 * The "Plan limits" node that heads the "Claude Code (this machine)" tree: one child per window
 * (`5-hour session  42% · resets 14:05`) with the pace as its child, and the source and age in the
 * description. With nothing observed: a Connect offer when `connected` is false (viewsWelcome only shows
 * in an empty view), a "waiting" node when true, undefined when unknown.
 */
export function planTreeNode(facts: PlanFacts, options: { connected?: boolean } = {}): PlanTreeNode | undefined {
  if (!facts.windows.length) {
    if (options.connected === false) return { id: 'plan', label: 'Plan limits', description: 'Connect Claude Code (Pro/Max)…', tooltip: "Show your plan's 5-hour and weekly limits from Claude Code's status line", command: COMMANDS.connectPlan };
    if (options.connected) return { id: 'plan', label: 'Plan limits', description: "waiting for Claude Code's next response" };
    return undefined;
  }
  return {
    id: 'plan',
    label: 'Plan limits',
    description: `from Claude Code, ${facts.age ?? 'never'}${facts.stale ? ' (stale)' : ''}`,
    level: planStatusLevel(facts),
    children: facts.windows.map((w) => ({
      id: `plan/${w.key}`,
      label: w.label,
      description: [w.state === 'reset' ? 'reset' : pct(w.usedPercent), resetText(w)].filter(Boolean).join(' · '),
      tooltip: `${sourceText(w)}${w.pace ? `\n${capitalize(w.pace.sentence)}.` : ''}`,
      level: w.state === 'current' ? w.level : 'normal',
      ...(w.pace ? { children: [{ id: `plan/${w.key}/pace`, label: capitalize(w.pace.sentence) }] } : {}),
    })),
  };
}

/** A dashboard gauge per window. */
export interface PlanGauge {
  key: string;
  label: string;
  usedPercent: number;
  state: WindowFact['state'];
  level: PlanLevel;
  /** "resets 14:05 (in 2 h 13 min)". */
  reset: string;
  /** "from Claude Code, 3 min ago". */
  source: string;
  pace?: string;
}

export function planGauges(facts: PlanFacts): PlanGauge[] {
  return facts.windows.map((w) => ({
    key: w.key,
    label: w.label,
    usedPercent: w.usedPercent,
    state: w.state,
    level: w.state === 'current' ? w.level : 'normal',
    reset: resetText(w),
    source: sourceText(w),
    ...(w.pace ? { pace: `${capitalize(w.pace.sentence)}.` } : {}),
  }));
}

/** One line of the "used % over time" chart: points in epoch ms, dropping to 0 where a window reset. */
export interface PlanSeries {
  key: string;
  label: string;
  points: { t: number; used: number }[];
}

/**
 * The dashboard chart's series over [fromMs, toMs]: each window's samples, with a drop to 0 at every
 * reset that happened between two samples (and after the last one, if it has passed by `toMs`).
 */
export function planChartSeries(data: PlanData | undefined, fromMs: number, toMs: number, settings: Partial<PlanSettings> = {}): PlanSeries[] {
  const facts = planFacts(data, toMs, settings);
  const out: PlanSeries[] = [];
  for (const w of facts.windows) {
    const samples = data?.history[w.key] ?? [];
    const points: { t: number; used: number }[] = [];
    let prevReset = 0;
    let prevUsed: number | undefined;
    for (const [t, used, resetsAt] of samples) {
      const ms = t * 1000;
      if (prevUsed !== undefined && prevReset && prevReset * 1000 < ms && prevReset * 1000 >= fromMs) {
        points.push({ t: prevReset * 1000, used: prevUsed }, { t: prevReset * 1000, used: 0 });
      }
      if (ms >= fromMs && ms <= toMs) points.push({ t: ms, used });
      prevReset = resetsAt;
      prevUsed = used;
    }
    if (prevUsed !== undefined && prevReset && prevReset * 1000 <= toMs && prevReset * 1000 >= fromMs) {
      points.push({ t: prevReset * 1000, used: prevUsed }, { t: prevReset * 1000, used: 0 });
    }
    if (points.length) out.push({ key: w.key, label: w.label, points });
  }
  return out;
}
