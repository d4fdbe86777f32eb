import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, zeros, type Tensor } from '../../src/tensor/index.js';
import * as F from '../../src/ops/index.js';
import {
  summary, Module, Sequential, Flatten, Linear, Conv2d, ConvTranspose2d, MaxPool2d, BatchNorm2d, GlobalAvgPool2d, AdaptiveAvgPool2d,
  type ModelSummary, type SummaryRow,
} from '../../src/nn/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { assertThrowsWith } from '../helpers.js';

const conv = (inChannels: number, outChannels: number, kernelSize: number | [number, number], o: { stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean } = {}) =>
  new Conv2d({ inChannels, outChannels, kernelSize, ...o });
const maxPool = (kernelSize: number, stride?: number, padding?: number) => new MaxPool2d({ kernelSize, stride, padding });
const dense = (inFeatures: number, outFeatures: number, bias = true) => new Linear({ inFeatures, outFeatures, bias });
const bn = (numFeatures: number) => new BatchNorm2d({ numFeatures });

const row = (s: ModelSummary, path: string): SummaryRow => {
  const r = s.rows.find((x) => x.path === path);
  assert.ok(r, `a row for "${path}" among ${s.rows.map((x) => `"${x.path}"`).join(', ')}`);
  return r;
};
const rf = (s: ModelSummary, path: string) => [row(s, path).receptiveField, row(s, path).jump];

test('the decks\' example: a 3x3 convolution sees 3 pixels; after a 2x2 max pool 4, with jump 2', () => {
  const s = summary(new Sequential(conv(1, 1, 3), maxPool(2)), [1, 1, 8, 8]);
  assert.deepEqual(rf(s, '0'), [[3, 3], [1, 1]]);
  // 3 + (2 − 1)·1·1 = 4; jump 1·2
  assert.deepEqual(rf(s, '1'), [[4, 4], [2, 2]]);
  assert.deepEqual(row(s, '1').global, [false, false]);
  assert.deepEqual(rf(s, ''), [[4, 4], [2, 2]], 'the model row reports its output');
});

test('receptive field of a stride-2 chain: 3, 7, 15 with jumps 2, 4, 8; a 1x1 conv adds nothing', () => {
  const m = new Sequential(conv(1, 2, 3, { stride: 2, padding: 1 }), conv(2, 2, 3, { stride: 2, padding: 1 }), conv(2, 2, 3, { stride: 2, padding: 1 }), conv(2, 2, 1));
  const s = summary(m, [1, 1, 32, 32]);
  // rf' = rf + (k − 1)·jump: 1 + 2·1 = 3, 3 + 2·2 = 7, 7 + 2·4 = 15
  assert.deepEqual(rf(s, '0'), [[3, 3], [2, 2]]);
  assert.deepEqual(rf(s, '1'), [[7, 7], [4, 4]]);
  assert.deepEqual(rf(s, '2'), [[15, 15], [8, 8]]);
  assert.deepEqual(rf(s, '3'), [[15, 15], [8, 8]]);
  assert.deepEqual(row(s, '2').outputShape, [1, 2, 4, 4]);
});

test('dilation spreads the kernel: (k − 1)·d·jump; an asymmetric kernel grows one axis', () => {
  const m = new Sequential(conv(1, 1, 3), conv(1, 1, 3, { dilation: 2 }), conv(1, 1, 3, { dilation: 4 }), maxPool(2), conv(1, 1, [3, 1], { dilation: 2 }));
  const s = summary(m, [1, 1, 40, 40]);
  assert.deepEqual(rf(s, '0')[0], [3, 3]);
  assert.deepEqual(rf(s, '1')[0], [7, 7]); // 3 + 2·2
  assert.deepEqual(rf(s, '2')[0], [15, 15]); // 7 + 2·4
  assert.deepEqual(rf(s, '3'), [[16, 16], [2, 2]]);
  // H: 16 + 2·2·2 = 24; W: a 1-wide kernel adds nothing
  assert.deepEqual(rf(s, '4'), [[24, 16], [2, 2]]);
});

/** A residual block whose paths differ: 3x3 s2 -> 3x3 against a 1x1 s2 shortcut, joined by a functional add. */
class Residual extends Module {
  readonly a = conv(1, 2, 3, { stride: 2, padding: 1 });
  readonly b = conv(2, 2, 3, { padding: 1 });
  readonly short = conv(1, 2, 1, { stride: 2 });
  forward(x: Tensor): Tensor {
    return F.add(this.b.call(this.a.call(x)), this.short.call(x));
  }
}

test('a residual add takes the largest receptive field over its paths, in the row of the module that adds', () => {
  const s = summary(new Residual(), [1, 1, 8, 8]);
  assert.deepEqual(rf(s, 'a'), [[3, 3], [2, 2]]);
  assert.deepEqual(rf(s, 'b'), [[7, 7], [2, 2]]); // 3 + 2·2
  assert.deepEqual(rf(s, 'short'), [[1, 1], [2, 2]]);
  assert.deepEqual(rf(s, ''), [[7, 7], [2, 2]]);
  const root = row(s, '');
  assert.equal(root.macs, 0, 'the add has no MACs; the convolutions are on their own rows');
  assert.equal(root.activationBytes, 2 * 4 * 4 * 4, 'the add output [1, 2, 4, 4] in float32 is the root\'s own');
  assert.equal(row(s, 'a').macs, 2 * 4 * 4 * 9);
  assert.equal(row(s, 'b').macs, 2 * 4 * 4 * 2 * 9);
  assert.equal(row(s, 'short').macs, 2 * 4 * 4);
  assert.equal(s.totalMacs, 288 + 576 + 32);
  assert.equal(s.rows.reduce((t, r) => t + r.macs, 0), s.totalMacs);
  assert.equal(s.activationBytes, s.rows.reduce((t, r) => t + r.activationBytes, 0));
  assert.equal(s.activationBytes, 4 * 32 * 4, 'four [1, 2, 4, 4] float32 tensors: a, b, short and the sum');
});

/** Inception-style branches joined by concat along channels. */
class Branches extends Module {
  readonly b1 = conv(1, 1, 1);
  readonly b3 = conv(1, 1, 3, { padding: 1 });
  readonly b5 = conv(1, 1, 5, { padding: 2 });
  readonly pool = maxPool(3, 1, 1);
  forward(x: Tensor): Tensor {
    return F.concat([this.b1.call(x), this.b3.call(x), this.b5.call(x), this.pool.call(x)], 1);
  }
}

test('concat takes the largest receptive field of its inputs', () => {
  const s = summary(new Branches(), [1, 1, 9, 9]);
  assert.deepEqual(rf(s, 'b1')[0], [1, 1]);
  assert.deepEqual(rf(s, 'b3')[0], [3, 3]);
  assert.deepEqual(rf(s, 'pool')[0], [3, 3]);
  assert.deepEqual(rf(s, ''), [[5, 5], [1, 1]]);
  assert.deepEqual(row(s, '').outputShape, [1, 4, 9, 9]);
});

test('flatten + linear and global pooling see the whole input; adaptive pooling to the same size does not', () => {
  const head = summary(new Sequential(conv(1, 1, 3), new Flatten(), dense(36, 2)), [1, 1, 8, 8]);
  assert.deepEqual(rf(head, '1'), [[3, 3], [1, 1]], 'flattening alone mixes nothing');
  assert.deepEqual(row(head, '1').global, [false, false]);
  assert.deepEqual(row(head, '2').receptiveField, [8, 8]);
  assert.deepEqual(row(head, '2').global, [true, true]);
  const gap = summary(new Sequential(conv(1, 1, 3), new GlobalAvgPool2d()), [1, 1, 8, 8]);
  assert.deepEqual(row(gap, '1').receptiveField, [8, 8]);
  assert.deepEqual(row(gap, '1').global, [true, true]);
  const same = summary(new Sequential(conv(1, 1, 3), new AdaptiveAvgPool2d({ outputSize: 6 })), [1, 1, 8, 8]);
  assert.deepEqual(rf(same, '1'), [[3, 3], [1, 1]]);
  // 6 -> 3: bins of 2 with stride 2, as a 2x2 pool: 3 + 1 = 4, jump 2
  const half = summary(new Sequential(conv(1, 1, 3), new AdaptiveAvgPool2d({ outputSize: 3 })), [1, 1, 8, 8]);
  assert.deepEqual(rf(half, '1'), [[4, 4], [2, 2]]);
  assert.deepEqual(row(half, '1').global, [false, false]);
});

test('MACs of a small conv + linear net by hand, per batch; rows sum to the total', () => {
  const m = new Sequential(conv(1, 4, 3), conv(4, 4, 3, { padding: 1, groups: 2 }), new Flatten(), dense(64, 10));
  const s = summary(m, [2, 1, 6, 6]);
  // out [2, 4, 4, 4] = 128 elements × 1·9; × (4/2)·9; linear 2·10·64
  assert.equal(row(s, '0').macs, 128 * 9);
  assert.equal(row(s, '1').macs, 128 * 18);
  assert.equal(row(s, '3').macs, 2 * 10 * 64);
  assert.equal(s.totalMacs, 1152 + 2304 + 1280);
  assert.equal(s.rows.reduce((t, r) => t + r.macs, 0), s.totalMacs);
  assert.equal(s.totalParams, 4 * 9 + 4 + 4 * 2 * 9 + 4 + 64 * 10 + 10);
  assert.equal(row(s, '2').activationBytes, 0, 'flatten is a view of its input');
  // a transposed convolution from its input side: [1, 4, 3, 3] = 36 inputs × 2 outputs/group × 2·2
  const up = summary(new ConvTranspose2d({ inChannels: 4, outChannels: 2, kernelSize: 2, stride: 2 }), [1, 4, 3, 3]);
  assert.equal(up.totalMacs, 36 * 2 * 4);
  assert.deepEqual(up.rows[0].outputShape, [1, 2, 6, 6]);
  assert.deepEqual(up.rows[0].jump, [0.5, 0.5]);
});

/** A functional matmul with the module's own weight: [N, 3, 4] @ [4, 5]. */
class MatmulHead extends Module {
  declare readonly w: Tensor;
  constructor() {
    super();
    this.registerParameter('w', zeros([4, 5]));
  }
  forward(x: Tensor): Tensor {
    return F.matmul(x, this.w);
  }
}

test('a functional op in a custom forward counts in that module\'s row: matmul MACs are batch·M·N·K', () => {
  const s = summary(new MatmulHead(), [2, 3, 4]);
  assert.equal(s.rows.length, 1);
  assert.equal(s.rows[0].macs, 2 * 3 * 5 * 4);
  assert.equal(s.rows[0].params, 20);
  assert.equal(s.rows[0].receptiveField, null, 'no 4-D input, no receptive field');
});

/** One conv applied twice. */
class Twice extends Module {
  readonly conv = conv(2, 2, 3, { padding: 1 });
  forward(x: Tensor): Tensor {
    return this.conv.call(this.conv.call(x));
  }
}

test('a module called twice has two rows and its parameters counted once', () => {
  const s = summary(new Twice(), [1, 2, 5, 5]);
  assert.deepEqual(s.rows.map((r) => [r.path, r.depth]), [['', 0], ['conv', 1], ['conv', 1]]);
  const [, first, second] = s.rows;
  assert.equal(first.params, 2 * 2 * 9 + 2);
  assert.equal(second.params, 0);
  assert.equal(s.totalParams, 38);
  // each call: [1, 2, 5, 5] = 50 outputs × 2·9
  assert.equal(first.macs, 900);
  assert.equal(second.macs, 900);
  assert.deepEqual([first.receptiveField, second.receptiveField], [[3, 3], [5, 5]]);
});

test('parameters apart from buffers: batch norm\'s running statistics are buffers; frozen parameters are non-trainable', () => {
  const c = conv(1, 4, 3, { bias: false });
  const norm = bn(4);
  c.weight.requiresGrad = false;
  const s = summary(new Sequential(c, norm), [1, 1, 6, 6]);
  const stats = norm.namedBuffers().some(([n]) => n === 'num_batches_tracked') ? 1 : 0;
  assert.deepEqual([row(s, '0').params, row(s, '0').trainableParams, row(s, '0').nonTrainableParams, row(s, '0').buffers], [36, 0, 36, 0]);
  assert.deepEqual([row(s, '1').params, row(s, '1').trainableParams, row(s, '1').nonTrainableParams, row(s, '1').buffers], [8, 8, 0, 8 + stats]);
  assert.equal(s.totalParams, 44);
  assert.equal(s.trainableParams, 8);
  assert.equal(s.nonTrainableParams, 36);
  assert.equal(s.totalBuffers, 8 + stats);
  assert.equal(s.paramBytes, 44 * 4);
  assert.match(s.toString(), /Non-trainable params: 36/);
});

/** Notes the mode it ran in. */
class ModeProbe extends Module {
  seen: boolean[] = [];
  forward(x: Tensor): Tensor {
    this.seen.push(this.training);
    return x;
  }
}

test('summary runs in eval mode and gives every module its own mode back', () => {
  const probe = new ModeProbe();
  const norm = bn(1);
  const m = new Sequential(conv(1, 1, 3), norm, probe);
  m.train();
  norm.eval();
  summary(m, [1, 1, 5, 5]);
  assert.deepEqual(probe.seen, [false]);
  assert.deepEqual([m.training, norm.training, probe.training], [true, false, true]);
});

/** Two inputs, each through its own conv, joined by add. */
class TwoInputs extends Module<[Tensor, Tensor]> {
  readonly a = conv(1, 1, 3);
  readonly b = conv(1, 1, 5, { padding: 1 });
  forward(x: Tensor, y: Tensor): Tensor {
    return F.add(this.a.call(x), this.b.call(y));
  }
}

test('a model with several inputs takes a list of shapes', () => {
  const s = summary(new TwoInputs(), [[1, 1, 8, 8], [1, 1, 8, 8]]);
  assert.deepEqual(s.inputShapes, [[1, 1, 8, 8], [1, 1, 8, 8]]);
  assert.deepEqual(row(s, 'a').receptiveField, [3, 3]);
  assert.deepEqual(row(s, 'b').receptiveField, [5, 5]);
  assert.deepEqual(row(s, '').receptiveField, [5, 5]);
  assert.deepEqual(row(s, '').outputShape, [1, 1, 6, 6]);
  // 36 outputs × 9 and × 25
  assert.equal(s.totalMacs, 36 * 9 + 36 * 25);
});

test('bad arguments name summary and what was wrong', () => {
  assertThrowsWith(() => summary({} as Module, [1, 1, 4, 4]), ArgumentError, 'summary', 'must be a Module');
  assertThrowsWith(() => summary(conv(1, 1, 3), [1, 0, 4, 4]), ArgumentError, 'summary', 'positive integers', '[1,0,4,4]');
  assertThrowsWith(() => summary(conv(1, 1, 3), [[1, 1, 4, 4], []]), ArgumentError, 'summary', 'input shape 1');
});

test('summary: a dense layer from 224x224x3 to 100 units has 15,052,800 weights (deck: CNN motivation)', () => {
  const s = summary(new Sequential(new Flatten(), dense(224 * 224 * 3, 100, false)), [1, 3, 224, 224]);
  assert.equal(s.totalParams, 15_052_800);
  assert.equal(s.totalMacs, 15_052_800, 'batch 1: one multiply-accumulate per weight');
  assert.match(s.toString(), /15,052,800/);
});

test('summary: N 3x3 filters have 9N weights, plus N biases', () => {
  for (const n of [1, 8, 64]) {
    assert.equal(summary(conv(1, n, 3, { bias: false }), [1, 1, 8, 8]).totalParams, 9 * n);
    assert.equal(summary(conv(1, n, 3), [1, 1, 8, 8]).totalParams, 10 * n);
  }
});

test('summary: 400 8x8 filters on 1x96x96 give 400x89x89 = 3,168,400 outputs', () => {
  const s = summary(conv(1, 400, 8, { bias: false }), [1, 1, 96, 96]);
  assert.deepEqual(s.rows[0].outputShape, [1, 400, 89, 89]);
  assert.equal(s.activationBytes, 3_168_400 * 4);
  assert.equal(s.totalMacs, 3_168_400 * 64);
  assert.deepEqual(s.rows[0].receptiveField, [8, 8]);
});

test('summary: a 3x3 kernel factorised into 3x1 then 1x3 has 6 weights instead of 9 and the same receptive field', () => {
  const full = summary(conv(1, 1, 3, { bias: false }), [1, 1, 7, 7]);
  const s = summary(new Sequential(conv(1, 1, [3, 1], { bias: false }), conv(1, 1, [1, 3], { bias: false })), [1, 1, 7, 7]);
  assert.equal(full.totalParams, 9);
  assert.equal(s.totalParams, 6);
  assert.deepEqual(s.rows.at(-1)!.outputShape, full.rows[0].outputShape);
  assert.deepEqual(row(s, '0').receptiveField, [3, 1]);
  assert.deepEqual(row(s, '1').receptiveField, [3, 3]);
});

test('summary of LeNet-5: the decks\' layer sizes, 61,706 parameters, MACs and receptive fields', () => {
  const s = summary(new LeNet5(), [1, 1, 28, 28]);
  const shapes = Object.fromEntries(s.rows.map((r) => [r.path, r.outputShape]));
  assert.deepEqual(shapes['features.0'], [1, 6, 28, 28]);
  assert.deepEqual(shapes['features.2'], [1, 6, 14, 14]);
  assert.deepEqual(shapes['features.3'], [1, 16, 10, 10]);
  assert.deepEqual(shapes['features.5'], [1, 16, 5, 5]);
  // (5·5·1 + 1)·6 + (5·5·6 + 1)·16 + (400 + 1)·120 + (120 + 1)·84 + (84 + 1)·10
  assert.equal(s.totalParams, 26 * 6 + 151 * 16 + 401 * 120 + 121 * 84 + 85 * 10);
  assert.equal(s.trainableParams, s.totalParams);
  // 6·28·28·25 + 16·10·10·150 + 400·120 + 120·84 + 84·10
  assert.equal(s.totalMacs, 117_600 + 240_000 + 48_000 + 10_080 + 840);
  // conv 5 (pad 2): 5; pool 2: 6, jump 2; conv 5: 6 + 4·2 = 14; pool 2: 16, jump 4
  assert.deepEqual(rf(s, 'features.5'), [[16, 16], [4, 4]]);
  assert.deepEqual(row(s, 'classifier.1').global, [true, true]);
  const text = s.toString();
  assert.match(text, /features\.3 \(Conv2d\)\s+\[1, 16, 10, 10\]\s+2,416\s+240K\s+14x14\s+2x2/);
  assert.match(text, /classifier\.1 \(Linear\)\s+\[1, 120\]\s+48,120\s+48\.0K\s+28x28 \(all\)/);
  assert.match(text, /Total params: 61,706/);
  assert.match(text, /MACs: 417K \(416,520\)/);
});

/** GoogLeNet-style: a main output and an auxiliary head, as an array and as a record. */
class TwoHeads extends Module<[Tensor], Tensor[]> {
  readonly body = conv(1, 2, 3);
  readonly aux = conv(2, 1, 1);
  forward(x: Tensor): Tensor[] {
    const h = this.body.call(x);
    return [F.relu(h), this.aux.call(h)];
  }
}

class Named extends Module<[Tensor], { logits: Tensor; aux: Tensor }> {
  readonly heads = new TwoHeads();
  forward(x: Tensor): { logits: Tensor; aux: Tensor } {
    const [logits, aux] = this.heads.call(x);
    return { logits, aux };
  }
}

test('modules with several outputs list every output shape', () => {
  const s = summary(new Named(), [1, 1, 6, 6]);
  assert.deepEqual(s.rows.map((r) => r.path), ['', 'heads', 'heads.body', 'heads.aux']);
  assert.deepEqual(row(s, 'heads').outputShapes, [[1, 2, 4, 4], [1, 1, 4, 4]]);
  assert.deepEqual(row(s, '').outputShapes, [[1, 2, 4, 4], [1, 1, 4, 4]]);
  assert.equal(row(s, 'heads').activationBytes, 2 * 16 * 4, 'the relu is the heads row\'s own op');
  assert.equal(s.totalMacs, 2 * 16 * 9 + 16 * 2);
  assert.match(s.toString(), /heads \(TwoHeads\)\s+\[1, 2, 4, 4\] \[1, 1, 4, 4\]/);
});
