import { ShapeError, type Tensor } from '../tensor/index.js';
import { convOutputSize, poolOutputSize, resolvePadding } from '../ops/index.js';
import { pair } from '../ops/util.js';
import { AvgPool2d, Conv2d, MaxPool2d, type AnyModule } from '../nn/index.js';

/*
 * A model's smallest input, from the layers that shrink the feature maps. Each
 * model lists them in order (the layers themselves, read when the check runs,
 * so a replaced child is seen); layers that keep the size may be left out. The
 * arithmetic is the layers' own (convOutputSize, poolOutputSize), per axis.
 */

export type ShrinkingLayer = Conv2d | MaxPool2d | AvgPool2d;

/** Output size of one layer along axis 0 (height) or 1 (width). */
function outSize(layer: ShrinkingLayer, n: number, axis: 0 | 1): number {
  const name = layer.typeName;
  if (layer instanceof Conv2d) {
    const c = layer.config;
    const k = pair(name, 'kernelSize', c.kernelSize, 1);
    const s = pair(name, 'stride', c.stride ?? 1, 1);
    const d = pair(name, 'dilation', c.dilation ?? 1, 1);
    // Square input of side n: 'same' padding only depends on this axis.
    const p = resolvePadding(name, c.padding, n, n, k[0], k[1], s, d);
    return convOutputSize(n, k[axis], s[axis], axis === 0 ? p[0] + p[1] : p[2] + p[3], d[axis]);
  }
  const c = layer.config;
  const k = pair(name, 'kernelSize', c.kernelSize, 1);
  const s = pair(name, 'stride', c.stride ?? c.kernelSize, 1);
  const p = pair(name, 'padding', c.padding ?? 0, 0);
  const d = layer instanceof MaxPool2d ? pair(name, 'dilation', layer.config.dilation ?? 1, 1) : [1, 1];
  return poolOutputSize(n, k[axis], s[axis], p[axis], d[axis], c.ceilMode ?? false);
}

/** The first layer of the chain whose output would be empty for an input of h×w, or null. */
export function firstEmptyLayer(chain: readonly ShrinkingLayer[], h: number, w: number): { index: number; inH: number; inW: number; outH: number; outW: number } | null {
  let [H, W] = [h, w];
  for (let i = 0; i < chain.length; i++) {
    const outH = outSize(chain[i], H, 0);
    const outW = outSize(chain[i], W, 1);
    if (outH < 1 || outW < 1) return { index: i, inH: H, inW: W, outH: Math.max(outH, 0), outW: Math.max(outW, 0) };
    [H, W] = [outH, outW];
  }
  return null;
}

/** Smallest input [height, width] that every layer of the chain accepts. */
export function minInputSize(chain: readonly ShrinkingLayer[]): [number, number] {
  const side = (axis: 0 | 1): number => {
    for (let n = 1; n <= 4096; n++) if (!firstEmptyLayer(chain, axis === 0 ? n : 4096, axis === 0 ? 4096 : n)) return n;
    return Infinity;
  };
  return [side(0), side(1)];
}

/**
 * Refuse an input the model cannot take, before any work is done, naming the
 * model, the first layer that would fail and the size, e.g. `AlexNet: expected
 * an input of at least 63x63, got [1, 3, 32, 32] (features.12 MaxPool2d would output 0x0 from 1x1)`.
 */
export function checkInputSize(model: AnyModule, chain: readonly ShrinkingLayer[], x: Tensor): void {
  const [H, W] = [x.shape[2], x.shape[3]];
  const bad = firstEmptyLayer(chain, H, W);
  if (!bad) return;
  const [minH, minW] = minInputSize(chain);
  const layer = chain[bad.index];
  const where = model.namedModules().find(([, m]) => m === layer)?.[0] ?? `layer ${bad.index}`;
  throw new ShapeError(
    model.typeName,
    `an input of at least ${minH}x${minW}`,
    x.shape,
    `input ${H}x${W}: ${where} ${layer.typeName} would output ${bad.outH}x${bad.outW} from ${bad.inH}x${bad.inW}`,
  );
}
