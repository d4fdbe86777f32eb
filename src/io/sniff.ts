/**
 * What a file that is not the expected format looks like, from its first
 * bytes: so that loading a PNG, a torch.save zip or a Git LFS pointer as
 * safetensors says so, instead of reporting an absurd header length.
 */

const ascii = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));

function startsWith(bytes: Uint8Array, magic: readonly number[] | string, at = 0): boolean {
  const m = typeof magic === 'string' ? [...magic].map((c) => c.charCodeAt(0)) : magic;
  if (bytes.length < at + m.length) return false;
  return m.every((b, i) => bytes[at + i] === b);
}

/** Valid UTF-8 (a sequence cut at the end of the sample is allowed) with no control characters but tab and newlines. */
function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 512);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
  } catch {
    return false;
  }
  return text.length > 0 && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text);
}

const SIGNATURES: [readonly number[] | string, string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  ['GIF87a', 'a GIF image'],
  ['GIF89a', 'a GIF image'],
  [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 'an HDF5 file (a Keras .h5 model?)'],
  [
    'PK\x03\x04',
    "a zip archive: PyTorch's torch.save writes one (load it in Python and save the state_dict with safetensors.torch.save_file)",
  ],
  ['PK\x05\x06', 'an empty zip archive'],
  [[0x1f, 0x8b], 'a gzip-compressed file (decompress it first)'],
  ['\x93NUMPY', 'a NumPy .npy array'],
  ['%PDF', 'a PDF document'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable'],
  ['version https://git-lfs.github.com/spec', 'a Git LFS pointer, not the file itself (run git lfs pull)'],
];

/**
 * A short description ("a PNG image", "JSON text") of what the bytes look
 * like, or null when they look like nothing in particular.
 */
export function describeBytes(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'an empty file';
  for (const [magic, what] of SIGNATURES) if (startsWith(bytes, magic)) return what;
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'a WebP image';
  // Pickle protocol 2-5 opcode: the legacy (pre-1.6) torch.save format.
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1] >= 2 && bytes[1] <= 5) return 'a Python pickle (an old torch.save file?)';
  // IDX (the MNIST format): two zero bytes, a type code, a dimension count.
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && [8, 9, 11, 12, 13, 14].includes(bytes[2]) && bytes[3] >= 1 && bytes[3] <= 4) {
    return 'an IDX file (the MNIST format)';
  }
  if (!looksLikeText(bytes)) return null;
  const head = ascii(bytes, 0, Math.min(bytes.length, 64)).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    return 'JSON text (in a safetensors file the JSON comes after an 8-byte length field)';
  }
  if (/^<(!doctype html|html)/i.test(head)) return 'an HTML page (a download that returned an error page?)';
  if (head.startsWith('<?xml') || head.startsWith('<svg')) return 'an XML document';
  return 'a text file';
}
