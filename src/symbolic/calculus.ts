/**
 * Differentiation on the hash-consed core: memoised per (node, symbol), so a
 * shared sub-expression is differentiated once however often it occurs, and the
 * k-th derivative tensor computes each distinct (symmetric) entry once.
 */
import { BudgetError, InputError, describe } from '../errors.ts';
import { Rational } from './rational.ts';
import { type Expr, type Sym, isExpr, requireExpr, requireExprArray, symbolsFrom, ProductBuilder, mulSorted, SumBuilder, ZERO, ONE, dependsOn, log, mul, pow, add } from './expr.ts';
import { expand } from './expand.ts';
import { getFunction } from './functions/registry.ts';
import { memoWalk } from './walk.ts';
import { type PackedPolynomial, withPackedPolynomial } from './packed-poly.ts';
import { substitution } from './transform.ts';

/** ∂e/∂s */
export function diff(e: Expr, s: Sym): Expr {
  if (!isExpr(e) || !isExpr(s) || s.kind !== 'sym') checkDiffArguments(e, s);
  if ((e.free & s.free) === 0n) return ZERO;
  if (e === s) return ONE;
  let memo = e._d;
  if (memo !== undefined) {
    const hit = memo.get(s.index);
    if (hit !== undefined) return hit;
  } else {
    memo = new Map();
    e._d = memo;
  }
  const d = diffUncached(e, s);
  memo.set(s.index, d);
  return d;
}

/** diff's argument check, off the hot path: names are not accepted here (diff is the memoised inner loop) */
function checkDiffArguments(e: unknown, s: unknown): never {
  requireExpr('diff(e, s): e', e);
  throw new InputError(`diff(e, s): s must be a symbol (got ${typeof s === 'string' ? `the name ${JSON.stringify(s)}: pass sym(${JSON.stringify(s)})` : isExpr(s) ? 'an expression that is not a symbol' : describe(s)})`);
}

function diffUncached(e: Expr, s: Sym): Expr {
  switch (e.kind) {
    case 'num':
    case 'sym':
      return ZERO; // handled above; kept for exhaustiveness
    case 'add': {
      const b = new SumBuilder();
      for (let i = 0; i < e.terms.length; i++) {
        const t = e.terms[i]!;
        if ((t.free & s.free) !== 0n) b.add(diff(t, s), e.coeffs[i]!);
      }
      return b.build();
    }
    case 'mul': {
      // product rule on c·Π b_i^k_i: Σ_i c·k_i·b_i^(k_i−1)·b_i'·Π_{j≠i} b_j^k_j
      const b = new SumBuilder();
      const n = e.bases.length;
      for (let i = 0; i < n; i++) {
        const bi = e.bases[i]!;
        if ((bi.free & s.free) === 0n) continue;
        const dbi = diff(bi, s);
        if (dbi === ZERO) continue;
        if (dbi.kind === 'num') {
          // b_i linear in s: only the i-th exponent changes, the order of the bases is kept
          const ki = e.exps[i]!.sub(Rational.ONE);
          const bases: Expr[] = [];
          const exps: Rational[] = [];
          for (let j = 0; j < n; j++) {
            if (j === i && ki.isZero()) continue;
            bases.push(e.bases[j]!);
            exps.push(j === i ? ki : e.exps[j]!);
          }
          b.add(mulSorted(e.coeff.mul(e.exps[i]!).mul(dbi.value), bases, exps));
          continue;
        }
        const pb = new ProductBuilder();
        pb.coeff = e.coeff.mul(e.exps[i]!);
        for (let j = 0; j < n; j++) {
          const k = j === i ? e.exps[j]!.sub(Rational.ONE) : e.exps[j]!;
          if (!k.isZero()) pb.mul(e.bases[j]!, k);
        }
        pb.mul(dbi);
        b.add(pb.build());
      }
      return b.build();
    }
    case 'pow':
      return powDerivative(e, diff(e.base, s), diff(e.exp, s), s.name);
    case 'call': {
      const u = e.arg;
      const du = diff(u, s);
      if (du === ZERO) return ZERO;
      return mul(outerDerivative(e.fn, u, e), du);
    }
  }
}

/** d(b^x) = b^x·(x'·log b + x·b'/b), given b' and x' (along a symbol or a direction). */
function powDerivative(e: Expr & { kind: 'pow' }, db: Expr, dx: Expr, along: string): Expr {
  const { base, exp: x } = e;
  const parts: Expr[] = [];
  if (dx !== ZERO) {
    // 0^x is the constant 0 where it is defined (x > 0)
    if (base.kind === 'num' && base.value.isZero()) return ZERO;
    if (base.kind === 'num' && base.value.sign() < 0) {
      throw new InputError(`the derivative of ${base.value}^(…) along ${along} is not real (log of a negative base)`);
    }
    parts.push(mul(dx, log(base)));
  }
  if (db !== ZERO) parts.push(mul(x, db, pow(base, -1)));
  return mul(e, add(...parts));
}

/** f′(u) for a call f(u) given as `self`: the registered function's derivative rule. */
function outerDerivative(fn: string, u: Expr, self: Expr): Expr {
  return getFunction(fn).derivative(u, self);
}

/** ∂^k e / ∂s_1…∂s_k (in the order given; the result is symmetric anyway). */
export function diffMany(e: Expr, ss: readonly (Sym | string)[]): Expr {
  let r = requireExpr('diffMany(e, ss): e', e);
  for (const s of symbolsFrom('diffMany(e, ss): ss', ss)) r = diff(r, s);
  return r;
}

/** ∇e as a vector over params. */
export function gradient(e: Expr, params: readonly (Sym | string)[]): Expr[] {
  const x = requireExpr('gradient(e, params): e', e);
  return symbolsFrom('gradient(e, params): params', params).map((p) => diff(x, p));
}

/**
 * ∇e with the symbols of `map` then substituted, the same objects as `subsAll(gradient(e, params), map)`
 * without building ∇e first: ∂/∂θ_l of a sum or product is formed directly from the substituted factors,
 * so a large generic form (∇ D²L[v, v] of the counter terms) is never materialised, only its image.
 * The keys of `map` must not be parameters (they are constants under ∂/∂θ_l).
 */
export function substitutedGradient(e: Expr, params: readonly Sym[], map: ReadonlyMap<Sym, Expr>): Expr[] {
  const sub = substitution(map);
  let mask = 0n;
  for (const k of map.keys()) mask |= k.free;
  return params.map((s) => {
    const memo = new Map<Expr, Expr>();
    /** σ(∂x/∂s), σ the substitution */
    const D = (x: Expr): Expr => {
      if ((x.free & s.free) === 0n) return ZERO;
      if ((x.free & mask) === 0n) return diff(x, s);
      const hit = memo.get(x);
      if (hit !== undefined) return hit;
      let r: Expr;
      if (x.kind === 'add') {
        const b = new SumBuilder();
        for (let i = 0; i < x.terms.length; i++) {
          const t = x.terms[i]!;
          if ((t.free & s.free) !== 0n) b.add(D(t), x.coeffs[i]!);
        }
        r = b.build();
      } else if (x.kind === 'mul') {
        // product rule on c·Π b_i^k_i with every other factor substituted
        const b = new SumBuilder();
        const n = x.bases.length;
        for (let i = 0; i < n; i++) {
          const bi = x.bases[i]!;
          if ((bi.free & s.free) === 0n) continue;
          const dbi = D(bi);
          if (dbi === ZERO) continue;
          const pb = new ProductBuilder();
          pb.coeff = x.coeff.mul(x.exps[i]!);
          for (let j = 0; j < n; j++) {
            const k = j === i ? x.exps[j]!.sub(Rational.ONE) : x.exps[j]!;
            if (k.isZero()) continue;
            const sb = sub(x.bases[j]!);
            if (k.isInteger()) pb.mul(sb, k);
            else pb.mul(pow(sb, k));
          }
          pb.mul(dbi);
          b.add(pb.build());
        }
        r = b.build();
      } else r = sub(diff(x, s));
      memo.set(x, r);
      return r;
    };
    return D(e);
  });
}

/** ∇²e, symmetric; each entry i ≤ j computed once. */
export function hessian(e: Expr, params: readonly (Sym | string)[]): Expr[][] {
  requireExpr('hessian(e, params): e', e);
  params = symbolsFrom('hessian(e, params): params', params);
  const n = params.length;
  const g = gradient(e, params);
  const h: Expr[][] = Array.from({ length: n }, () => new Array<Expr>(n));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = diff(g[i]!, params[j] as Sym);
      h[i]![j] = v;
      h[j]![i] = v;
    }
  }
  return h;
}

/** One distinct entry of a symmetric derivative tensor: sorted index tuple and value. */
export interface TensorEntry {
  readonly index: readonly number[];
  readonly value: Expr;
}

/**
 * The distinct entries ∂^k e/∂θ_{i1}…∂θ_{ik}, i1 ≤ … ≤ ik, in lexicographic
 * order (C(n+k−1, k) of them). Each entry is the derivative of its prefix entry,
 * so each is computed once.
 *
 * `{ expanded: true }`: every entry in canonical expanded form (the object `expand` gives for it). e is
 * expanded once and differentiated; when it is a polynomial over Q (in the parameters and any other
 * symbols) that runs in packed sparse polynomials, converted to expressions once per entry.
 */
export function derivativeTensor(e: Expr, params: readonly (Sym | string)[], k: number, opts: { expanded?: boolean } = {}): TensorEntry[] {
  requireExpr('derivativeTensor(e, params, k): e', e);
  const syms = symbolsFrom('derivativeTensor(e, params, k): params', params);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new InputError(`derivativeTensor(e, params, k): the derivative order k must be a non-negative integer, got ${describe(k)}`);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`derivativeTensor(e, params, k, options): options must be an object (got ${describe(opts)})`);
  const entries = tensorEntryCount(syms.length, k);
  if (entries > MAX_TENSOR_ENTRIES) {
    throw new BudgetError(
      `derivativeTensor: order ${k} over ${syms.length} parameters has at least ${entries.toExponential(2)} distinct entries or differentiations, past the budget of ${MAX_TENSOR_ENTRIES.toLocaleString('en-US')}; lower k or differentiate along directions (jvp)`,
    );
  }
  return tensorEntries(e, syms, k, opts);
}

/** the budget of distinct entries of one derivative tensor */
const MAX_TENSOR_ENTRIES = 1_000_000;

/**
 * C(n+k−1, k), the number of sorted index tuples, as a float; counting stops once past the budget. The
 * work is at least k differentiations even for one parameter, so k itself counts against the budget.
 */
function tensorEntryCount(n: number, k: number): number {
  if (k > MAX_TENSOR_ENTRIES) return k;
  if (n === 0) return k === 0 ? 1 : 0;
  let c = 1;
  for (let i = 1; i <= k && c <= MAX_TENSOR_ENTRIES; i++) c = (c * (n - 1 + i)) / i;
  return c;
}

function tensorEntries(e: Expr, params: readonly Sym[], k: number, opts: { expanded?: boolean }): TensorEntry[] {
  if (opts.expanded) {
    const ex = expand(e);
    // a polynomial over Q: packed exponent vectors (each derivative one pass over the terms), converted once
    const packed = withPackedPolynomial(ex, params, (pp) => packedTensorEntries(pp, k));
    if (packed !== undefined) return packed;
    // otherwise canonical expanded entries: differentiate the expanded form (derivatives of monomials are
    // monomials, so no product of sums is ever built), then expand what functions of sums still produce
    return tensorEntries(ex, params, k, {}).map((t) => ({ index: t.index, value: expand(t.value) }));
  }
  let level: TensorEntry[] = [{ index: [], value: e }];
  for (let order = 0; order < k; order++) {
    const next: TensorEntry[] = [];
    for (const entry of level) {
      const start = entry.index.length ? entry.index[entry.index.length - 1]! : 0;
      for (let j = start; j < params.length; j++) {
        next.push({ index: [...entry.index, j], value: diff(entry.value, params[j]!) });
      }
    }
    level = next;
  }
  return level;
}

/**
 * The derivative tensor of a packed polynomial P/d: the same entries, in the same order, as `tensorEntries`
 * (each the derivative of its prefix entry), as packed polynomials, then each converted once to its canonical
 * expanded expression (the object `expand` gives for it), scaled by 1/d. Undefined when a coefficient left
 * the safe-integer range (the caller then takes the expression route, exact with big rationals).
 */
function packedTensorEntries<P>(pp: PackedPolynomial<P>, k: number): TensorEntry[] | undefined {
  const { ring, index } = pp;
  let level: Array<{ index: number[]; poly: P }> = [{ index: [], poly: pp.poly }];
  for (let order = 0; order < k; order++) {
    const next: Array<{ index: number[]; poly: P }> = [];
    for (const entry of level) {
      const start = entry.index.length ? entry.index[entry.index.length - 1]! : 0;
      for (let j = start; j < index.length; j++) next.push({ index: [...entry.index, j], poly: ring.diff(entry.poly, index[j]!) });
    }
    level = next;
    if (ring.overflow) return undefined;
  }
  const scale = Rational.of(1n, pp.den);
  return level.map((t) => ({ index: t.index, value: ring.toExpr(t.poly, scale) }));
}

/**
 * Jacobian–vector product (directional derivative) of a vector field, (J_F v)_i = Σ_j ∂F_i/∂θ_j v_j,
 * in forward mode over the DAG: D_v(x·y) = D_v x·y + x·D_v y, D_v θ_j = v_j, memoised per node and
 * shared across the components of F. The result's DAG is about the size of F's, where the sum of n
 * partial derivatives (`jvpByPartials`) is about n times larger; both are the same function (tests
 * check they expand to the same object).
 */
export function jvp(F: readonly Expr[], params: readonly (Sym | string)[], v: readonly Expr[]): Expr[] {
  F = requireExprArray('jvp(F, params, v): F', F);
  params = symbolsFrom('jvp(F, params, v): params', params);
  v = requireExprArray('jvp(F, params, v): v', v);
  if (v.length !== params.length) throw new InputError(`jvp: direction has ${v.length} entries, expected ${params.length}`);
  const dir = new Map<Expr, Expr>();
  let mask = 0n;
  (params as readonly Sym[]).forEach((p, i) => {
    dir.set(p, v[i]!);
    mask |= p.free;
  });
  const D = memoWalk<Expr>(
    (e, D) => {
      switch (e.kind) {
        case 'num':
        case 'sym':
          return ZERO;
        case 'add': {
          const b = new SumBuilder();
          for (let i = 0; i < e.terms.length; i++) b.add(D(e.terms[i]!), e.coeffs[i]!);
          return b.build();
        }
        case 'mul': {
          const b = new SumBuilder();
          const n = e.bases.length;
          for (let i = 0; i < n; i++) {
            const db = D(e.bases[i]!);
            if (db === ZERO) continue;
            const pb = new ProductBuilder();
            pb.coeff = e.coeff.mul(e.exps[i]!);
            for (let j = 0; j < n; j++) {
              const k = j === i ? e.exps[j]!.sub(Rational.ONE) : e.exps[j]!;
              if (!k.isZero()) pb.mul(e.bases[j]!, k);
            }
            pb.mul(db);
            b.add(pb.build());
          }
          return b.build();
        }
        case 'pow':
          return powDerivative(e, D(e.base), D(e.exp), 'the direction');
        case 'call': {
          const du = D(e.arg);
          return du === ZERO ? ZERO : mul(outerDerivative(e.fn, e.arg, e), du);
        }
      }
    },
    (e) => ((e.free & mask) === 0n ? ZERO : e.kind === 'sym' ? (dir.get(e) ?? ZERO) : undefined),
  );
  return F.map(D);
}

/** (J_F v)_i = Σ_j ∂F_i/∂θ_j · v_j from memoised partial derivatives (the reference for `jvp`). */
export function jvpByPartials(F: readonly Expr[], params: readonly Sym[], v: readonly Expr[]): Expr[] {
  if (v.length !== params.length) throw new InputError(`jvp: direction has ${v.length} entries, expected ${params.length}`);
  return F.map((Fi) => {
    const b = new SumBuilder();
    for (let j = 0; j < params.length; j++) {
      const vj = v[j]!;
      if (vj === ZERO || !dependsOn(Fi, params[j]!)) continue;
      b.add(mul(diff(Fi, params[j]!), vj));
    }
    return b.build();
  });
}

/** Directional derivative of a scalar: Σ_j ∂e/∂θ_j v_j. */
export function directional(e: Expr, params: readonly (Sym | string)[], v: readonly Expr[]): Expr {
  return jvp([requireExpr('directional(e, params, v): e', e)], params, v)[0]!;
}
