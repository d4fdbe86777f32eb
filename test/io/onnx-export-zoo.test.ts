import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, randn } from '../../src/tensor/index.js';
import type { AnyModule } from '../../src/nn/index.js';
import { AlexNet, CifarResNet, GoogLeNet, PreActResNet, ResNet, createModel } from '../../src/models/index.js';
import { ortRoundTrip, calibrateBatchNorm } from './ort-roundtrip.js';

/*
 * Every zoo family exported, run in ONNX Runtime and re-imported, at reduced
 * depth and input so that the file stays fast: ResNets with one block per stage,
 * AlexNet and GoogLeNet at 64×64 (their adaptive pools then grow 1×1 maps, the
 * uneven-bin export). VGG's builder has no smaller width and takes ~20 s to
 * initialise its 4096-wide classifier, so VGG runs only in the full-size script
 * (scripts/onnx-zoo-roundtrip.ts); its layers (conv 3×3, batch norm, max pool,
 * LRN for A-LRN, adaptive pool to 7×7) are all exercised below.
 */

const cases: [string, () => AnyModule, number[]][] = [
  ['lenet5 (classic: tanh, average pooling)', () => createModel('lenet5', { variant: 'classic' }, new RNG(1)), [2, 1, 28, 28]],
  ["alexnet (torchvision's)", () => new AlexNet({ numClasses: 10, rng: new RNG(2) }), [1, 3, 64, 64]],
  ['alexnet (2012 original: LRN, two groups)', () => new AlexNet({ variant: 'original', numClasses: 10, rng: new RNG(3) }), [1, 3, 67, 67]],
  ['googlenet inference graph (aux heads built, unused in eval), input transform', () => new GoogLeNet({ numClasses: 10, transformInput: true, rng: new RNG(4) }), [1, 3, 64, 64]],
  ['resnet, basic blocks', () => new ResNet({ block: 'basic', layers: [1, 1, 1, 1], numClasses: 10, rng: new RNG(5) }), [2, 3, 32, 32]],
  ['resnet, bottleneck V1', () => new ResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], numClasses: 10, version: 'v1', rng: new RNG(6) }), [1, 3, 32, 32]],
  ['resnext (grouped bottleneck)', () => new ResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], groups: 4, widthPerGroup: 8, numClasses: 10, rng: new RNG(7) }), [1, 3, 32, 32]],
  ['wide resnet', () => new ResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], widthPerGroup: 128, numClasses: 10, rng: new RNG(8) }), [1, 3, 32, 32]],
  ['preact resnet, basic', () => new PreActResNet({ block: 'basic', layers: [1, 1, 1, 1], numClasses: 10, rng: new RNG(9) }), [1, 3, 32, 32]],
  ['preact resnet, bottleneck', () => new PreActResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], numClasses: 10, rng: new RNG(10) }), [1, 3, 32, 32]],
  ['resnet20 (CIFAR, option-A zero-padded shortcuts)', () => createModel('resnet20', {}, new RNG(11)), [2, 3, 32, 32]],
  ['CIFAR resnet, option-B projections', () => new CifarResNet({ depth: 8, shortcut: 'B', rng: new RNG(12) }), [2, 3, 32, 32]],
];

for (const [name, build, shape] of cases) {
  test(`exportOnnx round trip: ${name} matches ONNX Runtime and re-imports`, async () => {
    const model = build();
    calibrateBatchNorm(model, randn([4, ...shape.slice(1)], { rng: new RNG(19) }));
    const r = await ortRoundTrip(model, randn(shape, { rng: new RNG(20) }), { dynamicBatch: true, runBatch: randn([3, ...shape.slice(1)], { rng: new RNG(21) }) });
    assert.deepEqual(r.ortShape, r.outShape);
    assert.ok(r.scale > 0, 'the output is not all zeros');
    assert.ok(r.ortRel < 1e-4, `ONNX Runtime differs by ${r.ortMaxAbs} (${r.ortRel} of the output scale ${r.scale})`);
    assert.ok(r.reimportMaxAbs <= 1e-5 * r.scale, `re-import differs by ${r.reimportMaxAbs} (scale ${r.scale})`);
  });
}
