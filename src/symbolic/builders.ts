/**
 * Builders for the common loss families, written out as exact formulas
 * (data are read as the decimals they print as, so 0.1 is exactly 1/10).
 */
import { Rational } from './rational.ts';
import { type Expr, add, gelu, mul, num, pow, scale, softplus, sum, sym, tanh, sigmoid, sub } from './expr.ts';
import { InputError, type Loss, loss } from './loss.ts';

function exact(x: unknown, what: string): Rational {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${what} must be a finite number, got ${String(x)}`);
  return Rational.fromFloat(x);
}

function checkMatrix(X: unknown, what: string, cols?: number): number[][] {
  if (!Array.isArray(X) || X.length === 0) throw new InputError(`${what} must be a non-empty array of rows`);
  const n = cols ?? (Array.isArray(X[0]) ? X[0].length : -1);
  X.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n || n <= 0) throw new InputError(`${what}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${n}`);
  });
  return X as number[][];
}

function defaultNames(n: number, prefix = 'w'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

/** x·θ for a data row x (exact) */
function dot(row: readonly number[], theta: readonly Expr[], what: string): Expr {
  return sum(row.map((x, j) => scale(theta[j]!, exact(x, `${what}[${j}]`))));
}

/** ½ θᵀAθ − bᵀθ (A symmetric). */
export function quadraticLoss(A: number[][], b?: number[], opts: { params?: string[] } = {}): Loss {
  const n = checkMatrix(A, 'A').length;
  checkMatrix(A, 'A', n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      if (A[i]![j] !== A[j]![i]) throw new InputError(`A must be symmetric: A[${i}][${j}] = ${A[i]![j]} but A[${j}][${i}] = ${A[j]![i]}`);
  if (b !== undefined && (!Array.isArray(b) || b.length !== n)) throw new InputError(`b must have ${n} entries`);
  const names = opts.params ?? defaultNames(n);
  if (names.length !== n) throw new InputError(`quadraticLoss: ${names.length} parameter names for a ${n}×${n} matrix`);
  const th = names.map(sym);
  const terms: Expr[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) terms.push(mul(num(exact(A[i]![j], `A[${i}][${j}]`).mul(Rational.HALF)), th[i]!, th[j]!));
    if (b) terms.push(scale(th[i]!, exact(b[i], `b[${i}]`).neg()));
  }
  return loss(sum(terms), { params: names });
}

/** (1/2N) Σ_i (x_i·θ [+ c] − y_i)². */
export function linearRegressionLoss(X: number[][], y: number[], opts: { params?: string[]; intercept?: boolean } = {}): Loss {
  checkMatrix(X, 'X');
  const d = X[0]!.length;
  if (!Array.isArray(y) || y.length !== X.length) throw new InputError(`y must have ${X.length} entries (one per row of X)`);
  const names = opts.params ?? [...defaultNames(d), ...(opts.intercept ? ['c'] : [])];
  if (names.length !== d + (opts.intercept ? 1 : 0)) throw new InputError(`linearRegressionLoss: expected ${d + (opts.intercept ? 1 : 0)} parameter names`);
  const th = names.map(sym);
  const residuals = X.map((row, i) => {
    let r = sub(dot(row, th, `X[${i}]`), num(exact(y[i], `y[${i}]`)));
    if (opts.intercept) r = add(r, th[d]!);
    return pow(r, 2);
  });
  return loss(scale(sum(residuals), Rational.of(1, 2 * X.length)), { params: names });
}

/** (1/N) Σ_i softplus(−y_i x_i·θ) with labels y_i ∈ {−1, +1} (or {0, 1}, mapped to ±1). */
export function logisticRegressionLoss(X: number[][], y: number[], opts: { params?: string[]; intercept?: boolean } = {}): Loss {
  checkMatrix(X, 'X');
  const d = X[0]!.length;
  if (!Array.isArray(y) || y.length !== X.length) throw new InputError(`y must have ${X.length} entries (one per row of X)`);
  const zeroOne = y.every((v) => v === 0 || v === 1);
  if (!zeroOne && !y.every((v) => v === 1 || v === -1)) throw new InputError('logistic labels must all be in {0, 1} or all in {−1, +1}');
  const names = opts.params ?? [...defaultNames(d), ...(opts.intercept ? ['c'] : [])];
  if (names.length !== d + (opts.intercept ? 1 : 0)) throw new InputError(`logisticRegressionLoss: expected ${d + (opts.intercept ? 1 : 0)} parameter names, got ${names.length}`);
  const th = names.map(sym);
  const terms = X.map((row, i) => {
    const label = zeroOne ? 2 * y[i]! - 1 : y[i]!;
    let margin = dot(row, th, `X[${i}]`);
    if (opts.intercept) margin = add(margin, th[d]!);
    return softplus(scale(margin, -label));
  });
  return loss(scale(sum(terms), Rational.of(1, X.length)), { params: names });
}

export type Activation = 'tanh' | 'sigmoid' | 'softplus' | 'gelu' | 'linear';

function activate(a: Activation, x: Expr): Expr {
  switch (a) {
    case 'tanh':
      return tanh(x);
    case 'sigmoid':
      return sigmoid(x);
    case 'softplus':
      return softplus(x);
    case 'gelu':
      return gelu(x);
    case 'linear':
      return x;
  }
}

/**
 * A fully connected network written out as a formula: sizes = [inputs, hidden…, outputs],
 * loss = (1/N) Σ_i ‖f(x_i) − y_i‖² (mean squared error; `half: true` puts ½ in front).
 * With one hidden layer and one output the parameter names are those of bench task P3:
 * a{hidden}{input}, b{hidden}, v{hidden}, c; otherwise W{layer}_{out}_{in}, b{layer}_{out}.
 */
export function mlpLoss(opts: { sizes: number[]; activation?: Activation; X: number[][]; Y: number[][] | number[]; half?: boolean }): Loss {
  const { sizes } = opts;
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new InputError('mlpLoss: sizes must be at least [inputs, outputs], positive integers');
  }
  const act = opts.activation ?? 'tanh';
  if (!['tanh', 'sigmoid', 'softplus', 'gelu', 'linear'].includes(act)) throw new InputError(`unknown activation '${act}' (tanh, sigmoid, softplus, gelu or linear)`);
  const X = checkMatrix(opts.X, 'X', sizes[0]);
  const nOut = sizes[sizes.length - 1]!;
  if (!Array.isArray(opts.Y)) throw new InputError('mlpLoss: Y must be an array (one target or row of targets per row of X)');
  const Y = (opts.Y as unknown[]).map((r) => (Array.isArray(r) ? r : [r])) as number[][];
  checkMatrix(Y, 'Y', nOut);
  if (Y.length !== X.length) throw new InputError(`Y must have ${X.length} rows (one per row of X)`);
  const p3Names = sizes.length === 3 && nOut === 1;
  const names: string[] = [];
  const layers: { W: Expr[][]; b: Expr[] }[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const W: Expr[][] = [];
    const b: Expr[] = [];
    for (let i = 0; i < sizes[l]!; i++) {
      const row: Expr[] = [];
      for (let j = 0; j < sizes[l - 1]!; j++) {
        const name = p3Names ? (l === 1 ? `a${i + 1}${j + 1}` : `v${j + 1}`) : `W${l}_${i + 1}_${j + 1}`;
        names.push(name);
        row.push(sym(name));
      }
      W.push(row);
    }
    for (let i = 0; i < sizes[l]!; i++) {
      const name = p3Names ? (l === 1 ? `b${i + 1}` : 'c') : `b${l}_${i + 1}`;
      names.push(name);
      b.push(sym(name));
    }
    layers.push({ W, b });
  }
  const residuals: Expr[] = [];
  X.forEach((x, n) => {
    let h: Expr[] = x.map((v, j) => num(exact(v, `X[${n}][${j}]`)));
    layers.forEach((layer, l) => {
      const z = layer.W.map((row, i) => add(sum(row.map((w, j) => mul(w, h[j]!))), layer.b[i]!));
      h = l === layers.length - 1 ? z : z.map((zi) => activate(act, zi));
    });
    h.forEach((out, k) => residuals.push(pow(sub(out, num(exact(Y[n]![k], `Y[${n}][${k}]`))), 2)));
  });
  const k = Rational.of(1, X.length).mul(opts.half ? Rational.HALF : Rational.ONE);
  return loss(scale(sum(residuals), k), { params: names });
}
