import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArgumentError, RNG, ShapeError, randint, randn } from '../../src/tensor/index.js';
import { Sequential, type AnyModule } from '../../src/nn/index.js';
import { crossEntropy } from '../../src/ops/index.js';
import { BasicBlock, Bottleneck, CifarResNet, PreActResNet, ResNet, ZeroPadShortcut, createModel, listModels, weightLayersOnLongestPath } from '../../src/models/index.js';
import { assertThrowsWith } from '../helpers.js';

/*
 * The ResNet family: parameter counts (torchvision's published numbers, and
 * counts worked out by hand from the architecture), the decks' depth claims
 * read off the autograd graph of a forward pass, and a forward and a backward
 * pass of every model at a small input. Block arithmetic and gradients are in
 * resnet-blocks.test.ts; torchvision parity in resnet-parity.test.ts.
 */

const TV_FIXTURE = (JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/torchvision/models.json', import.meta.url)), 'utf8')) as {
  models: Record<string, { params: number; weightLayersLongestPath: number; keys: [string, number[], string, 'param' | 'buffer'][] }>;
}).models;

const count = (m: AnyModule) => m.parameters().reduce((s, p) => s + p.size, 0);

interface Arch {
  block: 'basic' | 'bottleneck';
  layers: number[];
  groups?: number;
  widthPerGroup?: number;
  preact?: boolean;
}

/** Parameters of an ImageNet ResNet by hand: stem, blocks (convs, BNs, projections), final BN (pre-activation), fc. */
function imagenetParams(a: Arch, numClasses = 1000, inChannels = 3): number {
  const exp = a.block === 'basic' ? 1 : 4;
  const g = a.groups ?? 1;
  const wpg = a.widthPerGroup ?? 64;
  let n = inChannels * 64 * 49 + 2 * 64;
  let cin = 64;
  [64, 128, 256, 512].forEach((p, s) => {
    for (let b = 0; b < a.layers[s]; b++) {
      const out = p * exp;
      const preBn = a.preact && !(s === 0 && b === 0) ? 2 * cin : 0;
      if (a.block === 'basic') n += 9 * cin * p + 9 * p * p + (a.preact ? preBn + 2 * p : 4 * p);
      else {
        const w = Math.floor((p * wpg) / 64) * g;
        n += cin * w + (9 * w * w) / g + w * out + (a.preact ? preBn + 4 * w : 4 * w + 2 * out);
      }
      if ((s > 0 && b === 0) || cin !== out) n += cin * out + (a.preact ? 0 : 2 * out);
      cin = out;
    }
  });
  if (a.preact) n += 2 * cin;
  return n + cin * numClasses + numClasses;
}

/** CIFAR ResNet by hand: 3×3 stem with BN, 3n basic blocks, projections only with option B, fc 64 → 10. */
function cifarParams(depth: number, shortcut: 'A' | 'B'): number {
  const n = (depth - 2) / 6;
  let total = 3 * 16 * 9 + 2 * 16;
  let cin = 16;
  for (const p of [16, 32, 64]) {
    for (let b = 0; b < n; b++) {
      total += 9 * cin * p + 9 * p * p + 4 * p + (shortcut === 'B' && cin !== p ? cin * p + 2 * p : 0);
      cin = p;
    }
  }
  return total + 64 * 10 + 10;
}

const ARCH: Record<string, Arch> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
};

// torchvision's published counts (issue 11).
const TORCHVISION: Record<string, number> = { resnet18: 11_689_512, resnet34: 21_797_672, resnet50: 25_557_032, resnet101: 44_549_160, resnet152: 60_192_808 };

test('the hand count of an ImageNet ResNet reproduces torchvision\'s published numbers', () => {
  for (const [name, n] of Object.entries(TORCHVISION)) assert.equal(imagenetParams(ARCH[name]), n, name);
});

/**
 * Build, count, forward, depth on the graph, backward: every parameter gets a
 * finite gradient. The ImageNet nets run in eval mode: at 16×16 their last
 * stages are 1×1, where train-mode batch statistics of 2 values are degenerate
 * (σ ≈ √eps multiplies the gradient at each of 36 blocks).
 */
function checkModel(name: string, params: number, depth: number, input: number[], classes: number, train: boolean): void {
  const rng = new RNG(11);
  const m = createModel(name, {}, rng);
  m.train(train);
  assert.equal(count(m), params, `${name} parameters`);
  const tv = TV_FIXTURE[name];
  if (tv) {
    // torchvision's state_dict, key by key in order (scripts/torchvision_reference.py wrote models.json).
    const buffers = new Set(m.namedBuffers().map(([k]) => k));
    assert.deepEqual(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape], buffers.has(k) ? 'buffer' : 'param']), tv.keys.map(([k, shape, , kind]) => [k, shape, kind]));
    assert.equal(params, tv.params);
    assert.equal(depth, tv.weightLayersLongestPath);
  }
  const y = m.call(randn(input, { rng }));
  assert.deepEqual([...y.shape], [input[0], classes]);
  assert.equal(weightLayersOnLongestPath(m, y), depth, `${name} weight layers on the longest path`);
  crossEntropy(y, randint(0, classes, [input[0]], { rng })).backward();
  for (const [k, p] of m.namedParameters()) {
    assert.ok(p.grad, `${name}: ${k} has no gradient`);
    assert.deepEqual([...p.grad.shape], [...p.shape], k);
    assert.ok(p.grad.data.every(Number.isFinite), `${name}: ${k} gradient is not finite`);
  }
  assert.ok(m.namedParameters()[0][1].grad!.data.some((v) => v !== 0), `${name}: the stem gets no gradient`);
}

for (const [name, arch] of Object.entries(ARCH)) {
  const depth = Number(name.slice(6));
  test(`${name}: ${TORCHVISION[name].toLocaleString('en-US')} parameters, ${depth} weight layers on the longest path, forward and backward at 16×16 (eval mode)`, () => {
    checkModel(name, TORCHVISION[name], depth, [2, 3, 16, 16], 1000, false);
    assert.equal(imagenetParams(arch), TORCHVISION[name]);
  });
  test(`preact_${name}: the hand count, ${depth} weight layers, forward and backward at 16×16 (eval mode)`, () => {
    checkModel(`preact_${name}`, imagenetParams({ ...arch, preact: true }), depth, [2, 3, 16, 16], 1000, false);
  });
}

test('CIFAR ResNets: the hand count, the paper\'s table (0.27M … 1.7M), 6n+2 weight layers, forward and backward', () => {
  const paper: Record<number, string> = { 20: '0.27', 32: '0.46', 44: '0.66', 56: '0.85', 110: '1.7' };
  for (const depth of [20, 32, 44, 56, 110]) {
    const expected = cifarParams(depth, 'A');
    assert.equal((expected / 1e6).toFixed(depth === 110 ? 1 : 2), paper[depth], `resnet${depth} in the paper's table`);
    checkModel(`resnet${depth}`, expected, depth, [2, 3, 8, 8], 10, true);
  }
  const b = new CifarResNet({ depth: 20, shortcut: 'B' });
  assert.equal(count(b), cifarParams(20, 'B'));
  assert.ok((b.layer2.layers[0] as BasicBlock).downsample instanceof Sequential);
  assert.ok((new CifarResNet({ depth: 20 }).layer3.layers[0] as BasicBlock).downsample instanceof ZeroPadShortcut);
});

test('ResNeXt-50 32×4d (grouped bottlenecks, torchvision\'s groups/widthPerGroup) matches the hand count', () => {
  assert.equal(count(createModel('resnext50_32x4d')), imagenetParams({ ...ARCH.resnet50, groups: 32, widthPerGroup: 4 }));
});

test('inputs: ImageNet ResNets take 1×1 and MNIST-sized inputs; the CIFAR nets take 28×28 and 32×32; channels are checked', () => {
  const m = new ResNet({ block: 'basic', layers: [1, 1, 1, 1], numClasses: 10, inChannels: 1 });
  m.eval();
  for (const s of [1, 28, 32]) assert.deepEqual([...m.call(randn([1, 1, s, s])).shape], [1, 10]);
  assertThrowsWith(() => m.call(randn([1, 3, 28, 28])), ShapeError, 'ResNet "(root)"', '[N, 1, H, W]');
  const c = createModel('resnet20', { inChannels: 1 });
  c.eval();
  for (const s of [28, 32]) assert.deepEqual([...c.call(randn([2, 1, s, s])).shape], [2, 10]);
  assertThrowsWith(() => c.call(randn([2, 3, 32, 32])), ShapeError, 'CifarResNet "(root)"', '[N, 1, H, W]');
});

test('the registry lists the family under torchvision\'s names; a named model fixes its architecture', () => {
  const names = listModels();
  for (const n of ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'preact_resnet18', 'preact_resnet152', 'resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'resnext50_32x4d', 'wide_resnet50_2']) {
    assert.ok(names.includes(n), n);
  }
  assertThrowsWith(() => createModel('resnet19'), ArgumentError, 'unknown model "resnet19"', 'resnet18', 'resnet20', 'preact_resnet50');
  assert.ok(createModel('resnet20') instanceof CifarResNet);
  assert.ok(createModel('preact_resnet18') instanceof PreActResNet);
  const saved = createModel('resnet18', { numClasses: 10 }).toConfig();
  assert.equal(count(createModel('resnet18', saved)), imagenetParams(ARCH.resnet18, 10));
  assertThrowsWith(() => createModel('resnet18', { layers: [3, 4, 6, 3] }), ArgumentError, 'layers is [2,2,2,2] in resnet18');
  assertThrowsWith(() => createModel('resnet56', { depth: 20 }), ArgumentError, 'depth is 56 in resnet56');
});

test('bad configurations name the option and what is allowed', () => {
  assertThrowsWith(() => new ResNet({ block: 'basic', layers: [2, 2, 2] }), ArgumentError, 'ResNet', 'layers must be 4 positive block counts');
  assertThrowsWith(() => new ResNet({ block: 'dense' as never, layers: [2, 2, 2, 2] }), ArgumentError, "block must be 'basic' or 'bottleneck'");
  assertThrowsWith(() => new ResNet({ block: 'basic', layers: [2, 2, 2, 2], groups: 32 }), ArgumentError, 'basic blocks take only groups = 1');
  assertThrowsWith(() => new ResNet({ block: 'basic', layers: [2, 2, 2, 2], version: 'v2' as never }), ArgumentError, "version must be 'v1'");
  assertThrowsWith(() => new ResNet({ block: 'basic', layers: [2, 2, 2, 2], numClass: 10 } as never), ArgumentError, 'unknown option "numClass"');
  assertThrowsWith(() => new CifarResNet({ depth: 21 }), ArgumentError, 'depth must be 6n + 2');
  assertThrowsWith(() => new CifarResNet({ depth: 20, shortcut: 'C' as never }), ArgumentError, "shortcut must be 'A'");
  assertThrowsWith(() => new BasicBlock({ inChannels: 64, planes: 64, groups: 2 }), ArgumentError, 'BasicBlock', 'groups = 1');
  assertThrowsWith(() => new Bottleneck({ inChannels: 0, planes: 64 }), ArgumentError, 'Bottleneck', 'inChannels must be a positive integer');
  assertThrowsWith(() => new ZeroPadShortcut({ inChannels: 32, outChannels: 16 }), ArgumentError, 'zero padding only widens');
});
