/** Shared set-up of the lab's browser tests: a fresh build, the lab server, Debian's Chromium. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startLabServer } from '../../src/cli/lab.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const NO_CHROMIUM = !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Build the lab into a temporary folder with the repository's own script (as `npm run build:lab` does). */
export function buildLab(): string {
  const out = mkdtempSync(join(tmpdir(), 'lab-build-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-lab.mjs'), out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-lab failed: ${r.stderr}`);
  return out;
}

export async function serve(dir: string, isolate: boolean): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const { server, url } = await startLabServer({ dir, port: 0, isolate, log: (l) => requests.push(l) });
  return { server, url, requests };
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Open the lab and wait until the page and its training worker are up; console errors are collected. */
export async function openLab(browser: Browser, url: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 120_000 });
  await page.waitForFunction(() => (document.querySelector('[data-testid=status]') as HTMLElement).dataset.workerThreads !== undefined, null, { timeout: 120_000 });
  return { page, errors };
}

/** The numbers of a grid the page shows, row-major. */
export async function gridValues(page: Page, testid: string): Promise<number[]> {
  return page.$$eval(`[data-testid=${testid}] td`, (tds) => tds.map((td) => Number(td.textContent)));
}

/** A folder to write the screenshots docs/lab.md shows (LAB_SCREENSHOTS=docs/lab), else none. */
export const SHOTS = process.env.LAB_SCREENSHOTS;

export async function shoot(page: Page, name: string, full = false): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: full });
}

/** Drop a checkpoint file on the page as a user would, and wait until the page names it. */
export async function dropCheckpoint(page: Page, bytes: Uint8Array, name: string): Promise<void> {
  await page.evaluate(([b, n]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], n));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [Array.from(bytes), name] as [number[], string]);
  await page.waitForFunction((n) => document.querySelector('[data-testid=model-source]')?.textContent?.includes(n), name);
}

/** A canvas's pixels at its own resolution, RGB planes [3, h, w] as 0..255 (the layout of the library's image tensors). */
export async function canvasRGB(page: Page, testid: string): Promise<{ data: number[]; shape: number[] }> {
  return page.locator(`[data-testid=${testid}]`).evaluate((c) => {
    const cv = c as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const n = cv.width * cv.height;
    const out = new Array<number>(3 * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[k * n + i] = d[4 * i + k];
    return { data: out, shape: [3, cv.height, cv.width] };
  });
}

/** Largest channel difference between a canvas and a library image tensor [3, h, w] in [0, 1]. */
export function pixelDiff(shown: { data: number[]; shape: number[] }, want: { data: ArrayLike<number>; shape: readonly number[] }): number {
  if (shown.shape.join() !== want.shape.join()) return Infinity;
  let worst = 0;
  for (let i = 0; i < shown.data.length; i++) worst = Math.max(worst, Math.abs(shown.data[i] - Math.round(255 * Math.min(1, Math.max(0, want.data[i])))));
  return worst;
}

/** Max − min of a canvas's red channel: 0 for a constant picture. */
export async function canvasSpan(page: Page, testid: string): Promise<number> {
  const { data, shape } = await canvasRGB(page, testid);
  const red = data.slice(0, shape[1] * shape[2]);
  return Math.max(...red) - Math.min(...red);
}

/**
 * Watch the page's main thread: the gap between animation frames (a stalled
 * thread delays the next frame) and the page's own slow pieces of work (the
 * lab's User Timing measures). Read with readStalls.
 */
export async function watchStalls(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
  await page.evaluate(`(() => {
    window.__gaps = [];
    let last = performance.now();
    const tick = (t) => { window.__gaps.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask' });
  })()`);
}

export async function readStalls(page: Page): Promise<{ frames: number; p50: number; p99: number; p90: number; max: number; longTasks: number[]; ownWork: { what: string; ms: number }[] }> {
  return page.evaluate(() => {
    const g = [...(window as unknown as { __gaps: number[] }).__gaps].sort((a, b) => a - b);
    const ownWork = performance.getEntriesByName('lab: slow work').map((e) => ({ what: String((e as PerformanceMeasure).detail), ms: e.duration }));
    const at = [0.5, 0.9, 0.99].map((p) => g[Math.min(g.length - 1, Math.floor(p * g.length))]);
    const longTasks = (window as unknown as { __long: number[] }).__long;
    return { frames: g.length, p50: at[0], p90: at[1], p99: at[2], max: g[g.length - 1], longTasks, ownWork };
  });
}
