/**
 * A small reader (and writer, for tests and examples) of NumPy `.npy` files: format versions 1.0, 2.0 and
 * 3.0, little-endian float64 ('<f8') or float32 ('<f4') in C order, 1-D or 2-D. Anything else is an
 * InputError that says what was found (big-endian, Fortran order, integer dtypes, 3-D arrays, …).
 * Format: the magic "\x93NUMPY", major and minor version bytes, the header length (uint16 LE for 1.0,
 * uint32 LE for 2.0/3.0), an ASCII/UTF-8 Python dict literal {'descr': …, 'fortran_order': …, 'shape': …},
 * padded so that the data starts at a multiple of 64 bytes, then the raw data.
 */
import { InputError } from '../errors.ts';

export interface NpyArray {
  /** [n] or [rows, cols] */
  shape: number[];
  /** the values, row-major, widened to float64 */
  data: Float64Array;
  /** the stored dtype */
  dtype: 'float64' | 'float32';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse the bytes of a .npy file. `name` is used in error messages. */
export function readNpy(bytes: Uint8Array, name = '.npy file'): NpyArray {
  const where = `readNpy(${name})`;
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new InputError(`${where}: not a .npy file (the magic string \\x93NUMPY is missing)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(`${where}: truncated header`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else throw new InputError(`${where}: unsupported .npy format version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are read)`);
  if (start + headerLen > bytes.length) throw new InputError(`${where}: truncated header (${headerLen} bytes announced)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new InputError(`${where}: header is not a dict with 'descr', 'fortran_order' and 'shape': ${header.trim()}`);
  let dtype: 'float64' | 'float32';
  if (descr === '<f8') dtype = 'float64';
  else if (descr === '<f4') dtype = 'float32';
  else throw new InputError(`${where}: dtype '${descr}' is not supported (little-endian float64 '<f8' or float32 '<f4'; convert with arr.astype('<f8'))`);
  if (fortran === 'True') throw new InputError(`${where}: Fortran-order arrays are not supported (save np.ascontiguousarray(arr))`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`${where}: bad shape (${shapeText})`);
  if (shape.length < 1 || shape.length > 2) throw new InputError(`${where}: a ${shape.length}-D array; only 1-D and 2-D arrays are read`);
  const count = shape.reduce((a, b) => a * b, 1);
  const width = dtype === 'float64' ? 8 : 4;
  const offset = start + headerLen;
  if (bytes.length - offset < count * width) throw new InputError(`${where}: data truncated: shape (${shape.join(', ')}) needs ${count * width} bytes, found ${bytes.length - offset}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = dtype === 'float64' ? view.getFloat64(offset + 8 * i, true) : view.getFloat32(offset + 4 * i, true);
  return { shape, data, dtype };
}

/** Write a version-1.0 .npy file (C order, little-endian float64 or float32). */
export function writeNpy(data: ArrayLike<number>, shape: readonly number[], dtype: 'float64' | 'float32' = 'float64'): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new InputError(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype === 'float64' ? '<f8' : '<f4'}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const width = dtype === 'float64' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + count * width);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const off = 10 + header.length;
  for (let i = 0; i < count; i++) {
    if (dtype === 'float64') view.setFloat64(off + 8 * i, data[i]!, true);
    else view.setFloat32(off + 4 * i, data[i]!, true);
  }
  return out;
}
