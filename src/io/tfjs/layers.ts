import { ArgumentError, FormatError, Tensor, ones, zeros } from '../../tensor/index.js';
import { add, batchNorm, clamp, convTranspose2d, elu, exp, mul, permute, relu, relu6, reshape, sigmoid, slice, softmax, softplus, tanh, transpose } from '../../ops/index.js';
import { Conv2d, Linear, Module, Sequential, type AnyModule } from '../../nn/index.js';

/*
 * Keras layers with weights, as Receptive modules holding the weights in NCHW
 * layouts: Conv2D/DepthwiseConv2D/SeparableConv2D as Conv2d, Dense as Linear,
 * BatchNormalization and Conv2DTranspose as the small modules below.
 */

export type KerasConfig = Record<string, unknown>;

/** A Keras activation by name, applied to an NCHW tensor (softmax over channels for rank 4). */
export function activation(name: unknown, x: Tensor, layer: string): Tensor {
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return relu(x);
    case 'relu6':
      return relu6(x);
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return tanh(x);
    case 'elu':
      return elu(x, 1);
    case 'softplus':
      return softplus(x);
    case 'exponential':
      return exp(x);
    case 'swish':
    case 'silu':
      return mul(x, sigmoid(x));
    case 'hard_sigmoid':
      return clamp(add(mul(x, 0.2), 0.5), 0, 1);
    case 'softmax':
      return softmax(x, x.rank === 4 ? 1 : -1);
    default:
      throw new ArgumentError('importTfjsLayers', `layer "${layer}": activation "${String(name)}" is not supported`);
  }
}

/** A Keras axis of an NHWC tensor as the axis of Receptive's NCHW tensor. */
export function nchwAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank !== 4) return a;
  return [0, 2, 3, 1][a];
}

const pairOf = (v: unknown, fallback: number): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : typeof v === 'number' ? [v, v] : [fallback, fallback]);

function need(w: Map<string, Tensor> | undefined, name: string, layer: string): Tensor {
  const t = w?.get(name);
  if (!t) throw new FormatError('importTfjsLayers', `layer "${layer}" has no weight "${name}" in the weight manifest (it has: ${[...(w?.keys() ?? [])].join(', ') || 'none'})`);
  return t;
}

function setWeights(m: AnyModule, weight: Tensor, bias: Tensor | null): void {
  const w = m.getParameter('weight')!;
  if (w.size !== weight.size) throw new FormatError('importTfjsLayers', `${m.label()}: weight of ${weight.size} values for a parameter of shape [${w.shape}]`);
  w.data.set(weight.data);
  const b = m.getParameter('bias');
  if (b && bias) b.data.set(bias.data);
}

function checkConv(layer: string, c: KerasConfig): void {
  if ((c.data_format ?? 'channels_last') !== 'channels_last') throw new ArgumentError('importTfjsLayers', `layer "${layer}": data_format ${String(c.data_format)} is not supported`);
  if (c.padding !== 'same' && c.padding !== 'valid') throw new ArgumentError('importTfjsLayers', `layer "${layer}": padding "${String(c.padding)}" is not supported`);
}

/** Batch normalisation over the channel axis 1 of any rank, Keras' defaults (epsilon 1e-3, momentum 0.99). */
export class KerasBatchNorm extends Module {
  static override readonly typeName = 'KerasBatchNorm';
  constructor(readonly numFeatures: number, readonly eps: number, readonly momentum: number, scale: boolean, center: boolean) {
    super();
    this.registerParameter('weight', scale ? ones([numFeatures]) : null);
    this.registerParameter('bias', center ? zeros([numFeatures]) : null);
    this.registerBuffer('running_mean', zeros([numFeatures]));
    this.registerBuffer('running_var', ones([numFeatures]));
  }
  forward(x: Tensor): Tensor {
    return batchNorm(x, this.getBuffer('running_mean'), this.getBuffer('running_var'), {
      weight: this.getParameter('weight'), bias: this.getParameter('bias'), training: this.training, momentum: 1 - this.momentum, eps: this.eps,
    });
  }
}

/** Keras' Conv2DTranspose: the full transposed convolution, cropped as TensorFlow's 'same' or 'valid' does. */
export class KerasConvTranspose extends Module {
  static override readonly typeName = 'KerasConvTranspose';
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: [number, number], readonly stride: [number, number], readonly padding: 'same' | 'valid', bias: boolean) {
    super();
    this.registerParameter('weight', zeros([inChannels, outChannels, kernel[0], kernel[1]]));
    this.registerParameter('bias', bias ? zeros([outChannels]) : null);
  }
  forward(x: Tensor): Tensor {
    let y = convTranspose2d(x, this.getParameter('weight')!, { stride: this.stride });
    if (this.padding === 'same') {
      const [H, W] = [x.shape[2] * this.stride[0], x.shape[3] * this.stride[1]];
      const top = Math.floor(Math.max(this.kernel[0] - this.stride[0], 0) / 2);
      const left = Math.floor(Math.max(this.kernel[1] - this.stride[1], 0) / 2);
      y = slice(y, [0, 0, top, left], [null, null, top + H, left + W]);
    }
    const b = this.getParameter('bias');
    return b ? add(y, reshape(b, [1, this.outChannels, 1, 1])) : y;
  }
}

/** Build the Receptive module of a Keras layer with weights and load them; null for layers without weights. */
export function weightedLayer(cls: string, name: string, c: KerasConfig, w: Map<string, Tensor> | undefined): AnyModule | null {
  const bias = c.use_bias !== false;
  switch (cls) {
    case 'Conv2D': {
      checkConv(name, c);
      const kernel = need(w, 'kernel', name); // [kh, kw, in/groups, out]
      const groups = (c.groups as number) ?? 1;
      const m = new Conv2d({ inChannels: kernel.shape[2] * groups, outChannels: kernel.shape[3], kernelSize: [kernel.shape[0], kernel.shape[1]], stride: pairOf(c.strides, 1), dilation: pairOf(c.dilation_rate, 1), padding: c.padding as 'same' | 'valid', groups, bias });
      setWeights(m, permute(kernel, [3, 2, 0, 1]), bias ? need(w, 'bias', name) : null);
      return m;
    }
    case 'DepthwiseConv2D': {
      checkConv(name, c);
      const k = need(w, 'depthwise_kernel', name); // [kh, kw, in, multiplier]
      const [kh, kw, C, mult] = k.shape;
      const m = new Conv2d({ inChannels: C, outChannels: C * mult, kernelSize: [kh, kw], stride: pairOf(c.strides, 1), dilation: pairOf(c.dilation_rate, 1), padding: c.padding as 'same' | 'valid', groups: C, bias });
      setWeights(m, permute(k, [2, 3, 0, 1]), bias ? need(w, 'bias', name) : null);
      return m;
    }
    case 'SeparableConv2D': {
      checkConv(name, c);
      const k = need(w, 'depthwise_kernel', name);
      const p = need(w, 'pointwise_kernel', name); // [1, 1, in·mult, out]
      const [kh, kw, C, mult] = k.shape;
      const depthwise = new Conv2d({ inChannels: C, outChannels: C * mult, kernelSize: [kh, kw], stride: pairOf(c.strides, 1), dilation: pairOf(c.dilation_rate, 1), padding: c.padding as 'same' | 'valid', groups: C, bias: false });
      setWeights(depthwise, permute(k, [2, 3, 0, 1]), null);
      const pointwise = new Conv2d({ inChannels: C * mult, outChannels: p.shape[3], kernelSize: 1, bias });
      setWeights(pointwise, permute(p, [3, 2, 0, 1]), bias ? need(w, 'bias', name) : null);
      return new Sequential(depthwise, pointwise);
    }
    case 'Conv2DTranspose': {
      checkConv(name, c);
      const k = need(w, 'kernel', name); // [kh, kw, out, in]
      const m = new KerasConvTranspose(k.shape[3], k.shape[2], [k.shape[0], k.shape[1]], pairOf(c.strides, 1), c.padding as 'same' | 'valid', bias);
      if ((c.dilation_rate && pairOf(c.dilation_rate, 1).some((d) => d !== 1)) || c.output_padding) throw new ArgumentError('importTfjsLayers', `layer "${name}": Conv2DTranspose with dilation or output_padding is not supported`);
      setWeights(m, permute(k, [3, 2, 0, 1]), bias ? need(w, 'bias', name) : null);
      return m;
    }
    case 'Dense': {
      const k = need(w, 'kernel', name); // [in, out]
      const m = new Linear({ inFeatures: k.shape[0], outFeatures: k.shape[1], bias });
      setWeights(m, transpose(k), bias ? need(w, 'bias', name) : null);
      return m;
    }
    case 'BatchNormalization': {
      const axis = (Array.isArray(c.axis) ? c.axis[0] : c.axis) as number | undefined;
      if (axis !== undefined && axis !== -1 && axis !== 3 && axis !== 1) throw new ArgumentError('importTfjsLayers', `layer "${name}": batch normalisation over axis ${axis} is not supported (channels only)`);
      const mean = need(w, 'moving_mean', name);
      const m = new KerasBatchNorm(mean.size, (c.epsilon as number) ?? 1e-3, (c.momentum as number) ?? 0.99, c.scale !== false, c.center !== false);
      if (c.scale !== false) m.getParameter('weight')!.data.set(need(w, 'gamma', name).data);
      if (c.center !== false) m.getParameter('bias')!.data.set(need(w, 'beta', name).data);
      m.getBuffer('running_mean')!.data.set(mean.data);
      m.getBuffer('running_var')!.data.set(need(w, 'moving_variance', name).data);
      return m;
    }
    default:
      return null;
  }
}
