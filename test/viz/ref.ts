import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Values computed by scripts/skimage_reference.py with SciPy, scikit-image and matplotlib. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/skimage/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const REF: any = JSON.parse(readFileSync(FIXTURES + 'reference.json', 'utf8'));
