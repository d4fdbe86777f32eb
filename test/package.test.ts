import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync } from 'esbuild';
import * as R from 'receptive';
import * as RNode from 'receptive/node';
import * as RBackend from 'receptive/backend';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = (args: string[], cwd = ROOT) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });

test('the package imports as "receptive" (self-reference) with the PyTorch-style names', () => {
  for (const name of ['tensor', 'zeros', 'ones', 'randn', 'manualSeed', 'gradcheck', 'setBackend', 'getBackend', 'ready', 'noGrad',
    'conv1d', 'conv2d', 'convTranspose2d', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'interpolate', 'upsample',
    'batchNorm', 'dropout', 'localResponseNorm', 'relu', 'softmax', 'logSoftmax', 'linear', 'mseLoss', 'crossEntropy',
    'Conv2d', 'Linear', 'Sequential', 'summary', 'Adam', 'SGD', 'LeNet5', 'fit', 'DataLoader', 'setNumThreads', 'setConvAlgorithm',
    'registerHook', 'retainGrad'] as const) {
    assert.equal(typeof (R as Record<string, unknown>)[name], 'function', `receptive exports ${name}`);
  }
  assert.equal(R.F.conv2d, R.conv2d, 'F is the functional namespace, its functions also at the top level');
  assert.equal(typeof RNode.loadMNIST, 'function');
  assert.equal(typeof RNode.saveCheckpoint, 'function');
  const x = R.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [[2, 4], [6, 8]]);
  assert.deepEqual([...x.shape], [2, 2]);
  assert.equal(x.dtype, 'float32');
});

test('backend internals are in receptive/backend, not in the top-level namespace', () => {
  for (const name of ['kernel', 'record', 'needsGrad', 'registerBackend', 'activeBackend', 'withBackend'] as const) {
    assert.equal(typeof (RBackend as Record<string, unknown>)[name], 'function', `receptive/backend exports ${name}`);
    assert.equal((R as Record<string, unknown>)[name], undefined, `receptive does not export ${name}`);
  }
  assert.equal(typeof RBackend.WORKER_SOURCE, 'string');
  assert.equal(RBackend.setBackend, R.setBackend, 'the user-level names are there too');
});

test('importing receptive starts nothing (no worker, no V8 flag, no output); the first op starts wasm; ready() resolves to it', () => {
  const script = `
    const wt = process.getBuiltinModule('node:worker_threads');
    let workers = 0;
    const W = wt.Worker;
    wt.Worker = class extends W { constructor(...a) { super(...a); workers++; } };
    // (module (func (result v128) ... f32x4.relaxed_madd)): validates only once the backend has set V8's flag.
    const relaxed = () => WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,61,1,59,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,133,2,11]));
    const log = console.log, warn = console.warn;
    let printed = 0;
    console.log = console.warn = console.error = () => void printed++;
    const R = await import('receptive');
    const atImport = { workers, relaxed: relaxed(), printed };
    const y = R.relu(R.tensor([-1, 2]));
    const cores = process.getBuiltinModule('node:os').availableParallelism();
    const afterOp = { workers, pool: Math.min(cores, 31) - 1, relaxed: relaxed(), backend: R.getBackend(), y: y.toFlatArray() };
    const name = await R.ready();
    console.log = log;
    console.log(JSON.stringify({ atImport, afterOp, ready: name, printed }));
  `;
  const r = node(['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const o = JSON.parse(r.stdout.trim());
  assert.deepEqual(o.atImport, { workers: 0, relaxed: false, printed: 0 });
  assert.equal(o.afterOp.workers, o.afterOp.pool, 'the first op started one worker per core but one');
  assert.equal(o.afterOp.relaxed, true, 'the backend set the relaxed-SIMD flag when it started');
  assert.equal(o.afterOp.backend, 'wasm');
  assert.deepEqual(o.afterOp.y, [0, 2]);
  assert.equal(o.ready, 'wasm');
  assert.equal(o.printed, 0);
});

test('setBackend before the first op is kept: neither the first op nor ready() starts wasm over it', () => {
  const script = `
    const R = await import('receptive');
    await R.setBackend('reference');
    R.relu(R.tensor([1]));
    console.log(R.getBackend(), await R.ready(), R.getBackend(), await R.ready({ backend: 'wasm' }), R.getBackend());
  `;
  const r = node(['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'reference reference reference wasm wasm');
});

/** A temporary project with receptive installed as built files (esbuild's per-file transpile of src/, as tsc emits dist/). */
async function project(type: 'commonjs' | 'module'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-pkg-'));
  const pkg = join(dir, 'node_modules', 'receptive');
  mkdirSync(pkg, { recursive: true });
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  await build({ entryPoints: files, outdir: join(pkg, 'dist'), outbase: join(ROOT, 'src'), format: 'esm', platform: 'neutral', logLevel: 'error' });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  // The package's dependencies, as npm would install them beside it.
  const deps = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  for (const d of deps) {
    mkdirSync(dirname(join(dir, 'node_modules', d)), { recursive: true });
    symlinkSync(realpathSync(join(ROOT, 'node_modules', d)), join(dir, 'node_modules', d), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type }));
  return dir;
}

const APP_TS = `
import { conv2d, getBackend, ready, tensor, zeros } from 'receptive';
ready().then((name) => {
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  x.mul(x).sum().backward();
  const y = conv2d(zeros([1, 1, 4, 4]).add(1), zeros([2, 1, 3, 3]).add(1));
  console.log(JSON.stringify({ ready: name, backend: getBackend(), grad: x.grad!.toFlatArray(), conv: y.toFlatArray() }));
});
`;
const APP_OUT = { ready: 'wasm', backend: 'wasm', grad: [2, 4, 6, 8], conv: new Array(8).fill(9) };

test('a CommonJS project: require("receptive") works (require(esm), Node >= 20.19: there is no top-level await)', async (t) => {
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj === 20 && min < 19) return t.skip(`Node ${process.versions.node} has no require(esm)`);
  const dir = await project('commonjs');
  try {
    writeFileSync(join(dir, 'app.js'), `
      const R = require('receptive');
      const B = require('receptive/backend');
      const x = R.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      x.mul(x).sum().backward();
      console.log(JSON.stringify({ backend: R.getBackend(), grad: x.grad.toFlatArray(), kernel: typeof B.kernel, topKernel: typeof R.kernel }));
    `);
    const r = node(['app.js'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { backend: 'wasm', grad: [2, 4, 6, 8], kernel: 'function', topKernel: 'undefined' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CommonJS project: `tsx app.ts` runs a TypeScript file importing receptive', async () => {
  const dir = await project('commonjs');
  try {
    writeFileSync(join(dir, 'app.ts'), APP_TS);
    const r = node([join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'app.ts'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), APP_OUT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an esbuild bundle with --format=iife --target=es2020 builds and runs; a minified tensor-only bundle runs with the Tensor methods', async () => {
  const dir = await project('commonjs');
  try {
    writeFileSync(join(dir, 'app.ts'), APP_TS);
    buildSync({ absWorkingDir: dir, entryPoints: ['app.ts'], bundle: true, format: 'iife', target: 'es2020', outfile: 'bundle.js', logLevel: 'error' });
    const r = node(['bundle.js'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), APP_OUT);
    // The entry is .mts: in a "type": "commonjs" project esbuild (like tsc) compiles a .ts file's imports to require(),
    // and a required ES module cannot be tree-shaken (the whole namespace is kept). That is the user's module format,
    // not the library's: an ES-module entry (.mts, .mjs, or "type": "module") bundles only what it imports.
    writeFileSync(join(dir, 'small.mts'), `import { tensor } from 'receptive';\nconsole.log(tensor([1, 2]).add(1).toFlatArray().join(' '));\n`);
    const out = buildSync({ absWorkingDir: dir, entryPoints: ['small.mts'], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' }).outputFiles[0].text;
    writeFileSync(join(dir, 'small.mjs'), out);
    assert.equal(node(['small.mjs'], dir).stdout.trim(), '2 3', 'Tensor methods are kept (the sideEffects modules)');
    const kept = ['LeNet5', 'DataLoader', 'CosineAnnealingLR', 'importOnnx', 'protobuf', 'Conv2d'].filter((name) => out.includes(name));
    assert.deepEqual(kept, [], `a tensor-only bundle leaves the layers, models, training and io out (${out.length} bytes)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built package (dist/, made by npm ci) loads in plain Node without the source condition', { skip: !existsSync('dist/index.js') && 'dist/ not built (run npm run build)' }, () => {
  const r = node(['--input-type=module', '-e', "import('receptive').then((r) => console.log(typeof r.conv2d, typeof r.F.maxPool2d, r.tensor([1, 2]).sum().item()))"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function 3');
  // The inlined wasm builds are typed as string: their 160 KB of base64 stay out of the declarations.
  const dts = statSync(join(ROOT, 'dist', 'backend', 'wasm', 'bytes.generated.d.ts')).size;
  assert.ok(dts < 1000, `dist/backend/wasm/bytes.generated.d.ts is ${dts} bytes`);
});
