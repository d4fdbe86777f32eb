import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RNG } from '../../src/tensor/index.js';

/** An IDX file: magic (0, 0, dtype 0x08 = uint8, rank), big-endian dimensions, then the bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** A directory with the four standard files of a seeded random 28 × 28, 10-class dataset (a stand-in for Fashion-MNIST). */
export function writeIdxDataset(dir: string, sizes: { train: number; test: number }, seed = 1): { testLabels: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  const rng = new RNG(seed);
  let testLabels = new Uint8Array(0);
  for (const [prefix, n] of [['train', sizes.train], ['t10k', sizes.test]] as const) {
    const images = Uint8Array.from({ length: n * 784 }, () => rng.int(0, 256));
    const labels = Uint8Array.from({ length: n }, () => rng.int(0, 10));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([n, 28, 28], images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
    if (prefix === 't10k') testLabels = labels;
  }
  return { testLabels };
}
