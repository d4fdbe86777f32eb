import { ResourceError, formatBytes } from '../../tensor/index.js';

/**
 * The heap's limit, 2 GiB: heap addresses are handled as int32 on the JS side
 * (`p >> 2` indexes the typed-array views), so none may reach 2^31.
 */
export const MAX_HEAP_BYTES = 2 ** 31;
export const MAX_PAGES = MAX_HEAP_BYTES / 65536;

/**
 * The first-fit allocator of the wasm memory, managed from JS: free blocks
 * sorted by address and coalesced on release, a bump pointer above them, and
 * the memory grown by at least an eighth when the bump pointer passes its end.
 */
export class HeapAllocator {
  // Free blocks sorted by address, [start, size] in bytes; top is the end of the used heap.
  private free: number[][] = [];
  private top = 65536;

  /** Called by the kernels' arenas (heap.ts) to word a refusal: the kernel and its bytes so far. */
  onHeapFull: ((bytes: number, reason: string) => Error) | null = null;

  constructor(private readonly memory: WebAssembly.Memory) {}

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
}
