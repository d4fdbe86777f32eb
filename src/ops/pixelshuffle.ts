import { ShapeError, Tensor } from '../tensor/index.js';
import { checkInt, checkTensor } from './util.js';
import { permute, reshape } from './shape.js';

/*
 * Sub-pixel convolution's rearrangements (Shi et al. 2016; torch.nn.PixelShuffle):
 * a reshape, a permutation and a reshape, so the gradient is theirs. Leading
 * axes before [C, H, W] are batch axes.
 */

/** [*, C·r², H, W] → [*, C, H·r, W·r]: output (c, h·r + i, w·r + j) is input (c·r² + i·r + j, h, w). */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixelShuffle';
  checkTensor(op, 'x', x);
  const r = checkInt(op, 'upscaleFactor', upscaleFactor, 1);
  if (x.rank < 3) throw new ShapeError(op, 'input [*, C·r², H, W] of rank >= 3', x.shape);
  const lead = x.shape.slice(0, -3);
  const [Cr, H, W] = x.shape.slice(-3);
  if (Cr % (r * r) !== 0) throw new ShapeError(op, `channels divisible by upscaleFactor² = ${r * r}`, x.shape, `${Cr} channels`);
  const C = Cr / (r * r);
  const B = lead.reduce((a, b) => a * b, 1);
  const t = permute(reshape(x, [B, C, r, r, H, W]), [0, 1, 4, 2, 5, 3]);
  return reshape(t, [...lead, C, H * r, W * r]);
}

/** The inverse of pixelShuffle: [*, C, H·r, W·r] → [*, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const op = 'pixelUnshuffle';
  checkTensor(op, 'x', x);
  const r = checkInt(op, 'downscaleFactor', downscaleFactor, 1);
  if (x.rank < 3) throw new ShapeError(op, 'input [*, C, H·r, W·r] of rank >= 3', x.shape);
  const lead = x.shape.slice(0, -3);
  const [C, Hr, Wr] = x.shape.slice(-3);
  if (Hr % r !== 0 || Wr % r !== 0) throw new ShapeError(op, `height and width divisible by downscaleFactor ${r}`, x.shape);
  const H = Hr / r;
  const W = Wr / r;
  const B = lead.reduce((a, b) => a * b, 1);
  const t = permute(reshape(x, [B, C, H, r, W, r]), [0, 1, 3, 5, 2, 4]);
  return reshape(t, [...lead, C * r * r, H, W]);
}
