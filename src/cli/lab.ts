import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { ArgumentError, ReceptiveError } from '../tensor/index.js';

/*
 * `receptive lab`: a static server for the lab's build (npm run build:lab writes it
 * to dist/lab). It serves that one folder, GET and HEAD only, on loopback by
 * default, with the headers that make the page cross-origin isolated (so the wasm
 * backend may use threads). It refuses Host headers that are not this server's
 * (DNS rebinding) and any path that leaves the folder, symlinks included.
 */

export interface LabServerOptions {
  /** The folder to serve (default: dist/lab of this package). */
  dir?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Send COOP/COEP (default true); false serves the page as any static host would. */
  isolate?: boolean;
  /** Called for every request, after the answer: method, path, status. */
  log?: (line: string) => void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.gz': 'application/gzip', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.safetensors': 'application/octet-stream',
};

/** dist/lab of the package this file belongs to (from src/cli or dist/cli alike). */
export function defaultLabDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return join(d, 'dist', 'lab');
}

/** The file a URL path names inside root, or null when it is outside, hidden, or not a plain file. */
export function resolveInside(root: string, urlPath: string): string | null {
  const q = urlPath.search(/[?#]/);
  let p = q < 0 ? urlPath : urlPath.slice(0, q);
  try {
    p = decodeURIComponent(p);
  } catch {
    return null;
  }
  // Backslashes, NUL and any remaining '%' (double encoding) are never part of the app's names.
  if (!p.startsWith('/') || /[\\\0%]/.test(p)) return null;
  const parts = p.split('/').filter((s) => s !== '');
  if (parts.some((s) => s === '.' || s === '..' || s.startsWith('.'))) return null;
  if (parts.length === 0 || p.endsWith('/')) parts.push('index.html');
  const full = resolve(root, ...parts);
  if (!full.startsWith(root + sep)) return null;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return null;
  }
  if (!real.startsWith(root + sep) || !statSync(real).isFile()) return null;
  return real;
}

function hostAllowed(host: string | undefined, port: number, bound: string): boolean {
  if (!host) return false;
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', bound.includes(':') ? `[${bound}]` : bound]);
  return [...names].some((n) => host.toLowerCase() === `${n}:${port}`);
}

export async function startLabServer(opts: LabServerOptions = {}): Promise<{ server: Server; url: string; dir: string }> {
  const dir = resolve(opts.dir ?? defaultLabDir());
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ReceptiveError(`lab: no build at ${dir} (index.html is missing); run \`npm run build:lab\` first, or pass --dir`);
  }
  const root = realpathSync(dir);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8357;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError('lab', `port must be an integer in 0..65535, got ${port}`);
  const isolate = opts.isolate ?? true;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number, body = '') => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
      opts.log?.(`${req.method} ${req.url} ${status}`);
    };
    const actual = (server.address() as AddressInfo).port;
    if (!hostAllowed(req.headers.host, actual, host)) return done(403, 'foreign Host header refused\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return done(405, 'GET and HEAD only\n');
    const file = resolveInside(root, req.url ?? '/');
    if (!file) return done(404, 'not found\n');
    const headers: Record<string, string | number> = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (isolate) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    opts.log?.(`${req.method} ${req.url} 200`);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(new ReceptiveError(`lab: cannot listen on ${host}:${port} (${e.code ?? e.message})`)));
    server.listen(port, host, ok);
  });
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return { server, url: `http://${shown}:${a.port}/`, dir: root };
}

/** Open a URL in the desktop's browser (only when the user asked, with --open). */
export function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => console.error(`receptive lab: could not run ${cmd}; open ${url} yourself`)).unref();
}
