/*
 * Zeiler & Fergus's deconvnet (2014, §2.1): a chosen feature map's strongest
 * activation, alone, projected back to pixel space through the layers below it in
 * reverse: max-unpooling with the switches recorded on the forward pass, ReLU, and
 * the same filters transposed. Guided backpropagation (Springenberg et al. 2015) is
 * the variant that also masks by where the forward ReLU input was positive; it runs
 * through autograd, so it works for any model whose ReLUs are ReLU modules.
 */
import { ArgumentError, ShapeError, Tensor, allocate } from '../tensor/index.js';
import { backward, noGrad, record } from '../autograd/index.js';
import { registerModuleForwardHook } from '../nn/hooks.js';
import type { AnyModule } from '../nn/module.js';
import { relu } from '../ops/activation.js';
import { convTranspose2d } from '../ops/conv.js';
import { maxPool2dWithIndices, type MaxPool2dOptions } from '../ops/pool.js';
import { maxUnpool2d } from '../ops/unpool.js';
import { inEval, moduleAt, outputTensor } from './inspect.js';
import { resolveTarget } from './attribution.js';

export interface ProjectionOptions {
  /** Module path whose output holds the feature maps. */
  layer: string;
  /** The feature map (channel); default the one holding the layer's strongest activation. */
  channel?: number;
}

export interface Projection {
  /** Same shape as the input. */
  projection: Tensor;
  channel: number;
  /** Flat index of the strongest activation within the channel's plane, and its value. */
  position: number;
  activation: number;
}

/** The seed: zero everywhere except the channel's strongest activation, kept at its value. */
function strongest(op: string, a: Tensor, channel: number | undefined): { seed: Tensor; channel: number; position: number; activation: number } {
  if (a.rank < 2 || a.shape[0] !== 1) throw new ShapeError(op, 'the layer to output feature maps [1, C, h, w] (or features [1, C])', a.shape);
  const C = a.shape[1];
  const plane = a.size / C;
  if (channel !== undefined && (!Number.isInteger(channel) || channel < 0 || channel >= C)) throw new ArgumentError(op, `channel ${channel} is outside [0, ${C}) (the layer has ${C} feature maps)`);
  let best = -Infinity;
  let at = 0;
  for (let i = 0; i < a.size; i++) {
    if (channel !== undefined && Math.floor(i / plane) !== channel) continue;
    if (a.data[i] > best) { best = a.data[i]; at = i; }
  }
  const seed = allocate(a.dtype, a.size);
  seed[at] = best;
  return { seed: new Tensor(seed, a.shape), channel: Math.floor(at / plane), position: at % plane, activation: best };
}

function pairOf(v: unknown, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [(v as number[])[0], (v as number[])[1]];
}

interface Call { module: AnyModule; input: Tensor; output: Tensor }

/**
 * Zeiler–Fergus deconvnet projection, for chains of Conv2d, ReLU, MaxPool2d (and
 * Dropout/Identity) up to the layer. The projection lies in the space of the first
 * layer's input: the model's input, unless the model's forward transforms it first.
 */
export function deconvnet(model: AnyModule, x: Tensor, opts: ProjectionOptions): Projection {
  const op = 'deconvnet';
  const target = moduleAt(model, opts?.layer, op);
  const paths = new Map(model.namedModules().map(([p, m]) => [m, p] as const));
  const calls: Call[] = [];
  let layerOut: Tensor | null = null;
  const global = registerModuleForwardHook((m, inputs, out) => {
    if (m.children().length === 0 && inputs[0] instanceof Tensor) calls.push({ module: m, input: inputs[0], output: outputTensor(paths.get(m) ?? '', out) });
  });
  const own = target.registerForwardHook((_m, _i, out) => void (layerOut = outputTensor(opts.layer, out)));
  try {
    inEval(model, () => noGrad(() => model.call(x)));
  } finally {
    global.remove();
    own.remove();
  }
  if (!layerOut) throw new ArgumentError(op, `layer ${JSON.stringify(opts.layer)} was not called by the model's forward`);
  const last = calls.map((c) => c.output).lastIndexOf(layerOut);
  if (last < 0) throw new ArgumentError(op, `the output of ${JSON.stringify(opts.layer)} is not the output of a leaf layer`);
  const s = strongest(op, layerOut, opts.channel);
  let r = s.seed;
  noGrad(() => {
    for (let j = last; j >= 0; j--) {
      const { module: m, input, output } = calls[j];
      const path = paths.get(m) ?? m.typeName;
      if (output !== (j === last ? layerOut : calls[j + 1].input)) throw new ArgumentError(op, `the layers below ${JSON.stringify(opts.layer)} are not a chain (the output of ${path} is not the next layer's input)`);
      const cfg = (m as unknown as { config: Record<string, unknown> }).config;
      if (m.typeName === 'ReLU') r = relu(r);
      else if (m.typeName === 'MaxPool2d') {
        const { indices } = maxPool2dWithIndices(input, cfg as unknown as MaxPool2dOptions);
        r = maxUnpool2d(r, indices, { outputSize: [input.shape[2], input.shape[3]] });
      } else if (m.typeName === 'Conv2d') r = transposedFilters(m, cfg, r, input, path);
      else if (m.typeName !== 'Dropout' && m.typeName !== 'Identity') {
        throw new ArgumentError(op, `projects through Conv2d, ReLU, MaxPool2d, Dropout and Identity only; met ${m.typeName} at ${JSON.stringify(path)}`);
      }
    }
  });
  return { projection: r, channel: s.channel, position: s.position, activation: s.activation };
}

function transposedFilters(m: AnyModule, cfg: Record<string, unknown>, r: Tensor, input: Tensor, path: string): Tensor {
  const weight = (m as unknown as { weight: Tensor }).weight;
  const [, , kH, kW] = weight.shape;
  const stride = pairOf(cfg.stride, 1);
  const dilation = pairOf(cfg.dilation, 1);
  let padding: [number, number];
  const p = cfg.padding;
  if (p === undefined || p === 'valid') padding = [0, 0];
  else if (p === 'same' && stride[0] === 1 && stride[1] === 1 && kH % 2 === 1 && kW % 2 === 1) padding = [(dilation[0] * (kH - 1)) / 2, (dilation[1] * (kW - 1)) / 2];
  else if (typeof p === 'number' || (Array.isArray(p) && p.length === 2)) padding = pairOf(p, 0);
  else throw new ArgumentError('deconvnet', `cannot transpose the padding ${JSON.stringify(p)} of ${JSON.stringify(path)}`);
  const size = (n: number, k: number, a: 0 | 1) => (n - 1) * stride[a] - 2 * padding[a] + dilation[a] * (k - 1) + 1;
  const outPad: [number, number] = [input.shape[2] - size(r.shape[2], kH, 0), input.shape[3] - size(r.shape[3], kW, 1)];
  return convTranspose2d(r, weight, { stride, padding, dilation, groups: (cfg.groups as number | undefined) ?? 1, outputPadding: outPad });
}

export type ReluRule = 'guided' | 'deconvnet';

/** While fn runs, every ReLU module's backward follows the rule: guided (g > 0 and input > 0) or deconvnet (g > 0). */
function withReluRule<T>(rule: ReluRule, fn: () => T): T {
  const h = registerModuleForwardHook((m, inputs, out) => {
    if (m.typeName !== 'ReLU' || !(inputs[0] instanceof Tensor) || !(out instanceof Tensor)) return undefined;
    const xin = inputs[0];
    return record(`${rule}ReLU`, new Tensor(out.data, out.shape), [xin], (g) => {
      const d = allocate(g.dtype, g.size);
      for (let i = 0; i < g.size; i++) d[i] = g.data[i] > 0 && (rule === 'deconvnet' || xin.data[i] > 0) ? g.data[i] : 0;
      return [new Tensor(d, g.shape)];
    });
  });
  try {
    return fn();
  } finally {
    h.remove();
  }
}

export interface GuidedOptions {
  /** A layer whose strongest activation (of `channel`) is projected; without it, the target class score. */
  layer?: string;
  channel?: number;
  target?: number;
  /** 'guided' (default) or 'deconvnet' (the deconvnet's ReLU rule, through autograd). */
  rule?: ReluRule;
}

/** Guided backpropagation of a class score or of a layer's strongest activation to the input. */
export function guidedBackprop(model: AnyModule, x: Tensor, opts: GuidedOptions = {}): Projection & { target?: number } {
  const op = 'guidedBackprop';
  const layer = opts.layer === undefined ? null : moduleAt(model, opts.layer, op);
  let act: Tensor | null = null;
  const own = layer?.registerForwardHook((_m, _i, out) => void (act = outputTensor(opts.layer as string, out)));
  try {
    return inEval(model, () => withReluRule(opts.rule ?? 'guided', () => {
      const xi = new Tensor(x.data.slice(), x.shape, true);
      const logits = model.call(xi) as Tensor;
      if (layer) {
        if (!act) throw new ArgumentError(op, `layer ${JSON.stringify(opts.layer)} was not called by the model's forward`);
        const s = strongest(op, act, opts.channel);
        backward(act, s.seed);
        return { projection: xi.grad ?? new Tensor(allocate(x.dtype, x.size), x.shape), channel: s.channel, position: s.position, activation: s.activation };
      }
      const t = resolveTarget(op, logits, opts.target);
      const seed = allocate(logits.dtype, logits.size);
      seed[t] = 1;
      backward(logits, new Tensor(seed, logits.shape));
      return { projection: xi.grad as Tensor, channel: t, position: 0, activation: logits.data[t], target: t };
    }));
  } finally {
    own?.remove();
  }
}
