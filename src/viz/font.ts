/*
 * A 3×5 bitmap font for labels in image grids: digits, capital letters (lower
 * case is drawn as upper case) and a little punctuation. Each glyph is five rows
 * of three bits, most significant bit on the left.
 */
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 7, 1, 7], '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7], '6': [7, 4, 7, 5, 7], '7': [7, 1, 2, 2, 2], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7],
  A: [2, 5, 7, 5, 5], B: [6, 5, 6, 5, 6], C: [3, 4, 4, 4, 3], D: [6, 5, 5, 5, 6], E: [7, 4, 6, 4, 7], F: [7, 4, 6, 4, 4],
  G: [3, 4, 5, 5, 3], H: [5, 5, 7, 5, 5], I: [7, 2, 2, 2, 7], J: [1, 1, 1, 5, 2], K: [5, 5, 6, 5, 5], L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5], N: [6, 5, 5, 5, 5], O: [2, 5, 5, 5, 2], P: [6, 5, 6, 4, 4], Q: [2, 5, 5, 6, 3], R: [6, 5, 6, 5, 5],
  S: [3, 4, 2, 1, 6], T: [7, 2, 2, 2, 2], U: [5, 5, 5, 5, 7], V: [5, 5, 5, 5, 2], W: [5, 5, 7, 7, 5], X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2], Z: [7, 1, 2, 4, 7], ' ': [0, 0, 0, 0, 0], '.': [0, 0, 0, 0, 2], ',': [0, 0, 0, 2, 4],
  '-': [0, 0, 7, 0, 0], '_': [0, 0, 0, 0, 7], ':': [0, 2, 0, 2, 0], '/': [1, 1, 2, 4, 4], '=': [0, 7, 0, 7, 0],
  '(': [1, 2, 2, 2, 1], ')': [4, 2, 2, 2, 4], '%': [5, 1, 2, 4, 5], '+': [0, 2, 7, 2, 0], '#': [5, 7, 5, 7, 5],
  '@': [7, 5, 7, 4, 7], x: [0, 5, 2, 5, 0], '?': [7, 1, 2, 0, 2],
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** Width in pixels of text at a scale (one blank column between glyphs). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
}

/** Set the pixels of text, top-left at (x, y), by calling plot(px, py) for each lit pixel. */
export function drawText(text: string, x: number, y: number, scale: number, plot: (px: number, py: number) => void): void {
  [...text].forEach((ch, i) => {
    const g = GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS['?'];
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!((g[r] >> (GLYPH_WIDTH - 1 - c)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) plot(x + (i * (GLYPH_WIDTH + 1) + c) * scale + dx, y + r * scale + dy);
      }
    }
  });
}
