import { RELAXED_WASM, SIMD_WASM, SINGLE_RELAXED_WASM, SINGLE_WASM } from './bytes.generated.js';
import { WORKER_SOURCE } from './worker-source.js';
import { raiseMallocThresholdsInNode } from './heap.js';
import { HeapAllocator, MAX_PAGES } from './freelist.js';
import { base64ToBytes, canStartSync, coreCount, enableRelaxedSimdInNode, hasRelaxedSimd, hasSimd, isNode, loadedNodeBuiltins, nodeBuiltins, nodeBuiltinsSync } from './engine.js';

export { MAX_HEAP_BYTES } from './freelist.js';
export { canStartSync, coreCount, hasSimd };

/*
 * The wasm runtime: one WebAssembly.Memory (shared when threads are possible),
 * a first-fit heap managed from JS, and a pool of workers that run the same
 * module over the same memory. A kernel call writes its arguments into the heap,
 * bumps a generation counter the workers wait on, does its own share on the
 * calling thread and blocks (Atomics.wait) until every worker has reported.
 */

/** Kernel entry points, in the order the workers index them. */
export const KERNELS = ['prep', 'gemm', 'convdw', 'maxpool', 'maxpoolgrad', 'avgpool', 'avgpoolgrad', 'unary', 'binary', 'pack', 'gemmn', 'col2im', 'rsum', 'wino_w', 'wino_in', 'wino_out', 'rowdot', 'wino_dy', 'wino_dw', 'chmoments', 'chdots', 'chaffine', 'lrn', 'lrngrad', 'convfew', 'sgd', 'adam', 'rmsprop', 'adaptavg', 'adaptavggrad', 'im2row', 'row2im', 'swap01', 'packg'] as const;
export type KernelFn = (typeof KERNELS)[number];
const MEMORY_BOUND = new Set<KernelFn>(['chmoments', 'chdots', 'chaffine', 'lrn', 'lrngrad', 'prep', 'maxpool', 'maxpoolgrad', 'avgpool', 'avgpoolgrad', 'col2im', 'pack', 'unary', 'binary', 'rsum', 'adaptavg', 'adaptavggrad', 'im2row', 'row2im', 'swap01', 'packg']);

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
const STOP = 16; // STOP + slot: ask the worker with that slot to exit
const SLOTS = 1000;


export interface RuntimeOptions {
  /** No console message where the backend falls back to one thread. */
  quiet?: boolean;
  /** Browsers: the URL of a script holding WORKER_SOURCE, for pages whose CSP refuses blob: workers. */
  workerUrl?: string | URL;
}

let warnedOneThread = false;
let warnedWorkerError = false;

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
  private readonly heap: HeapAllocator;
  private argsPtr: number;

  private readonly workerUrl: string | URL | undefined;
  private readonly quiet: boolean;

  private constructor(threads: boolean, workerUrl?: string | URL, quiet = false) {
    this.workerUrl = workerUrl;
    this.quiet = quiet;
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
    this.heap = new HeapAllocator(this.memory);
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
      const n = nodeBuiltinsSync() ?? loadedNodeBuiltins();
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
    const rt = new WasmRuntime(threads, opts.workerUrl, opts.quiet);
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
    return this.heap.alloc(bytes);
  }

  release(p: number, bytes: number): void {
    this.heap.release(p, bytes);
  }

  /** What the heap holds now: bytes up to the bump pointer less the free blocks below it. */
  usedBytes(): number {
    return this.heap.usedBytes();
  }

  /** Called by the kernels' arenas (heap.ts) to word a refusal: the kernel and its bytes so far. */
  get onHeapFull(): ((bytes: number, reason: string) => Error) | null {
    return this.heap.onHeapFull;
  }

  set onHeapFull(f: ((bytes: number, reason: string) => Error) | null) {
    this.heap.onHeapFull = f;
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
      const node = loadedNodeBuiltins();
      if (node) {
        const nw = new node.Worker(WORKER_SOURCE, { eval: true, workerData: data });
        nw.unref();
        w = nw;
      } else {
        const url = this.workerUrl ?? URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const bw = new Worker(url);
        // A worker that cannot load (a Content-Security-Policy without blob: in worker-src, a wrong
        // workerUrl) only sits out every job; say why once, as the pool then runs on this thread alone.
        bw.addEventListener('error', () => {
          if (this.quiet || warnedWorkerError) return;
          warnedWorkerError = true;
          console.warn(`receptive: a wasm pool worker failed to load from ${this.workerUrl ? String(this.workerUrl) : 'a blob: URL'}, so kernels run on one thread (${this.workerUrl ? 'check that the URL serves WORKER_SOURCE from receptive/backend' : "a Content-Security-Policy that refuses blob: workers needs ready({ workerUrl }) with a file holding WORKER_SOURCE from receptive/backend"}; ready({ quiet: true }) silences this)`);
        });
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
