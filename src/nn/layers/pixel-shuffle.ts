import { ShapeError, type Tensor } from '../../tensor/index.js';
import { pixelShuffle, pixelUnshuffle } from '../../ops/index.js';
import { Module } from '../module.js';
import { jsonConfig, layerConfig, positiveInt } from './config.js';

export interface PixelShuffleConfig {
  upscaleFactor: number;
}

/** [N, C·r², H, W] → [N, C, H·r, W·r] (sub-pixel convolution's upsampling, as torch.nn.PixelShuffle). */
export class PixelShuffle extends Module {
  static override readonly typeName = 'PixelShuffle';
  readonly config: Readonly<PixelShuffleConfig>;
  constructor(config: PixelShuffleConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<PixelShuffleConfig>('PixelShuffle', config, ['upscaleFactor'], '{ upscaleFactor: 2 }', rest[0]);
    positiveInt('PixelShuffle', 'upscaleFactor', c.upscaleFactor);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    const r = this.config.upscaleFactor;
    this.expectShape(x, ['N', `C·${r * r}`, 'H', 'W']);
    if (x.shape[1] % (r * r) !== 0) throw new ShapeError(`${this.label()} input 0`, `[N, C·${r * r}, H, W] (channels divisible by ${r * r})`, x.shape);
    return pixelShuffle(x, r);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `upscaleFactor=${this.config.upscaleFactor}`;
  }
}

export interface PixelUnshuffleConfig {
  downscaleFactor: number;
}

/** [N, C, H·r, W·r] → [N, C·r², H, W], the inverse of PixelShuffle (as torch.nn.PixelUnshuffle). */
export class PixelUnshuffle extends Module {
  static override readonly typeName = 'PixelUnshuffle';
  readonly config: Readonly<PixelUnshuffleConfig>;
  constructor(config: PixelUnshuffleConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<PixelUnshuffleConfig>('PixelUnshuffle', config, ['downscaleFactor'], '{ downscaleFactor: 2 }', rest[0]);
    positiveInt('PixelUnshuffle', 'downscaleFactor', c.downscaleFactor);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    const r = this.config.downscaleFactor;
    this.expectShape(x, ['N', 'C', `H·${r}`, `W·${r}`]);
    if (x.shape[2] % r !== 0 || x.shape[3] % r !== 0) throw new ShapeError(`${this.label()} input 0`, `[N, C, H·${r}, W·${r}] (height and width divisible by ${r})`, x.shape);
    return pixelUnshuffle(x, r);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `downscaleFactor=${this.config.downscaleFactor}`;
  }
}
