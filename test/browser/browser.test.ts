import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { scenario } from './scenario.js';
import { enableWasmBackend } from '../../src/index.js';
import { FILTER1_STRIDE1 } from '../fixtures/hung-yi-lee.js';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Bundle the library's main entry for browsers: a Node built-in anywhere in its import graph fails the build. */
async function bundle(): Promise<string> {
  const r = await build({ entryPoints: [ENTRY], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  return r.outputFiles[0].text;
}

test('the main entry point bundles for browsers with no Node built-ins', async () => {
  const js = await bundle();
  assert.ok(js.length > 10_000);
  assert.doesNotMatch(js, /from\s*["']node:/);
});

test('in headless Chromium the same seeded run gives the same numbers as in Node', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (apt-get install chromium)` }, async () => {
  const js = await bundle();
  const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>`;
  // Cross-origin isolation headers, as a page using SharedArrayBuffer needs.
  const server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (req.url === '/app.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const tab = await browser.newPage();
    const port = (server.address() as AddressInfo).port;
    await tab.goto(`http://127.0.0.1:${port}/`);
    await tab.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, null, { timeout: 60_000 });
    const inBrowser = await tab.evaluate(() => (globalThis as { __result?: unknown }).__result);
    // The test runner chose the reference backend for this process; the page runs the default (ready()).
    assert.ok(await enableWasmBackend());
    const inNode = scenario();
    assert.deepEqual(inBrowser, inNode);
    assert.deepEqual(inNode.deckConv, FILTER1_STRIDE1);
    assert.ok(inNode.gradcheckOk);
    assert.equal(inNode.backend, 'wasm', 'both sides run the default backend');
  } finally {
    await browser.close();
    server.close();
  }
});
