import type { Tensor } from '../../tensor/index.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, relu6, sigmoid, softmax, tanh } from '../../ops/index.js';
import { checkInt } from '../../ops/util.js';
import { Module } from '../module.js';
import { jsonConfig, layerConfig, optionalNumber } from './config.js';

/** Activations without settings; an optional empty config keeps the one constructor form. */
abstract class Plain extends Module {
  constructor(config: Record<string, never> = {}, ...rest: unknown[]) {
    super();
    layerConfig(this.typeName, config, [], '()', rest[0]);
  }
}

export class ReLU extends Plain {
  static override readonly typeName = 'ReLU';
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class ReLU6 extends Plain {
  static override readonly typeName = 'ReLU6';
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

export class GELU extends Plain {
  static override readonly typeName = 'GELU';
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

export class Sigmoid extends Plain {
  static override readonly typeName = 'Sigmoid';
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Plain {
  static override readonly typeName = 'Tanh';
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export interface LeakyReLUConfig {
  negativeSlope?: number;
}

export class LeakyReLU extends Module {
  static override readonly typeName = 'LeakyReLU';
  readonly config: Readonly<LeakyReLUConfig>;
  constructor(config: LeakyReLUConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<LeakyReLUConfig>('LeakyReLU', config, ['negativeSlope'], '{ negativeSlope: 0.01 }', rest[0]);
    optionalNumber('LeakyReLU', 'negativeSlope', c.negativeSlope, Number.isFinite, 'a finite number');
    this.config = { ...c };
  }
  get negativeSlope(): number {
    return this.config.negativeSlope ?? 0.01;
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export interface ELUConfig {
  alpha?: number;
}

export class ELU extends Module {
  static override readonly typeName = 'ELU';
  readonly config: Readonly<ELUConfig>;
  constructor(config: ELUConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<ELUConfig>('ELU', config, ['alpha'], '{ alpha: 1 }', rest[0]);
    optionalNumber('ELU', 'alpha', c.alpha, Number.isFinite, 'a finite number');
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.config.alpha ?? 1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface SoftmaxConfig {
  /** The axis the probabilities sum to 1 along (default −1, the last). */
  axis?: number;
}

abstract class SoftmaxBase extends Module {
  readonly config: Readonly<SoftmaxConfig>;
  constructor(config: SoftmaxConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<SoftmaxConfig>(this.typeName, config, ['axis'], '{ axis: 1 }', rest[0]);
    if (c.axis !== undefined) checkInt(this.typeName, 'axis', c.axis, -64);
    this.config = { ...c };
  }
  get axis(): number {
    return this.config.axis ?? -1;
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export class Softmax extends SoftmaxBase {
  static override readonly typeName = 'Softmax';
  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

export class LogSoftmax extends SoftmaxBase {
  static override readonly typeName = 'LogSoftmax';
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
}
