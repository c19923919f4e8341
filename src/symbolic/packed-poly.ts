/**
 * Packed sparse distributed polynomials with integer coefficients, for the polynomial parts of exact
 * derivations (the representation of SymPy's `rings`, Singular or Giac): a polynomial in x_0 … x_{n−1}
 * is a list of (packed exponent vector, coefficient). The exponent vector (e_0, …, e_{n−1}) is packed into
 * one JS number, Σ e_j·2^{b·j}, with b bits per variable fixed for the ring, so that the product of two
 * monomials is the sum of their keys and like monomials are merged by hashing one number.
 *
 * Exactness is kept by two guards: the caller fixes a per-variable degree bound when it makes the ring
 * (every exponent stays below 2^b, so keys never carry between fields; n·b ≤ 52 keeps keys exact), and
 * every coefficient operation checks that the result is a safe integer. When a coefficient would leave
 * the safe range the ring records an overflow and the caller falls back to the expression route.
 */
import { Rational } from './rational.ts';
import { type Expr, type Sym, ONE, PI, SumBuilder, chargeWork, compareExpr, mulSorted, num, splitCoefficient } from './expr.ts';

/** A polynomial: keys[i] is a packed exponent vector, coeffs[i] ≠ 0 its integer coefficient. */
export interface PackedPoly {
  readonly keys: readonly number[];
  readonly coeffs: readonly number[];
}

export const PACKED_ZERO: PackedPoly = { keys: [], coeffs: [] };

/** The largest number of key bits: every key and the sum of two keys stay exact in a float64. */
const MAX_KEY_BITS = 52;

/** Bits per variable for exponents up to `maxDegree`, or undefined when n variables do not fit one key. */
export function packedBits(n: number, maxDegree: number): number | undefined {
  const bits = Math.max(1, Math.ceil(Math.log2(maxDegree + 1)));
  return n * bits <= MAX_KEY_BITS ? bits : undefined;
}

export class PackedRing {
  /** set when a coefficient left the safe-integer range: every result since is unreliable */
  overflow = false;
  readonly zero: PackedPoly = PACKED_ZERO;
  private readonly radix: number;
  /** place[j] = 2^{b·j} */
  private readonly place: number[];
  private readonly unitMemo = new Map<number, Expr>();

  constructor(
    readonly vars: readonly Sym[],
    readonly bits: number,
  ) {
    this.radix = 2 ** bits;
    this.place = vars.map((_, j) => 2 ** (bits * j));
  }

  /** exponent of variable j in the packed key */
  exponent(key: number, j: number): number {
    return Math.floor(key / this.place[j]!) % this.radix;
  }

  /** the exponent vector of a key, into `out` (out[j] = exponent of variable j) */
  exponents(key: number, out: number[]): number[] {
    let k = key;
    for (let j = 0; j < this.vars.length; j++) {
      const e = k % this.radix;
      out[j] = e;
      k = (k - e) / this.radix;
    }
    return out;
  }

  /**
   * An expanded polynomial expression in the ring's variables as (integer polynomial P, denominator d)
   * with e = P/d, or undefined when e is not a polynomial in these variables with rational coefficients,
   * an exponent reaches 2^b, or a coefficient is not a safe integer after clearing denominators.
   */
  fromExpanded(e: Expr): { poly: PackedPoly; den: bigint } | undefined {
    const varIndex = new Map<Expr, number>();
    this.vars.forEach((v, j) => varIndex.set(v, j));
    const terms: Array<[Rational, Expr]> = [];
    if (e.kind === 'add') {
      if (!e.constant.isZero()) terms.push([e.constant, ONE]);
      for (let i = 0; i < e.terms.length; i++) terms.push([e.coeffs[i]!, e.terms[i]!]);
    } else if (e.kind === 'num') {
      if (!e.value.isZero()) terms.push([e.value, ONE]);
    } else terms.push(splitCoefficient(e));
    let den = 1n;
    for (const [c] of terms) den = lcm(den, c.den);
    const out = new Map<number, number>();
    for (const [c, unit] of terms) {
      const key = this.keyOf(unit, varIndex);
      if (key === undefined) return undefined;
      const big = (c.num * den) / c.den;
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      out.set(key, (out.get(key) ?? 0) + Number(big));
    }
    return { poly: this.fromMap(out), den };
  }

  private keyOf(unit: Expr, varIndex: Map<Expr, number>): number | undefined {
    const factor = (base: Expr, k: Rational): number | undefined => {
      const j = varIndex.get(base);
      if (j === undefined || !k.isInteger() || k.isNegative()) return undefined;
      const d = k.toNumber();
      return d < this.radix ? d * this.place[j]! : undefined;
    };
    switch (unit.kind) {
      case 'num':
        return 0;
      case 'sym':
        return factor(unit, Rational.ONE);
      case 'pow':
        return unit.exp.kind === 'num' ? factor(unit.base, unit.exp.value) : undefined;
      case 'mul': {
        let key = 0;
        for (let i = 0; i < unit.bases.length; i++) {
          const f = factor(unit.bases[i]!, unit.exps[i]!);
          if (f === undefined) return undefined;
          key += f;
        }
        return key;
      }
      default:
        return undefined;
    }
  }

  private fromMap(m: Map<number, number>): PackedPoly {
    const keys: number[] = [];
    const coeffs: number[] = [];
    for (const [k, c] of m) {
      if (c !== 0) {
        keys.push(k);
        coeffs.push(c);
      }
    }
    return { keys, coeffs };
  }

  private accumulate(m: Map<number, number>, key: number, c: number): void {
    const s = (m.get(key) ?? 0) + c;
    if (!Number.isSafeInteger(s)) this.overflow = true;
    m.set(key, s);
  }

  /** ∂p/∂x_j */
  diff(p: PackedPoly, j: number): PackedPoly {
    const keys: number[] = [];
    const coeffs: number[] = [];
    const place = this.place[j]!;
    for (let i = 0; i < p.keys.length; i++) {
      const key = p.keys[i]!;
      const e = Math.floor(key / place) % this.radix;
      if (e === 0) continue;
      const c = p.coeffs[i]! * e;
      if (!Number.isSafeInteger(c)) this.overflow = true;
      keys.push(key - place);
      coeffs.push(c);
    }
    return { keys, coeffs };
  }

  /** Σ_j ∂F/∂x_j · v_j (the directional derivative of F along the polynomial direction v), into `m` scaled by k */
  private addDirectional(m: Map<number, number>, F: PackedPoly, v: readonly PackedPoly[], k: number): void {
    for (let j = 0; j < v.length; j++) {
      const vj = v[j]!;
      if (vj.keys.length === 0) continue;
      const dF = this.diff(F, j);
      this.addProduct(m, dF, vj, k);
    }
  }

  /** m += k·a·b */
  private addProduct(m: Map<number, number>, a: PackedPoly, b: PackedPoly, k: number): void {
    chargeWork(a.keys.length * b.keys.length);
    for (let i = 0; i < a.keys.length; i++) {
      const ka = a.keys[i]!;
      const ca = a.coeffs[i]! * k;
      if (!Number.isSafeInteger(ca)) this.overflow = true;
      for (let l = 0; l < b.keys.length; l++) {
        const c = ca * b.coeffs[l]!;
        if (!Number.isSafeInteger(c)) this.overflow = true;
        this.accumulate(m, ka + b.keys[l]!, c);
      }
    }
  }

  /** (J F)·v: component i is Σ_j ∂F_i/∂x_j · v_j */
  jvp(F: readonly PackedPoly[], v: readonly PackedPoly[]): PackedPoly[] {
    return F.map((Fi) => {
      const m = new Map<number, number>();
      this.addDirectional(m, Fi, v, 1);
      return this.fromMap(m);
    });
  }

  /** Σ k·p over the parts (integer weights) */
  combine(parts: ReadonlyArray<readonly [number, PackedPoly]>): PackedPoly {
    const m = new Map<number, number>();
    for (const [k, p] of parts) {
      for (let i = 0; i < p.keys.length; i++) {
        const c = k * p.coeffs[i]!;
        if (!Number.isSafeInteger(c)) this.overflow = true;
        this.accumulate(m, p.keys[i]!, c);
      }
    }
    return this.fromMap(m);
  }

  /** s·p as a canonical expanded expression (the same object `expand` gives for an equal polynomial) */
  toExpr(p: PackedPoly, s: Rational = Rational.ONE): Expr {
    return packedToExpr(this, this.unitMemo, p, 0, s);
  }
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return (a / x) * b;
}

/** A polynomial of a WidePackedRing: exponent vectors packed into one bigint each. */
export interface WidePackedPoly {
  readonly keys: readonly bigint[];
  readonly coeffs: readonly number[];
}

/**
 * The same packed representation for more variables than one float64 key holds (n·b > 52 bits): the
 * exponent vector is packed into a bigint, Σ e_j·2^{b·j}. Slower per operation than PackedRing, still one
 * hashed key per monomial and one key addition per monomial product.
 */
export class WidePackedRing {
  overflow = false;
  readonly zero: WidePackedPoly = { keys: [], coeffs: [] };
  private readonly shift: bigint[];
  private readonly place: bigint[];
  private readonly mask: bigint;
  private readonly unitMemo = new Map<bigint, Expr>();

  constructor(
    readonly vars: readonly Sym[],
    readonly bits: number,
  ) {
    this.shift = vars.map((_, j) => BigInt(bits * j));
    this.place = this.shift.map((s) => 1n << s);
    this.mask = (1n << BigInt(bits)) - 1n;
  }

  exponent(key: bigint, j: number): number {
    return Number((key >> this.shift[j]!) & this.mask);
  }

  /** as PackedRing.exponents */
  exponents(key: bigint, out: number[]): number[] {
    for (let j = 0; j < this.vars.length; j++) out[j] = Number((key >> this.shift[j]!) & this.mask);
    return out;
  }

  /** as PackedRing.fromExpanded */
  fromExpanded(e: Expr): { poly: WidePackedPoly; den: bigint } | undefined {
    const varIndex = new Map<Expr, number>();
    this.vars.forEach((v, j) => varIndex.set(v, j));
    const terms = termsOfExpanded(e);
    let den = 1n;
    for (const [c] of terms) den = lcm(den, c.den);
    const limit = BigInt(1) << BigInt(this.bits);
    const out = new Map<bigint, number>();
    for (const [c, unit] of terms) {
      const exps = exponentsOf(unit, varIndex);
      if (exps === undefined) return undefined;
      let key = 0n;
      for (const [j, d] of exps) {
        if (BigInt(d) >= limit) return undefined;
        key += BigInt(d) << this.shift[j]!;
      }
      const big = (c.num * den) / c.den;
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      out.set(key, (out.get(key) ?? 0) + Number(big));
    }
    return { poly: this.fromMap(out), den };
  }

  private fromMap(m: Map<bigint, number>): WidePackedPoly {
    const keys: bigint[] = [];
    const coeffs: number[] = [];
    for (const [k, c] of m) {
      if (!Number.isSafeInteger(c)) this.overflow = true;
      if (c !== 0) {
        keys.push(k);
        coeffs.push(c);
      }
    }
    return { keys, coeffs };
  }

  diff(p: WidePackedPoly, j: number): WidePackedPoly {
    const keys: bigint[] = [];
    const coeffs: number[] = [];
    const shift = this.shift[j]!;
    const place = this.place[j]!;
    for (let i = 0; i < p.keys.length; i++) {
      const key = p.keys[i]!;
      const e = Number((key >> shift) & this.mask);
      if (e === 0) continue;
      const c = p.coeffs[i]! * e;
      if (!Number.isSafeInteger(c)) this.overflow = true;
      keys.push(key - place);
      coeffs.push(c);
    }
    return { keys, coeffs };
  }

  jvp(F: readonly WidePackedPoly[], v: readonly WidePackedPoly[]): WidePackedPoly[] {
    return F.map((Fi) => {
      const m = new Map<bigint, number>();
      for (let j = 0; j < v.length; j++) {
        const vj = v[j]!;
        if (vj.keys.length === 0) continue;
        const dF = this.diff(Fi, j);
        chargeWork(dF.keys.length * vj.keys.length);
        for (let a = 0; a < dF.keys.length; a++) {
          const ka = dF.keys[a]!;
          const ca = dF.coeffs[a]!;
          for (let b = 0; b < vj.keys.length; b++) {
            const c = ca * vj.coeffs[b]!;
            if (!Number.isSafeInteger(c)) this.overflow = true;
            const key = ka + vj.keys[b]!;
            m.set(key, (m.get(key) ?? 0) + c);
          }
        }
      }
      return this.fromMap(m);
    });
  }

  combine(parts: ReadonlyArray<readonly [number, WidePackedPoly]>): WidePackedPoly {
    const m = new Map<bigint, number>();
    for (const [k, p] of parts) {
      for (let i = 0; i < p.keys.length; i++) {
        const c = k * p.coeffs[i]!;
        if (!Number.isSafeInteger(c)) this.overflow = true;
        m.set(p.keys[i]!, (m.get(p.keys[i]!) ?? 0) + c);
      }
    }
    return this.fromMap(m);
  }

  toExpr(p: WidePackedPoly, s: Rational = Rational.ONE): Expr {
    return packedToExpr(this, this.unitMemo, p, 0n, s);
  }
}

/**
 * s·p as a canonical expanded expression, for either ring (the key type is the only difference): each key's
 * unit monomial Π x_j^{e_j} is built once (memoised per ring) straight into canonical form. Not on the
 * arithmetic's hot path, so one generic routine serves both.
 *
 * Memory: the result is what the caller keeps, so equal pieces are shared rather than allocated per term:
 * one Rational per distinct coefficient of p, and one base array and one exponent array per distinct
 * support and exponent sequence (the nodes store these read-only arrays as given; see unitMonomial).
 */
function packedToExpr<K extends number | bigint>(
  ring: { readonly vars: readonly Sym[]; readonly bits: number; exponents(key: K, out: number[]): number[] },
  memo: Map<K, Expr>,
  p: { readonly keys: readonly K[]; readonly coeffs: readonly number[] },
  zero: K,
  s: Rational,
): Expr {
  const pieces = monomialPieces(ring);
  if (p.keys.length === 1 && p.keys[0] !== zero) {
    // one term: the scaled monomial itself (what SumBuilder.build gives), without interning its unit first
    const key = p.keys[0]!;
    const c = s.mul(Rational.int(p.coeffs[0]!));
    const u = memo.get(key);
    return u === undefined ? unitMonomial(ring, canonicalOrder(ring), ring.exponents(key, []), pieces, c) : scaleUnitMonomial(u, c);
  }
  const b = new SumBuilder();
  const scaled = new Map<number, Rational>();
  const order = canonicalOrder(ring);
  const degreesOut: number[] = [];
  for (let i = 0; i < p.keys.length; i++) {
    const ci = p.coeffs[i]!;
    let c = scaled.get(ci);
    if (c === undefined) {
      c = s.mul(Rational.int(ci));
      scaled.set(ci, c);
    }
    const key = p.keys[i]!;
    if (key === zero) {
      b.add(num(c));
      continue;
    }
    let u = memo.get(key);
    if (u === undefined) {
      u = unitMonomial(ring, order, ring.exponents(key, degreesOut), pieces);
      memo.set(key, u);
    }
    b.addUnit(u, c);
  }
  return b.build();
}

/** (coefficient, unit) pairs of an expanded expression */
function termsOfExpanded(e: Expr): Array<[Rational, Expr]> {
  const terms: Array<[Rational, Expr]> = [];
  if (e.kind === 'add') {
    if (!e.constant.isZero()) terms.push([e.constant, ONE]);
    for (let i = 0; i < e.terms.length; i++) terms.push([e.coeffs[i]!, e.terms[i]!]);
  } else if (e.kind === 'num') {
    if (!e.value.isZero()) terms.push([e.value, ONE]);
  } else terms.push(splitCoefficient(e));
  return terms;
}

/** (variable index, natural exponent) of a unit monomial, or undefined if it is not a monomial in the variables */
function exponentsOf(unit: Expr, varIndex: Map<Expr, number>): Array<[number, number]> | undefined {
  const factor = (base: Expr, k: Rational): [number, number] | undefined => {
    const j = varIndex.get(base);
    if (j === undefined || !k.isInteger() || k.isNegative()) return undefined;
    return [j, k.toNumber()];
  };
  switch (unit.kind) {
    case 'num':
      return [];
    case 'sym': {
      const f = factor(unit, Rational.ONE);
      return f && [f];
    }
    case 'pow': {
      const f = unit.exp.kind === 'num' ? factor(unit.base, unit.exp.value) : undefined;
      return f && [f];
    }
    case 'mul': {
      const out: Array<[number, number]> = [];
      for (let i = 0; i < unit.bases.length; i++) {
        const f = factor(unit.bases[i]!, unit.exps[i]!);
        if (f === undefined) return undefined;
        out.push(f);
      }
      return out;
    }
    default:
      return undefined;
  }
}

const orderMemo = new WeakMap<object, number[]>();

/** the indices of the ring's variables in canonical (compareExpr) order, memoised per ring */
function canonicalOrder(ring: { readonly vars: readonly Sym[] }): number[] {
  let o = orderMemo.get(ring);
  if (o === undefined) {
    const vars = ring.vars;
    o = vars.map((_, j) => j).sort((a, b) => compareExpr(vars[a]!, vars[b]!));
    orderMemo.set(ring, o);
  }
  return o;
}

const smallInts: Rational[] = [];
function intRational(e: number): Rational {
  return (smallInts[e] ??= Rational.int(e));
}

/** Shared read-only arrays of the unit monomials of one ring: bases by support, exponents by sequence. */
interface MonomialPieces {
  readonly bases: Map<number | string, readonly Expr[]>;
  readonly exps: Map<number | string, readonly Rational[]>;
}

const piecesMemo = new WeakMap<object, MonomialPieces>();

function monomialPieces(ring: object): MonomialPieces {
  let m = piecesMemo.get(ring);
  if (m === undefined) {
    m = { bases: new Map(), exps: new Map() };
    piecesMemo.set(ring, m);
  }
  return m;
}

/** c·u for a unit monomial u built by unitMonomial (a symbol, or a product with coefficient 1) */
function scaleUnitMonomial(u: Expr, c: Rational): Expr {
  return u.kind === 'mul' ? mulSorted(c, u.bases, u.exps) : mulSorted(c, [u], [Rational.ONE]);
}

/**
 * c·Π x_j^{e_j} (c = 1: the unit monomial) built directly in canonical form (bases in canonical order, as
 * ProductBuilder.build leaves them). Monomials with the same support share one base array, and those with
 * the same exponent sequence one exponent array (`pieces`): a node keeps the arrays it is given and never
 * writes to them. The keys of `pieces` are numbers where they are exact (the support as a bit set of at most
 * 52 variables; the exponent sequence packed in the ring's b-bit fields, at most 52 bits), else strings.
 */
function unitMonomial(
  ring: { readonly vars: readonly Sym[]; readonly bits: number },
  order: readonly number[],
  exponent: readonly number[],
  pieces: MonomialPieces,
  c: Rational = Rational.ONE,
): Expr {
  const vars = ring.vars;
  const radix = 2 ** ring.bits;
  const support: number[] = [];
  const degrees: number[] = [];
  let supportKey = 0;
  let degreeKey = 0;
  const numericSupport = vars.length <= 52;
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    const e = exponent[j]!;
    if (e > 0) {
      support.push(j);
      degrees.push(e);
      if (numericSupport) supportKey += 2 ** j;
      degreeKey = degreeKey * radix + e;
    }
  }
  const sKey: number | string = numericSupport ? supportKey : support.join(',');
  let bases = pieces.bases.get(sKey);
  if (bases === undefined) {
    bases = support.map((j) => vars[j]!);
    pieces.bases.set(sKey, bases);
  }
  // every exponent is below the radix and above 0: the fields of a sequence are unique and its length implied
  const dKey: number | string = support.length * ring.bits <= 52 ? degreeKey : degrees.join(',');
  let exps = pieces.exps.get(dKey);
  if (exps === undefined) {
    exps = degrees.map(intRational);
    pieces.exps.set(dKey, exps);
  }
  return mulSorted(c, bases, exps);
}

/** The operations of either packed ring that differentiation needs. */
export interface PackedDiffRing<P> {
  /** set when a coefficient left the safe-integer range: every result since is unreliable */
  readonly overflow: boolean;
  diff(p: P, j: number): P;
  toExpr(p: P, s?: Rational): Expr;
}

/** An expanded expression e = poly/den in a packed ring; `index[i]` is the ring variable of the i-th leading symbol. */
export interface PackedPolynomial<P> {
  readonly ring: PackedDiffRing<P>;
  readonly poly: P;
  readonly den: bigint;
  readonly index: readonly number[];
}

/** exponents at or above this are not packed (an exponent must stay an exact integer, and keys stay small) */
const MAX_PACKED_DEGREE = 2 ** 30;

/**
 * The symbols of an expanded expression and the largest exponent of any of them, when e is a polynomial
 * in its symbols with rational coefficients (every unit monomial a product of symbols to natural powers);
 * undefined otherwise (a function call, a negative or fractional power, π, a power of a sum).
 */
export function polynomialSupport(e: Expr): { symbols: Sym[]; maxDegree: number } | undefined {
  const symbols = new Set<Sym>();
  let maxDegree = 0;
  const factor = (base: Expr, k: Rational): boolean => {
    if (base.kind !== 'sym' || base === PI || !k.isInteger() || k.isNegative()) return false;
    const d = k.toNumber();
    if (d >= MAX_PACKED_DEGREE) return false;
    symbols.add(base);
    if (d > maxDegree) maxDegree = d;
    return true;
  };
  for (const [, unit] of termsOfExpanded(e)) {
    switch (unit.kind) {
      case 'num':
        break;
      case 'sym':
        if (!factor(unit, Rational.ONE)) return undefined;
        break;
      case 'pow':
        if (unit.exp.kind !== 'num' || !factor(unit.base, unit.exp.value)) return undefined;
        break;
      case 'mul':
        for (let i = 0; i < unit.bases.length; i++) if (!factor(unit.bases[i]!, unit.exps[i]!)) return undefined;
        break;
      default:
        return undefined;
    }
  }
  return { symbols: [...symbols], maxDegree };
}

/**
 * e (expanded) as a packed polynomial whose first variables are the distinct `leading` symbols, followed by
 * e's other symbols (in name order), handed to `use`; undefined, without calling `use`, when e is not a
 * polynomial with rational coefficients in its symbols, or a coefficient is not a safe integer after clearing
 * denominators. The ring's fields hold every exponent of e, so they hold every exponent of its derivatives:
 * one float64 key per monomial where the fields fit 52 bits, else a bigint key (WidePackedRing).
 */
export function withPackedPolynomial<T>(e: Expr, leading: readonly Sym[], use: <P>(pp: PackedPolynomial<P>) => T): T | undefined {
  const support = polynomialSupport(e);
  if (support === undefined) return undefined;
  const vars: Sym[] = [];
  const position = new Map<Sym, number>();
  const place = (s: Sym): number => {
    let j = position.get(s);
    if (j === undefined) {
      j = vars.length;
      vars.push(s);
      position.set(s, j);
    }
    return j;
  };
  const index = leading.map(place);
  const others = support.symbols.filter((s) => !position.has(s)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of others) place(s);
  const bits = packedBits(vars.length, support.maxDegree);
  if (bits !== undefined) {
    const ring = new PackedRing(vars, bits);
    const parsed = ring.fromExpanded(e);
    return parsed && use<PackedPoly>({ ring, poly: parsed.poly, den: parsed.den, index });
  }
  const ring = new WidePackedRing(vars, Math.max(1, Math.ceil(Math.log2(support.maxDegree + 1))));
  const parsed = ring.fromExpanded(e);
  return parsed && use<WidePackedPoly>({ ring, poly: parsed.poly, den: parsed.den, index });
}
