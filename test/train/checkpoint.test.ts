import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, RNG, ReceptiveError } from '../../src/tensor/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { serializeSafetensors } from '../../src/io/safetensors.js';
import { crc32 } from '../../src/io/crc32.js';
import { CHECKPOINT_FORMAT, parseCheckpoint, serializeCheckpoint, type CheckpointInfo } from '../../src/train/index.js';

function saved() {
  const model = new LeNet5({ rng: new RNG(1) });
  const opt = new Adam(model.parameters());
  for (const p of model.parameters()) p.grad = p.detach();
  opt.step();
  const info: CheckpointInfo = {
    format: CHECKPOINT_FORMAT,
    model: { name: 'lenet5', config: { variant: 'modern' } },
    training: { step: 1, optimizer: opt.stateDict(), loader: { epoch: 1, batch: 1, rng: { s: [1, 2, 3, 4], spare: null } }, rng: { s: [5, 6, 7, 8], spare: null }, history: [] },
  };
  return { model, opt, info, bytes: serializeCheckpoint(model, info) };
}

/** Load into a fresh model the way the CLI does: parse, then loadStateDict (which checks before writing). */
function tryLoad(bytes: Uint8Array, target: LeNet5): 'ok' | 'refused' {
  try {
    const { tensors } = parseCheckpoint(bytes, 'ckpt.safetensors');
    target.loadStateDict(tensors);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ReceptiveError, `not a library error: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return 'refused';
  }
}

test('a checkpoint round-trips weights, optimiser buffers and training state', () => {
  const { model, opt, info, bytes } = saved();
  const { tensors, info: back } = parseCheckpoint(bytes, 'ckpt.safetensors');
  for (const [k, t] of Object.entries(model.stateDict())) assert.deepEqual(tensors[k].data, t.data, k);
  assert.ok(!Object.keys(tensors).some((k) => k.startsWith('__optimizer__')), 'optimiser buffers are not model weights');
  assert.deepEqual(back.training!.optimizer, opt.stateDict());
  assert.deepEqual(back.model, info.model);
});

test('truncation sweep: every prefix of the header region and a dense sample of the rest is refused with a FormatError naming the file', () => {
  const { bytes } = saved();
  const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  let checked = 0;
  for (let n = 0; n < bytes.length; n += n < headerEnd + 4096 ? 1 : 61) {
    try {
      parseCheckpoint(bytes.subarray(0, n), 'ckpt.safetensors');
      assert.fail(`a ${n}-byte prefix of ${bytes.length} parsed`);
    } catch (e) {
      assert.ok(e instanceof FormatError, `prefix ${n}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
      assert.match((e as Error).message, /^ckpt\.safetensors: /);
    }
    checked++;
  }
  assert.ok(checked > headerEnd);
});

test('seeded mutations (bit flips, length rewrites, header edits) never crash and never half-load a model', () => {
  const { bytes } = saved();
  const rng = new RNG(42);
  const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const target = new LeNet5({ rng: new RNG(7) });
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const m = bytes.slice();
    const kind = i % 4;
    if (kind === 0) {
      const at = rng.int(0, headerEnd);
      m[at] ^= 1 << rng.int(0, 8);
    } else if (kind === 1) {
      new DataView(m.buffer).setBigUint64(0, BigInt(rng.int(0, 2 * headerEnd)), true);
    } else if (kind === 2) {
      // Rewrite a digit inside the header JSON (shapes, offsets, step counts).
      const digits = [];
      for (let k = 8; k < headerEnd; k++) if (m[k] >= 0x30 && m[k] <= 0x39) digits.push(k);
      m[digits[rng.int(0, digits.length)]] = 0x30 + rng.int(0, 10);
    } else {
      const at = rng.int(headerEnd, m.length);
      m[at] ^= 1 << rng.int(0, 8);
    }
    const before = target.parameters().map((p) => p.data.slice());
    const r = tryLoad(m, target);
    if (kind === 3) assert.equal(r, 'refused', `mutation ${i}: a flipped data bit was loaded`);
    if (r === 'refused') {
      refused++;
      target.parameters().forEach((p, k) => assert.deepEqual(p.data, before[k], `mutation ${i}: model changed by a refused load`));
    }
  }
  // Every data-byte flip (a quarter of the mutations) must be refused by the checksum.
  assert.ok(refused > 1000, `only ${refused} of 2000 mutations were refused`);
});

test('a damaged data byte is caught by the checksum; plain safetensors are not checkpoints', () => {
  const { bytes } = saved();
  const m = bytes.slice();
  m[m.length - 5] ^= 0x10;
  assert.throws(() => parseCheckpoint(m, 'ckpt.safetensors'), (e: Error) => e instanceof FormatError && /tensor data is damaged: CRC-32/.test(e.message));
  const plain = serializeSafetensors({ w: new LeNet5().parameters()[0] });
  assert.throws(() => parseCheckpoint(plain, 'w.safetensors'), (e: Error) => e instanceof FormatError && /w\.safetensors: not a Receptive checkpoint/.test(e.message));
});

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});
