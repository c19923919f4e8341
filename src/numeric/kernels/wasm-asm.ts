/**
 * A tiny WebAssembly assembler: just what the numeric kernels need (one memory, functions with i32/f64/v128
 * locals, structured control flow, i32 arithmetic, f64 scalar and f64x2 SIMD loads/stores/arithmetic).
 * No toolchain is involved: kernels are written as opcode sequences in TypeScript and assembled at run time.
 * Reference: WebAssembly Core Specification 2.0, §5 (binary format) and the SIMD proposal's opcode table.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

/** unsigned LEB128 */
export function uleb(x: number): number[] {
  const out: number[] = [];
  let v = x >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** signed LEB128 (32-bit) */
export function sleb(x: number): number[] {
  const out: number[] = [];
  let v = x | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction emitters (each returns its bytes). memarg: alignment exponent and byte offset. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: (): number[] => [0x05],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  get: (l: number): number[] => [0x20, ...uleb(l)],
  set: (l: number): number[] => [0x21, ...uleb(l)],
  tee: (l: number): number[] => [0x22, ...uleb(l)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32RemU: (): number[] => [0x70],
  i32ShrU: (): number[] => [0x76],
  i32Load: (offset = 0): number[] => [0x28, 2, ...uleb(offset)],
  i32Store: (offset = 0): number[] => [0x36, 2, ...uleb(offset)],
  f64ConvertI32S: (): number[] => [0xb7],
  f64ConvertI32U: (): number[] => [0xb8],
  f64Lt: (): number[] => [0x63],
  call: (k: number): number[] => [0x10, ...uleb(k)],
  i32And: (): number[] => [0x71],
  i32Or: (): number[] => [0x72],
  i32Eqz: (): number[] => [0x45],
  i32Shl: (): number[] => [0x74],
  i32LtU: (): number[] => [0x49],
  i32LtS: (): number[] => [0x48],
  select: (): number[] => [0x1b],
  i32LeU: (): number[] => [0x4d],
  i32GeU: (): number[] => [0x4f],
  i32GtU: (): number[] => [0x4b],
  f64Const: (v: number): number[] => {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return [0x44, ...b];
  },
  f64Load: (offset = 0): number[] => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset = 0): number[] => [0x39, 3, ...uleb(offset)],
  f64Add: (): number[] => [0xa0],
  f64Sub: (): number[] => [0xa1],
  f64Mul: (): number[] => [0xa2],
  f64Div: (): number[] => [0xa3],
  // SIMD (prefix 0xfd, LEB opcode). Loads/stores declare 8-byte alignment (unaligned access is allowed).
  v128Load: (offset = 0): number[] => [0xfd, ...uleb(0x00), 3, ...uleb(offset)],
  v128Store: (offset = 0): number[] => [0xfd, ...uleb(0x0b), 3, ...uleb(offset)],
  f64x2Splat: (): number[] => [0xfd, ...uleb(0x14)],
  f64x2ExtractLane: (lane: 0 | 1): number[] => [0xfd, ...uleb(0x21), lane],
  f64x2ReplaceLane: (lane: 0 | 1): number[] => [0xfd, ...uleb(0x22), lane],
  i32x4Splat: (): number[] => [0xfd, ...uleb(0x11)],
  i32x4ExtractLane: (lane: number): number[] => [0xfd, ...uleb(0x1b), lane],
  i32x4ReplaceLane: (lane: number): number[] => [0xfd, ...uleb(0x1c), lane],
  v128And: (): number[] => [0xfd, ...uleb(0x4e)],
  v128Or: (): number[] => [0xfd, ...uleb(0x50)],
  v128Xor: (): number[] => [0xfd, ...uleb(0x51)],
  i32x4Shl: (): number[] => [0xfd, ...uleb(0xab)],
  i32x4ShrU: (): number[] => [0xfd, ...uleb(0xad)],
  i32x4Mul: (): number[] => [0xfd, ...uleb(0xb5)],
  f64x2Add: (): number[] => [0xfd, ...uleb(0xf0)],
  f64x2Sub: (): number[] => [0xfd, ...uleb(0xf1)],
  f64x2Mul: (): number[] => [0xfd, ...uleb(0xf2)],
};

export interface FuncDef {
  name: string;
  params: ValType[];
  results: ValType[];
  /** extra locals, numbered after the parameters */
  locals: ValType[];
  body: number[][];
}

/** A function imported from the host (module "env"); imports take the function indices 0 … m−1. */
export interface ImportDef {
  name: string;
  params: ValType[];
  results: ValType[];
}

/**
 * A module with one exported memory "mem" (minPages × 64 KiB) and the given exported functions; `imports`
 * (optional) are host functions "env.<name>", called by index (`op.call(k)`, k < imports.length).
 */
export function assemble(funcs: FuncDef[], minPages = 1, imports: ImportDef[] = []): Uint8Array<ArrayBuffer> {
  const sig = (f: { params: ValType[]; results: ValType[] }): number[] => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results];
  const m = imports.length;
  const typeSec = section(1, vec([...imports.map(sig), ...funcs.map(sig)]));
  const importSec = m ? section(2, vec(imports.map((im, k) => [...str('env'), ...str(im.name), 0x00, ...uleb(k)]))) : [];
  const funcSec = section(3, vec(funcs.map((_, i) => uleb(m + i))));
  const memSec = section(5, vec([[0x00, ...uleb(minPages)]]));
  const exports = [[...str('mem'), 0x02, 0x00], ...funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(m + i)])];
  const expSec = section(7, vec(exports));
  const bodies = funcs.map((f) => {
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const code = [...vec(groups.map(([c, t]) => [...uleb(c!), t!])), ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  const codeSec = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...memSec, ...expSec, ...codeSec]);
}
