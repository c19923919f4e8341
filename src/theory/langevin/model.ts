/**
 * The continuous model of SGD with heavy-ball momentum (docs/theory/langevin.md, "Discrete update" and
 * "Continuous model: underdamped Langevin equation"; Kunin et al., "The Limiting Dynamics of SGD", Neural
 * Computation 2023, §4).
 *
 * Discrete update: θ_{k+1} = θ_k − η g_B(θ_k) + β(θ_k − θ_{k−1}), g_B = ∇L + λθ + ε, Cov ε = c Σ(θ) with
 * the batch factor c = 1/S (sampling with replacement) or (N−S)/(S(N−1)) (without replacement).
 * Continuous model (second-order Taylor expansion of θ_{k±1} = θ(t ± η), t = kη):
 *
 *     m θ̈ + (1−β) θ̇ = −∇L − λθ − ε,   m = η(1+β)/2
 *     dθ = v dt,   dv = −(2/(η(1+β))) [∇L + λθ + (1−β) v] dt + (2/(η(1+β))) √(η c) Σ^{1/2} dW.
 *
 * Phase space x = (θ, v): drift −A x near a point, A = [[0, −I], [K, 2γI]], K = 2(H + λI)/(η(1+β)),
 * γ = (1−β)/(η(1+β)); diffusion D = B Bᵀ/2 with only the vv block D_vv = 2 c Σ/(η(1+β)²)
 * (= 2Σ/(ηS(1+β)²) with replacement).
 *
 * Everything is an exact expression: hyper-parameters may be numbers (read as the decimal they print as,
 * so 0.1 is exactly 1/10), fractions ("1/3") or symbols ("eta").
 */
import {
  type Expr,
  type Loss,
  type Sym,
  ONE,
  ZERO,
  Rational,
  add,
  div,
  evaluate,
  expand,
  freeSymbols,
  gradient,
  hessian,
  loss as makeLoss,
  matrixLatex,
  mul,
  neg,
  num,
  parseExpr,
  pow,
  scale,
  sub,
  subs,
  sum,
  sym,
  toLatex,
  latexName,
  vectorLatex,
  RESERVED_NAMES,
} from '../../symbolic/index.ts';
import { InputError, describe as describeValue } from '../../errors.ts';
import type { Sampling } from '../../numeric/optimizers.ts';

/** A hyper-parameter: a number (exact decimal), a fraction or symbol as text ("1/3", "eta"), a Rational, or an expression. */
export type Scalar = number | string | Rational | Expr;

/** How the minibatch is drawn ('with-replacement' | 'without-replacement'); decides the batch noise factor c (Cov ε = c Σ). */
export type { Sampling };

/** The SGD settings. */
export interface SgdHyper {
  /** learning rate η > 0 */
  eta: Scalar;
  /** heavy-ball momentum β ∈ [0, 1); default 0 */
  beta?: Scalar;
  /** batch size S > 0 (≤ N when nData is given) */
  batchSize: Scalar;
  /** weight decay λ ≥ 0; default 0 */
  weightDecay?: Scalar;
  /** number of training examples N (needed for sampling without replacement) */
  nData?: number;
  /** default 'with-replacement' */
  sampling?: Sampling;
}

/** The gradient-noise covariance Σ(θ) of one example's gradient (Cov ε = c Σ for a batch). */
export type NoiseSpec =
  /** a constant matrix Σ (numbers, fractions, symbols or expressions in θ) */
  | { kind: 'matrix'; sigma: readonly (readonly Scalar[])[] }
  /** Σ = σ² H(θ), H the Hessian of the loss (label noise near a minimum) */
  | { kind: 'hessian'; scale: Scalar }
  /** Σ = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ with L the mean of the per-example losses ℓ_i */
  | { kind: 'per-example'; losses: readonly (string | Expr)[] }
  /** Σ = s I */
  | { kind: 'isotropic'; variance: Scalar };

/** A hyper-parameter as an exact expression. */
export function scalarExpr(x: Scalar, name: string): Expr {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new InputError(`${name} must be a finite number (got ${x})`);
    return num(Rational.fromFloat(x));
  }
  if (x instanceof Rational) return num(x);
  if (typeof x === 'string') {
    return parseExpr(x, {
      resolve: (id) => {
        if (RESERVED_NAMES.has(id)) throw `'${id}' is a reserved name and cannot be a hyper-parameter symbol`;
        return sym(id);
      },
    });
  }
  if (x && typeof x === 'object' && 'kind' in x) return x;
  throw new InputError(`${name} must be a number, a string (fraction or symbol) or an expression (got ${describeValue(x)})`);
}

/** The value of a constant expression, or undefined when it contains symbols. */
function constantOf(e: Expr): Rational | undefined {
  return e.kind === 'num' ? e.value : undefined;
}

/** The SGD settings as exact expressions, with range checks on those that are numbers. */
export interface Hyper {
  readonly eta: Expr;
  readonly beta: Expr;
  readonly batchSize: Expr;
  readonly weightDecay: Expr;
  readonly nData?: number;
  readonly sampling: Sampling;
  /** c with Cov ε = c Σ: 1/S or (N−S)/(S(N−1)) */
  readonly noiseFactor: Expr;
}

/** Check and convert the SGD settings. Numeric values out of range are InputErrors that name the argument. */
export function normalizeHyper(h: SgdHyper): Hyper {
  if (!h || typeof h !== 'object') throw new InputError('the SGD settings must be an object { eta, batchSize, beta?, weightDecay?, nData?, sampling? }');
  if (h.eta === undefined) throw new InputError('the learning rate eta is required');
  if (h.batchSize === undefined) throw new InputError('the batch size batchSize is required');
  const eta = scalarExpr(h.eta, 'eta');
  const beta = scalarExpr(h.beta ?? 0, 'beta');
  const S = scalarExpr(h.batchSize, 'batchSize');
  const lam = scalarExpr(h.weightDecay ?? 0, 'weightDecay');
  const sampling = h.sampling ?? 'with-replacement';
  if (sampling !== 'with-replacement' && sampling !== 'without-replacement')
    throw new InputError(`sampling must be 'with-replacement' or 'without-replacement' (got ${describeValue(sampling)})`);
  const e = constantOf(eta);
  if (e && e.sign() <= 0) throw new InputError(`the learning rate eta must be > 0 (got ${e})`);
  const b = constantOf(beta);
  if (b && (b.isNegative() || b.compare(Rational.ONE) >= 0)) throw new InputError(`the momentum beta must lie in [0, 1) (got ${b}): the friction 1 − beta must be positive`);
  const s = constantOf(S);
  if (s && s.sign() <= 0) throw new InputError(`the batch size must be > 0 (got ${s})`);
  const l = constantOf(lam);
  if (l && l.isNegative()) throw new InputError(`the weight decay must be ≥ 0 (got ${l})`);
  if (h.nData !== undefined) {
    if (!Number.isInteger(h.nData) || h.nData < 1) throw new InputError(`nData (the number of examples N) must be a positive integer (got ${describeValue(h.nData)})`);
    if (s && s.compare(Rational.int(h.nData)) > 0) throw new InputError(`the batch size ${s} exceeds the number of examples N = ${h.nData}`);
  }
  const hyper = { eta, beta, batchSize: S, weightDecay: lam, nData: h.nData, sampling };
  return { ...hyper, noiseFactor: batchNoiseFactor(hyper) };
}

/**
 * The batch noise factor c with Cov ε = c Σ (docs/theory/langevin.md, "Discrete update"): 1/S with
 * replacement, (N−S)/(S(N−1)) without (zero for full-batch S = N).
 */
export function batchNoiseFactor(h: Pick<SgdHyper, 'batchSize' | 'nData' | 'sampling'> | { batchSize: Expr; nData?: number; sampling?: Sampling }): Expr {
  const S = scalarExpr(h.batchSize, 'batchSize');
  if ((h.sampling ?? 'with-replacement') === 'with-replacement') return pow(S, -1);
  const N = h.nData;
  if (N === undefined) throw new InputError('sampling without replacement needs nData (the number of examples N): the noise factor is (N − S)/(S(N − 1))');
  if (N === 1) throw new InputError('sampling without replacement needs N ≥ 2 examples (the factor (N − S)/(S(N − 1)) is undefined for N = 1)');
  return div(sub(num(N), S), mul(S, num(N - 1)));
}

function square(n: number, rows: readonly (readonly unknown[])[], what: string): void {
  if (!Array.isArray(rows) || rows.length !== n) throw new InputError(`${what} must have ${n} rows (one per parameter), got ${Array.isArray(rows) ? rows.length : describeValue(rows)}`);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== n) throw new InputError(`${what} row ${i} must have ${n} entries (dimension mismatch)`);
  });
}

/** Re-read a per-example loss in the names of L (its parameters, symbols and constants). */
function perExampleExpr(L: Loss, li: string | Expr, i: number): Expr {
  try {
    return makeLoss(li, {
      params: L.params.map((p) => p.name),
      symbols: L.symbols.map((s) => s.name),
      constants: Object.fromEntries(L.constants),
    }).expr;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`per-example loss ${i}: ${e.message}`);
    throw e;
  }
}

/**
 * Σ(θ), the covariance of one example's gradient, as expressions in θ (docs/theory/langevin.md,
 * "Discrete update"). Per-example: Σ = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ, where L must equal the mean of the
 * ℓ_i (checked exactly); `hyper.nData`, when given, must equal their number.
 */
export function noiseCovariance(L: Loss, noise: NoiseSpec, hyper?: Pick<SgdHyper, 'nData'>): Expr[][] {
  const n = L.params.length;
  if (!noise || typeof noise !== 'object') throw new InputError("noise must be an object with kind 'matrix', 'hessian', 'per-example' or 'isotropic'");
  switch (noise.kind) {
    case 'matrix': {
      square(n, noise.sigma, 'the noise covariance Σ');
      const S = noise.sigma.map((row, i) => row.map((x, j) => scalarExpr(x, `Σ[${i}][${j}]`)));
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++)
          if (expand(sub(S[i]![j]!, S[j]![i]!)) !== ZERO) throw new InputError(`the noise covariance Σ must be symmetric: Σ[${i}][${j}] ≠ Σ[${j}][${i}]`);
      return S;
    }
    case 'hessian': {
      const s2 = scalarExpr(noise.scale, 'the noise scale σ²');
      const c = constantOf(s2);
      if (c && c.isNegative()) throw new InputError(`the noise scale σ² must be ≥ 0 (got ${c})`);
      return hessian(L.expr, L.params).map((row) => row.map((h) => mul(s2, h)));
    }
    case 'isotropic': {
      const v = scalarExpr(noise.variance, 'the noise variance');
      const c = constantOf(v);
      if (c && c.isNegative()) throw new InputError(`the noise variance must be ≥ 0 (got ${c})`);
      return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? v : ZERO)));
    }
    case 'per-example': {
      const N = noise.losses?.length ?? 0;
      if (!Array.isArray(noise.losses) || N === 0) throw new InputError('per-example noise needs a non-empty array of per-example losses ℓ_i');
      if (hyper?.nData !== undefined && hyper.nData !== N) throw new InputError(`nData = ${hyper.nData} but ${N} per-example losses were given`);
      const ls = noise.losses.map((li, i) => perExampleExpr(L, li, i));
      const mean = scale(sum(ls), Rational.of(1, N));
      if (expand(sub(mean, L.expr)) !== ZERO) throw new InputError('per-example noise: the loss must equal the mean of the per-example losses (1/N) Σ_i ℓ_i');
      return perExampleCovariance(ls, L.params);
    }
    default:
      throw new InputError(`unknown noise kind ${describeValue((noise as { kind?: unknown }).kind)}: use 'matrix', 'hessian', 'per-example' or 'isotropic'`);
  }
}

/** (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ḡ ḡᵀ, ḡ = (1/N) Σ_i ∇ℓ_i: the covariance of one uniformly drawn example's gradient. */
export function perExampleCovariance(losses: readonly Expr[], params: readonly Sym[]): Expr[][] {
  const N = losses.length;
  const n = params.length;
  const grads = losses.map((l) => gradient(l, params));
  const gbar = Array.from({ length: n }, (_, a) => scale(sum(grads.map((g) => g[a]!)), Rational.of(1, N)));
  const out: Expr[][] = Array.from({ length: n }, () => new Array<Expr>(n));
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      const second = scale(sum(grads.map((g) => mul(g[a]!, g[b]!))), Rational.of(1, N));
      const v = sub(second, mul(gbar[a]!, gbar[b]!));
      out[a]![b] = v;
      out[b]![a] = v;
    }
  return out;
}

/** The continuous (underdamped Langevin) model of SGD on a loss. */
export interface LangevinModel {
  readonly loss: Loss;
  readonly hyper: Hyper;
  /** number of parameters p (phase space has 2p coordinates) */
  readonly n: number;
  readonly params: readonly Sym[];
  /** velocity symbols v_i (internal names, printed as v_{θ_i}) */
  readonly velocity: readonly Sym[];
  /** m = η(1+β)/2 */
  readonly mass: Expr;
  /** 1 − β */
  readonly friction: Expr;
  /** γ = (1−β)/(η(1+β)) (the envelope e^{−γt}) */
  readonly gamma: Expr;
  /** ∇L(θ) */
  readonly gradient: readonly Expr[];
  /** H(θ) */
  readonly hessian: readonly (readonly Expr[])[];
  /** Σ(θ) of one example */
  readonly sigma: readonly (readonly Expr[])[];
  /** phase-space drift b(θ, v): dx = b dt + B dW, b = (v, −(2/(η(1+β)))[∇L + λθ + (1−β)v]) */
  readonly drift: readonly Expr[];
  /** D(θ) = B Bᵀ/2 (2p×2p): only the vv block 2cΣ/(η(1+β)²) */
  readonly diffusion: readonly (readonly Expr[])[];
  /** the same matrix as `diffusion` (the D of A C + C Aᵀ = 2D) */
  readonly D: readonly (readonly Expr[])[];
  /** A(θ) = −∂b/∂x = [[0, −I], [K, 2γI]], K = 2(H + λI)/(η(1+β)) */
  readonly A: readonly (readonly Expr[])[];
  /** K(θ) = 2(H + λI)/(η(1+β)) */
  readonly K: readonly (readonly Expr[])[];
  /** first-order modified loss with momentum L_λ + η(1+β)/(4(1−β)²)‖∇L_λ‖², L_λ = L + (λ/2)‖θ‖² */
  readonly modifiedLoss: Expr;
  /** A, D, H, Σ in float64 at θ (and values for the symbols, e.g. { eta: 0.1 }) */
  at(theta: ArrayLike<number> | Readonly<Record<string, number>>, symbols?: Readonly<Record<string, number>>): LangevinAt;
  /** the SDE as LaTeX (KaTeX strict-valid) */
  sdeLatex(): string;
}

/** The model's matrices evaluated at a point (row-major Float64Array). */
export interface LangevinAt {
  /** number of parameters p */
  readonly n: number;
  readonly theta: Float64Array;
  /** 2p×2p */
  readonly A: Float64Array;
  /** 2p×2p */
  readonly D: Float64Array;
  /** p×p */
  readonly H: Float64Array;
  /** p×p */
  readonly Sigma: Float64Array;
  /** ∇L at θ (zero at a critical point) */
  readonly gradient: Float64Array;
}

function zeros(n: number): Expr[][] {
  return Array.from({ length: n }, () => new Array<Expr>(n).fill(ZERO));
}

/** The velocity symbol of a parameter (a name no Loss can use: they are ASCII identifiers). */
export function velocitySymbol(param: Sym): Sym {
  return sym(`v·${param.name}`);
}

/**
 * The first-order modified loss of SGD with momentum (docs/theory/langevin.md, "Continuous model"):
 * eliminating the mass to first order gives L_λ + η(1+β)/(4(1−β)²)‖∇L_λ‖² with L_λ = L + (λ/2)‖θ‖²
 * (for β = 0, λ = 0: L + (η/4)‖∇L‖², the order-2 modified loss of gradient descent).
 */
export function momentumModifiedLoss(L: Loss, h: Hyper): Expr {
  const reg = h.weightDecay === ZERO ? L.expr : add(L.expr, mul(scale(h.weightDecay, Rational.HALF), sum(L.params.map((p) => pow(p, 2)))));
  const g = gradient(reg, L.params);
  const coeff = div(mul(h.eta, add(ONE, h.beta)), mul(num(4), pow(sub(ONE, h.beta), 2)));
  return add(reg, mul(coeff, sum(g.map((x) => pow(x, 2)))));
}

/** Build the continuous model of SGD (settings `hyper`, noise `noise`) on the loss L. */
export function langevinModel(L: Loss, hyper: SgdHyper, noise: NoiseSpec): LangevinModel {
  if (!L || !Array.isArray(L.params)) throw new InputError('langevinModel: the first argument must be a Loss (see loss())');
  const h = normalizeHyper(hyper);
  const n = L.params.length;
  const params = L.params;
  const velocity = params.map(velocitySymbol);
  const onePlusBeta = add(ONE, h.beta);
  const friction = sub(ONE, h.beta);
  const mass = scale(mul(h.eta, onePlusBeta), Rational.HALF);
  const kf = div(num(2), mul(h.eta, onePlusBeta)); // 2/(η(1+β)) = 1/m
  const gamma = div(friction, mul(h.eta, onePlusBeta));
  const grad = gradient(L.expr, params);
  const H = hessian(L.expr, params);
  const sigma = noiseCovariance(L, noise, hyper);
  const drift: Expr[] = [
    ...velocity,
    ...params.map((p, i) => neg(mul(kf, add(grad[i]!, mul(h.weightDecay, p), mul(friction, velocity[i]!))))),
  ];
  const K = H.map((row, i) => row.map((x, j) => mul(kf, i === j ? add(x, h.weightDecay) : x)));
  const A = zeros(2 * n);
  const D = zeros(2 * n);
  const dvv = div(mul(num(2), h.noiseFactor), mul(h.eta, pow(onePlusBeta, 2)));
  for (let i = 0; i < n; i++) {
    A[i]![n + i] = num(-1);
    A[n + i]![n + i] = scale(gamma, 2);
    for (let j = 0; j < n; j++) {
      A[n + i]![j] = K[i]![j]!;
      D[n + i]![n + j] = mul(dvv, sigma[i]![j]!);
    }
  }
  const modified = momentumModifiedLoss(L, h);
  const model: LangevinModel = {
    loss: L,
    hyper: h,
    n,
    params,
    velocity,
    mass,
    friction,
    gamma,
    gradient: grad,
    hessian: H,
    sigma,
    drift,
    diffusion: D,
    D,
    A,
    K,
    modifiedLoss: modified,
    at: (theta, symbols) => evaluateModel(model, theta, symbols),
    sdeLatex: () => sdeLatex(model),
  };
  return model;
}

/** Environment for evaluation: θ by position or by name, plus the symbols' values. */
function environment(m: LangevinModel, theta: ArrayLike<number> | Readonly<Record<string, number>>, symbols: Readonly<Record<string, number>> = {}): { env: Record<string, number>; th: Float64Array } {
  const env: Record<string, number> = { ...symbols };
  const th = new Float64Array(m.n);
  const byName = !(typeof (theta as ArrayLike<number>).length === 'number');
  if (!byName && (theta as ArrayLike<number>).length !== m.n) throw new InputError(`the point θ has ${(theta as ArrayLike<number>).length} entries, expected ${m.n} (one per parameter: ${m.params.map((p) => p.name).join(', ')})`);
  m.params.forEach((p, i) => {
    const v = byName ? (theta as Record<string, number>)[p.name] : (theta as ArrayLike<number>)[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`the point θ needs a finite value for parameter '${p.name}' (got ${describeValue(v)})`);
    env[p.name] = v;
    th[i] = v;
  });
  return { env, th };
}

function evalMatrix(M: readonly (readonly Expr[])[], env: Record<string, number>, what: string): Float64Array {
  const n = M.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      try {
        out[i * n + j] = evaluate(M[i]![j]!, env);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`${what}[${i}][${j}]: ${e.message}`);
        throw e;
      }
    }
  return out;
}

function missingSymbols(m: LangevinModel, env: Record<string, number>): string[] {
  const needed = new Set<string>();
  const visit = (rows: readonly (readonly Expr[])[]): void => {
    for (const r of rows) for (const e of r) for (const s of freeSymbols(e)) needed.add(s.name);
  };
  visit(m.A);
  visit(m.diffusion);
  return [...needed].filter((s) => !(s in env) && !s.startsWith('v·'));
}

function evaluateModel(m: LangevinModel, theta: ArrayLike<number> | Readonly<Record<string, number>>, symbols?: Readonly<Record<string, number>>): LangevinAt {
  const { env, th } = environment(m, theta, symbols);
  const missing = missingSymbols(m, env);
  if (missing.length) throw new InputError(`give values for the symbol(s) ${missing.map((s) => `'${s}'`).join(', ')} to evaluate the model (e.g. { ${missing[0]}: 0.1 })`);
  const Sigma = evalMatrix(m.sigma, env, 'Σ');
  return {
    n: m.n,
    theta: th,
    A: evalMatrix(m.A, env, 'A'),
    D: evalMatrix(m.diffusion, env, 'D'),
    H: evalMatrix(m.hessian, env, 'H'),
    Sigma,
    gradient: Float64Array.from(m.gradient, (g) => evaluate(g, env)),
  };
}

/** The SDE in LaTeX: dθ = v dt, dv = −(1/m)[∇L + λθ + (1−β)v] dt + (1/m)√(ηc) Σ^{1/2} dW. */
function sdeLatex(m: LangevinModel): string {
  const h = m.hyper;
  const tex = (e: Expr): string => toLatex(e).replace(/η/g, '\\eta ');
  const invMass = div(num(2), mul(h.eta, add(ONE, h.beta)));
  const noiseAmp = mul(invMass, pow(mul(h.eta, h.noiseFactor), Rational.HALF));
  // velocities print as \dot{θ_i}: placeholder symbols are printed, then replaced (a loss parameter that
  // happened to be named QvelocityQ0 would only change this display)
  const marker = 'QvelocityQ';
  const shown = new Map(m.velocity.map((v, i) => [v, sym(`${marker}${i}`)] as const));
  const dots = (s: string): string => s.replace(/\\mathrm\{QvelocityQ\}_\{(\d+)\}/g, (_, i: string) => `\\dot{${latexName(m.params[Number(i)]!.name)}}`);
  const g = m.gradient.map((x) => subs(x, shown));
  const force = g.map((x, i) => add(x, mul(h.weightDecay, m.params[i]!), mul(m.friction, shown.get(m.velocity[i]!)!)));
  const theta = vectorLatex(m.params);
  const v = vectorLatex([...shown.values()]);
  const sigma = matrixLatex(m.sigma.map((r) => r.map((x) => x)));
  return dots(
    '\\begin{aligned} ' +
    `d${theta} &= ${v}\\,dt \\\\ ` +
    `d${v} &= -${paren(tex(invMass))}${vectorLatex(force).replace(/η/g, '\\eta ')}\\,dt + ${paren(tex(noiseAmp))}${sigma.replace(/η/g, '\\eta ')}^{1/2}\\,dW_t` +
    ' \\end{aligned}'
  );
}

function paren(s: string): string {
  return /^[\w\\{}]+$/.test(s) || /^\\frac\{[^{}]*\}\{[^{}]*\}$/.test(s) ? s : `\\left(${s}\\right)`;
}
