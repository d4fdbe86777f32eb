import { RELAXED_WASM, SIMD_WASM, SINGLE_RELAXED_WASM, SINGLE_WASM } from './bytes.generated.js';
import { WORKER_SOURCE } from './worker-source.js';
import { raiseMallocThresholdsInNode } from './heap.js';
import { ResourceError, formatBytes } from '../../tensor/index.js';

/*
 * The wasm runtime: one WebAssembly.Memory (shared when threads are possible),
 * a first-fit heap managed from JS, and a pool of workers that run the same
 * module over the same memory. A kernel call writes its arguments into the heap,
 * bumps a generation counter the workers wait on, does its own share on the
 * calling thread and blocks (Atomics.wait) until every worker has reported.
 */

/** Kernel entry points, in the order the workers index them. */
export const KERNELS = ['prep', 'gemm', 'convdw', 'maxpool', 'maxpoolgrad', 'avgpool', 'avgpoolgrad', 'unary', 'binary', 'pack', 'gemmn', 'col2im', 'rsum', 'wino_w', 'wino_in', 'wino_out', 'rowdot', 'wino_dy', 'wino_dw', 'chmoments', 'chdots', 'chaffine', 'lrn', 'lrngrad', 'convfew', 'sgd', 'adam', 'rmsprop', 'adaptavg', 'adaptavggrad'] as const;
export type KernelFn = (typeof KERNELS)[number];
const MEMORY_BOUND = new Set<KernelFn>(['chmoments', 'chdots', 'chaffine', 'lrn', 'lrngrad', 'prep', 'maxpool', 'maxpoolgrad', 'avgpool', 'avgpoolgrad', 'col2im', 'pack', 'unary', 'binary', 'rsum', 'adaptavg', 'adaptavggrad']);

type Entry = (args: number, tid: number, nth: number) => void;

interface WorkerLike {
  terminate(): unknown;
  unref?(): void;
}

// Control block (Int32Array over its own SharedArrayBuffer):
const GEN = 0; // job generation, bumped per job
const DONE = 1; // workers finished with the current job
const FN = 2; // kernel index
const ARGS = 3; // args pointer
const NTH = 4; // thread count of the job
const ERR = 5; // set by a worker whose kernel threw
const READY = 6; // bit b: the worker holding bit b has instantiated the module and waits for jobs
const PART = 7; // bit b: the worker holding bit b takes part in the current job
// Workers that joined the current job (low bits), and CLOSED once the calling thread has
// finished its share: a worker that wakes after that (a busy core, a late scheduler)
// leaves the job alone instead of making the caller wait for it to wake up.
const JOIN = 8;
const CLOSED = 1 << 30;
/** The pool's limit: one participation bit per thread in an int32 word. */
export const MAX_THREADS = 31;
/**
 * The heap's limit, 2 GiB: heap addresses are handled as int32 on the JS side
 * (`p >> 2` indexes the typed-array views), so none may reach 2^31.
 */
export const MAX_HEAP_BYTES = 2 ** 31;
const MAX_PAGES = MAX_HEAP_BYTES / 65536;
const STOP = 16; // STOP + slot: ask the worker with that slot to exit
const SLOTS = 1000;

function base64ToBytes(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Relaxed-SIMD probe: a tiny module using f32x4.relaxed_madd. */
function hasRelaxedSimd(): boolean {
  // (module (func (result v128) v128.const i32x4 0 0 0 0 ... f32x4.relaxed_madd))
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 133, 2, 11,
  ]);
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** SIMD probe: a module returning a v128.const. */
export function hasSimd(): boolean {
  if (typeof WebAssembly !== 'object') return false;
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

interface NodeBuiltins {
  os: typeof import('node:os');
  v8: typeof import('node:v8');
  Worker: typeof import('node:worker_threads').Worker;
}
let node: NodeBuiltins | null = null;
type GetBuiltin = (id: string) => unknown;
// Non-literal specifiers, so browser bundlers leave Node's built-ins alone.
const nodeImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

/** Node's built-ins without an await (process.getBuiltinModule: Node >= 20.16), or null where that is missing. */
function nodeBuiltinsSync(): NodeBuiltins | null {
  if (node || !isNode) return node;
  const get = (process as unknown as { getBuiltinModule?: GetBuiltin }).getBuiltinModule;
  if (typeof get !== 'function') return null;
  node = { os: get('node:os') as NodeBuiltins['os'], v8: get('node:v8') as NodeBuiltins['v8'], Worker: (get('node:worker_threads') as typeof import('node:worker_threads')).Worker };
  return node;
}

async function nodeBuiltins(): Promise<NodeBuiltins> {
  const n = nodeBuiltinsSync();
  if (n) return n;
  const [os, v8, wt] = await Promise.all([nodeImport('node:os'), nodeImport('node:v8'), nodeImport('node:worker_threads')]);
  node = { os: os as NodeBuiltins['os'], v8: v8 as NodeBuiltins['v8'], Worker: (wt as typeof import('node:worker_threads')).Worker };
  return node;
}

/**
 * True where the runtime can start without an await: Node with
 * process.getBuiltinModule, and browser workers (which may compile a module
 * synchronously; a page's main thread may not, beyond a few KB).
 */
export function canStartSync(): boolean {
  if (isNode) return nodeBuiltinsSync() !== null;
  const g = globalThis as { document?: unknown; importScripts?: unknown };
  return g.document === undefined && typeof g.importScripts === 'function';
}

/**
 * Node 20 (V8 11.3) implements relaxed SIMD but validates it only behind
 * --experimental-wasm-relaxed-simd; Node 22+ and current browsers ship it. The
 * flag only decides which wasm modules validate, so it is set here, when the
 * backend starts and before its module is compiled, letting the probe pick the
 * FMA build (f32x4.relaxed_madd: one rounding per multiply-add, ~30% more
 * multiply-adds per second on x64 with FMA). RECEPTIVE_RELAXED_SIMD=0 leaves V8 alone.
 */
function enableRelaxedSimdInNode(v8: NodeBuiltins['v8']): void {
  if (hasRelaxedSimd() || process.env.RECEPTIVE_RELAXED_SIMD === '0') return;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An engine without the flag keeps the plain SIMD build.
  }
}

/** Cores of this machine (os.availableParallelism in Node, navigator.hardwareConcurrency elsewhere). */
export function coreCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = nodeBuiltinsSync();
  if (n) return (n.os.availableParallelism?.() ?? n.os.cpus().length) || 1;
  return nav?.hardwareConcurrency || 1;
}

export interface RuntimeOptions {
  /** No console message where the backend falls back to one thread. */
  quiet?: boolean;
  /** Browsers: the URL of a script holding WORKER_SOURCE, for pages whose CSP refuses blob: workers. */
  workerUrl?: string | URL;
}

let warnedOneThread = false;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly relaxed: boolean;
  readonly threadsPossible: boolean;
  private readonly exports: Record<KernelFn, Entry> & { fmapeak(n: number): number };
  private readonly ctl: Int32Array | null;
  private workers: { w: WorkerLike; slot: number; bit: number }[] = [];
  /** Participation bits of live workers, and bits free for new ones (bit 0 is the calling thread). */
  private liveMask = 0;
  /** Kernel calls posted to the worker pool, and those that a worker joined (for tests and diagnostics). */
  parallelJobs = 0;
  joinedJobs = 0;
  private freeBits = 0x7ffffffe;
  private serial = 0;
  private nThreads = 1;
  /** Work for this thread to do at the start of the next run, while the workers begin it (see overlapNextRun). */
  private pending: (() => void) | null = null;
  private f32view: Float32Array;
  private i32view: Int32Array;
  // Heap: free blocks sorted by address, [start, size] in bytes; top is the end of the used heap.
  private free: number[][] = [];
  private top: number;
  private argsPtr: number;

  private readonly workerUrl: string | URL | undefined;

  private constructor(threads: boolean, workerUrl?: string | URL) {
    this.workerUrl = workerUrl;
    this.relaxed = hasRelaxedSimd();
    this.threadsPossible = threads;
    const b64 = threads ? (this.relaxed ? RELAXED_WASM : SIMD_WASM) : this.relaxed ? SINGLE_RELAXED_WASM : SINGLE_WASM;
    this.module = new WebAssembly.Module(base64ToBytes(b64) as BufferSource);
    this.memory = threads ? new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES });
    const inst = new WebAssembly.Instance(this.module, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } });
    this.exports = inst.exports as unknown as WasmRuntime['exports'];
    this.ctl = threads ? new Int32Array(new SharedArrayBuffer(4 * (STOP + SLOTS))) : null;
    if (this.ctl) this.ctl[JOIN] = CLOSED; // no job to join yet
    this.f32view = new Float32Array(this.memory.buffer);
    this.i32view = new Int32Array(this.memory.buffer);
    this.top = 65536;
    this.argsPtr = this.alloc(256);
  }

  /** Create the runtime; threads only where shared memory and a blocking wait exist. */
  static async create(opts: RuntimeOptions = {}): Promise<WasmRuntime> {
    if (isNode) await nodeBuiltins();
    const rt = WasmRuntime.build(opts);
    await rt.warmUp(true);
    return rt;
  }

  /** Create the runtime without an await (where canStartSync()); the warm-up runs without yielding. */
  static createSync(opts: RuntimeOptions = {}): WasmRuntime {
    const rt = WasmRuntime.build(opts);
    void rt.warmUp(false);
    return rt;
  }

  private static build(opts: RuntimeOptions): WasmRuntime {
    if (isNode) {
      const n = nodeBuiltinsSync() ?? node;
      if (!n) throw new Error('Node built-ins are not loaded');
      enableRelaxedSimdInNode(n.v8);
      raiseMallocThresholdsInNode(process.env);
    }
    let threads = typeof SharedArrayBuffer === 'function' && (isNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false);
    if (threads && !isNode) {
      try {
        // Throws on a browser page's main thread, where blocking is not allowed.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      } catch {
        threads = false;
      }
    }
    if (!threads && !isNode && !opts.quiet && !warnedOneThread) {
      warnedOneThread = true;
      console.warn('receptive: the wasm backend runs on one thread here (threads need cross-origin isolation and a thread that may block, such as a Worker; ready({ quiet: true }) silences this)');
    }
    const rt = new WasmRuntime(threads, opts.workerUrl);
    rt.setThreads(coreCount());
    return rt;
  }

  // ------------------------------------------------------------------ memory

  f32(): Float32Array {
    if (this.f32view.buffer !== this.memory.buffer || this.f32view.length === 0) {
      this.f32view = new Float32Array(this.memory.buffer);
      this.i32view = new Int32Array(this.memory.buffer);
    }
    return this.f32view;
  }

  i32(): Int32Array {
    this.f32();
    return this.i32view;
  }

  /** Allocate `bytes` (64-byte aligned); grows the memory when needed. */
  alloc(bytes: number): number {
    const size = Math.max(64, Math.ceil(bytes / 64) * 64);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b[1] >= size) {
        const p = b[0];
        if (b[1] === size) this.free.splice(i, 1);
        else {
          b[0] += size;
          b[1] -= size;
        }
        return p;
      }
    }
    const p = this.top;
    const end = p + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (end > MAX_HEAP_BYTES) throw this.heapFull(size, `the wasm heap is limited to ${formatBytes(MAX_HEAP_BYTES)}`);
      const pages = Math.ceil((end - have) / 65536);
      const room = MAX_PAGES - have / 65536;
      try {
        this.memory.grow(Math.min(room, Math.max(pages, Math.ceil(have / 65536 / 8))));
      } catch {
        // The engine or the OS refused the headroom: ask for what this block needs only.
        try {
          this.memory.grow(pages);
        } catch {
          throw this.heapFull(size, `the engine could not grow the wasm heap past ${formatBytes(have)}`);
        }
      }
    }
    this.top = end;
    return p;
  }

  /** What the heap holds now: bytes up to the bump pointer less the free blocks below it. */
  usedBytes(): number {
    let free = 0;
    for (const b of this.free) free += b[1];
    return this.top - free;
  }

  /** Called by the kernels' arenas (heap.ts) to word a refusal: the kernel and its bytes so far. */
  onHeapFull: ((bytes: number, reason: string) => Error) | null = null;

  private heapFull(bytes: number, reason: string): Error {
    if (this.onHeapFull) return this.onHeapFull(bytes, reason);
    const used = this.usedBytes();
    return new ResourceError('wasm', `a block of ${formatBytes(bytes)} does not fit (${formatBytes(used)} in use; ${reason}): use a smaller batch or input, or setBackend('reference')`, used + bytes, MAX_HEAP_BYTES);
  }

  release(p: number, bytes: number): void {
    const size = Math.max(64, Math.ceil(bytes / 64) * 64);
    const f = this.free;
    let i = 0;
    while (i < f.length && f[i][0] < p) i++;
    f.splice(i, 0, [p, size]);
    // Coalesce with the next and previous blocks.
    if (i + 1 < f.length && f[i][0] + f[i][1] === f[i + 1][0]) {
      f[i][1] += f[i + 1][1];
      f.splice(i + 1, 1);
    }
    if (i > 0 && f[i - 1][0] + f[i - 1][1] === f[i][0]) {
      f[i - 1][1] += f[i][1];
      f.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the bump pointer.
    const last = f[f.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      f.pop();
    }
  }

  // ------------------------------------------------------------------ threads

  getThreads(): number {
    return this.nThreads;
  }

  setThreads(n: number): void {
    const want = this.threadsPossible ? Math.min(MAX_THREADS, Math.max(1, Math.floor(n))) : 1;
    const ctl = this.ctl;
    while (this.workers.length > want - 1 && ctl) {
      // Out of every later job at once (liveMask is this thread's own state); its
      // participation bit is reused only after the worker has exited.
      const { w, slot, bit } = this.workers.pop()!;
      this.liveMask &= ~(1 << bit);
      Atomics.store(ctl, STOP + slot, 1);
      Atomics.notify(ctl, GEN);
      const release = () => { this.freeBits |= 1 << bit; };
      if (isNode) (w as import('node:worker_threads').Worker).once('exit', release);
      else {
        w.terminate();
        release();
      }
    }
    while (ctl && this.workers.length < want - 1 && this.freeBits) {
      const tid = this.workers.length + 1;
      const bit = 31 - Math.clz32(this.freeBits & -this.freeBits);
      this.freeBits &= ~(1 << bit);
      Atomics.and(ctl, READY, ~(1 << bit));
      const slot = this.serial++ % SLOTS;
      Atomics.store(ctl, STOP + slot, 0);
      const data = { module: this.module, memory: this.memory, ctl, tid, slot, bit, names: KERNELS };
      let w: WorkerLike;
      if (node) {
        const nw = new node.Worker(WORKER_SOURCE, { eval: true, workerData: data });
        nw.unref();
        w = nw;
      } else {
        const url = this.workerUrl ?? URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const bw = new Worker(url);
        bw.postMessage(data);
        w = bw;
      }
      this.workers.push({ w, slot, bit });
      this.liveMask |= 1 << bit;
    }
    this.nThreads = this.workers.length + 1;
  }

  /**
   * Run a kernel over `nth` threads (capped by the pool) with integer/float args.
   * `work` (roughly, multiply-adds) decides whether waking workers pays off.
   */
  run(fn: KernelFn, args: readonly number[], work: number): void {
    const a = this.argsPtr >> 2;
    const i32 = this.i32();
    for (let i = 0; i < args.length; i++) i32[a + i] = args[i];
    i32[a + 63] = 0; // the work-item counter the kernels share (see next() in assembly/kernels.ts)
    const entry = this.exports[fn];
    const ctl = this.ctl;
    // Workers that are not up yet (a browser starts them only when this thread
    // yields) simply sit this job out: the work is shared dynamically.
    // Waking the pool costs ~0.1 ms: worth it above ~30k multiply-adds, or ~1M
    // elements for the kernels that only move memory.
    const ready = ctl && work > (MEMORY_BOUND.has(fn) ? 1 << 20 : 32768) ? Atomics.load(ctl, READY) & this.liveMask : 0;
    const pre = this.pending;
    this.pending = null;
    if (ready === 0 || !ctl) {
      pre?.();
      entry(this.argsPtr, 0, 1);
      return;
    }
    this.parallelJobs++;
    const nth = this.nThreads;
    Atomics.store(ctl, DONE, 0);
    ctl[FN] = KERNELS.indexOf(fn);
    ctl[ARGS] = this.argsPtr;
    ctl[NTH] = nth;
    Atomics.store(ctl, PART, ready);
    // Open the job only now: a worker still awake from the last one may join at once,
    // and must see this job's kernel and arguments.
    Atomics.store(ctl, JOIN, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    try {
      pre?.(); // the workers take the first items meanwhile; this thread joins after
      entry(this.argsPtr, 0, nth);
    } finally {
      // Close the job: workers that have not joined yet never will. Even if this
      // thread's share failed, those that did must be done with the heap before the
      // caller frees its blocks.
      const need = Atomics.or(ctl, JOIN, CLOSED) & (CLOSED - 1);
      if (need > 0) this.joinedJobs++;
      let spins = 0;
      for (;;) {
        const d = Atomics.load(ctl, DONE);
        if (d >= need) break;
        if (++spins < 2000) continue;
        Atomics.wait(ctl, DONE, d, 50);
      }
    }
    if (Atomics.load(ctl, ERR)) {
      Atomics.store(ctl, ERR, 0);
      throw new Error(`wasm kernel ${fn} failed in a worker`);
    }
  }

  /**
   * Hand this thread a piece of work (copying the last chunk's results out) to do
   * at the start of the next run, after waking the workers: they start on the
   * kernel's items while it copies, and it takes its share of the items after.
   * Which thread computes which item does not change the result. Alone, the work
   * simply runs first. finishPending() runs it if no kernel ran.
   */
  overlapNextRun(work: () => void): void {
    this.finishPending();
    this.pending = work;
  }

  /** Run the work handed over by overlapNextRun now, if no kernel has run it (`run` false: drop it, after an error). */
  finishPending(run = true): void {
    const pre = this.pending;
    this.pending = null;
    if (run) pre?.();
  }

  /** Measured FMA peak of this module on one thread, GFLOP/s (for the roofline note). */
  fmaPeak(iterations = 20_000_000): number {
    for (let i = 0; i < 20; i++) this.exports.fmapeak(100_000);
    const t = performance.now();
    this.exports.fmapeak(iterations);
    const ms = performance.now() - t;
    return (iterations * 12 * 8) / ms / 1e6;
  }

  /**
   * Run the hot kernels on small inputs until the engine's optimizing tier has
   * compiled them (V8 starts wasm in a baseline tier and swaps in optimized code
   * only for later calls), so the first real kernel calls are not slow.
   */
  private async warmUp(yieldBetween: boolean): Promise<void> {
    const K = 64, Q = 256, M = 16;
    const A = this.alloc(M * K * 4), X = this.alloc((Q + K + 64) * 4), Y = this.alloc(M * Q * 4);
    const off = this.alloc(K * 4), scratch = this.alloc(K * 32 + 320);
    this.f32().fill(0, A >> 2, (A >> 2) + M * K);
    this.f32().fill(0, X >> 2, (X >> 2) + Q + K + 64);
    for (let k = 0; k < K; k++) this.i32()[(off >> 2) + k] = k;
    const round = () => {
      const t = performance.now();
      for (let r = 0; r < 20; r++) {
        this.run('gemm', [A, 0, 0, K, off, X, 0, 0, Y, 0, 0, M, 1, 1, 1, 0, Q, Q, 0, Q, 0, 1, 0, 1, scratch, 0, K], 0);
        this.run('gemmn', [A, 0, 0, K, off, X, 0, 0, Y, 0, 0, M, 1, 1, 1, 0, 4, 4, 4, 4, 0, 1, 0, 1, scratch, 0], 0);
        this.run('pack', [X, A, M, K / 4, K / 4, 1], 0);
        // col2im: Z, dX, P, outH, outW, inH, inW, kH, kW, sH, sW, pT, pL, dH, dW
        this.run('col2im', [X, Y, 1, 6, 6, 8, 8, 3, 3, 1, 1, 0, 0, 1, 1], 0);
        this.run('rsum', [X, Y, 1, 4, 4, 16, 0, 4, 1, r & 1, 16], 0);
        this.run('convdw', [Y, 0, Q, X, 0, 0, off, K, 2, 1, 1, 1, Q, Q, A, scratch], 0);
        this.run('prep', [Y, X, 4, 8, 8, 1, 1, 1, 1, 10, 10, 100], 0);
        // pooling: x, y, argmax, P, inH, inW, outH, outW, kH, kW, sH, sW, padT, padL, dH, dW, countIncludePad, padH, padW
        const pool = [X, Y, A, 2, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 0, 8, 8];
        this.run('maxpool', pool, 0);
        this.run('maxpoolgrad', [Y, X, A, 2, 8, 8, 4, 4], 0);
        this.run('avgpool', pool, 0);
        this.run('avgpoolgrad', [Y, X, 0, 2, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 0, 8, 8], 0);
        this.run('unary', [X, Y, 256, r & 1], 0);
        this.run('binary', [Y, X, A, r & 3, 1, 1, 4, 64, 0, 0, 64, 1, 0, 0, 0, 1], 0);
      }
      return performance.now() - t;
    };
    let last = round();
    for (let i = 0; i < 20; i++) {
      // Yielding lets the engine's background compiler finish; without it (a
      // synchronous start) the rounds still run while it works.
      if (yieldBetween) await new Promise((r) => setTimeout(r, 5));
      const t = round();
      if (t > last * 0.8) break;
      last = t;
    }
    for (const [p, b] of [[A, M * K * 4], [X, (Q + K + 64) * 4], [Y, M * Q * 4], [off, K * 4], [scratch, K * 32 + 320]]) this.release(p, b);
  }
}
