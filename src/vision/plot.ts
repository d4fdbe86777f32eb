/** Line charts as RGBA canvases (browser-safe): loss curves over iterations on a log axis, for result pictures. */
import { ArgumentError } from '../tensor/index.js';
import { drawText, textWidth } from '../viz/font.js';
import type { Canvas } from './draw.js';
import type { StyleStep } from './style-transfer.js';

export interface Series {
  name: string;
  values: readonly number[];
  rgb: readonly [number, number, number];
}

export interface LineChartOptions {
  width?: number;
  height?: number;
  /** Logarithmic y axis (default true: losses span decades). Non-positive values are left out. */
  logY?: boolean;
  title?: string;
  xLabel?: string;
}

function put(c: Canvas, x: number, y: number, rgb: readonly number[]): void {
  x = Math.round(x); y = Math.round(y);
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const i = (y * c.width + x) * 4;
  c.data[i] = rgb[0]; c.data[i + 1] = rgb[1]; c.data[i + 2] = rgb[2]; c.data[i + 3] = 255;
}

function line(c: Canvas, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let k = 0; k <= n; k++) {
    const t = k / n;
    put(c, x0 + t * (x1 - x0), y0 + t * (y1 - y0), rgb);
    put(c, x0 + t * (x1 - x0), y0 + t * (y1 - y0) + 1, rgb);
  }
}

const label = (v: number) => (Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0).replace('+', ''));

/** One chart, the series over their index (0 … n−1), white background, labelled axes and a legend. */
export function lineChart(series: readonly Series[], opts: LineChartOptions = {}): Canvas {
  if (series.length === 0 || series.some((s) => s.values.length === 0)) throw new ArgumentError('lineChart', 'give at least one series, each with at least one value');
  const W = opts.width ?? 480, H = opts.height ?? 300, logY = opts.logY ?? true;
  const c: Canvas = { width: W, height: H, data: new Uint8Array(W * H * 4).fill(255) };
  const text = (t: string, x: number, y: number, rgb: readonly number[] = [0, 0, 0], s = 2) => drawText(t, x, y, s, (px, py) => put(c, px, py, rgb));
  const left = 56, right = W - 12, top = opts.title ? 26 : 12, bottom = H - 34;
  const f = (v: number) => (logY ? Math.log10(v) : v);
  const ys = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && (!logY || v > 0)).map(f));
  if (ys.length === 0) throw new ArgumentError('lineChart', logY ? 'no positive finite value to draw on a log axis' : 'no finite value to draw');
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (logY) { lo = Math.floor(lo); hi = Math.ceil(hi); }
  if (hi === lo) { hi += 1; lo -= logY ? 0 : 1; }
  const n = Math.max(...series.map((s) => s.values.length));
  const X = (i: number) => left + ((right - left) * i) / Math.max(1, n - 1);
  const Y = (v: number) => bottom - ((bottom - top) * (f(v) - lo)) / (hi - lo);
  // Grid lines and y labels: each decade on a log axis, five steps otherwise.
  const ticks = logY ? Array.from({ length: hi - lo + 1 }, (_, k) => 10 ** (lo + k)) : Array.from({ length: 6 }, (_, k) => lo + ((hi - lo) * k) / 5);
  for (const t of ticks) {
    const y = Y(t);
    for (let x = left; x <= right; x += 3) put(c, x, y, [200, 200, 200]);
    const s = label(t);
    text(s, left - 6 - textWidth(s, 2), Math.round(y) - 5);
  }
  line(c, left, top, left, bottom, [0, 0, 0]);
  line(c, left, bottom, right, bottom, [0, 0, 0]);
  for (const i of [0, Math.round((n - 1) / 2), n - 1]) {
    const s = String(i);
    text(s, Math.round(X(i) - textWidth(s, 2) / 2), bottom + 6);
  }
  if (opts.xLabel) text(opts.xLabel, Math.round((left + right - textWidth(opts.xLabel, 2)) / 2), H - 13);
  if (opts.title) text(opts.title, left, 6);
  series.forEach((s, k) => {
    let prev: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (logY && v <= 0)) { prev = null; return; }
      const p: [number, number] = [X(i), Y(v)];
      if (prev) line(c, prev[0], prev[1], p[0], p[1], s.rgb);
      else put(c, p[0], p[1], s.rgb);
      prev = p;
    });
    const lx = right - 110, ly = top + 6 + 14 * k;
    line(c, lx, ly + 4, lx + 14, ly + 4, s.rgb);
    text(s.name, lx + 20, ly, s.rgb);
  });
  return c;
}

/** The weighted content, style and TV losses and their total over the iterations of styleTransfer. */
export function styleLossChart(history: readonly StyleStep[], weights: { contentWeight: number; styleWeight: number; tvWeight: number }, title: string, xLabel = 'step'): Canvas {
  const w = (k: 'content' | 'style' | 'tv', f: number) => history.map((r) => r[k] * f);
  return lineChart([
    { name: 'total', values: history.map((r) => r.total), rgb: [0, 0, 0] },
    { name: 'content', values: w('content', weights.contentWeight), rgb: [31, 119, 180] },
    { name: 'style', values: w('style', weights.styleWeight), rgb: [214, 39, 40] },
    { name: 'tv', values: w('tv', weights.tvWeight), rgb: [44, 160, 44] },
  ], { title, xLabel });
}
