import type { CompleteBackend } from '../kernels.js';
import { Binary, Cast, Unary, Where } from './elementwise.js';
import { ArgReduce, Reduce } from './reduce.js';
import { BroadcastTo, Concat, Pad, Slice, Transpose } from './shape.js';
import { MatMul } from './matmul.js';
import { Conv2D, Conv2DBackprop, Conv2DBackpropFilter, Conv2DBackpropInput } from './conv.js';
import { AdaptiveAvgPool2D, AdaptiveAvgPool2DGrad, AvgPool2D, AvgPool2DGrad, MaxPool2D, MaxPool2DGrad } from './pool.js';
import { ResizeBilinear, ResizeBilinearGrad, ResizeNearest, ResizeNearestGrad } from './resize.js';
import { OptimizerStep } from './optim.js';
import { ChannelAffine, ChannelDots, ChannelMoments, LocalResponseNorm, LocalResponseNormGrad } from './norm.js';

/** Plain TypeScript loops for float32 and float64: the oracle every other backend is checked against. */
export const referenceBackend: CompleteBackend = {
  name: 'reference',
  kernels: {
    Unary, Binary, Where, Cast, Reduce, ArgReduce, Transpose, Slice, Pad, Concat, BroadcastTo, MatMul,
    Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, Conv2DBackprop,
    MaxPool2D, MaxPool2DGrad, AvgPool2D, AvgPool2DGrad, AdaptiveAvgPool2D, AdaptiveAvgPool2DGrad,
    ResizeNearest, ResizeNearestGrad, ResizeBilinear, ResizeBilinearGrad,
    ChannelMoments, ChannelDots, ChannelAffine, LocalResponseNorm, LocalResponseNormGrad,
    OptimizerStep,
  },
};
