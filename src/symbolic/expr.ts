/**
 * The expression core: one tagged union, hash-consed (structurally equal
 * expressions are the same object), with canonical n-ary sums and products and
 * exact rational coefficients — the GiNaC design (`expairseq`: an `add` is
 * c0 + Σ c_i·t_i, a `mul` is c·Π b_i^e_i, both with their pairs sorted in one
 * canonical order). See docs/design.md for the measurements behind it.
 *
 * Invariants (enforced by the smart constructors, which are the only way to
 * build nodes):
 *  - `add`: at least one term; terms are non-numeric, not `add`, and "unit"
 *    (a `mul` term has coefficient 1); coefficients non-zero; terms sorted by
 *    `compareExpr`; a single term with zero constant is never an `add`.
 *  - `mul`: bases are not `num` (except a positive rational raised to a
 *    non-integer exponent in (0,1)) and not `mul`; exponents are non-zero
 *    rationals; bases sorted; coefficient non-zero; `c·x` is a `mul` and `1·x`
 *    is just `x`; a numeric coefficient times a sum is distributed.
 *  - `pow`: only for a symbolic (non-numeric) exponent, or a non-integer
 *    rational power of a `mul` (which cannot be distributed over the factors).
 */
import { Rational, mix, stringHash } from './rational.ts';
import { BudgetError, InputError, describe } from '../errors.ts';
import { getFunction } from './functions/registry.ts';
// the built-in functions are registered whenever the core is loaded (builtins.ts imports this module
// back, and uses it only inside its entries' functions)
import './functions/builtins.ts';

/**
 * The name of an elementary function: a built-in or one registered with `defineFunction`
 * (src/symbolic/functions/). `call` rejects names that are not registered.
 */
export type FnName = BuiltinFunctionName | (string & {});
export type BuiltinFunctionName =
  | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'softplus' | 'log1p' | 'expm1' | 'sinh' | 'cosh' | 'atan'
  | 'erf' | 'erfc' | 'gelu' | 'abs' | 'sgn';
export { FUNCTION_NAMES } from './functions/registry.ts';

interface NodeBase {
  /** creation order, unique: used only for caches, never for ordering */
  readonly id: number;
  /** deterministic structural hash: primary key of the canonical order */
  readonly hash: number;
  /** bitmask of the symbols that occur (bit = Sym.index) */
  readonly free: bigint;
  /** number of nodes of the expression as a tree (shared subtrees counted each time; may be Infinity) */
  readonly treeSize: number;
  /** memo of derivatives, keyed by symbol index */
  _d?: Map<number, Expr>;
  /** memo of the expanded form */
  _x?: Expr;
  /** the canonical text form (as `toText`), or a short summary when the tree is too large to print */
  toString(): string;
  /** the canonical text form, so that JSON.stringify writes expressions as formulas */
  toJSON(): string;
}

export interface Num extends NodeBase {
  readonly kind: 'num';
  readonly value: Rational;
}
export interface Sym extends NodeBase {
  readonly kind: 'sym';
  readonly name: string;
  readonly index: number;
}
export interface Add extends NodeBase {
  readonly kind: 'add';
  readonly constant: Rational;
  readonly terms: readonly Expr[];
  readonly coeffs: readonly Rational[];
  /** memo of the sum's content (sumContent): a large sum is a factor of many products */
  _content?: Rational;
}
export interface Mul extends NodeBase {
  readonly kind: 'mul';
  readonly coeff: Rational;
  readonly bases: readonly Expr[];
  readonly exps: readonly Rational[];
  /** the same product with coefficient 1 */
  _unit?: Expr;
}
export interface Pow extends NodeBase {
  readonly kind: 'pow';
  readonly base: Expr;
  readonly exp: Expr;
}
export interface Call extends NodeBase {
  readonly kind: 'call';
  readonly fn: FnName;
  readonly arg: Expr;
}

export type Expr = Num | Sym | Add | Mul | Pow | Call;

// ---------------------------------------------------------------------------
// Expression-swell budget

/** Thrown when an operation creates more nodes (or does more term products) than the active budget allows. */
export class ExpressionSwellError extends BudgetError {
  constructor(
    readonly limit: number,
    readonly what: string,
    readonly unit: 'nodes' | 'products' = 'nodes',
  ) {
    super(
      unit === 'nodes'
        ? `expression swell: ${what} needed more than ${limit.toLocaleString('en-US')} new expression nodes; ` +
            `raise the budget (maxNodes) or derive a lower order / smaller model`
        : `expression swell: ${what} needed more than ${limit.toLocaleString('en-US')} new expression nodes' worth of work ` +
            `(${(limit * WORK_PER_NODE).toLocaleString('en-US')} term products while expanding); raise the budget (maxNodes) ` +
            `or derive a lower order / smaller model`,
    );
  }
}

/**
 * A budget of `maxNodes` allows that many new nodes and WORK_PER_NODE·maxNodes term products in
 * expansion: multiplying out two large sums can take hours while creating few new nodes (the products
 * land on monomials that exist already), so both are bounded.
 */
export const WORK_PER_NODE = 4;

let created = 0;
let work = 0;
let budgetEnd = Infinity;
let workEnd = Infinity;
let budgetLimit = Infinity;
let budgetWhat = '';

/**
 * Run `fn` with at most `maxNodes` new expression nodes created inside it (and WORK_PER_NODE·maxNodes
 * term products in expansions); past that an ExpressionSwellError is thrown instead of swelling on.
 */
export function withBudget<T>(maxNodes: number, what: string, fn: () => T): T {
  const saved = [budgetEnd, workEnd, budgetLimit, budgetWhat] as const;
  const end = created + maxNodes;
  if (end < budgetEnd) {
    budgetEnd = end;
    workEnd = work + maxNodes * WORK_PER_NODE;
    budgetLimit = maxNodes;
    budgetWhat = what;
  }
  try {
    return fn();
  } finally {
    [budgetEnd, workEnd, budgetLimit, budgetWhat] = saved;
  }
}

/** Account for n term products (expansion); throws past the active budget. */
export function chargeWork(n: number): void {
  work += n;
  if (work > workEnd) throw new ExpressionSwellError(budgetLimit, budgetWhat, 'products');
}

/** Number of expression nodes created so far in this process (for measurements). */
export function nodesCreated(): number {
  return created;
}

/** Number of term products done by expansions so far in this process (for measurements). */
export function workDone(): number {
  return work;
}

// ---------------------------------------------------------------------------
// Hash-consing

/**
 * The hash-cons table holds its nodes weakly: an expression nobody refers to any more is collected, and
 * its entry pruned, so a long-running process (a notebook, a server) does not keep every intermediate
 * result of every derivation. A bucket is one WeakRef (the common case) or an array of them.
 */
type Bucket = WeakRef<Expr> | Array<WeakRef<Expr>>;
const table = new Map<number, Bucket>();
let nextId = 0;

const registry = new FinalizationRegistry<number>((hash) => {
  const bucket = table.get(hash);
  if (bucket === undefined) return;
  if (!Array.isArray(bucket)) {
    if (bucket.deref() === undefined) table.delete(hash);
    return;
  }
  const live = bucket.filter((r) => r.deref() !== undefined);
  if (live.length === 0) table.delete(hash);
  else table.set(hash, live.length === 1 ? live[0]! : live);
});

function intern<T extends Expr>(candidate: Omit<T, 'id' | 'hash' | 'free' | 'treeSize' | 'toString' | 'toJSON'>, hash: number, free: bigint, treeSize: number): T {
  const bucket = table.get(hash);
  if (bucket !== undefined) {
    if (!Array.isArray(bucket)) {
      const e = bucket.deref();
      if (e !== undefined && shallowEqual(e, candidate as unknown as Expr)) return e as T;
    } else {
      for (const r of bucket) {
        const e = r.deref();
        if (e !== undefined && shallowEqual(e, candidate as unknown as Expr)) return e as T;
      }
    }
  }
  if (++created > budgetEnd) throw new ExpressionSwellError(budgetLimit, budgetWhat);
  const node = new Node(candidate as unknown as NodeFields, nextId++, hash, free, treeSize) as unknown as Expr;
  const ref = new WeakRef(node);
  if (bucket === undefined) table.set(hash, ref);
  else if (!Array.isArray(bucket)) table.set(hash, bucket.deref() === undefined ? ref : [bucket, ref]);
  else bucket.push(ref);
  registry.register(node, hash);
  return node as T;
}

/** Number of live entries in the hash-cons table (for measurements and tests). */
export function internTableSize(): number {
  let n = 0;
  for (const b of table.values()) n += Array.isArray(b) ? b.filter((r) => r.deref() !== undefined).length : b.deref() === undefined ? 0 : 1;
  return n;
}

interface NodeFields {
  kind: Expr['kind'];
  value?: Rational;
  name?: string;
  index?: number;
  constant?: Rational;
  terms?: readonly Expr[];
  coeffs?: readonly Rational[];
  coeff?: Rational;
  bases?: readonly Expr[];
  exps?: readonly Rational[];
  base?: Expr;
  exp?: Expr;
  fn?: FnName;
  arg?: Expr;
}

/**
 * Every node, whatever its kind, is an instance of this one class with every
 * field present (GiNaC's "one expression class"): V8 then sees one object shape,
 * and property reads on hot paths stay monomorphic.
 */
class Node {
  readonly kind: Expr['kind'];
  readonly value: Rational | undefined;
  readonly name: string | undefined;
  readonly index: number | undefined;
  readonly constant: Rational | undefined;
  readonly terms: readonly Expr[] | undefined;
  readonly coeffs: readonly Rational[] | undefined;
  readonly coeff: Rational | undefined;
  readonly bases: readonly Expr[] | undefined;
  readonly exps: readonly Rational[] | undefined;
  readonly base: Expr | undefined;
  readonly exp: Expr | undefined;
  readonly fn: FnName | undefined;
  readonly arg: Expr | undefined;
  _d: Map<number, Expr> | undefined = undefined;
  _x: Expr | undefined = undefined;
  _unit: Expr | undefined = undefined;
  _content: Rational | undefined = undefined;
  /** the canonical text form (what `toText` prints; a summary past the print budget), for template strings and logs */
  toString(): string {
    return textForm(this as unknown as Expr);
  }
  /** JSON.stringify writes an expression as its canonical text form (parseExpr reads it back) */
  toJSON(): string {
    return textForm(this as unknown as Expr);
  }
  constructor(
    c: NodeFields,
    readonly id: number,
    readonly hash: number,
    readonly free: bigint,
    readonly treeSize: number,
  ) {
    this.kind = c.kind;
    this.value = c.value;
    this.name = c.name;
    this.index = c.index;
    this.constant = c.constant;
    this.terms = c.terms;
    this.coeffs = c.coeffs;
    this.coeff = c.coeff;
    this.bases = c.bases;
    this.exps = c.exps;
    this.base = c.base;
    this.exp = c.exp;
    this.fn = c.fn;
    this.arg = c.arg;
  }
}

function sameArray<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRationals(a: readonly Rational[], b: readonly Rational[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!a[i]!.equals(b[i]!)) return false;
  return true;
}

function shallowEqual(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'num':
      return a.value.equals((b as Num).value);
    case 'sym':
      return a.name === (b as Sym).name;
    case 'add': {
      const o = b as Add;
      return a.constant.equals(o.constant) && sameArray(a.terms, o.terms) && sameRationals(a.coeffs, o.coeffs);
    }
    case 'mul': {
      const o = b as Mul;
      return a.coeff.equals(o.coeff) && sameArray(a.bases, o.bases) && sameRationals(a.exps, o.exps);
    }
    case 'pow':
      return a.base === (b as Pow).base && a.exp === (b as Pow).exp;
    case 'call':
      return a.fn === (b as Call).fn && a.arg === (b as Call).arg;
  }
}

const KIND_SEED = { num: 0x1234567, sym: 0x2345678, add: 0x3456789, mul: 0x456789a, pow: 0x56789ab, call: 0x6789abc };

// ---------------------------------------------------------------------------
// Canonical order: by structural hash, ties broken structurally (deterministic
// across runs, unlike creation order).

const KIND_RANK = { num: 0, sym: 1, call: 2, pow: 3, mul: 4, add: 5 } as const;

export function compareExpr(a: Expr, b: Expr): number {
  if (a === b) return 0;
  if (a.hash !== b.hash) return a.hash >>> 0 < b.hash >>> 0 ? -1 : 1;
  return deepCompare(a, b);
}

function compareLists(a: readonly Expr[], ae: readonly Rational[], b: readonly Expr[], be: readonly Rational[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compareExpr(a[i]!, b[i]!) || ae[i]!.compare(be[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function deepCompare(a: Expr, b: Expr): number {
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  switch (a.kind) {
    case 'num':
      return a.value.compare((b as Num).value);
    case 'sym':
      return a.name < (b as Sym).name ? -1 : a.name > (b as Sym).name ? 1 : 0;
    case 'add': {
      const o = b as Add;
      return a.constant.compare(o.constant) || compareLists(a.terms, a.coeffs, o.terms, o.coeffs);
    }
    case 'mul': {
      const o = b as Mul;
      return a.coeff.compare(o.coeff) || compareLists(a.bases, a.exps, o.bases, o.exps);
    }
    case 'pow':
      return compareExpr(a.base, (b as Pow).base) || compareExpr(a.exp, (b as Pow).exp);
    case 'call':
      return a.fn < (b as Call).fn ? -1 : a.fn > (b as Call).fn ? 1 : compareExpr(a.arg, (b as Call).arg);
  }
}

// ---------------------------------------------------------------------------
// Atoms

const numCache = new Map<string, Num>();

export function num(value: Rational | number | bigint): Num {
  const q = value instanceof Rational ? value : Rational.int(value);
  if (q.small && q.sd === 1 && q.sn >= -64 && q.sn <= 64) {
    const key = String(q.sn);
    const hit = numCache.get(key);
    if (hit) return hit;
    const n = intern<Num>({ kind: 'num', value: q }, mix(KIND_SEED.num, q.hash()), 0n, 1);
    numCache.set(key, n);
    return n;
  }
  return intern<Num>({ kind: 'num', value: q }, mix(KIND_SEED.num, q.hash()), 0n, 1);
}

export const ZERO: Num = num(0);
export const ONE: Num = num(1);
export const MINUS_ONE: Num = num(-1);
export const TWO: Num = num(2);
export const HALF: Num = num(Rational.HALF);

const symIndex = new Map<string, number>();
/** symNames[i]: the name of the symbol with index i */
const symNames: string[] = [];

/** The symbol with this name (the same object for the same name). */
export function sym(name: string): Sym {
  if (typeof name !== 'string' || name.length === 0) throw new InputError(`sym(name): name must be a non-empty string (got ${describe(name)})`);
  let index = symIndex.get(name);
  if (index === undefined) {
    index = symIndex.size;
    symIndex.set(name, index);
    symNames.push(name);
  }
  return intern<Sym>({ kind: 'sym', name, index }, mix(KIND_SEED.sym, stringHash(name)), 1n << BigInt(index), 1);
}

/**
 * π, the one transcendental constant of the core (erf′ = 2e^(−u²)/√π): the symbol named 'π' with a fixed
 * value. No loss can take it as a parameter or hyper-parameter (their names are ASCII); `evaluate` and
 * codegen give it the value Math.PI, `freeSymbols` does not list it, LaTeX prints \pi and the text form
 * `π` parses back to it.
 */
export const PI: Sym = sym('π');

/** The value of a constant symbol (π), or undefined for an ordinary symbol. */
export function constantSymbolValue(s: Sym): number | undefined {
  return s === PI ? Math.PI : undefined;
}

export function isNum(e: Expr): e is Num {
  return e.kind === 'num';
}
export function isZero(e: Expr): boolean {
  return e === ZERO;
}

// ---------------------------------------------------------------------------
// Sums

/** Coefficient and unit part of a non-sum: 3·x·y → [3, x·y], 5 → [5, 1]. */
export function splitCoefficient(e: Expr): [Rational, Expr] {
  if (e.kind === 'num') return [e.value, ONE];
  if (e.kind === 'mul' && !e.coeff.isOne()) return [e.coeff, unitOf(e)];
  return [Rational.ONE, e];
}

function unitOf(m: Mul): Expr {
  if (m._unit) return m._unit;
  const u = m.bases.length === 1 && m.exps[0]!.isOne() ? m.bases[0]! : makeMul(Rational.ONE, m.bases, m.exps);
  m._unit = u;
  return u;
}

/** Accumulates c0 + Σ c_i t_i; the workhorse of addition, differentiation and expansion. */
export class SumBuilder {
  constant: Rational = Rational.ZERO;
  readonly terms = new Map<Expr, Rational>();

  /** add k·e */
  add(e: Expr, k: Rational = Rational.ONE): this {
    if (k.isZero()) return this;
    switch (e.kind) {
      case 'num':
        this.constant = this.constant.add(e.value.mul(k));
        return this;
      case 'add':
        this.constant = this.constant.add(e.constant.mul(k));
        for (let i = 0; i < e.terms.length; i++) this.addUnit(e.terms[i]!, e.coeffs[i]!.mul(k));
        return this;
      case 'mul':
        if (!e.coeff.isOne()) return this.addUnit(unitOf(e), e.coeff.mul(k));
        return this.addUnit(e, k);
      default:
        return this.addUnit(e, k);
    }
  }

  /** add k·t for a unit term t (no coefficient, not a sum, not a number) */
  addUnit(t: Expr, k: Rational): this {
    const prev = this.terms.get(t);
    this.terms.set(t, prev === undefined ? k : prev.add(k));
    return this;
  }

  build(): Expr {
    const terms: Expr[] = [];
    for (const [t, c] of this.terms) if (!c.isZero()) terms.push(t);
    if (terms.length === 0) return num(this.constant);
    if (terms.length === 1 && this.constant.isZero()) return scaleUnit(terms[0]!, this.terms.get(terms[0]!)!);
    terms.sort(compareExpr);
    const coeffs = terms.map((t) => this.terms.get(t)!);
    return makeAdd(this.constant, terms, coeffs);
  }
}

function makeAdd(constant: Rational, terms: Expr[], coeffs: Rational[]): Expr {
  let h = mix(KIND_SEED.add, constant.hash());
  let free = 0n;
  let size = 1;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    h = mix(mix(h, t.hash), coeffs[i]!.hash());
    free |= t.free;
    size += t.treeSize + 1;
  }
  return intern<Add>({ kind: 'add', constant, terms, coeffs }, h, free, size);
}

/** k·t for a unit term t */
function scaleUnit(t: Expr, k: Rational): Expr {
  if (k.isOne()) return t;
  if (t.kind === 'mul') return t.coeff.isOne() ? makeMul(k, t.bases, t.exps) : scale(t, k);
  return makeMul(k, [t], [Rational.ONE]);
}

export function add(...xs: Expr[]): Expr {
  if (xs.length === 0) return ZERO;
  if (xs.length === 1) return xs[0]!;
  const b = new SumBuilder();
  for (const x of xs) b.add(x);
  return b.build();
}

export function sum(xs: Iterable<Expr>): Expr {
  const b = new SumBuilder();
  for (const x of xs) b.add(x);
  return b.build();
}

export function neg(e: Expr): Expr {
  return scale(e, Rational.MINUS_ONE);
}

export function sub(a: Expr, b: Expr): Expr {
  return new SumBuilder().add(a).add(b, Rational.MINUS_ONE).build();
}

/** k·e for a rational k */
export function scale(e: Expr, k: Rational | number): Expr {
  const q = k instanceof Rational ? k : Rational.int(k);
  if (q.isZero()) return ZERO;
  if (q.isOne()) return e;
  switch (e.kind) {
    case 'num':
      return num(e.value.mul(q));
    case 'add':
      return makeAdd(
        e.constant.mul(q),
        e.terms as Expr[],
        e.coeffs.map((c) => c.mul(q)),
      );
    case 'mul': {
      const c = e.coeff.mul(q);
      return c.isOne() ? unitOf(e) : makeMul(c, e.bases, e.exps);
    }
    default:
      return makeMul(q, [e], [Rational.ONE]);
  }
}

// ---------------------------------------------------------------------------
// Products

function makeMul(coeff: Rational, bases: readonly Expr[], exps: readonly Rational[]): Expr {
  let h = mix(KIND_SEED.mul, coeff.hash());
  let free = 0n;
  let size = 1;
  for (let i = 0; i < bases.length; i++) {
    const b = bases[i]!;
    h = mix(mix(h, b.hash), exps[i]!.hash());
    free |= b.free;
    size += b.treeSize + (exps[i]!.isOne() ? 0 : 2);
  }
  return intern<Mul>({ kind: 'mul', coeff, bases, exps }, h, free, size);
}

/** c·Π b_i^e_i from bases already in canonical order, with the invariants of ProductBuilder.build (trusted). */
export function mulSorted(coeff: Rational, bases: readonly Expr[], exps: readonly Rational[]): Expr {
  if (coeff.isZero()) return ZERO;
  if (bases.length === 0) return num(coeff);
  if (bases.length === 1 && exps[0]!.isOne()) {
    const b = bases[0]!;
    if (coeff.isOne()) return b;
    if (b.kind === 'add') return scale(b, coeff);
  }
  return makeMul(coeff, bases, exps);
}

/**
 * The content of a sum used as a factor: the coefficient of its leading term — highest total degree,
 * ties broken by the leading symbol's name, then canonically — so that the stored factor has leading
 * coefficient 1 and the content moves to the product's coefficient: 2x+2 → 2·(x+1), −x+y → −(x−y),
 * while a sum that already leads with coefficient 1 (a gradient as the user wrote it) is kept as it is.
 * The content is homogeneous (content(λS) = λ·content(S)), which is what makes the product canonical.
 */
function sumContent(b: Add): Rational {
  // memoised on the node: a large sum is a factor of many products (a gradient's shared residual)
  return (b._content ??= sumContentUncached(b));
}

function sumContentUncached(b: Add): Rational {
  let best = 0;
  let bestDeg = termDegreeOf(b.terms[0]!);
  for (let i = 1; i < b.terms.length; i++) {
    const t = b.terms[i]!;
    const d = termDegreeOf(t);
    if (d > bestDeg || (d === bestDeg && compareLead(t, b.terms[best]!) < 0)) {
      best = i;
      bestDeg = d;
    }
  }
  return b.coeffs[best]!;
}

/** Total degree of a unit term (exponents of a product summed; any other term counts 1). */
function termDegreeOf(t: Expr): number {
  if (t.kind !== 'mul') return 1;
  let d = 0;
  for (const k of t.exps) d += k.toNumber();
  return d;
}

/** The alphabetically first name among the symbols of a term (from its free-symbol mask: no walk). */
function leadName(t: Expr): string {
  if (t.kind === 'sym') return t.name;
  let best = '\uffff';
  // 32 bits of the mask at a time, each set bit found by count-leading-zeros (no BigInt per bit)
  let mask = t.free;
  for (let base = 0; mask !== 0n; base += 32, mask >>= 32n) {
    let word = Number(mask & 0xffffffffn);
    while (word !== 0) {
      const bit = 31 - Math.clz32(word);
      word ^= 1 << bit;
      const n = symNames[base + bit]!;
      if (n < best) best = n;
    }
  }
  return best;
}

function compareLead(a: Expr, b: Expr): number {
  const na = leadName(a);
  const nb = leadName(b);
  return na < nb ? -1 : na > nb ? 1 : compareExpr(a, b);
}

/** Accumulates c·Π b_i^e_i. */
export class ProductBuilder {
  coeff: Rational = Rational.ONE;
  readonly factors = new Map<Expr, Rational>();

  /** multiply by e^k (k an integer unless e is a symbol-like base) */
  mul(e: Expr, k: Rational = Rational.ONE): this {
    switch (e.kind) {
      case 'num':
        if (k.isInteger()) {
          if (e.value.isZero() && k.isNegative()) throw new InputError('division by zero');
          this.coeff = this.coeff.mul(e.value.powInt(k.toNumber()));
        } else this.addFactor(e, k);
        return this;
      case 'mul':
        if (k.isInteger()) {
          this.coeff = this.coeff.mul(e.coeff.powInt(k.toNumber()));
          for (let i = 0; i < e.bases.length; i++) this.addFactor(e.bases[i]!, e.exps[i]!.mul(k));
          return this;
        }
        return this.addFactor(e, k);
      default:
        return this.addFactor(e, k);
    }
  }

  private addFactor(b: Expr, k: Rational): this {
    // A sum raised to an integer power is kept with its first coefficient 1 and the
    // content moved into the product's coefficient: (2x+2)·y and 2·(x+1)·y are one object.
    if (b.kind === 'add' && k.isInteger()) {
      const c = sumContent(b);
      if (!c.isOne()) {
        b = scale(b, c.inv());
        this.coeff = this.coeff.mul(c.powInt(k.toNumber()));
      }
    }
    const prev = this.factors.get(b);
    this.factors.set(b, prev === undefined ? k : prev.add(k));
    return this;
  }

  build(): Expr {
    let coeff = this.coeff;
    if (coeff.isZero()) return ZERO;
    const bases: Expr[] = [];
    let radicals: Array<[Rational, Rational]> | undefined;
    for (const [b, k] of this.factors) {
      if (k.isZero()) continue;
      if (b.kind === 'num') {
        (radicals ??= []).push([b.value, k]);
        continue;
      }
      bases.push(b);
    }
    if (radicals) {
      const r = normaliseRadicals(radicals);
      coeff = coeff.mul(r.coeff);
      for (const [v, k] of r.rest) {
        const nb = num(v);
        bases.push(nb);
        this.factors.set(nb, k);
      }
    }
    if (bases.length === 0) return num(coeff);
    bases.sort(compareExpr);
    const exps = bases.map((b) => this.factors.get(b)!);
    if (bases.length === 1 && exps[0]!.isOne()) {
      const b = bases[0]!;
      if (coeff.isOne()) return b;
      if (b.kind === 'add') return scale(b, coeff);
    }
    // numeric coefficient times a sum: distribute (keeps c·(x+y) and c·x+c·y one object)
    return makeMul(coeff, bases, exps);
  }
}

/**
 * Canonical product of numeric powers Π v_i^k_i (v_i positive rationals): integer parts folded into
 * the coefficient, radicands made integers ((p/q)^(1/n) = (p·q^(n−1))^(1/n)/q), perfect powers of small
 * primes pulled out, and radicands with the same exponent multiplied: √8·√2 = 4, √(1/2) = √2/2, √8 = 2√2.
 */
function normaliseRadicals(items: Array<[Rational, Rational]>): { coeff: Rational; rest: Array<[Rational, Rational]> } {
  let coeff = Rational.ONE;
  // same exponent → one radicand (exponent reduced to (0,1) first)
  const byExp = new Map<string, [Rational, Rational]>();
  for (const [v, k0] of items) {
    const f = foldNumPower(v, k0);
    coeff = coeff.mul(f.coeff);
    if (!f.rest) continue;
    let rv = f.rest.base.value;
    const k = f.rest.exp;
    // integer radicand: (p/q)^(r/n) = (p·q^(n−1))^(r/n) / q^r
    const n = Number(k.den);
    const r = Number(k.num);
    if (!rv.isInteger()) {
      const q = Rational.of(rv.den);
      coeff = coeff.div(q.powInt(r));
      rv = rv.mul(q.powInt(n));
    }
    const key = k.toString();
    const prev = byExp.get(key);
    byExp.set(key, prev ? [prev[0].mul(rv), k] : [rv, k]);
  }
  const rest: Array<[Rational, Rational]> = [];
  for (const [v, k] of byExp.values()) {
    const n = Number(k.den);
    const r = Number(k.num);
    // pull out perfect n-th powers of small primes: 8^(1/2) = 2·2^(1/2)
    let m = v.num;
    let out = 1n;
    for (const p of SMALL_PRIMES) {
      const pn = p ** BigInt(n);
      if (pn > m) break;
      while (m % pn === 0n) {
        m /= pn;
        out *= p;
      }
    }
    coeff = coeff.mul(Rational.of(out).powInt(r));
    const exact = Rational.of(m).root(n);
    if (exact !== undefined) coeff = coeff.mul(exact.powInt(r));
    else if (m !== 1n) rest.push([Rational.of(m), k]);
  }
  return { coeff, rest };
}

const SMALL_PRIMES: bigint[] = (() => {
  const ps: bigint[] = [];
  for (let i = 2; i < 1000; i++) if (ps.every((p) => BigInt(i) % p !== 0n)) ps.push(BigInt(i));
  return ps;
})();

function foldNumPower(v: Rational, k: Rational): { coeff: Rational; rest?: { base: Num; exp: Rational } } {
  if (k.isInteger()) return { coeff: v.powInt(k.toNumber()) };
  // v^(p/q): split p = q·floor + r with 0 < r < q
  const p = Number(k.num);
  const q = Number(k.den);
  if (v.isNegative()) {
    // the real root for an odd denominator, as evaluate and compiled code take it: (−a)^(p/q) = (−1)^p a^(p/q)
    // (docs/design.md, "Numbers"); an even root of a negative number is not real
    if (q % 2 === 0) throw new InputError(`negative number ${v} raised to the power ${k}: an even root of a negative number is not real`);
    const f = foldNumPower(v.neg(), k);
    return { coeff: p % 2 === 0 ? f.coeff : f.coeff.neg(), ...(f.rest ? { rest: f.rest } : {}) };
  }
  const fl = Math.floor(p / q);
  let coeff = v.powInt(fl);
  const r = p - fl * q;
  const root = v.root(q);
  if (root !== undefined) return { coeff: coeff.mul(root.powInt(r)) };
  return { coeff, rest: { base: num(v), exp: Rational.of(r, q) } };
}

const ONE_LIST: readonly Rational[] = [Rational.ONE];

/**
 * Product of two unit monomials by merging their sorted factor lists — the inner
 * loop of expansion. Returns [coefficient, unit monomial]; falls back to the
 * general builder when a numeric base (an irrational power like 2^(1/2)) occurs.
 */
export function mulUnits(a: Expr, b: Expr): [Rational, Expr] {
  const [ab, ae] = a.kind === 'mul' ? [a.bases, a.exps] : [[a], ONE_LIST];
  const [bb, be] = b.kind === 'mul' ? [b.bases, b.exps] : [[b], ONE_LIST];
  const bases: Expr[] = [];
  const exps: Rational[] = [];
  let i = 0;
  let j = 0;
  while (i < ab.length || j < bb.length) {
    const x = ab[i];
    const y = bb[j];
    const c = x === undefined ? 1 : y === undefined ? -1 : compareExpr(x, y);
    if (c < 0) {
      if (x!.kind === 'num') return splitCoefficient(new ProductBuilder().mul(a).mul(b).build());
      bases.push(x!);
      exps.push(ae[i++]!);
    } else if (c > 0) {
      if (y!.kind === 'num') return splitCoefficient(new ProductBuilder().mul(a).mul(b).build());
      bases.push(y!);
      exps.push(be[j++]!);
    } else {
      if (x!.kind === 'num') return splitCoefficient(new ProductBuilder().mul(a).mul(b).build());
      const k = ae[i++]!.add(be[j++]!);
      if (!k.isZero()) {
        bases.push(x!);
        exps.push(k);
      }
    }
  }
  if (bases.length === 0) return [Rational.ONE, ONE];
  if (bases.length === 1 && exps[0]!.isOne()) return [Rational.ONE, bases[0]!];
  return [Rational.ONE, makeMul(Rational.ONE, bases, exps)];
}

export function mul(...xs: Expr[]): Expr {
  if (xs.length === 0) return ONE;
  if (xs.length === 1) return xs[0]!;
  if (xs.length === 2) {
    const [a, b] = xs as [Expr, Expr];
    if (a.kind === 'num') return scale(b, a.value);
    if (b.kind === 'num') return scale(a, b.value);
  }
  const pb = new ProductBuilder();
  for (const x of xs) pb.mul(x);
  return pb.build();
}

export function product(xs: Iterable<Expr>): Expr {
  const pb = new ProductBuilder();
  for (const x of xs) pb.mul(x);
  return pb.build();
}

export function div(a: Expr, b: Expr): Expr {
  if (b === ZERO) throw new InputError('division by zero');
  return new ProductBuilder().mul(a).mul(b, Rational.MINUS_ONE).build();
}

/** base^exp */
export function pow(base: Expr, exp: Expr | Rational | number): Expr {
  const e = exp instanceof Rational ? num(exp) : typeof exp === 'number' ? num(Rational.int(exp)) : exp;
  if (e.kind === 'num') {
    const k = e.value;
    if (k.isZero()) return ONE;
    if (k.isOne()) return base;
    if (base.kind === 'num') {
      if (base.value.isZero()) {
        if (k.isNegative()) throw new InputError('division by zero: 0 raised to a negative power');
        return ZERO;
      }
      return new ProductBuilder().mul(base, k).build();
    }
    if (base.kind === 'mul' && !k.isInteger()) return makePow(base, e);
    return new ProductBuilder().mul(base, k).build();
  }
  if (base === ONE) return ONE;
  return makePow(base, e);
}

function makePow(base: Expr, exp: Expr): Expr {
  return intern<Pow>(
    { kind: 'pow', base, exp },
    mix(mix(KIND_SEED.pow, base.hash), exp.hash),
    base.free | exp.free,
    1 + base.treeSize + exp.treeSize,
  );
}

export function sqrt(e: Expr): Expr {
  return pow(e, Rational.HALF);
}

// ---------------------------------------------------------------------------
// Functions

export function call(fn: FnName, arg: Expr): Expr {
  const f = getFunction(fn);
  if (f.simplify !== undefined) {
    const r = f.simplify(arg);
    if (r !== undefined) return r;
  }
  return intern<Call>({ kind: 'call', fn, arg }, mix(mix(KIND_SEED.call, f.hash), arg.hash), arg.free, 1 + arg.treeSize);
}

export const exp = (x: Expr): Expr => call('exp', x);
export const log = (x: Expr): Expr => call('log', x);
export const sin = (x: Expr): Expr => call('sin', x);
export const cos = (x: Expr): Expr => call('cos', x);
export const tanh = (x: Expr): Expr => call('tanh', x);
export const sigmoid = (x: Expr): Expr => call('sigmoid', x);
export const softplus = (x: Expr): Expr => call('softplus', x);
export const log1p = (x: Expr): Expr => call('log1p', x);
export const expm1 = (x: Expr): Expr => call('expm1', x);
export const sinh = (x: Expr): Expr => call('sinh', x);
export const cosh = (x: Expr): Expr => call('cosh', x);
export const atan = (x: Expr): Expr => call('atan', x);
export const erf = (x: Expr): Expr => call('erf', x);
export const erfc = (x: Expr): Expr => call('erfc', x);
export const gelu = (x: Expr): Expr => call('gelu', x);
export const abs = (x: Expr): Expr => call('abs', x);
export const sgn = (x: Expr): Expr => call('sgn', x);

// ---------------------------------------------------------------------------
// Queries

/** Does e depend on symbol s? */
export function dependsOn(e: Expr, s: Sym): boolean {
  return (e.free & s.free) !== 0n;
}

/** The symbols that occur in e, in name order (not the constant π). */
export function freeSymbols(e: Expr): Sym[] {
  const out = new Set<Sym>();
  const seen = new Set<Expr>();
  const visit = (x: Expr): void => {
    if (x.free === 0n || seen.has(x)) return;
    seen.add(x);
    for (const c of children(x)) visit(c);
    if (x.kind === 'sym' && x !== PI) out.add(x);
  };
  visit(e);
  return [...out].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Direct sub-expressions (for a mul: the bases; for an add: the terms). */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'num':
    case 'sym':
      return [];
    case 'add':
      return e.terms;
    case 'mul':
      return e.bases;
    case 'pow':
      return [e.base, e.exp];
    case 'call':
      return [e.arg];
  }
}

/** Number of distinct nodes (the DAG size). */
export function dagSize(e: Expr | readonly Expr[]): number {
  const seen = new Set<Expr>();
  const stack: Expr[] = Array.isArray(e) ? [...(e as Expr[])] : [e as Expr];
  while (stack.length) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const c of children(x)) stack.push(c);
  }
  return seen.size;
}

// ---------------------------------------------------------------------------
// Argument checks of the public functions that take expressions

/** True for an expression of the core (any kind). */
export function isExpr(x: unknown): x is Expr {
  return x instanceof Node;
}

/** `x` as an expression, or an InputError naming the argument (`what`, e.g. "gradient(e, params): e"). */
export function requireExpr(what: string, x: unknown): Expr {
  if (x instanceof Node) return x as unknown as Expr;
  const hint = typeof x === 'string' ? ' (parse a formula first: parseExpr(text) or loss(text, { params }).expr)' : '';
  throw new InputError(`${what} must be an expression (got ${describe(x)})${hint}`);
}

/** An array of expressions, or an InputError naming the argument and the first bad entry. */
export function requireExprArray(what: string, xs: unknown): readonly Expr[] {
  if (!Array.isArray(xs)) throw new InputError(`${what} must be an array of expressions (got ${describe(xs)})`);
  xs.forEach((x, i) => requireExpr(`${what}[${i}]`, x));
  return xs as readonly Expr[];
}

/**
 * Symbols given as symbols or by name (`['w1', 'w2']` is read as `[sym('w1'), sym('w2')]`: symbols are
 * hash-consed by name, so a name denotes the one symbol of that name); anything else is an InputError.
 */
export function symbolsFrom(what: string, xs: unknown): readonly Sym[] {
  if (!Array.isArray(xs)) throw new InputError(`${what} must be an array of symbols or symbol names (got ${describe(xs)})`);
  return xs.map((x: unknown, i) => {
    if (typeof x === 'string' && x.length > 0) return sym(x);
    if (x instanceof Node && (x as unknown as Expr).kind === 'sym') return x as unknown as Sym;
    throw new InputError(`${what}[${i}] must be a symbol or a symbol name (got ${isExpr(x) ? `the expression ${textForm(x)}` : describe(x)})`);
  });
}

/** how an expression prints itself (`toString`, `toJSON`): set by print.ts, which depends on this module */
let textFormHook: ((e: Expr) => string) | undefined;

/** Installs the canonical text printer used by `toString` / `toJSON` (called once by print.ts). */
export function setTextForm(f: (e: Expr) => string): void {
  textFormHook = f;
}

function textForm(e: Expr): string {
  if (textFormHook) return textFormHook(e);
  return `<${e.kind} expression of ${e.treeSize} nodes>`;
}
