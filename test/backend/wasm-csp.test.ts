import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { WORKER_SOURCE } from '../../src/backend-api.js';

/*
 * A page whose Content-Security-Policy refuses `blob:` workers (worker-src 'self'):
 * the wasm pool cannot start its workers from the inlined source, so
 * `ready({ workerUrl })` names a same-origin file holding WORKER_SOURCE, and the
 * pool then runs (issue 12 #21); without it the page is told why, once. Both cases run in headless Chromium, in a module
 * Worker of a cross-origin isolated page, through the public API only.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCENARIO = `
import { conv2d, getNumThreads, randn, ready, RNG, setNumThreads } from './src/index.ts';
import { wasmInfo } from './src/backend-api.ts';

async function scenario(workerUrl) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => { warnings.push(a.join(' ')); warn(...a); };
  const backend = await ready({ workerUrl });
  setNumThreads(2);
  const rng = new RNG(1);
  const x = randn([4, 16, 32, 32], { rng }), w = randn([32, 16, 3, 3], { rng });
  // Pool workers start asynchronously: give them up to ~5 s to take a job.
  for (let i = 0; i < 100 && wasmInfo().joinedJobs === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    conv2d(x, w, { padding: 1 });
  }
  return { backend, threads: getNumThreads(), parallelJobs: wasmInfo().parallelJobs, joinedJobs: wasmInfo().joinedJobs, warnings };
}

if (typeof window === 'undefined') {
  const url = self.location.search.includes('url') ? '/pool-worker.js' : undefined;
  scenario(url).then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));
} else {
  const wk = new Worker('/app.js' + location.search, { type: 'module' });
  wk.onmessage = (e) => { globalThis.__result = e.data; };
  wk.onerror = (e) => { globalThis.__result = { error: String(e.message) }; };
}
`;

interface Result { backend?: string; threads?: number; parallelJobs?: number; joinedJobs?: number; warnings?: string[]; error?: string }

async function serve(js: string): Promise<Server> {
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
    // A strict policy: scripts and workers from this origin only, wasm compilation allowed.
    'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'",
  };
  const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>`;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/app.js')) res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
    else if (url === '/pool-worker.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(WORKER_SOURCE);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

test('a strict CSP (no blob: workers): ready({ workerUrl }) starts the wasm pool from a same-origin file; without it no worker starts', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`, timeout: 120_000 }, async () => {
  const bundle = await build({ stdin: { contents: SCENARIO, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  const server = await serve(bundle.outputFiles[0].text);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const run = async (query: string): Promise<Result> => {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${query}`);
      await tab.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, null, { timeout: 90_000 });
      const r = (await tab.evaluate(() => (globalThis as { __result?: unknown }).__result)) as Result;
      await tab.close();
      return r;
    };
    const withUrl = await run('?url');
    assert.equal(withUrl.error, undefined, withUrl.error);
    assert.equal(withUrl.backend, 'wasm');
    assert.equal(withUrl.threads, 2);
    assert.ok(withUrl.joinedJobs! >= 1, `pool workers loaded from workerUrl joined kernel calls (${JSON.stringify(withUrl)})`);
    assert.deepEqual(withUrl.warnings, [], 'no warning when the pool starts');
    const blocked = await run('?blob');
    assert.equal(blocked.error, undefined, blocked.error);
    assert.equal(blocked.backend, 'wasm', 'the backend still runs, on this thread');
    assert.equal(blocked.joinedJobs, 0, `the policy refuses blob: workers, so none joins (${JSON.stringify(blocked)})`);
    // ...and the page is told why, once, with the fix.
    assert.equal(blocked.warnings!.length, 1, JSON.stringify(blocked.warnings));
    assert.match(blocked.warnings![0], /pool worker failed to load from a blob: URL.*ready\(\{ workerUrl \}\)/);
  } finally {
    await browser.close();
    server.close();
  }
});
