import { ArgumentError, ReceptiveError } from '../../tensor/index.js';
import type { Backend } from '../kernels.js';
import { registerBackend, setBackend, listBackends } from '../registry.js';
import { MAX_THREADS, WasmRuntime, canStartSync, coreCount, hasSimd, type RuntimeOptions } from './runtime.js';
import { Conv2D } from './conv.js';
import { Conv2DBackprop, Conv2DBackpropFilter, Conv2DBackpropInput } from './conv-grad.js';
import { MatMul } from './matmul.js';
import { Binary, Reduce, Unary } from './elementwise.js';
import { ChannelAffine, ChannelDots, ChannelMoments, LocalResponseNorm, LocalResponseNormGrad } from './norm.js';
import { bindRuntime } from './heap.js';
import { OptimizerStep } from './optim.js';
import { AdaptiveAvgPool2D, AdaptiveAvgPool2DGrad, AvgPool2D, AvgPool2DGrad, MaxPool2D, MaxPool2DGrad } from './pool.js';

export { setConvAlgorithm, getConvAlgorithm, type ConvAlgorithm } from './winograd.js';

/*
 * The 'wasm' backend: WebAssembly SIMD kernels (assembly/*.ts, compiled at
 * install time by scripts/build-wasm.mjs) on a pool of workers over one shared
 * memory. Kernels it lacks fall back to the reference backend.
 */

let runtime: WasmRuntime | null = null;
let pendingThreads: number | null = null;
let starting: Promise<void> | null = null;
let options: RuntimeOptions = {};

/** Options for the next start (ready() passes its own; later calls change nothing once started). */
export function setRuntimeOptions(o: RuntimeOptions): void {
  if (!runtime) options = { ...options, ...o };
}

function bind(r: WasmRuntime): void {
  runtime = r;
  if (pendingThreads !== null) r.setThreads(pendingThreads);
  bindRuntime(r);
}

/** Start the runtime without an await where that is possible (Node, browser workers); false elsewhere. */
export function startWasmSync(): boolean {
  if (runtime) return true;
  if (!hasSimd() || !canStartSync() || starting) return false;
  bind(WasmRuntime.createSync(options));
  return true;
}

/** True once the runtime is up. */
export function wasmStarted(): boolean {
  return runtime !== null;
}

export const wasmBackend: Backend = {
  name: 'wasm',
  kernels: {
    Unary, Binary, Reduce, Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, Conv2DBackprop, MatMul, MaxPool2D, MaxPool2DGrad, AvgPool2D, AvgPool2DGrad,
    ChannelMoments, ChannelDots, ChannelAffine, LocalResponseNorm, LocalResponseNormGrad,
    OptimizerStep, AdaptiveAvgPool2D, AdaptiveAvgPool2DGrad,
  },
  init() {
    if (runtime) return;
    if (!hasSimd()) throw new ReceptiveError('the wasm backend needs WebAssembly SIMD, which this engine lacks');
    starting ??= WasmRuntime.create(options).then(
      (r) => {
        if (!runtime) bind(r);
      },
      (e: unknown) => {
        starting = null;
        throw e;
      },
    );
    return starting;
  },
};

/** True where WebAssembly with 128-bit SIMD is available. */
export function wasmSimdSupported(): boolean {
  return hasSimd();
}

/**
 * Register the wasm backend and make it the active one. Resolves to false (and
 * leaves the active backend alone) where WebAssembly SIMD is not available.
 */
export async function enableWasmBackend(): Promise<boolean> {
  if (!hasSimd()) return false;
  if (!listBackends().includes('wasm')) registerBackend(wasmBackend);
  await setBackend('wasm');
  return true;
}

let warnedCores = false;

/**
 * Number of threads the wasm kernels use (the calling thread plus workers).
 * Defaults to the core count. More than MAX_THREADS (31) is refused; more than
 * the cores is allowed (results do not depend on the thread count) with a
 * one-time warning, since it only slows the kernels down.
 */
export function setNumThreads(n: number): void {
  const cores = coreCount();
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError('setNumThreads', `expected an integer >= 1, got ${n}`);
  if (n > MAX_THREADS) {
    throw new ArgumentError('setNumThreads', `${n} threads asked for; the wasm backend runs at most ${MAX_THREADS} threads, and this machine has ${cores} cores (use 1 to ${Math.min(cores, MAX_THREADS)})`);
  }
  if (n > cores && !warnedCores) {
    warnedCores = true;
    console.warn(`receptive: setNumThreads(${n}) on a machine with ${cores} cores: threads beyond the cores share them and run no faster`);
  }
  if (runtime) runtime.setThreads(n);
  else pendingThreads = n;
}

export function getNumThreads(): number {
  return runtime ? runtime.getThreads() : pendingThreads ?? 1;
}

/** Details for benchmarks and diagnostics. */
export function wasmInfo(): { relaxedSimd: boolean; threads: number; heapBytes: number; parallelJobs: number; joinedJobs: number } | null {
  if (!runtime) return null;
  return {
    relaxedSimd: runtime.relaxed, threads: runtime.getThreads(), heapBytes: runtime.memory.buffer.byteLength,
    parallelJobs: runtime.parallelJobs, joinedJobs: runtime.joinedJobs,
  };
}

/** The SIMD multiply-add peak of this engine on one thread, GFLOP/s (hand-written wasm loop). */
export function measureFmaPeak(): number {
  if (!runtime) throw new ReceptiveError('measureFmaPeak: the wasm backend is not initialised (call enableWasmBackend first)');
  return runtime.fmaPeak();
}
