/*
 * Charts as standalone SVG text, with no dependency: line charts (training
 * curves) and a confusion-matrix heat map. Plain strings, so they work the same
 * in Node (write a file) and in a page (innerHTML, or an <img> data URL).
 */
import { ArgumentError } from '../tensor/index.js';
import { colormap } from './colormap.js';

/** Escape text for SVG/HTML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Round to 4 significant decimals: short files, below a hundredth of a pixel. */
const px = (v: number) => String(Math.round(v * 100) / 100);

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - d, lo + d, count);
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const m = raw / mag;
  const step = (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step * (1 - 1e-9); t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Math.abs(v) >= 1e5 ? v.toExponential(1) : v.toFixed(decimals);
}

export interface Series {
  name: string;
  /** [x, y] pairs; non-finite y values are left out. */
  points: readonly (readonly [number, number])[];
  /** CSS colour. Default from a colour-blind-safe palette (Okabe–Ito). */
  colour?: string;
  dashed?: boolean;
  /** Draw a dot at each point (for sparse series such as per-epoch values). */
  markers?: boolean;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels. Default 420 × 280. */
  width?: number;
  height?: number;
  /** Fixed y range; default the data's, widened to nice ticks. */
  yRange?: readonly [number, number];
}

const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const M = { left: 56, right: 12, top: 26, bottom: 40 };

/**
 * A line chart: one <polyline class="series" data-name=…> per series, axes with
 * ticks (<g class="tick x|y"> holding a line and its value as text) and a legend.
 */
export function lineChartSvg(series: readonly Series[], opts: ChartOptions = {}): string {
  if (!series.length) throw new ArgumentError('lineChartSvg', 'needs at least one series');
  const W = opts.width ?? 420;
  const H = opts.height ?? 280;
  const pts = series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = pts.flat();
  if (!all.length) throw new ArgumentError('lineChartSvg', `no finite points in ${series.map((s) => JSON.stringify(s.name)).join(', ')}`);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs));
  const yt = opts.yRange ? niceTicks(opts.yRange[0], opts.yRange[1]) : niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [xt[0], xt[xt.length - 1]];
  const [y0, y1] = opts.yRange ? [opts.yRange[0], opts.yRange[1]] : [yt[0], yt[yt.length - 1]];
  // The legend sits under the x axis, two entries a row, so it never hides a curve.
  const legendRows = Math.ceil(series.length / 2);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom - 14 * legendRows;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (opts.title) out.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(opts.title)}</text>`);
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
  const yStep = yt.length > 1 ? yt[1] - yt[0] : 1;
  for (const t of xt) {
    const X = px(sx(t));
    out.push(`<g class="tick x"><line x1="${X}" x2="${X}" y1="${M.top}" y2="${M.top + ph}" stroke="#e5e5e5"/><text x="${X}" y="${M.top + ph + 14}" text-anchor="middle">${tickLabel(t, xStep)}</text></g>`);
  }
  for (const t of yt.filter((v) => v >= y0 - 1e-12 && v <= y1 + 1e-12)) {
    const Y = px(sy(t));
    out.push(`<g class="tick y"><line x1="${M.left}" x2="${M.left + pw}" y1="${Y}" y2="${Y}" stroke="#e5e5e5"/><text x="${M.left - 4}" y="${Y}" dy="4" text-anchor="end">${tickLabel(t, yStep)}</text></g>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  if (opts.xLabel) out.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 28}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(12 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = s.colour ?? PALETTE[i % PALETTE.length];
    const p = pts[i].map(([x, y]) => `${px(sx(x))},${px(sy(y))}`);
    if (!p.length) return;
    out.push(`<polyline class="series" data-name="${escapeXml(s.name)}" fill="none" stroke="${colour}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${p.join(' ')}"/>`);
    if (s.markers) for (const q of p) out.push(`<circle cx="${q.split(',')[0]}" cy="${q.split(',')[1]}" r="2.5" fill="${colour}"/>`);
    const ly = M.top + ph + 46 + 14 * Math.floor(i / 2);
    const lx = M.left + (i % 2) * (pw / 2);
    out.push(`<g class="legend"><line x1="${px(lx)}" x2="${px(lx + 18)}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${px(lx + 22)}" y="${ly}">${escapeXml(s.name)}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Several SVG documents side by side (`cols` a row) in one, each nested as an <svg> at its place. */
export function composeSvg(parts: readonly string[], cols = parts.length): string {
  const size = (s: string) => {
    const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(s);
    if (!m) throw new ArgumentError('composeSvg', 'each part must be an <svg> with width and height');
    return [Number(m[1]), Number(m[2])];
  };
  const sizes = parts.map(size);
  const cw = Math.max(...sizes.map((s) => s[0]));
  const ch = Math.max(...sizes.map((s) => s[1]));
  const rows = Math.ceil(parts.length / cols);
  const W = cw * Math.min(cols, parts.length);
  const H = ch * rows;
  const inner = parts.map((s, i) => s.replace(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `<svg x="${(i % cols) * cw}" y="${Math.floor(i / cols) * ch}"`));
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`, ...inner, '</svg>'].join('\n');
}

/**
 * A confusion matrix (rows: true class, columns: predicted) as a heat map: each
 * cell coloured by its share of the row (viridis) and labelled with its count.
 */
export function confusionMatrixSvg(counts: readonly (readonly number[])[], classNames: readonly string[], opts: { title?: string; cell?: number } = {}): string {
  const n = counts.length;
  if (n === 0 || counts.some((r) => r.length !== n)) throw new ArgumentError('confusionMatrixSvg', `counts must be a square n×n table, got ${n} rows of lengths ${counts.map((r) => r.length).join(', ')}`);
  if (classNames.length !== n) throw new ArgumentError('confusionMatrixSvg', `${n} classes but ${classNames.length} class names`);
  const cell = opts.cell ?? 34;
  const left = 8 + 6.5 * Math.max(...classNames.map((c) => c.length));
  const top = 44;
  const W = left + n * cell + 10;
  const H = top + n * cell + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(W)}" height="${H}" viewBox="0 0 ${px(W)} ${H}" font-family="sans-serif" font-size="10">`,
    `<rect width="${px(W)}" height="${H}" fill="white"/>`,
    `<text x="${px(left + (n * cell) / 2)}" y="14" text-anchor="middle" font-size="13">${escapeXml(opts.title ?? 'confusion matrix')}</text>`,
    `<text x="${px(left + (n * cell) / 2)}" y="${top - 18}" text-anchor="middle">predicted</text>`,
    `<text x="${px(left + (n * cell) / 2)}" y="${H - 8}" text-anchor="middle">rows: true class, colour: share of the row</text>`,
  ];
  for (let i = 0; i < n; i++) {
    const total = counts[i].reduce((a, b) => a + b, 0);
    out.push(`<text x="${px(left - 4)}" y="${top + i * cell + cell / 2 + 3}" text-anchor="end">${escapeXml(classNames[i])}</text>`);
    out.push(`<text x="${px(left + i * cell + cell / 2)}" y="${top - 4}" text-anchor="middle">${escapeXml(classNames[i].slice(0, 5))}</text>`);
    for (let j = 0; j < n; j++) {
      const share = total > 0 ? counts[i][j] / total : 0;
      const [r, g, b] = colormap('viridis', share);
      const hex = '#' + [r, g, b].map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('');
      const [x, y] = [left + j * cell, top + i * cell];
      out.push(`<g class="cell" data-row="${i}" data-col="${j}"><rect x="${px(x)}" y="${y}" width="${cell}" height="${cell}" fill="${hex}"/><text x="${px(x + cell / 2)}" y="${y + cell / 2 + 3}" text-anchor="middle" fill="${share > 0.5 ? 'black' : 'white'}">${counts[i][j]}</text></g>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}
