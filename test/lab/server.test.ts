/*
 * `receptive lab`'s server: loopback only, its own Host names only (DNS rebinding),
 * GET/HEAD only, the app's folder only (traversal payloads, encodings, symlinks),
 * and the isolation headers on or off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resolveInside, startLabServer } from '../../src/cli/lab.js';
import { cliCommand } from '../cli/run.js';

const base = mkdtempSync(join(tmpdir(), 'lab-server-'));
const app = join(base, 'app');
const SECRET = 'secret-outside-the-app';
let server: Server;
let port: number;

before(async () => {
  mkdirSync(join(app, 'data'), { recursive: true });
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(join(app, 'app.js'), 'export {}');
  writeFileSync(join(app, 'data', 'x.gz'), 'gz');
  writeFileSync(join(app, '.env'), SECRET);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  mkdirSync(join(base, 'app-evil'));
  writeFileSync(join(base, 'app-evil', 'secret.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(app, 'link.txt'));
  symlinkSync(base, join(app, 'up'));
  symlinkSync('/etc/passwd', join(app, 'passwd'));
  ({ server } = await startLabServer({ dir: app, port: 0 }));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.close();
  rmSync(base, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire as written (no URL normalisation by the client). */
function get(path: string, opts: { host?: string; method?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', setHost: false, headers: { Host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves the app with the cross-origin isolation headers, on loopback', async () => {
  assert.equal((server.address() as AddressInfo).address, '127.0.0.1');
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(r.body, /<title>lab<\/title>/);
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal((await get('/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/data/x.gz')).body, 'gz');
  assert.equal((await get(`/app.js?v=1#x`)).status, 200);
});

test('refuses foreign Host headers (DNS rebinding) and methods other than GET and HEAD', async () => {
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`, '']) {
    const r = await get('/', { host });
    assert.equal(r.status, 403, host);
    assert.doesNotMatch(r.body, /<title>/);
  }
  for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port}`]) assert.equal((await get('/', { host })).status, 200, host);
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) assert.equal((await get('/', { method })).status, 405, method);
  assert.equal((await get('/', { method: 'HEAD' })).status, 200);
});

test('refuses 60 path-traversal payloads, hidden files and symlinks out of the folder', async () => {
  const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '..%00', '%c0%ae%c0%ae', '....', '..%2f'];
  const seps = ['/', '%2f', '%2F', '\\', '%5c', '%5C', '%252f'];
  const payloads = new Set<string>();
  for (const d of dots) for (const s of seps) payloads.add(`/${d}${s}secret.txt`);
  for (const p of [
    '/../secret.txt', '/../../../../etc/passwd', '//etc/passwd', '/%2fetc%2fpasswd', '/etc/passwd', '/C:\\Windows\\win.ini', '/\\\\server\\share',
    '/data/../../secret.txt', '/data/%2e%2e/%2e%2e/secret.txt', '/./../secret.txt', '/link.txt', '/up/secret.txt', '/passwd', '/.env', '/data/.%2e/.env',
    `/${encodeURIComponent(join(base, 'secret.txt'))}`, '/..;/secret.txt', '/%00', '/index.html%00.js', '/%', '/%zz', '/../app-evil/secret.txt', '/data', '/data/',
  ]) payloads.add(p);
  assert.ok(payloads.size >= 60, `${payloads.size} payloads`);
  for (const p of payloads) {
    const r = await get(p);
    assert.ok(r.status === 404 || r.status === 400, `${p}: status ${r.status}`);
    assert.doesNotMatch(r.body, new RegExp(SECRET), p);
    assert.doesNotMatch(r.body, /root:/, p);
  }
  assert.equal(resolveInside(app, '/../secret.txt'), null);
  assert.equal(resolveInside(app, '/app.js'), join(app, 'app.js'));
});

test('without isolation it omits COOP/COEP; a missing build is a clear error', async () => {
  const { server: plain } = await startLabServer({ dir: app, port: 0, isolate: false });
  try {
    const p = (plain.address() as AddressInfo).port;
    const r = await new Promise<Record<string, unknown>>((ok) => request({ host: '127.0.0.1', port: p, path: '/' }, (res) => (res.resume(), ok(res.headers))).end());
    assert.equal(r['cross-origin-opener-policy'], undefined);
    assert.equal(r['cross-origin-embedder-policy'], undefined);
  } finally {
    plain.close();
  }
  await assert.rejects(startLabServer({ dir: join(base, 'nowhere'), port: 0 }), /no build at .*nowhere.*npm run build:lab/);
  await assert.rejects(startLabServer({ dir: app, port: 70000 }), /port must be an integer in 0\.\.65535, got 70000/);
});

test('`receptive lab --port 0 --dir` serves the folder and prints its loopback URL', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...cliCommand(), 'lab', '--port', '0', '--dir', app], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) ok(out);
      });
      child.on('exit', (code) => fail(new Error(`exited ${code}`)));
    });
    const m = /at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(line);
    assert.ok(m, line);
    const body = await new Promise<string>((ok) => request(m[1], (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => ok(b));
    }).end());
    assert.match(body, /<title>lab<\/title>/);
  } finally {
    child.kill();
  }
});
