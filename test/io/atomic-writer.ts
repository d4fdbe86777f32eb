// Child process for atomic.test.ts: rewrites one file forever, version after version, until killed.
import { writeFileAtomic } from '../../src/io/atomic.js';

export function content(version: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.fill((version * 37 + 11) & 255);
  const v = new DataView(b.buffer);
  v.setUint32(0, version, true);
  v.setUint32(size - 4, version, true);
  return b;
}

if (process.argv[1]?.endsWith('atomic-writer.ts')) {
  const [target, sizeArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  process.stdout.write('start\n');
  for (let version = 1; ; version++) writeFileAtomic(target, content(version, size));
}
