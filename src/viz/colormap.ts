/*
 * Colour maps for single-channel maps: viridis (perceptually uniform, for
 * non-negative values) and RdBu_r (diverging, for signed values: blue below zero,
 * white at zero, red above), with piecewise-linear interpolation between anchors.
 */
import { ArgumentError } from '../tensor/index.js';

// matplotlib's _viridis_data, every 8th of its 256 entries and the last (4 decimals).
const VIRIDIS = [
  0.267, 0.0049, 0.3294, 0.277, 0.0503, 0.3757, 0.2823, 0.095, 0.4173, 0.2829, 0.1359, 0.4534, 0.2788, 0.1755, 0.4834, 0.2706, 0.2141, 0.5071,
  0.259, 0.2515, 0.5247, 0.245, 0.2877, 0.5373, 0.2297, 0.3224, 0.5457, 0.2143, 0.3556, 0.5512, 0.1994, 0.3876, 0.5546, 0.1856, 0.4186, 0.5568,
  0.1727, 0.4488, 0.5579, 0.1607, 0.4785, 0.5581, 0.149, 0.5081, 0.5572, 0.1378, 0.5375, 0.5549, 0.1276, 0.5669, 0.5506, 0.1206, 0.5964, 0.5436,
  0.1206, 0.6258, 0.5335, 0.1323, 0.655, 0.5197, 0.1579, 0.6838, 0.5017, 0.1966, 0.7118, 0.4792, 0.2461, 0.7389, 0.452, 0.3041, 0.7647, 0.4199,
  0.3692, 0.7889, 0.3829, 0.4401, 0.8111, 0.341, 0.516, 0.8312, 0.2943, 0.5958, 0.8487, 0.2433, 0.6785, 0.8637, 0.1895, 0.7624, 0.8764, 0.1371,
  0.8456, 0.8873, 0.0997, 0.9261, 0.8973, 0.1041, 0.9932, 0.9062, 0.1439,
];
const VIRIDIS_AT = [...Array.from({ length: 32 }, (_, i) => (8 * i) / 255), 1];

// ColorBrewer's 11-class RdBu (Cynthia Brewer), reversed: matplotlib's RdBu_r.
const RDBU_R = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
].flat().map((v) => v / 255);
const RDBU_AT = Array.from({ length: 11 }, (_, i) => i / 10);

export type ColormapName = 'viridis' | 'RdBu_r' | 'gray';
export const COLORMAPS: readonly ColormapName[] = ['viridis', 'RdBu_r', 'gray'];

function lookup(table: readonly number[], at: readonly number[], t: number, out: Float64Array): void {
  let k = 0;
  while (k < at.length - 2 && t > at[k + 1]) k++;
  const u = (t - at[k]) / (at[k + 1] - at[k]);
  for (let c = 0; c < 3; c++) out[c] = table[3 * k + c] * (1 - u) + table[3 * (k + 1) + c] * u;
}

/** The colour [r, g, b] in [0, 1] of t in [0, 1] (clamped; NaN maps to 0). */
export function colormap(name: ColormapName, t: number): [number, number, number] {
  const v = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  const out = new Float64Array(3);
  if (name === 'viridis') lookup(VIRIDIS, VIRIDIS_AT, v, out);
  else if (name === 'RdBu_r') lookup(RDBU_R, RDBU_AT, v, out);
  else if (name === 'gray') out.fill(v);
  else throw new ArgumentError('colormap', `unknown colour map ${JSON.stringify(name)}; expected one of ${COLORMAPS.join(', ')}`);
  return [out[0], out[1], out[2]];
}
