/**
 * MNIST's preprocessing for a drawn digit (LeCun et al.): crop to the ink, scale
 * so the longer side is 20 pixels (area averaging gives the grey edges MNIST has),
 * and place it in a 28×28 field with its centre of mass at the centre.
 * `gray` is row-major, ink = 1, background = 0. Returns null for an empty canvas.
 */
export function mnistPreprocess(gray: Float32Array, width: number, height: number): Float32Array | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > 0.05) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // Area averaging: each target pixel is the mean of the source pixels whose centres fall inside it.
  const box = new Float32Array(tw * th);
  const count = new Float32Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(th - 1, Math.floor(((y - y0 + 0.5) * th) / bh));
    for (let x = x0; x <= x1; x++) {
      const tx = Math.min(tw - 1, Math.floor(((x - x0 + 0.5) * tw) / bw));
      box[ty * tw + tx] += gray[y * width + x];
      count[ty * tw + tx]++;
    }
  }
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < box.length; i++) {
    if (count[i] > 0) box[i] /= count[i];
    mass += box[i];
    mx += box[i] * ((i % tw) + 0.5);
    my += box[i] * (Math.floor(i / tw) + 0.5);
  }
  if (mass === 0) return null;
  // Shift so the centre of mass lands on (14, 14), keeping the box inside the field.
  const ox = Math.min(28 - tw, Math.max(0, Math.round(14 - mx / mass)));
  const oy = Math.min(28 - th, Math.max(0, Math.round(14 - my / mass)));
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) out[(oy + y) * 28 + ox + x] = Math.min(1, box[y * tw + x]);
  return out;
}
