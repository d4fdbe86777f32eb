// ResNet-18 inference (batch 1) built from Receptive's ops over the graph in common.mjs, shared by
// the benchmark engine and the per-kernel timing tool.
import { Tensor } from '../src/tensor/index.js';
import { conv2d } from '../src/ops/conv.js';
import { relu } from '../src/ops/activation.js';
import { add } from '../src/ops/elementwise.js';
import { maxPool2d, globalAvgPool2d } from '../src/ops/pool.js';
import { linear } from '../src/ops/matmul.js';
import { reshape } from '../src/ops/shape.js';
import { noGrad } from '../src/autograd/index.js';
// @ts-ignore: plain JS helper module
import { resnet18, seeded } from './common.mjs';

/** A function running one forward pass on a fixed seeded 3×size×size input, returning the logits. */
export function resnetRunner(size: number): () => Tensor {
  const steps = resnet18().map((s: any) => {
    if (s.op === 'conv') return { ...s, wt: new Tensor(s.w, [s.cout, s.cin, s.k, s.k]), bt: new Tensor(s.b, [s.cout]) };
    if (s.op === 'fc') return { ...s, wt: new Tensor(s.w, [1000, 512]), bt: new Tensor(s.b, [1000]) };
    return s;
  });
  const input = new Tensor(seeded(3 * size * size, 7), [1, 3, size, size]);
  return () => noGrad(() => {
    const v: Record<string, Tensor> = { input };
    for (const s of steps) {
      if (s.op === 'conv') {
        const y = conv2d(v[s.x], s.wt, { bias: s.bt, stride: s.s, padding: s.p });
        v[s.y] = s.relu ? relu(y) : y;
      } else if (s.op === 'maxpool') v[s.y] = maxPool2d(v[s.x], { kernelSize: 3, stride: 2, padding: 1 });
      else if (s.op === 'add') {
        const y = add(v[s.a], v[s.b]);
        v[s.y] = s.relu ? relu(y) : y;
      } else if (s.op === 'gap') v[s.y] = reshape(globalAvgPool2d(v[s.x]), [1, 512]);
      else if (s.op === 'fc') v[s.y] = linear(v[s.x], s.wt, s.bt);
    }
    return v.logits;
  });
}
