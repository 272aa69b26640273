/**
 * chart.js with only what the dashboard draws registered (tree-shaken), themed from VS Code's CSS
 * variables and re-themed in place when VS Code switches theme (no reload).
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartData,
  type ChartOptions,
  type ChartType,
} from 'chart.js';
import { h } from './dom';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, DoughnutController, ArcElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface Theme {
  palette: string[];
  foreground: string;
  lines: string;
  fontFamily: string;
  fontSize: number;
  background: string;
}

const PALETTE_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

export function readTheme(): Theme {
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const base = PALETTE_VARS.map((name, i) => v(name, FALLBACK[i]!));
  // Twelve distinguishable colours: the six theme colours, then the same six at 55% opacity.
  const palette = [...base, ...base.map((c) => withAlpha(c, 0.55))];
  return {
    palette,
    foreground: v('--vscode-charts-foreground', v('--vscode-foreground', '#cccccc')),
    lines: v('--vscode-charts-lines', v('--vscode-panel-border', '#80808059')),
    fontFamily: v('--vscode-font-family', v('--vscode-editor-font-family', 'sans-serif')),
    fontSize: Number.parseFloat(v('--vscode-font-size', '13')) || 13,
    background: v('--vscode-editor-background', '#1e1e1e'),
  };
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa` or `rgb()/rgba()` with a new alpha; other forms are returned unchanged. */
export function withAlpha(color: string, alpha: number): string {
  let m = /^#([0-9a-f]{3})$/i.exec(color);
  if (m) color = `#${[...m[1]!].map((c) => c + c).join('')}`;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (m) {
    const n = Number.parseInt(m[1]!, 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const r = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(color);
  return r ? `rgba(${r[1]},${r[2]},${r[3]}, ${alpha})` : color;
}

let theme: Theme | undefined;
export function currentTheme(): Theme {
  theme ??= readTheme();
  return theme;
}

function applyDefaults(t: Theme): void {
  Chart.defaults.color = t.foreground;
  Chart.defaults.borderColor = t.lines;
  Chart.defaults.font.family = t.fontFamily;
  Chart.defaults.font.size = Math.max(10, Math.min(14, t.fontSize - 1));
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
}

/** A chart plus how to (re)colour it; `data` is rebuilt by the caller, colours come from the theme. */
interface Slot {
  chart: Chart;
  colorize: (data: ChartData, t: Theme) => void;
  options: (t: Theme) => ChartOptions;
}

const slots = new Map<string, Slot>();

export type Colorize = (data: ChartData, t: Theme) => void;

/** Colours datasets in order from the palette (bars filled, lines stroked). */
export const byDataset: Colorize = (data, t) => {
  data.datasets.forEach((ds, i) => {
    const c = t.palette[i % t.palette.length]!;
    const d = ds as { backgroundColor?: unknown; borderColor?: unknown; type?: string };
    d.backgroundColor = c;
    d.borderColor = c;
  });
};

/** Colours each slice/bar of a single dataset from the palette (doughnuts). */
export const bySlice =
  (colors?: (t: Theme) => string[]): Colorize =>
  (data, t) => {
    for (const ds of data.datasets) {
      const c = colors ? colors(t) : data.labels!.map((_, i) => t.palette[i % t.palette.length]!);
      (ds as { backgroundColor?: unknown; borderColor?: unknown }).backgroundColor = c;
      (ds as { borderColor?: unknown }).borderColor = t.background;
    }
  };

/**
 * Creates the chart in `canvas` the first time, afterwards patches it: new data, `update('none')`.
 * Returns true when the chart was created (first draw).
 */
export function drawChart(id: string, canvas: HTMLCanvasElement, type: ChartType, data: ChartData, options: (t: Theme) => ChartOptions, colorize: Colorize = byDataset): boolean {
  const t = currentTheme();
  colorize(data, t);
  const existing = slots.get(id);
  if (existing && existing.chart.canvas === canvas) {
    existing.chart.data = data;
    existing.colorize = colorize;
    existing.options = options;
    existing.chart.options = options(t);
    existing.chart.update('none');
    return false;
  }
  existing?.chart.destroy();
  applyDefaults(t);
  const chart = new Chart(canvas, { type, data, options: options(t) } as ChartConfiguration);
  slots.set(id, { chart, colorize, options });
  return true;
}

export function destroyChart(id: string): void {
  slots.get(id)?.chart.destroy();
  slots.delete(id);
}

/** Re-reads the theme variables and recolours every chart in place. */
export function retheme(): void {
  theme = readTheme();
  applyDefaults(theme);
  for (const s of slots.values()) {
    s.colorize(s.chart.data, theme);
    s.chart.options = s.options(theme);
    s.chart.update('none');
  }
}

/** Watches VS Code's theme switches: it changes the body's class and the root element's style. */
export function watchTheme(onChange: () => void): void {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      retheme();
      onChange();
    });
  };
  const mo = new MutationObserver(schedule);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}

/** A chart block: title, a fixed-height canvas with role="img" and aria-label, and a data-table alternative. */
export function chartBlock(title: string, ariaLabel: string, tableEl: HTMLElement | null, opts: { height?: number; className?: string } = {}): { el: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { role: 'img', 'aria-label': ariaLabel });
  const box = h('div', { class: 'chart-box' }, canvas);
  if (opts.height) box.style.height = `${opts.height}px`;
  const el = h('figure', { class: `chart ${opts.className ?? ''}`.trim() }, h('figcaption', {}, title), box);
  if (tableEl) el.append(h('details', { class: 'alt' }, h('summary', {}, `Data table: ${title}`), tableEl));
  return { el, canvas };
}

export function axisOptions(t: Theme, opts: { stacked?: boolean; yTitle?: string; yMax?: number; legend?: boolean; indexAxis?: 'x' | 'y'; tooltipLabel?: (v: number, dsLabel: string) => string; tickFormat?: (v: number) => string } = {}): ChartOptions {
  const valueAxis = opts.indexAxis === 'y' ? 'x' : 'y';
  const catAxis = valueAxis === 'x' ? 'y' : 'x';
  return {
    indexAxis: opts.indexAxis ?? 'x',
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { display: opts.legend ?? true, position: 'bottom', labels: { color: t.foreground, boxWidth: 12 } },
      tooltip: opts.tooltipLabel ? { callbacks: { label: (ctx) => opts.tooltipLabel!(Number(ctx.raw), ctx.dataset.label ?? '') } } : {},
    },
    scales: {
      [catAxis]: { stacked: opts.stacked, ticks: { color: t.foreground, maxRotation: 0, autoSkip: true }, grid: { display: false } },
      [valueAxis]: {
        stacked: opts.stacked,
        beginAtZero: true,
        max: opts.yMax,
        title: opts.yTitle ? { display: true, text: opts.yTitle, color: t.foreground } : undefined,
        ticks: { color: t.foreground, callback: opts.tickFormat ? (v) => opts.tickFormat!(Number(v)) : undefined },
        grid: { color: t.lines },
      },
    },
  } as ChartOptions;
}
