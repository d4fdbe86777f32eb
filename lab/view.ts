/** Small DOM helpers for the lab's views: elements, number grids, heat maps, line charts. */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

/** Numbers as the decks print them: integers bare, others with up to 3 decimals. */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const s = v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

export interface GridOptions {
  /** Cells to mark, as row*cols + col. */
  marked?: Set<number>;
  markClass?: string;
  /** Makes cells buttons (keyboard reachable); called with row, col. */
  onPick?: (r: number, c: number) => void;
  label?: string;
  testid?: string;
}

/** A matrix of numbers as a table (rows × cols, row-major data). */
export function grid(data: ArrayLike<number>, rows: number, cols: number, o: GridOptions = {}): HTMLTableElement {
  const t = el('table', { class: 'grid', ...(o.label ? { 'aria-label': o.label } : {}), ...(o.testid ? { 'data-testid': o.testid } : {}) });
  for (let r = 0; r < rows; r++) {
    const tr = el('tr');
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const td = el('td', { text: fmt(data[i]) });
      if (o.marked?.has(i)) td.classList.add(o.markClass ?? 'mark');
      if (o.onPick) {
        td.tabIndex = 0;
        td.setAttribute('role', 'button');
        td.setAttribute('aria-label', `row ${r + 1}, column ${c + 1}: ${fmt(data[i])}`);
        const pick = () => o.onPick!(r, c);
        td.addEventListener('click', pick);
        td.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            pick();
          }
        });
      }
      tr.append(td);
    }
    t.append(tr);
  }
  return t;
}

/** Size a canvas to h×w pixels shown at `zoom`, and give an image buffer for it. */
function sized(canvas: HTMLCanvasElement, h: number, w: number, zoom: number): { ctx: CanvasRenderingContext2D; img: ImageData } {
  canvas.width = w;
  canvas.height = h;
  canvas.style.width = `${w * zoom}px`;
  canvas.style.height = `${h * zoom}px`;
  const ctx = canvas.getContext('2d')!;
  return { ctx, img: ctx.createImageData(w, h) };
}

/** A map as grey levels scaled to its own min..max, drawn at `zoom` pixels per value. */
export function heatmap(data: ArrayLike<number>, h: number, w: number, zoom: number, canvas = el('canvas')): HTMLCanvasElement {
  const { ctx, img } = sized(canvas, h, w, zoom);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < h * w; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < h * w; i++) {
    const g = Math.round((255 * (data[i] - lo)) / span);
    img.data.set([g, g, g, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** A line chart of one or more series of (x, y) points. */
export function lineChart(canvas: HTMLCanvasElement, series: { points: [number, number][]; color: string; label: string }[], yRange?: [number, number]): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, L = 44, B = 20;
  ctx.clearRect(0, 0, W, H);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return;
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const [yLo, yHi] = yRange ?? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])) || 1];
  const sx = (x: number) => L + ((W - L - 8) * x) / xMax;
  const sy = (y: number) => H - B - ((H - B - 8) * (y - yLo)) / (yHi - yLo || 1);
  ctx.strokeStyle = '#888';
  ctx.fillStyle = '#444';
  ctx.font = '11px system-ui, sans-serif';
  ctx.beginPath();
  ctx.moveTo(L, 4);
  ctx.lineTo(L, H - B);
  ctx.lineTo(W - 4, H - B);
  ctx.stroke();
  ctx.fillText(fmt(Number(yHi.toPrecision(3))), 2, 12);
  ctx.fillText(fmt(Number(yLo.toPrecision(3))), 2, H - B);
  ctx.fillText(`step ${xMax}`, W - 70, H - 4);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(sx(x), sy(y)) : ctx.lineTo(sx(x), sy(y))));
    ctx.stroke();
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, L + 8 + k * 110, 14);
  });
}

/** An RGB image tensor [3, H, W] in [0, 1] (the library's viz pictures) on a canvas, `zoom` pixels per pixel. */
export function imageCanvas(rgb: { data: ArrayLike<number>; shape: readonly number[] }, zoom = 1, canvas = el('canvas')): HTMLCanvasElement {
  const [, h, w] = rgb.shape;
  const { ctx, img } = sized(canvas, h, w, zoom);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Math.round(255 * Math.min(1, Math.max(0, rgb.data[c * h * w + i])));
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/**
 * Run a piece of the page's main-thread work; one that takes over 10 ms is left
 * as a User Timing measure "lab: slow work" (DevTools shows them; the tests read them).
 */
export function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    if (performance.now() - t0 > 10) performance.measure('lab: slow work', { start: t0, detail: what });
  }
}
