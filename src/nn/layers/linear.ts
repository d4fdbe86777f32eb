import { zeros, type Tensor } from '../../tensor/index.js';
import { flatten, linear } from '../../ops/index.js';
import { checkInt } from '../../ops/util.js';
import { Module, type Parameter } from '../module.js';
import { defaultLayerInit } from '../init.js';
import { jsonConfig, layerConfig, optionalBool, positiveInt, type WithRNG } from './config.js';

export interface LinearConfig extends WithRNG {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
}

/** Fully connected layer y = x·Wᵀ + b, W of shape [outFeatures, inFeatures]. */
export class Linear extends Module {
  static override readonly typeName = 'Linear';
  readonly config: Readonly<LinearConfig>;
  declare readonly weight: Parameter;
  declare readonly bias: Parameter | null;
  constructor(config: LinearConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<LinearConfig>('Linear', config, ['inFeatures', 'outFeatures', 'bias', 'rng'], `{ inFeatures: ${typeof config === 'number' ? config : 400}, outFeatures: ${typeof rest[0] === 'number' ? rest[0] : 120} }`, rest[0]);
    positiveInt('Linear', 'inFeatures', c.inFeatures);
    positiveInt('Linear', 'outFeatures', c.outFeatures);
    optionalBool('Linear', 'bias', c.bias);
    this.config = { ...c };
    this.registerParameter('weight', zeros([c.outFeatures, c.inFeatures]));
    this.registerParameter('bias', c.bias === false ? null : zeros([c.outFeatures]));
    defaultLayerInit(this.weight, this.bias, c.rng);
  }
  get inFeatures(): number {
    return this.config.inFeatures;
  }
  get outFeatures(): number {
    return this.config.outFeatures;
  }
  forward(x: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) this.expectShape(x, ['N', this.inFeatures]);
    return linear(x, this.weight, this.bias);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }
}

export interface FlattenConfig {
  startDim?: number;
  endDim?: number;
}

/** Merge all axes after the batch axis (the decks' "vectorization" step, no parameters). */
export class Flatten extends Module {
  static override readonly typeName = 'Flatten';
  readonly config: Readonly<FlattenConfig>;
  constructor(config: FlattenConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<FlattenConfig>('Flatten', config, ['startDim', 'endDim'], '{ startDim: 1 }', rest[0]);
    if (c.startDim !== undefined) checkInt('Flatten', 'startDim', c.startDim, -64);
    if (c.endDim !== undefined) checkInt('Flatten', 'endDim', c.endDim, -64);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.config.startDim ?? 1, this.config.endDim ?? -1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}
