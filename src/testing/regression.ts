/**
 * Regression tests on derivations: compare a derived expression (scalar, vector or matrix) with a stored
 * golden one, canonically, and on mismatch say where and how they differ.
 *
 * Two components are equal when they are the same canonical object, or when their expanded forms are
 * (`expand` multiplies out sums and powers; hash-consing makes equal polynomials one object). Golden values
 * may be given as text (the canonical form `toText` prints, which `parseExpr` reads back). On a mismatch the
 * report shows both in readable text and a point where their float64 values differ.
 *
 *   compareDerivation(gradient(L.expr, L.params), ['w2*(w1*w2 - 1)', 'w1*(w1*w2 - 1)']).equal  // true
 *   expectDerivation(actual, golden, { label: 'g of my loss' })  // throws DerivationMismatchError
 */
import { type Expr, type Sym, evaluate, expand, freeSymbols, parseExpr, toText, withBudget, ExpressionSwellError } from '../symbolic/index.ts';
import { EomkitError } from '../errors.ts';

export type DerivedValue = Expr | string | readonly (Expr | string)[] | readonly (readonly (Expr | string)[])[];

export interface CompareOptions {
  /** name used in messages ("g of the quartic") */
  label?: string;
  /** random points tried to locate a numeric difference (default 8) */
  points?: number;
  /** seed of those points (default 1) */
  seed?: number;
  /** points are drawn uniformly in (−scale, scale) for every symbol (default 1) */
  scale?: number;
  /** fixed values of some symbols (hyper-parameters), by name */
  values?: Readonly<Record<string, number>>;
  /** relative tolerance of the numeric comparison (default 1e-12) */
  tolerance?: number;
  /** node budget of the expansion used to decide equality (default 2,000,000) */
  maxNodes?: number;
  /** accept components whose expanded forms differ but whose values agree at all points (default false) */
  numeric?: boolean;
  /** characters of each expression shown in messages (default 400) */
  maxChars?: number;
}

export interface ComponentMismatch {
  /** "" for a scalar, "[i]" for a vector, "[i,j]" for a matrix (1-based, as in the printed forms) */
  index: string;
  actual: string;
  golden: string;
  /** a point where the values differ (or undefined when none of the points separates them) */
  point?: Record<string, number>;
  actualValue?: number;
  goldenValue?: number;
  reason: string;
}

export interface Comparison {
  equal: boolean;
  /** number of components compared */
  components: number;
  /** how many were equal only after expansion (or only numerically, with `numeric`) */
  equalAfterExpansion: number;
  mismatches: ComponentMismatch[];
  /** readable report ('' when equal) */
  message: string;
}

export class DerivationMismatchError extends EomkitError {
  constructor(
    message: string,
    readonly comparison: Comparison,
  ) {
    super(message);
  }
}

function toExpr(x: Expr | string): Expr {
  return typeof x === 'string' ? parseExpr(x) : x;
}

type Shape = { dims: number[]; items: Array<Expr | string> };

function shapeOf(v: DerivedValue): Shape {
  if (!Array.isArray(v)) return { dims: [], items: [v as Expr | string] };
  const arr = v as readonly unknown[];
  if (arr.length > 0 && Array.isArray(arr[0])) {
    const rows = arr as readonly (readonly (Expr | string)[])[];
    return { dims: [rows.length, rows[0]!.length], items: rows.flat() };
  }
  return { dims: [arr.length], items: [...(arr as readonly (Expr | string)[])] };
}

function indexLabel(dims: number[], k: number): string {
  if (dims.length === 0) return '';
  if (dims.length === 1) return `[${k + 1}]`;
  return `[${Math.floor(k / dims[1]!) + 1},${(k % dims[1]!) + 1}]`;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length.toLocaleString('en-US')} characters)`;
}

function safeText(e: Expr): string {
  try {
    return toText(e, { limit: 200_000 });
  } catch {
    return `<expression of ${e.treeSize.toExponential(2)} tree nodes>`;
  }
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A point where a and b differ numerically (relative tolerance), if one of the tried points shows it. */
export function separatingPoint(
  a: Expr,
  b: Expr,
  opts: Pick<CompareOptions, 'points' | 'seed' | 'scale' | 'values' | 'tolerance'> = {},
): { point: Record<string, number>; a: number; b: number } | undefined {
  const syms = new Map<string, Sym>();
  for (const s of [...freeSymbols(a), ...freeSymbols(b)]) syms.set(s.name, s);
  const rnd = lcg(opts.seed ?? 1);
  const tol = opts.tolerance ?? 1e-12;
  for (let k = 0; k < (opts.points ?? 8); k++) {
    const point: Record<string, number> = {};
    for (const name of [...syms.keys()].sort()) point[name] = opts.values?.[name] ?? Number(((rnd() * 2 - 1) * (opts.scale ?? 1)).toPrecision(6));
    let va: number;
    let vb: number;
    try {
      va = evaluate(a, point, { allowNonFinite: true });
      vb = evaluate(b, point, { allowNonFinite: true });
    } catch {
      continue;
    }
    if (!Number.isFinite(va) && !Number.isFinite(vb)) continue;
    if (!(Math.abs(va - vb) <= tol * Math.max(Math.abs(va), Math.abs(vb), 1e-300))) return { point, a: va, b: vb };
  }
  return undefined;
}

function expandedEqual(a: Expr, b: Expr, maxNodes: number): boolean | 'swell' {
  try {
    return withBudget(maxNodes, 'comparing derivations', () => expand(a) === expand(b));
  } catch (e) {
    if (e instanceof ExpressionSwellError) return 'swell';
    throw e;
  }
}

/** Compare a derived value with a golden one (same shape), component by component. */
export function compareDerivation(actual: DerivedValue, golden: DerivedValue, opts: CompareOptions = {}): Comparison {
  const A = shapeOf(actual);
  const G = shapeOf(golden);
  const label = opts.label ? `${opts.label}: ` : '';
  if (A.dims.join('×') !== G.dims.join('×')) {
    const show = (d: number[]) => (d.length === 0 ? 'a scalar' : d.length === 1 ? `a vector of ${d[0]}` : `a ${d[0]}×${d[1]} matrix`);
    const message = `${label}shape differs: the derivation gives ${show(A.dims)}, the golden value is ${show(G.dims)}`;
    return { equal: false, components: 0, equalAfterExpansion: 0, mismatches: [], message };
  }
  const maxChars = opts.maxChars ?? 400;
  const mismatches: ComponentMismatch[] = [];
  let afterExpansion = 0;
  for (let k = 0; k < A.items.length; k++) {
    const a = toExpr(A.items[k]!);
    const g = toExpr(G.items[k]!);
    if (a === g) continue;
    const eq = expandedEqual(a, g, opts.maxNodes ?? 2_000_000);
    if (eq === true) {
      afterExpansion++;
      continue;
    }
    const sep = separatingPoint(a, g, opts);
    if (!sep && opts.numeric) {
      afterExpansion++;
      continue;
    }
    mismatches.push({
      index: indexLabel(A.dims, k),
      actual: clip(safeText(a), maxChars),
      golden: clip(safeText(g), maxChars),
      ...(sep ? { point: sep.point, actualValue: sep.a, goldenValue: sep.b } : {}),
      reason: sep
        ? 'the values differ'
        : eq === 'swell'
          ? `too large to expand within the node budget, and equal at the ${opts.points ?? 8} points tried`
          : `the expanded forms differ, but the values agree at the ${opts.points ?? 8} points tried (an identity expand does not apply, e.g. tanh² = 1 − sech², or the golden form was rounded)`,
    });
  }
  const message = mismatches.length ? formatMismatches(label, A.items.length, mismatches) : '';
  return { equal: mismatches.length === 0, components: A.items.length, equalAfterExpansion: afterExpansion, mismatches, message };
}

function formatPoint(p: Record<string, number>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
}

export function formatMismatches(label: string, total: number, ms: readonly ComponentMismatch[]): string {
  const lines = [`${label}${ms.length} of ${total} component${total === 1 ? '' : 's'} differ${ms.length === 1 ? 's' : ''} from the golden value`];
  for (const m of ms.slice(0, 10)) {
    lines.push(`  component${m.index ? ` ${m.index}` : ''}: ${m.reason}`);
    lines.push(`    derived: ${m.actual}`);
    lines.push(`    golden:  ${m.golden}`);
    if (m.point) lines.push(`    at ${formatPoint(m.point)}: derived ${m.actualValue}, golden ${m.goldenValue}`);
  }
  if (ms.length > 10) lines.push(`  … and ${ms.length - 10} more`);
  return lines.join('\n');
}

/** Throws DerivationMismatchError (with the readable report) unless the values are equal. */
export function expectDerivation(actual: DerivedValue, golden: DerivedValue, opts: CompareOptions = {}): void {
  const c = compareDerivation(actual, golden, opts);
  if (!c.equal) throw new DerivationMismatchError(c.message, c);
}

/** The canonical text of a derived value, in the shape `compareDerivation` accepts as golden. */
export function goldenText(v: DerivedValue): string | string[] | string[][] {
  if (!Array.isArray(v)) return typeof v === 'string' ? v : toText(v as Expr);
  const arr = v as readonly unknown[];
  if (arr.length && Array.isArray(arr[0])) return (arr as readonly (readonly (Expr | string)[])[]).map((r) => r.map((x) => (typeof x === 'string' ? x : toText(x))));
  return (arr as readonly (Expr | string)[]).map((x) => (typeof x === 'string' ? x : toText(x)));
}
