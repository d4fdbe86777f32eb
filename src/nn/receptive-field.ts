import type { Tensor } from '../tensor/index.js';
import type { TracedOp } from '../autograd/trace.js';

/*
 * Receptive fields over a traced op graph (the decks' arithmetic, and Araujo et
 * al., "Computing Receptive Fields of Convolutional Neural Networks", Distill
 * 2019). Every tensor derived from an NCHW input carries, per spatial axis, its
 * receptive field rf (how many input pixels one of its elements sees) and its
 * jump (the distance in input pixels between neighbouring elements, the
 * effective stride). An input starts at rf 1, jump 1. A window of kernel k,
 * stride s, dilation d gives rf + (k − 1)·d·jump and jump·s. Ops that combine
 * tensors (add, concat, mul, …) take the largest over their inputs, so over a
 * DAG the result is the largest over all paths. Ops that mix a whole spatial
 * axis (global pooling, a reduction, a linear layer after flatten) make that
 * axis global: the element sees the whole input. Each also carries the start:
 * where element (0, 0)'s window begins in input pixels (negative where it reaches
 * into padding), so element (i, j) sees rows start + i·jump … start + i·jump + rf − 1.
 */

/** Receptive field and jump per spatial axis [H, W], in input pixels. */
export interface SpatialExtent {
  /** Receptive field; on a global axis at least the input size. */
  rf: [number, number];
  /** Effective stride (jump) between neighbouring elements. */
  jump: [number, number];
  /** True where every element depends on the whole input along that axis. */
  global: [boolean, boolean];
  /** Input coordinate where element (0, 0)'s window starts (0 on a global axis). */
  start: [number, number];
}

interface State {
  rf: [number, number];
  jump: [number, number];
  global: [boolean, boolean];
  start: [number, number];
  /** Tensor axes that hold H and W; null once they were merged (flatten) or lost. */
  axes: [number, number] | null;
}

type Pair = [number, number];
const num2 = (v: unknown): Pair => v as Pair;

/**
 * The extent of every tensor in `ops` that derives from one of the 4-D inputs
 * (parameters and constants carry none). Inputs of another rank start nothing.
 */
export function receptiveFields(ops: readonly TracedOp[], inputs: readonly Tensor[]): Map<Tensor, SpatialExtent> {
  const states = new Map<Tensor, State>();
  const first4d = inputs.find((t) => t.rank === 4);
  const inSize: Pair = first4d ? [first4d.shape[2], first4d.shape[3]] : [1, 1];
  for (const t of inputs) if (t.rank === 4) states.set(t, { rf: [1, 1], jump: [1, 1], global: [false, false], start: [0, 0], axes: [2, 3] });
  for (const op of ops) {
    const s = propagate(op, states);
    if (s) for (const o of op.outputs) if (!states.has(o)) states.set(o, s);
  }
  const out = new Map<Tensor, SpatialExtent>();
  for (const [t, s] of states) {
    out.set(t, {
      rf: [0, 1].map((i) => (s.global[i] ? Math.max(s.rf[i], inSize[i]) : s.rf[i])) as Pair,
      jump: [...s.jump],
      global: [...s.global],
      start: [0, 1].map((i) => (s.global[i] ? 0 : s.start[i])) as Pair,
    });
  }
  return out;
}

function propagate(op: TracedOp, states: Map<Tensor, State>): State | null {
  const x = op.inputs[0];
  const sx = x ? states.get(x) : undefined;
  const a = op.attrs;
  switch (op.op) {
    case 'conv2d':
    case 'maxPool2d':
    case 'avgPool2d':
      return sx ? spatial(sx, (i) => window(sx, i, num2(a.kernel)[i], num2(a.stride)[i], num2(a.dilation)[i]), [2, 3], (i) => sx.start[i] - padBefore(a, i) * sx.jump[i]) : null;
    case 'convTranspose2d': {
      // Upsampling by s: neighbouring outputs are jump/s apart, and the kernel spans (k − 1)·d of them.
      // Output 0 is reached first by input (p − (k − 1)·d) / s, hence the start.
      const jumpOut = (i: number) => (sx as State).jump[i] / num2(a.stride)[i];
      const reach = (i: number) => (num2(a.kernel)[i] - 1) * num2(a.dilation)[i];
      return sx ? spatial(sx, (i) => [sx.rf[i] + reach(i) * jumpOut(i), jumpOut(i)], [2, 3], (i) => sx.start[i] + (padBefore(a, i) - reach(i)) * jumpOut(i)) : null;
    }
    case 'interpolate':
      // Nearest copies one input pixel; bilinear blends two neighbours per axis.
      return sx ? spatial(sx, (i) => {
        const ratio = x.shape[2 + i] / (i === 0 ? (a.outH as number) : (a.outW as number));
        return [sx.rf[i] + (a.mode === 'bilinear' ? sx.jump[i] : 0), sx.jump[i] * ratio];
      }) : null;
    case 'adaptiveAvgPool2d':
    case 'globalAvgPool2d':
    case 'globalMaxPool2d':
      return sx ? adaptive(sx, x, num2(a.outputSize)) : null;
    case 'linear':
      return sx ? mix(sx, [x.rank - 1], x.rank, true) : null;
    case 'matmul':
      return combine(op, states, (s, t, i) => mix(s, [i === 0 ? t.rank - 1 : t.rank - 2], t.rank, true), false);
    case 'sum':
    case 'mean':
    case 'max':
    case 'min':
      return sx ? mix(sx, a.axes as number[], x.rank, a.keepDims as boolean) : null;
    case 'argmax':
    case 'argmin':
      return sx ? mix(sx, a.axis === null ? x.shape.map((_, i) => i) : [a.axis as number], x.rank, a.keepDims as boolean) : null;
    case 'softmax':
    case 'logSoftmax':
      return sx ? mix(sx, [a.axis as number], x.rank, true) : null;
    case 'localResponseNorm':
      return sx ? mix(sx, [1], x.rank, true) : null;
    case 'reshape':
      return sx ? { ...sx, axes: reshapedAxes(sx.axes, x.shape, op.outputs[0].shape) } : null;
    case 'permute': {
      const perm = a.perm as number[];
      return sx ? { ...sx, axes: sx.axes && [perm.indexOf(sx.axes[0]), perm.indexOf(sx.axes[1])] } : null;
    }
    case 'slice': {
      const step = a.step as number[];
      const begin = a.begin as number[];
      return sx ? (sx.axes ? spatial(sx, (i) => [sx.rf[i], sx.jump[i] * step[sx.axes![i]]], sx.axes, (i) => sx.start[i] + begin[sx.axes![i]] * sx.jump[i]) : sx) : null;
    }
    case 'pad': {
      const pads = a.pads as Pair[];
      return sx ? (sx.axes ? { ...sx, start: [0, 1].map((i) => sx.start[i] - pads[sx.axes![i]][0] * sx.jump[i]) as Pair } : sx) : null;
    }
    default:
      // Elementwise, concat, pad, batch norm in eval, dropout, …: the largest over the inputs.
      return combine(op, states, (s) => s, true);
  }
}

/** A window of kernel k, stride s, dilation d along axis i. */
function window(s: State, i: number, k: number, stride: number, d: number): Pair {
  return [s.rf[i] + (k - 1) * d * s.jump[i], s.jump[i] * stride];
}

/** Rows (i = 0) or columns (i = 1) of zero padding before the input, from a trace's pads [top, bottom, left, right]. */
function padBefore(a: Readonly<Record<string, unknown>>, i: number): number {
  const pads = a.pads as number[] | undefined;
  return pads ? pads[2 * i] : 0;
}

/**
 * Apply f (rf, jump) and start per spatial axis of an op whose input holds H, W
 * at axes 2, 3 (else the mapping is lost: global). Without `start` the first
 * window begins where the input's did (adaptive pooling, interpolation).
 */
function spatial(s: State, f: (i: number) => Pair, axes: [number, number] = [2, 3], start?: (i: number) => number): State {
  const [h, w] = [f(0), f(1)];
  const lost = !s.axes || s.axes[0] !== axes[0] || s.axes[1] !== axes[1];
  return { rf: [h[0], w[0]], jump: [h[1], w[1]], global: lost ? [true, true] : [...s.global], start: start ? [start(0), start(1)] : [...s.start], axes };
}

/** Adaptive pooling: bin i covers [⌊i·n/o⌋, ⌈(i+1)·n/o⌉); one bin over the axis is global. */
function adaptive(s: State, x: Tensor, outSize: Pair): State {
  const r = spatial(s, (i) => {
    const n = x.shape[2 + i];
    const o = outSize[i];
    let k = 1;
    for (let b = 0; b < o; b++) k = Math.max(k, Math.ceil(((b + 1) * n) / o) - Math.floor((b * n) / o));
    return window(s, i, k, n / o, 1);
  });
  r.global = [r.global[0] || outSize[0] === 1, r.global[1] || outSize[1] === 1];
  return r;
}

/**
 * An op that mixes the given axes of a rank-`rank` tensor: a spatial axis among
 * them becomes global; once H, W are merged, mixing any axis but the batch axis is.
 */
function mix(s: State, mixed: readonly number[], rank: number, keepDims: boolean): State {
  const ax = mixed.map((m) => (m < 0 ? m + rank : m));
  if (!s.axes) {
    const all = ax.some((m) => m !== 0);
    return { ...s, global: all ? [true, true] : [...s.global] };
  }
  const hit: [boolean, boolean] = [ax.includes(s.axes[0]), ax.includes(s.axes[1])];
  const global: [boolean, boolean] = [s.global[0] || hit[0], s.global[1] || hit[1]];
  let axes: [number, number] | null = s.axes;
  if (!keepDims) {
    const shift = (p: number) => p - ax.filter((m) => m < p).length;
    axes = hit[0] || hit[1] ? null : [shift(s.axes[0]), shift(s.axes[1])];
  }
  return { ...s, global, axes };
}

/** Where H and W went through a reshape: the axis with the same size and the same number of elements before it. */
function reshapedAxes(axes: [number, number] | null, from: readonly number[], to: readonly number[]): [number, number] | null {
  if (!axes) return null;
  const prefix = (shape: readonly number[], n: number) => shape.slice(0, n).reduce((p, d) => p * d, 1);
  const find = (a: number): number => {
    const before = prefix(from, a);
    for (let i = 0; i < to.length; i++) if (to[i] === from[a] && prefix(to, i) === before) return i;
    return -1;
  };
  const h = find(axes[0]);
  const w = find(axes[1]);
  return h >= 0 && w >= 0 && h < w ? [h, w] : null;
}

/** The largest over the inputs that carry an extent (each after f), axes aligned to the output's rank. */
function combine(op: TracedOp, states: Map<Tensor, State>, f: (s: State, t: Tensor, i: number) => State, keepAxes: boolean): State | null {
  const outRank = op.outputs[0]?.rank ?? 0;
  let acc: State | null = null;
  op.inputs.forEach((t, i) => {
    const s0 = states.get(t);
    if (!s0) return;
    const s = f(s0, t, i);
    const shift = outRank - t.rank;
    const axes: [number, number] | null = keepAxes && s.axes ? [s.axes[0] + shift, s.axes[1] + shift] : null;
    if (!acc) acc = { rf: [...s.rf], jump: [...s.jump], global: [...s.global], start: [...s.start], axes };
    else {
      for (const k of [0, 1]) {
        acc.start[k] = Math.min(acc.start[k], s.start[k]);
        acc.rf[k] = Math.max(acc.rf[k], s.rf[k]);
        acc.jump[k] = Math.max(acc.jump[k], s.jump[k]);
        acc.global[k] ||= s.global[k];
      }
    }
  });
  return acc;
}
