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
