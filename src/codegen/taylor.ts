/**
 * Counter terms f1 … f4 of gradient descent as forward-mode (Taylor-mode) passes over ONE lowered
 * program for ∇L (docs/theory/eom.md, "Counter terms"; Miyagawa, NeurIPS 2022):
 *
 *   f1 = −g,  f2 = −½ Hg,  f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg),  f4: see taylorCounterTermsProgram.
 *
 * Along the line θ + t·u the gradient program's outputs have the truncated Taylor expansion
 * g(θ + t u) = g + t·Hu + t²·½∇³L[u,u] + O(t³), so one order-2 Taylor pass seeded with the direction g
 * (computed by the value pass) yields Hg and ½∇³L[g,g]; one order-1 pass seeded with Hg yields H(Hg).
 *
 * The passes are built as nodes of the codegen IR (ir.ts), not as text: every Taylor coefficient is a node
 * interned like the lowering's own (by operation and operands), so a coefficient that is identically zero
 * is never created (null), constants fold, the value pass's partial products and function values are
 * shared by the passes (φ(u) of tanh, exp, … is the value node itself), and the program goes through the
 * one emitter: `compile` (checked in-memory function), `emitModule` (TypeScript), `emitJsModule`,
 * `emitTfjsModule`, part splitting. Its size is O(K × size of the ∇L program), whatever the symbolic
 * size of the counter terms. φ′ and φ″ of a registered function are its symbolic derivatives lowered once
 * and spliced in with the argument bound to the node.
 *
 * f4's mixed term ∇³L[g, Hg] comes from a pass over the program of H(θ)g(θ) (see below); f5 would need
 * further mixed derivatives, so this route stops at K = 4 and says so.
 */
import { type Sym, call, diff, sym } from '../symbolic/index.ts';
import type { FnName } from '../symbolic/index.ts';
import { describe } from '../errors.ts';
import { type CallOp, type Node, type OutputBlock, type Program, CodegenError, applyCall, lower, reachableInOrder, realPow, useCounts } from './ir.ts';

/** The highest counter-term order the Taylor route derives. */
export const MAX_TAYLOR_ORDER = 4;

/** A truncated Taylor number: node ids of the t⁰, t¹, t² coefficients (null: identically zero). */
type Taylor = readonly [number, number | null, number | null];

/** Builder of an IR program: nodes interned by operation and operands, constants folded (as in lower). */
class ProgramBuilder {
  readonly nodes: Node[] = [];
  private readonly keyToId = new Map<string, number>();

  private intern(n: Node, key: string): number {
    const hit = this.keyToId.get(key);
    if (hit !== undefined) return hit;
    const id = this.nodes.length;
    this.nodes.push(n);
    this.keyToId.set(key, id);
    return id;
  }

  private value(id: number): number | undefined {
    const n = this.nodes[id]!;
    return n.op === 'const' ? n.value : undefined;
  }

  constant(v: number): number {
    return this.intern({ op: 'const', value: v }, `c${Object.is(v, -0) ? '0' : String(v)}`);
  }

  theta(index: number, name: string): number {
    return this.intern({ op: 'theta', index, name }, `θ${index}`);
  }

  hyper(index: number, name: string): number {
    return this.intern({ op: 'hyper', index, name }, `η${index}`);
  }

  /** c0 + Σ coefs[i]·args[i]; null args (zeros) are dropped */
  sum(c0: number, coefs: readonly number[], args: ReadonlyArray<number | null>): number {
    const cs: number[] = [];
    const as: number[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === null || coefs[i] === 0) continue;
      const v = this.value(a);
      if (v !== undefined) c0 += coefs[i]! * v;
      else {
        cs.push(coefs[i]!);
        as.push(a);
      }
    }
    if (as.length === 0) return this.constant(c0);
    if (as.length === 1 && c0 === 0 && cs[0] === 1) return as[0]!;
    return this.intern({ op: 'sum', constant: c0, coefs: cs, args: as }, `+${c0}|${as.map((a, i) => `${cs[i]}*${a}`).join(',')}`);
  }

  /** coeff · Π num / Π den */
  prod(coeff: number, num: readonly number[], den: readonly number[] = []): number {
    const n2: number[] = [];
    const d2: number[] = [];
    for (const x of num) {
      const v = this.value(x);
      if (v !== undefined) coeff *= v;
      else n2.push(x);
    }
    for (const x of den) {
      const v = this.value(x);
      if (v !== undefined) coeff /= v;
      else d2.push(x);
    }
    if (coeff === 0 && Number.isFinite(coeff)) return this.constant(0);
    if (n2.length === 0 && d2.length === 0) return this.constant(coeff);
    if (coeff === 1 && n2.length === 1 && d2.length === 0) return n2[0]!;
    n2.sort((a, b) => a - b);
    d2.sort((a, b) => a - b);
    return this.intern({ op: 'prod', coeff, num: n2, den: d2 }, `*${coeff}|${n2.join(',')}|${d2.join(',')}`);
  }

  call(fn: CallOp, arg: number): number {
    const v = this.value(arg);
    if (v !== undefined) return this.constant(applyCall(fn, v));
    return this.intern({ op: 'call', fn, arg }, `${fn}(${arg})`);
  }

  pow(base: number, exp: number): number {
    return this.intern({ op: 'pow', base, exp }, `^${base},${exp}`);
  }

  /** base^k, k = p/q; q odd: the real root of a negative base (ir.ts `realPow`) */
  powc(base: number, k: number, q: number): number {
    if (k === 0) return this.constant(1);
    if (k === 1) return base;
    const v = this.value(base);
    if (v !== undefined) return this.constant(realPow(v, k, q));
    return this.intern({ op: 'powc', base, k, q }, `^${base},${k},${q}`);
  }

  /** a·b, null when either is zero */
  mul(a: number | null, b: number | null): number | null {
    return a === null || b === null ? null : this.prod(1, [a, b]);
  }

  /** Σ terms, null when every term is zero */
  add(...terms: Array<number | null>): number | null {
    const t = terms.filter((x): x is number => x !== null);
    if (t.length === 0) return null;
    return t.length === 1 ? t[0]! : this.sum(0, t.map(() => 1), t);
  }

  /**
   * Copy the reachable nodes of `p` into this builder, its θ read from `theta(i)` (a node id of this
   * builder); returns the map old id → new id.
   */
  splice(p: Program, theta: (index: number) => number, hyper?: (index: number) => number): number[] {
    const map: number[] = [];
    for (const id of reachableInOrder(p)) {
      const n = p.nodes[id]!;
      const m = (x: number) => map[x]!;
      switch (n.op) {
        case 'theta':
          map[id] = theta(n.index);
          break;
        case 'hyper':
          map[id] = hyper ? hyper(n.index) : this.hyper(n.index, n.name);
          break;
        case 'const':
          map[id] = this.constant(n.value);
          break;
        case 'sum':
          map[id] = this.sum(n.constant, n.coefs, n.args.map(m));
          break;
        case 'prod':
          map[id] = this.prod(n.coeff, n.num.map(m), n.den.map(m));
          break;
        case 'call':
          map[id] = this.call(n.fn, m(n.arg));
          break;
        case 'pow':
          map[id] = this.pow(m(n.base), m(n.exp));
          break;
        case 'powc':
          map[id] = this.powc(m(n.base), n.k, n.q);
          break;
      }
    }
    return map;
  }

  /** The program with these output nodes (use counts over the nodes reachable from them). */
  program(outputs: number[], blocks: OutputBlock[], params: readonly Sym[], hyper: readonly Sym[]): Program {
    const nodes = this.nodes;
    return { nodes, outputs, blocks, params, hyper, uses: useCounts(nodes, outputs) };
  }
}

/** φ′(u), φ″(u) of a registered function as a lowered program over u (cached per function). */
const derivativePrograms = new Map<FnName, Program>();
function derivativeProgram(fn: FnName): Program {
  let p = derivativePrograms.get(fn);
  if (p === undefined) {
    const u = sym('__taylor_u');
    const d1 = diff(call(fn, u), u);
    p = lower({ d1, d2: diff(d1, u) }, [u]);
    derivativePrograms.set(fn, p);
  }
  return p;
}

/** Taylor-mode arithmetic on a builder, truncated at order 1 or 2. */
class TaylorArithmetic {
  constructor(
    private readonly b: ProgramBuilder,
    private readonly order: 1 | 2,
  ) {}

  /** x·y: (x·y)1 = x0y1 + x1y0, (x·y)2 = x0y2 + x1y1 + x2y0 */
  mul(x: Taylor, y: Taylor): Taylor {
    const b = this.b;
    const r1 = b.add(b.mul(x[0], y[1]), b.mul(x[1], y[0]));
    const r2 = this.order < 2 ? null : b.add(b.mul(x[0], y[2]), b.mul(x[1], y[1]), b.mul(x[2], y[0]));
    return [b.prod(1, [x[0], y[0]]), r1, r2];
  }

  /** q = x/d given q0: q1 = (x1 − q0 d1)/d0, q2 = (x2 − q0 d2 − q1 d1)/d0 */
  div(x: Taylor, d: Taylor, q0: number): Taylor {
    const b = this.b;
    const over = (t: number | null): number | null => (t === null ? null : b.prod(1, [t], [d[0]]));
    const neg = (t: number | null): number | null => (t === null ? null : b.prod(-1, [t]));
    const q1 = over(b.add(x[1], neg(b.mul(q0, d[1]))));
    const q2 = this.order < 2 ? null : over(b.add(x[2], neg(b.mul(q0, d[2])), neg(b.mul(q1, d[1]))));
    return [q0, q1, q2];
  }

  /** y = φ(u) given y0 = φ(u0), φ′(u0), φ″(u0): y1 = φ′u1, y2 = φ′u2 + ½φ″u1² */
  chain(u: Taylor, y0: number, d1: () => number, d2: () => number): Taylor {
    if (u[1] === null && u[2] === null) return [y0, null, null];
    const b = this.b;
    const p1 = d1();
    const y1 = b.mul(p1, u[1]);
    const y2 = this.order < 2 ? null : b.add(b.mul(p1, u[2]), u[1] === null ? null : b.prod(0.5, [d2(), u[1], u[1]]));
    return [y0, y1, y2];
  }
}

/** The Taylor coefficients of every node of the gradient program (copied into `b` as `v`) along `seed`. */
function taylorPass(b: ProgramBuilder, grad: Program, v: readonly number[], seed: ReadonlyArray<number | null>, order: 1 | 2): Taylor[] {
  const T: Taylor[] = [];
  const ar = new TaylorArithmetic(b, order);
  for (const id of reachableInOrder(grad)) {
    const nd = grad.nodes[id]!;
    const y0 = v[id]!;
    switch (nd.op) {
      case 'theta':
        T[id] = [y0, seed[nd.index]!, null];
        break;
      case 'hyper':
      case 'const':
        T[id] = [y0, null, null];
        break;
      case 'sum': {
        const lin = (k: 1 | 2): number | null => {
          const args = nd.args.map((a) => T[a]![k]);
          return args.every((a) => a === null) ? null : b.sum(0, nd.coefs, args);
        };
        T[id] = [y0, lin(1), order < 2 ? null : lin(2)];
        break;
      }
      case 'prod': {
        // the numerator's coefficients by prefix products; the last t⁰ is the value node itself
        const num = nd.num.map((a) => T[a]!);
        let x: Taylor = num.length ? num[0]! : [b.constant(1), null, null];
        for (let k = 1; k < num.length; k++) x = ar.mul(x, num[k]!);
        if (nd.den.length) {
          let d: Taylor = T[nd.den[0]!]!;
          for (let k = 1; k < nd.den.length; k++) d = ar.mul(d, T[nd.den[k]!]!);
          // q0 = Π num / Π den without the coefficient: (coeff·q) has the value node as t⁰
          const q0 = b.prod(1, [x[0]], [d[0]]);
          x = ar.div(x, d, q0);
        }
        const scale = (t: number | null): number | null => (t === null ? null : b.prod(nd.coeff, [t]));
        T[id] = [y0, scale(x[1]), scale(x[2])];
        break;
      }
      case 'call':
        T[id] = callTaylor(b, ar, nd.fn, T[nd.arg]!, y0);
        break;
      case 'powc': {
        const a = T[nd.base]!;
        const k = nd.k;
        // d/dx x^(p/q) = (p/q)·x^((p−q)/q): the same denominator, so the same real-root convention
        T[id] = ar.chain(a, y0, () => b.prod(k, [b.powc(a[0], k - 1, nd.q)]), () => b.prod(k * (k - 1), [b.powc(a[0], k - 2, nd.q)]));
        break;
      }
      case 'pow': {
        const a = T[nd.base]!;
        const e = T[nd.exp]!;
        if (e[1] === null && e[2] === null) {
          // a^e with e constant along the line: e·a^(e−1), e(e−1)·a^(e−2)
          const em1 = b.sum(-1, [1], [e[0]]);
          const em2 = b.sum(-2, [1], [e[0]]);
          T[id] = ar.chain(a, y0, () => b.prod(1, [e[0], b.pow(a[0], em1)]), () => b.prod(1, [e[0], em1, b.pow(a[0], em2)]));
          break;
        }
        // a^e = exp(e·log a): log a along the line, times e, then exp (φ′ = φ″ = the value)
        const la = b.call('log', a[0]);
        const lg = ar.chain(a, la, () => b.prod(1, [], [a[0]]), () => b.prod(-1, [], [a[0], a[0]]));
        const m = ar.mul(e, lg);
        T[id] = ar.chain(m, y0, () => y0, () => y0);
        break;
      }
    }
  }
  return T;
}

function callTaylor(b: ProgramBuilder, ar: TaylorArithmetic, fn: CallOp, u: Taylor, y0: number): Taylor {
  const u0 = u[0];
  if (fn === 'sqrt') return ar.chain(u, y0, () => b.prod(0.5, [], [y0]), () => b.prod(-0.25, [], [y0, u0]));
  if (fn === 'cbrt') return ar.chain(u, y0, () => b.prod(1 / 3, [y0], [u0]), () => b.prod(-2 / 9, [y0], [u0, u0]));
  let d: number[] | undefined;
  const derivatives = (): number[] => {
    if (d === undefined) {
      const p = derivativeProgram(fn);
      const map = b.splice(p, () => u0);
      d = p.outputs.map((o) => map[o]!);
    }
    return d;
  };
  return ar.chain(u, y0, () => derivatives()[0]!, () => derivatives()[1]!);
}

/**
 * The program of f1…fK (K ≤ 4) of gradient descent from the gradient program `grad` (outputs g over its
 * params), in loss notation (docs/theory/eom.md, "Counter terms"):
 *
 *   f1 = −g,  f2 = −½ Hg,  f3 = −1/3 HHg − 1/12 ∇³L[g,g],
 *   f4 = −1/4 HHHg − 1/12 H∇³L[g,g] − 1/12 ∇³L[g,Hg].
 *
 * Passes: the value pass (the gradient program itself); along g to order 2 (Hg, ½∇³L[g,g]; order 1 for
 * K = 2); along Hg to order 1 (HHg). For K = 4 also along HHg (HHHg) and along ½∇³L[g,g] (½H∇³L[g,g]) to
 * order 1, and one order-1 pass along Hg over the program of θ ↦ H(θ)g(θ) (the value pass and the t¹
 * coefficients of the pass along g): D_{Hg}(Hg) = ∇³L[g,Hg] + HHHg, so that
 * f4 = −1/6 HHHg − 1/6 (½H∇³L[g,g]) − 1/12 D_{Hg}(Hg): no mixed tensor, no polarisation difference.
 * Output blocks f1, …, fK of n entries each.
 */
export function taylorCounterTermsProgram(grad: Program, K: number): Program {
  if (!Number.isInteger(K) || K < 1 || K > MAX_TAYLOR_ORDER) {
    throw new CodegenError(
      `K must be 1, 2, 3 or 4 on the Taylor route (got ${describe(K)}): f5 and higher need further mixed derivatives (∇⁴L[g,g,Hg], ∇³L[Hg,Hg], …) ` +
        `that this route does not build; use the symbolic route (counterTerms, or route: 'symbolic')`,
    );
  }
  const n = grad.params.length;
  if (grad.outputs.length !== n) throw new CodegenError(`the gradient has ${grad.outputs.length} components but there are ${n} parameters: pass g = ∇L over the same parameters`);
  const b = new ProgramBuilder();
  const v = b.splice(grad, (i) => b.theta(i, grad.params[i]!.name));
  const g = grad.outputs.map((id) => v[id]!);
  const zeroIfNull = (x: number | null): number => (x === null ? b.constant(0) : x);
  const outputs: number[] = g.map((x) => b.prod(-1, [x]));
  if (K >= 2) {
    const A = taylorPass(b, grad, v, g, K >= 3 ? 2 : 1);
    const Hg = grad.outputs.map((id) => A[id]![1]);
    for (const h of Hg) outputs.push(h === null ? b.constant(0) : b.prod(-0.5, [h]));
    if (K >= 3) {
      const half3 = grad.outputs.map((id) => A[id]![2]);
      const B = taylorPass(b, grad, v, Hg, 1);
      const HHg = grad.outputs.map((id) => B[id]![1]);
      // f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg) = −1/6 (½∇³L[g,g]) − 1/3 H(Hg)
      grad.outputs.forEach((_, j) => outputs.push(b.sum(0, [-1 / 6, -1 / 3], [half3[j]!, HHg[j]!])));
      if (K >= 4) {
        const C = taylorPass(b, grad, v, HHg, 1);
        const D = taylorPass(b, grad, v, half3, 1);
        // the program of θ ↦ H(θ)g(θ): its nodes are this builder's, so the pass maps every id to itself
        const HgIds = Hg.map(zeroIfNull);
        const PA = b.program(HgIds, [], grad.params, grad.hyper);
        const identity = Array.from({ length: b.nodes.length }, (_, i) => i);
        const E = taylorPass(b, PA, identity, Hg, 1);
        grad.outputs.forEach((id, j) => {
          const HHHg = C[id]![1];
          const halfHT = D[id]![1]; // ½ H∇³L[g,g]
          const DHg = E[HgIds[j]!]![1]; // ∇³L[g,Hg] + HHHg
          // f4 = −1/4 HHHg − 1/12 (2·halfHT) − 1/12 (DHg − HHHg) = −1/6 HHHg − 1/6 halfHT − 1/12 DHg
          outputs.push(b.sum(0, [-1 / 6, -1 / 6, -1 / 12], [HHHg, halfHT, DHg]));
        });
      }
    }
  }
  const blocks = Array.from({ length: K }, (_, k) => ({ name: `f${k + 1}`, shape: [n], offset: k * n, size: n }));
  return b.program(outputs, blocks, grad.params, grad.hyper);
}

/** An output of a joined program: block `block` of `program`, under the name `name`. */
export interface ProgramBlockRef {
  readonly name: string;
  readonly program: Program;
  readonly block: string;
}

/** An output of a joined program: the truncated field f1 + η f2 + … + η^order f_{order+1} of `program`'s blocks f1, f2, …. */
export interface SeriesFieldRef {
  readonly name: string;
  readonly program: Program;
  readonly eta: Sym;
  readonly order: number;
}

/**
 * One program whose output blocks are the given blocks of several programs over the same parameters (and
 * fields built from blocks f1, f2, …), their nodes shared where equal. The programs' hyper-parameters are
 * matched to `hyper` by symbol.
 */
export function joinPrograms(outputs: ReadonlyArray<ProgramBlockRef | SeriesFieldRef>, params: readonly Sym[], hyper: readonly Sym[]): Program {
  const b = new ProgramBuilder();
  const spliced = new Map<Program, number[]>();
  const nodesOf = (p: Program): number[] => {
    let map = spliced.get(p);
    if (map === undefined) {
      p.params.forEach((s, i) => {
        if (params[i] !== s) throw new CodegenError(`joinPrograms: parameter ${i} of a program is '${s.name}', expected '${params[i]?.name ?? 'none'}'`);
      });
      const hyperIndex = p.hyper.map((h) => {
        const k = hyper.indexOf(h);
        if (k < 0) throw new CodegenError(`joinPrograms: the hyper-parameter '${h.name}' is not among ${hyper.map((x) => x.name).join(', ') || 'none'}`);
        return k;
      });
      map = b.splice(p, (i) => b.theta(i, params[i]!.name), (i) => b.hyper(hyperIndex[i]!, hyper[hyperIndex[i]!]!.name));
      spliced.set(p, map);
    }
    return map;
  };
  const blockNodes = (p: Program, name: string): number[] => {
    const blk = p.blocks.find((x) => x.name === name);
    if (blk === undefined) throw new CodegenError(`joinPrograms: the program has no output block '${name}' (it has ${p.blocks.map((x) => x.name).join(', ')})`);
    const map = nodesOf(p);
    return p.outputs.slice(blk.offset, blk.offset + blk.size).map((id) => map[id]!);
  };
  const ids: number[] = [];
  const blocks: OutputBlock[] = [];
  for (const o of outputs) {
    let vals: number[];
    let shape: readonly number[];
    if ('block' in o) {
      vals = blockNodes(o.program, o.block);
      shape = o.program.blocks.find((x) => x.name === o.block)!.shape;
    } else {
      const k = hyper.indexOf(o.eta);
      if (k < 0) throw new CodegenError(`joinPrograms: the field's η '${o.eta.name}' is not among the hyper-parameters`);
      const eta = b.hyper(k, o.eta.name);
      const fs = Array.from({ length: o.order + 1 }, (_, j) => blockNodes(o.program, `f${j + 1}`));
      const etaPow = (j: number): number[] => Array.from({ length: j }, () => eta);
      vals = fs[0]!.map((_, i) => b.sum(0, fs.map(() => 1), fs.map((f, j) => b.prod(1, [...etaPow(j), f[i]!]))));
      shape = [vals.length];
    }
    blocks.push({ name: o.name, shape, offset: ids.length, size: vals.length });
    ids.push(...vals);
  }
  return b.program(ids, blocks, params, hyper);
}
