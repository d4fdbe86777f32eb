import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * The wasm backend in headless Chromium: in a module Worker of a cross-origin
 * isolated page it runs on a pool of Web Workers (3 threads here) and gives the
 * same bits as on 1 thread; on a page's main thread (where Atomics.wait is not
 * allowed) or without cross-origin isolation it runs on one thread, warns once,
 * and gives the same bits as Node (both run the plain-SIMD kernels).
 * Every result is checked against the reference backend in the same page.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCENARIO = `
import { enableWasmBackend, setNumThreads, getNumThreads, wasmInfo } from './src/backend/wasm/index.js';
import { kernel, withBackend } from './src/backend/index.js';
import { randn, RNG } from './src/tensor/index.js';
import { conv2dInfo } from './src/ops/conv.js';

export async function scenario() {
  const ok = await enableWasmBackend();
  const rng = new RNG(7);
  const r = (shape) => randn(shape, { dtype: 'float32', rng });
  const x = r([2, 8, 24, 22]), w = r([16, 4, 3, 3]), b = r([16]);
  const info = conv2dInfo('t', x, w, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 });
  const dy = r([2, 16, info.outH, info.outW]);
  const a = r([2, 40, 30]), bm = r([2, 50, 30]);
  const run = () => [
    kernel('Conv2D')(x, w, b, info), kernel('Conv2DBackpropInput')(dy, w, info), kernel('Conv2DBackpropFilter')(x, dy, info),
    kernel('MatMul')(a, bm, { transA: false, transB: true }),
  ];
  const refs = withBackend('reference', run);
  setNumThreads(1);
  const one = run();
  setNumThreads(3);
  const threads = getNumThreads();
  // A browser starts new workers only once this thread yields.
  await new Promise((res) => setTimeout(res, 300));
  const before = wasmInfo().parallelJobs;
  const joinedBefore = wasmInfo().joinedJobs;
  const same = (ts) => one.every((t, i) => t.data.every((v, j) => Object.is(v, ts[i].data[j])));
  let identical = same(run());
  const parallelJobs = wasmInfo().parallelJobs - before;
  // A worker that wakes after this thread has done the whole job skips it; on a busy
  // machine that can be every job of a run, so run again (same bits each time) until one joined.
  for (let i = 0; i < 20 && wasmInfo().joinedJobs === joinedBefore; i++) {
    await new Promise((res) => setTimeout(res, 20));
    identical = same(run()) && identical;
  }
  const joinedJobs = wasmInfo().joinedJobs - joinedBefore;
  const maxDiff = one.map((t, i) => t.data.reduce((m, v, j) => Math.max(m, Math.abs(v - refs[i].data[j])), 0));
  // FNV-1a over the float32 bits of every output, to compare engines bit for bit.
  let hash = 0x811c9dc5;
  for (const t of one) for (const u of new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)) hash = Math.imul(hash ^ u, 16777619) >>> 0;
  return { ok, threads, parallelJobs, joinedJobs, relaxed: wasmInfo().relaxedSimd, maxDiff, identical, hash };
}

const report = (p) => p.then((r) => r, (e) => ({ error: String(e && e.stack || e) }));
if (typeof window === 'undefined') {
  if (typeof postMessage === 'function') report(scenario()).then((r) => postMessage(r));
} else if (location.search.includes('worker')) {
  const wk = new Worker('/app.js', { type: 'module' });
  wk.onmessage = (e) => { globalThis.__result = e.data; };
  wk.onerror = (e) => { globalThis.__result = { error: String(e.message) }; };
} else {
  report(scenario()).then((r) => { globalThis.__result = r; });
}
`;

interface Result { hash?: number; ok?: boolean; threads?: number; parallelJobs?: number; joinedJobs?: number; relaxed?: boolean; maxDiff?: number[]; identical?: boolean; error?: string }

async function serve(js: string, isolated: boolean): Promise<Server> {
  const headers: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>`;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/app.js')) res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

test('wasm backend in headless Chromium: Web Worker pool in an isolated page, one thread with a warning elsewhere', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`, timeout: 120_000 }, async () => {
  const bundle = await build({ stdin: { contents: SCENARIO, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  const js = bundle.outputFiles[0].text;
  assert.doesNotMatch(js, /from\s*["']node:/);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const isolatedServer = await serve(js, true);
  const plainServer = await serve(js, false);
  try {
    const run = async (server: Server, query: string): Promise<{ r: Result; warnings: string[] }> => {
      const tab = await browser.newPage();
      const warnings: string[] = [];
      tab.on('console', (m) => { if (m.type() === 'warning' && m.text().includes('receptive')) warnings.push(m.text()); });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${query}`);
      await tab.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, null, { timeout: 90_000 });
      const r = (await tab.evaluate(() => (globalThis as { __result?: unknown }).__result)) as Result;
      await tab.close();
      return { r, warnings };
    };
    // Tolerance as in wasm.test.ts: 2e-6 per term of the longest reduction (dW: N·outH·outW = 2·12·22).
    const tol = 2e-6 * 2 * 12 * 22 + 1e-6;
    const pooled = await run(isolatedServer, '?worker');
    assert.equal(pooled.r.error, undefined, pooled.r.error);
    assert.equal(pooled.r.ok, true);
    assert.equal(pooled.r.threads, 3, 'a cross-origin isolated Worker gets a thread pool');
    assert.ok(pooled.r.parallelJobs! >= 4, `kernels were posted to the worker pool (${pooled.r.parallelJobs} parallel calls)`);
    assert.ok(pooled.r.joinedJobs! >= 1, `Web Workers joined some of them (${pooled.r.joinedJobs})`);
    assert.equal(pooled.r.identical, true, '1 and 3 threads give the same bits');
    for (const d of pooled.r.maxDiff!) assert.ok(d <= tol, `max |wasm − reference| ${d} > ${tol}`);
    // The same scenario in Node, from the same source bundled for Node.
    const nodeBundle = await build({ stdin: { contents: SCENARIO, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' });
    const dir = mkdtempSync(join(tmpdir(), 'receptive-wasm-'));
    let inNode: Result;
    try {
      writeFileSync(join(dir, 'scenario.mjs'), nodeBundle.outputFiles[0].text);
      inNode = (await (await import(pathToFileURL(join(dir, 'scenario.mjs')).href)).scenario()) as Result;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(typeof inNode.hash, 'number');
    for (const [server, what] of [[isolatedServer, 'main thread of an isolated page'], [plainServer, 'page without cross-origin isolation']] as const) {
      const single = await run(server, '');
      // Both run the plain-SIMD kernels (the single-thread browser build has no FMA): same bits as Node 20.
      if (!inNode.relaxed) assert.equal(single.r.hash, inNode.hash, `${what}: the same bits as in Node`);
      assert.equal(single.r.error, undefined, single.r.error);
      assert.equal(single.r.ok, true);
      assert.equal(single.r.threads, 1, `${what}: one thread`);
      assert.equal(single.r.parallelJobs, 0);
      // (The test asks for 3 threads on this 2-core machine, which setNumThreads also warns about.)
      assert.equal(single.warnings.filter((w) => w.includes('runs on one thread')).length, 1, `${what}: warns once (${JSON.stringify(single.warnings)})`);
      for (const d of single.r.maxDiff!) assert.ok(d <= tol, `${what}: max |wasm − reference| ${d} > ${tol}`);
    }
  } finally {
    await browser.close();
    isolatedServer.close();
    plainServer.close();
  }
});
