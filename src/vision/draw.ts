/** Drawing for result pictures (browser-safe): RGBA canvases, boxes, small digit labels, mask overlays. */
import { ArgumentError } from '../tensor/index.js';
import type { Box } from './boxes.js';

export interface Canvas {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Uint8Array;
}

/** Eleven well-separated colours: background (black) then one per class (Tableau 10). */
export const CLASS_PALETTE: readonly (readonly [number, number, number])[] = [
  [0, 0, 0], [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207], [250, 250, 250],
];

/** Grey values in [0, 1] (w×h) as an RGBA canvas enlarged `scale` times (nearest). */
export function grayCanvas(gray: ArrayLike<number>, width: number, height: number, scale = 1): Canvas {
  if (gray.length !== width * height) throw new ArgumentError('grayCanvas', `${gray.length} values for a ${width}×${height} image`);
  const W = width * scale, H = height * scale;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = Math.round(Math.min(1, Math.max(0, gray[Math.floor(y / scale) * width + Math.floor(x / scale)])) * 255);
      data.set([v, v, v, 255], (y * W + x) * 4);
    }
  }
  return { width: W, height: H, data };
}

/** Class mask (w×h, 0 = background) in palette colours, enlarged `scale` times; `over` blends it onto a canvas of that size with opacity alpha. */
export function maskCanvas(mask: ArrayLike<number>, width: number, height: number, scale = 1, over?: Canvas, alpha = 0.6): Canvas {
  const W = width * scale, H = height * scale;
  const data = over ? Uint8Array.from(over.data) : new Uint8Array(W * H * 4);
  if (over && (over.width !== W || over.height !== H)) throw new ArgumentError('maskCanvas', `mask ${width}×${height}×${scale} does not match the ${over.width}×${over.height} canvas`);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const m = mask[Math.floor(y / scale) * width + Math.floor(x / scale)];
      const c = CLASS_PALETTE[((m % CLASS_PALETTE.length) + CLASS_PALETTE.length) % CLASS_PALETTE.length];
      const i = (y * W + x) * 4;
      if (!over) data.set([c[0], c[1], c[2], 255], i);
      else if (m > 0) for (let k = 0; k < 3; k++) data[i + k] = Math.round((1 - alpha) * data[i + k] + alpha * c[k]);
    }
  }
  return { width: W, height: H, data };
}

function setPixel(c: Canvas, x: number, y: number, rgb: readonly number[]): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const i = (y * c.width + x) * 4;
  c.data[i] = rgb[0]; c.data[i + 1] = rgb[1]; c.data[i + 2] = rgb[2]; c.data[i + 3] = 255;
}

/** A rectangle outline (box in source pixels, drawn `scale` times larger) of the given thickness. */
export function drawBox(c: Canvas, box: Box, rgb: readonly number[], scale = 1, thickness = 1): void {
  const [x1, y1, x2, y2] = box.map((v) => Math.round(v * scale));
  for (let t = 0; t < thickness; t++) {
    for (let x = x1; x < x2; x++) { setPixel(c, x, y1 + t, rgb); setPixel(c, x, y2 - 1 - t, rgb); }
    for (let y = y1; y < y2; y++) { setPixel(c, x1 + t, y, rgb); setPixel(c, x2 - 1 - t, y, rgb); }
  }
}

// 3×5 glyphs for the digits and '.', one row per 3 bits.
const GLYPHS: Record<string, number[]> = {
  0: [7, 5, 5, 5, 7], 1: [2, 6, 2, 2, 7], 2: [7, 1, 7, 4, 7], 3: [7, 1, 7, 1, 7], 4: [5, 5, 7, 1, 1],
  5: [7, 4, 7, 1, 7], 6: [7, 4, 7, 5, 7], 7: [7, 1, 2, 2, 2], 8: [7, 5, 7, 5, 7], 9: [7, 5, 7, 1, 7], '.': [0, 0, 0, 0, 2],
};

/** Write digits (and '.') at (x, y) in canvas pixels, each glyph cell `px` pixels, on a dark backing; any other character is a space. */
export function drawText(c: Canvas, text: string, x: number, y: number, rgb: readonly number[], px = 2): void {
  let cx = x;
  for (const ch of text) {
    const g = GLYPHS[ch];
    if (!g) { cx += 4 * px; continue; }
    for (let yy = -1; yy < 6; yy++) for (let xx = -1; xx < 4; xx++) {
      const on = yy >= 0 && yy < 5 && xx >= 0 && xx < 3 && (g[yy] >> (2 - xx)) & 1;
      for (let a = 0; a < px; a++) for (let b = 0; b < px; b++) setPixel(c, cx + xx * px + b, y + yy * px + a, on ? rgb : [0, 0, 0]);
    }
    cx += 4 * px;
  }
}

/** Canvases side by side with a gap (all of the same height). */
export function hconcat(canvases: readonly Canvas[], gap = 4): Canvas {
  const H = canvases[0].height;
  if (canvases.some((c) => c.height !== H)) throw new ArgumentError('hconcat', 'canvases differ in height');
  const W = canvases.reduce((s, c) => s + c.width, 0) + gap * (canvases.length - 1);
  const data = new Uint8Array(W * H * 4).fill(255);
  let x0 = 0;
  for (const c of canvases) {
    for (let y = 0; y < H; y++) data.set(c.data.subarray(y * c.width * 4, (y + 1) * c.width * 4), (y * W + x0) * 4);
    x0 += c.width + gap;
  }
  return { width: W, height: H, data };
}

/** Canvases stacked vertically with a gap (all of the same width). */
export function vconcat(canvases: readonly Canvas[], gap = 4): Canvas {
  const W = canvases[0].width;
  if (canvases.some((c) => c.width !== W)) throw new ArgumentError('vconcat', 'canvases differ in width');
  const H = canvases.reduce((s, c) => s + c.height, 0) + gap * (canvases.length - 1);
  const data = new Uint8Array(W * H * 4).fill(255);
  let y0 = 0;
  for (const c of canvases) {
    data.set(c.data, y0 * W * 4);
    y0 += c.height + gap;
  }
  return { width: W, height: H, data };
}
