/**
 * The stationary Fokker–Planck equation of SGD's continuous model on a loss (docs/theory/langevin.md,
 * "Continuous model: underdamped Langevin equation"; Kunin et al., "The Limiting Dynamics of SGD", 2023).
 *
 * Phase space x = (θ, v). The model (model.ts) is dx = b dt + B dW with
 *     b = (v, −(1/m)[∇L + λθ + (1−β)v]),   m = η(1+β)/2,   D = B Bᵀ/2 = [[0, 0], [0, D_vv]],
 *     D_vv = 2cΣ(θ)/(η(1+β)²),  c the batch factor (1/S with replacement, (N−S)/(S(N−1)) without),
 * and the density p(x, t) obeys  ∂_t p = −∇·(b p) + ∇·(D ∇p).  (D depends on θ only and acts on v only,
 * so ∇·(D∇p) = Σ ∂_i∂_j(D_ij p): the Itô and the "divergence" forms agree here.)
 *
 * Residual of a candidate p = exp(−Φ). Dividing the operator by p leaves no exponential:
 *     FP[p]/p = −∇·b + b·∇Φ + Σ_ij [ D_ij (∂_iΦ ∂_jΦ − ∂_i∂_jΦ) − (∂_i D_ij) ∂_jΦ ],
 * an expression in L's derivatives, θ and v only, on which exact cancellation can be decided
 * (zero-test.ts).
 *
 * The Gibbs density (derivation). Take Φ = Ψ/T with Ψ = V(θ) + (m/2)‖v‖², V = L + (λ/2)‖θ‖², and
 * isotropic noise Σ = s I, so D_vv = d I with d = 2cs/(η(1+β)²). With ∇_θΦ = ∇V/T, ∇_vΦ = m v/T:
 *     −∇·b = (1−β)n/m,
 *     b·∇Φ = v·∇V/T − (1/m)(∇V + (1−β)v)·(m v/T) = −(1−β)‖v‖²/T,
 *     Σ D_ij(∂_iΦ∂_jΦ − ∂_ijΦ) = d(m²‖v‖²/T² − m n/T),  and ∂_{v_i} D_ij = 0,
 * so FP[p]/p = n[(1−β)/m − d m/T] + ‖v‖²[d m²/T − (1−β)]/T, which vanishes for every loss iff
 *     T = d m²/(1−β) = η c s / (2(1−β))
 * (the temperature η/(2S(1−β)) of the theory note, times s). The v·∇V terms cancel whatever V is: the
 * conservative force and the free streaming are a Hamiltonian flow that preserves exp(−Ψ/T). So
 *     p_ss(θ, v) ∝ exp(−[L(θ) + (λ/2)‖θ‖² + (m/2)‖v‖²] / T)
 * for isotropic, θ-independent noise on any loss, with or without momentum. For anisotropic Σ, or a
 * θ-dependent s (e.g. Σ ∝ H(θ) on a non-quadratic loss), no temperature makes the Gibbs form stationary;
 * `gibbsDensity` then uses the isotropic part s = tr Σ/n as the candidate's temperature and
 * `checkStationary` reports the residual and falls back to the local Gaussian at a minimum.
 *
 * Local Gaussian. At a minimum θ* of V the linearised process is the Ornstein–Uhlenbeck process
 * dx = −A x dt + B dW with A, D at θ* (A = [[0, −I], [K, 2γI]], K = 2(H + λI)/(η(1+β)),
 * γ = (1−β)/(η(1+β))); its stationary covariance solves A C + C Aᵀ = 2D
 * (docs/theory/langevin.md, "Linear regression: exact solutions"). For a quadratic loss with constant
 * noise this is the exact stationary law; otherwise it is the small-noise approximation near θ*.
 */
import { InputError } from '../../errors.ts';
import {
  type Expr,
  type Sym,
  ONE,
  ZERO,
  PrintSizeError,
  Rational,
  add,
  dependsOn,
  diff,
  evaluate,
  exp,
  expand,
  freeSymbols,
  gradient,
  hessian,
  mul,
  neg,
  pow,
  scale,
  sub,
  subs,
  sum,
  sym,
  toLatex,
  toText,
} from '../../symbolic/index.ts';
import { compile } from '../../codegen/index.ts';
import { lyapunov } from '../../numeric/lyapunov.ts';
import { choleskyStrict, newtonMinimize } from '../../numeric/minimize.ts';
import type { LangevinModel } from './model.ts';
import { type SymbolRange, type ZeroDecision, decideZero } from './zero-test.ts';

/** A candidate stationary density p = exp(−Ψ/T) on phase space (θ, v). */
export interface GibbsCandidate {
  /** Ψ(θ, v), in the loss parameters and the model's velocity symbols */
  readonly psi: Expr;
  /** T > 0 (an expression in hyper-parameters; may depend on θ) */
  readonly temperature: Expr;
}

/** The Gibbs density of the model (see the module comment for the derivation). */
export interface GibbsDensity extends GibbsCandidate {
  /** V = L + (λ/2)‖θ‖² */
  readonly potential: Expr;
  /** the mass m = η(1+β)/2 */
  readonly mass: Expr;
  /** the noise level s with Σ = s I (for anisotropic Σ: the isotropic part tr Σ / n) */
  readonly noiseLevel: Expr;
  /** Σ(θ) is a multiple of the identity */
  readonly isotropic: boolean;
  /** Σ does not depend on θ */
  readonly constantNoise: boolean;
  /** Φ = Ψ/T */
  readonly exponent: Expr;
  /** exp(−Φ) (unnormalised) */
  readonly density: Expr;
  /** KaTeX-valid LaTeX of Ψ, T and the density, velocities printed v_{θ_i} */
  latex(): { psi: string; temperature: string; density: string };
}

/** The first argument of every function here must be a model from langevinModel(). */
function checkModel(model: unknown, where: string): asserts model is LangevinModel {
  const m = model as Partial<LangevinModel> | undefined;
  if (!m || typeof m !== 'object' || !Array.isArray(m.velocity) || !Array.isArray(m.drift) || !Array.isArray(m.diffusion) || !m.hyper)
    throw new InputError(`${where}: the first argument must be a model built by langevinModel(loss, hyper, noise)`);
}

/** Phase-space coordinates x = (θ, v) of a model. */
export function phaseSpace(model: LangevinModel): Sym[] {
  return [...model.params, ...model.velocity];
}

/** The display symbol v_{name} of a velocity (the internal velocity symbols are not spellable in formulas). */
function displayVelocities(model: LangevinModel): Map<Sym, Expr> {
  return new Map(model.velocity.map((v, i) => [v, sym(`v_${model.params[i]!.name}`)] as const));
}

/** LaTeX of an expression of the model: velocities as v_{θ_i}, the internal η as \eta. */
export function modelLatex(model: LangevinModel, e: Expr): string {
  return toLatex(subs(e, displayVelocities(model))).replace(/η/g, '\\eta ').replace(/β/g, '\\beta ');
}

/** V = L + (λ/2)‖θ‖². */
export function regularisedLoss(model: LangevinModel): Expr {
  const lam = model.hyper.weightDecay;
  if (lam === ZERO) return model.loss.expr;
  return add(model.loss.expr, mul(scale(lam, Rational.HALF), sum(model.params.map((p) => pow(p, 2)))));
}

function isZeroExpr(e: Expr): boolean {
  return e === ZERO || expand(e) === ZERO;
}

/**
 * The Gibbs density p ∝ exp(−[L + (λ/2)‖θ‖² + (m/2)‖v‖²]/T), T = η c s/(2(1−β)), of the model, where
 * Σ = s I. It is the stationary solution whenever s is θ-independent (checkStationary proves it per
 * loss). For other noise the isotropic part s = tr Σ/n is used and the result is only a candidate.
 */
export function gibbsDensity(model: LangevinModel): GibbsDensity {
  checkModel(model, 'gibbsDensity');
  const n = model.n;
  const Sigma = model.sigma;
  // isotropic: zero off the diagonal, equal on it (checked cheaply first, by expansion where needed)
  let isotropic = true;
  for (let i = 0; i < n && isotropic; i++)
    for (let j = 0; j < n && isotropic; j++) if (!isZeroExpr(i === j ? sub(Sigma[i]![i]!, Sigma[0]![0]!) : Sigma[i]![j]!)) isotropic = false;
  // the noise level: Σ₀₀ when isotropic, else the isotropic part tr Σ / n
  const s = isotropic ? Sigma[0]![0]! : scale(sum(Sigma.map((row, i) => row[i]!)), Rational.of(1, n));
  // θ-independent: no parameter symbol occurs in Σ (a syntactic test: enough for the candidate's description)
  const constantNoise = Sigma.every((row) => row.every((x) => model.params.every((p) => !dependsOn(x, p))));
  if (s === ZERO) throw new InputError('the gradient noise Σ is zero (tr Σ = 0): without noise there is no stationary density (the process settles at a point); give a noise model');
  const { eta, beta, noiseFactor } = model.hyper;
  if (noiseFactor === ZERO) throw new InputError('the batch noise factor is 0 (full batch S = N without replacement): no noise, no stationary density');
  const temperature = mul(eta, noiseFactor, s, pow(scale(sub(ONE, beta), 2), -1));
  const V = regularisedLoss(model);
  const psi = add(V, mul(scale(model.mass, Rational.HALF), sum(model.velocity.map((v) => pow(v, 2)))));
  const exponent = mul(psi, pow(temperature, -1));
  const density = exp(neg(exponent));
  return {
    psi,
    temperature,
    potential: V,
    mass: model.mass,
    noiseLevel: s,
    isotropic,
    constantNoise,
    exponent,
    density,
    latex() {
      const P = modelLatex(model, psi);
      const T = modelLatex(model, temperature);
      return {
        psi: `\\Psi = ${P}`,
        temperature: `T = ${T}`,
        density: `p(\\theta, v) \\propto \\exp\\left(-\\frac{\\Psi}{T}\\right), \\quad \\Psi = ${P}, \\quad T = ${T}`,
      };
    },
  };
}

/** FP[p]/p for p = exp(−Φ), and the pieces it was built from. */
export interface FokkerPlanckResidual {
  /** Φ = Ψ/T */
  readonly exponent: Expr;
  /** FP[p]/p = −∇·b + b·∇Φ + Σ_ij [D_ij(∂_iΦ∂_jΦ − ∂_i∂_jΦ) − (∂_i D_ij)∂_jΦ] (as built; not expanded) */
  readonly residual: Expr;
  /** ∂_t p = FP[p] = residual · p */
  readonly timeDerivative: Expr;
}

/**
 * The stationarity residual of a candidate density exp(−Ψ/T) under the model's Fokker–Planck operator
 * (divided by the density, so that no exponential is left; see the module comment).
 */
export function fokkerPlanckResidual(model: LangevinModel, candidate?: GibbsCandidate): FokkerPlanckResidual {
  checkModel(model, 'fokkerPlanckResidual');
  candidate ??= gibbsDensity(model);
  checkCandidate(model, candidate);
  const x = phaseSpace(model);
  const b = model.drift;
  const D = model.diffusion;
  const phi = mul(candidate.psi, pow(candidate.temperature, -1));
  const dPhi = x.map((xi) => diff(phi, xi));
  const terms: Expr[] = [];
  for (let i = 0; i < x.length; i++) {
    terms.push(neg(diff(b[i]!, x[i]!)), mul(b[i]!, dPhi[i]!));
    for (let j = 0; j < x.length; j++) {
      const Dij = D[i]![j]!;
      if (Dij === ZERO) continue;
      terms.push(mul(Dij, sub(mul(dPhi[i]!, dPhi[j]!), diff(dPhi[j]!, x[i]!))), neg(mul(diff(Dij, x[i]!), dPhi[j]!)));
    }
  }
  const residual = sum(terms);
  return { exponent: phi, residual, timeDerivative: mul(residual, exp(neg(phi))) };
}

/**
 * The Fokker–Planck operator applied to any density expression p(θ, v), directly:
 * −∇·(b p) + ∇·(D ∇p). (The reference the division formula of `fokkerPlanckResidual` is tested against.)
 */
export function fokkerPlanckOperator(model: LangevinModel, p: Expr): Expr {
  checkModel(model, 'fokkerPlanckOperator');
  const x = phaseSpace(model);
  const terms: Expr[] = [];
  for (let i = 0; i < x.length; i++) {
    terms.push(neg(diff(mul(model.drift[i]!, p), x[i]!)));
    const flux = sum(x.map((xj, j) => (model.diffusion[i]![j]! === ZERO ? ZERO : mul(model.diffusion[i]![j]!, diff(p, xj)))));
    terms.push(diff(flux, x[i]!));
  }
  return sum(terms);
}

function checkCandidate(model: LangevinModel, c: GibbsCandidate): void {
  if (!c || typeof c !== 'object' || !c.psi || !c.temperature || typeof c.psi !== 'object' || typeof c.temperature !== 'object')
    throw new InputError('a candidate density needs { psi, temperature } as expressions (Ψ(θ, v) and T)');
  if (c.temperature === ZERO) throw new InputError('the candidate temperature T is 0: exp(−Ψ/T) is undefined');
  const known = new Set<Sym>([...phaseSpace(model), ...hyperSymbols(model)]);
  for (const s of freeSymbols(c.psi)) if (!known.has(s)) throw new InputError(`the candidate Ψ contains the symbol '${s.name}', which is neither a parameter, a velocity nor a hyper-parameter of the model`);
}

/** Symbols of the model other than θ and v: η, β, S, λ, noise scales, the loss's own symbols. */
export function hyperSymbols(model: LangevinModel): Sym[] {
  const state = new Set<Sym>(phaseSpace(model));
  const out = new Set<Sym>();
  const visit = (e: Expr): void => {
    for (const s of freeSymbols(e)) if (!state.has(s)) out.add(s);
  };
  model.drift.forEach(visit);
  model.diffusion.forEach((r) => r.forEach(visit));
  visit(model.mass);
  visit(model.hyper.noiseFactor);
  return [...out];
}

/** Ranges of the random draws of the zero test: η in (0, 1), β in [0, 1), the rest positive. */
function symbolRanges(model: LangevinModel): Map<Sym, SymbolRange> {
  const r = new Map<Sym, SymbolRange>();
  if (model.hyper.eta.kind === 'sym') r.set(model.hyper.eta, 'unit');
  if (model.hyper.beta.kind === 'sym') r.set(model.hyper.beta, 'momentum');
  for (const s of model.loss.symbols) r.set(s, 'real');
  return r;
}

export interface StationaryOptions {
  /** the candidate density (default: the Gibbs density of the model) */
  candidate?: GibbsCandidate;
  /** random points of the zero test (default 5) and their seed (default 1) */
  points?: number;
  seed?: number;
  /** relative tolerance of the float64 route of the zero test (default 1e−9) */
  tol?: number;
  /** when not stationary: compute the local Gaussian at a minimum (default true) */
  localGaussian?: boolean;
  /** options of the local Gaussian (start of Newton's method, values of symbolic hyper-parameters) */
  start?: ArrayLike<number>;
  symbols?: Readonly<Record<string, number>>;
}

export interface StationaryCheck {
  /** FP[exp(−Ψ/T)] ≡ 0 */
  readonly stationary: boolean;
  /** how it was decided, with a sentence stating the test */
  readonly decision: ZeroDecision;
  readonly candidate: GibbsCandidate;
  /** FP[p]/p as derived (expand it to see the surviving terms) */
  readonly residual: Expr;
  /** the residual as text when not zero (canonical expanded form where affordable, else as derived; absent when too large to print) */
  readonly residualText?: string;
  /** the Gibbs density, when the check used it and it is stationary */
  readonly gibbs?: GibbsDensity;
  /** when not stationary (and not disabled): the Gaussian of the process linearised at a minimum */
  readonly local?: LocalGaussian;
  /** why the local Gaussian was not computed (symbolic hyper-parameters without values) */
  readonly localSkipped?: string;
  /** a few lines for a report */
  summary(): string;
}

/**
 * Is exp(−Ψ/T) a stationary solution of the model's Fokker–Planck equation? Decided exactly where the
 * core can, else by the stated pointwise test (zero-test.ts). When it is not, the residual is returned
 * with a point where it is not zero, and (unless `localGaussian: false`) the local Gaussian at a minimum.
 */
export function checkStationary(model: LangevinModel, opts: StationaryOptions = {}): StationaryCheck {
  checkModel(model, 'checkStationary');
  const gibbs = opts.candidate ? undefined : gibbsDensity(model);
  const candidate = opts.candidate ?? gibbs!;
  const fp = fokkerPlanckResidual(model, candidate);
  const decision = decideZero(fp.residual, {
    state: phaseSpace(model),
    ranges: symbolRanges(model),
    points: opts.points,
    seed: opts.seed,
    tol: opts.tol,
    names: new Map(model.velocity.map((v, i) => [v, `v_${model.params[i]!.name}`] as const)),
  });
  let residualText: string | undefined;
  if (!decision.zero) {
    // the canonical expanded form when the zero test could afford it, else the residual as derived
    try {
      residualText = toText(subs(decision.expanded ?? fp.residual, displayVelocities(model)));
    } catch (e) {
      if (!(e instanceof PrintSizeError)) throw e;
    }
  }
  // the local Gaussian needs numbers for every symbol of V, A and D; without them it is skipped (and said so)
  const missing = decision.zero || opts.localGaussian === false ? [] : missingSymbolValues(model, opts.symbols ?? {});
  const localSkipped = missing.length
    ? `the local Gaussian needs numeric values for ${missing.map((s) => `'${s}'`).join(', ')} (pass symbols: { ${missing[0]}: … })`
    : undefined;
  const local = !decision.zero && opts.localGaussian !== false && !localSkipped ? localGaussian(model, { start: opts.start, symbols: opts.symbols }) : undefined;
  return {
    stationary: decision.zero,
    decision,
    candidate,
    residual: fp.residual,
    ...(residualText !== undefined ? { residualText } : {}),
    ...(decision.zero && gibbs ? { gibbs } : {}),
    ...(local ? { local } : {}),
    ...(localSkipped ? { localSkipped } : {}),
    summary() {
      const lines = [`stationary: ${decision.zero ? 'yes' : 'no'} (${decision.route}): ${decision.statement}`];
      if (!decision.zero && residualText !== undefined) lines.push(`FP[p]/p = ${residualText.length > 400 ? residualText.slice(0, 400) + '…' : residualText}`);
      if (local) lines.push(local.summary());
      if (localSkipped) lines.push(localSkipped);
      return lines.join('\n');
    },
  };
}

export interface LocalGaussianOptions {
  /** start of Newton's method (default θ_i = 0.5 + 0.1 i) */
  start?: ArrayLike<number>;
  /** values of symbolic hyper-parameters and loss symbols, by name (e.g. { eta: 0.1, S: 8 }) */
  symbols?: Readonly<Record<string, number>>;
  /** Newton iterations (default 100) */
  maxIterations?: number;
  /** convergence: ‖∇V‖₂ ≤ gradTol (default 1e−10) */
  gradTol?: number;
}

/** The Gaussian N((θ*, 0), C) of the process linearised at a minimum θ* of V = L + (λ/2)‖θ‖². */
export interface LocalGaussian {
  readonly n: number;
  /** θ*, a minimum of V (∇V(θ*) ≈ 0, ∇²V(θ*) positive definite) */
  readonly theta: Float64Array;
  /** ‖∇V(θ*)‖₂ */
  readonly gradientNorm: number;
  /** Newton iterations used */
  readonly iterations: number;
  /** the smallest eigenvalue bound: the smallest Cholesky pivot² of ∇²V(θ*) */
  readonly minPivot: number;
  /** A and D at θ* (2n×2n, row-major) */
  readonly A: Float64Array;
  readonly D: Float64Array;
  /** Σ(θ*) and H(θ*) of the loss (n×n) */
  readonly Sigma: Float64Array;
  readonly H: Float64Array;
  /** the stationary phase-space covariance: A C + C Aᵀ = 2D (2n×2n) */
  readonly C: Float64Array;
  /** its blocks (n×n): C_θθ, C_θv, C_vv */
  readonly thetaTheta: Float64Array;
  readonly thetaVelocity: Float64Array;
  readonly velocityVelocity: Float64Array;
  /** ‖A C + C Aᵀ − 2D‖/‖2D‖ */
  readonly relResidual: number;
  /** the density N((θ*, 0), C) in LaTeX (numbers to 6 digits) */
  latex(): string;
  summary(): string;
}

/** Names of the symbols of V, A and D (other than θ, v) that have no numeric value in `given`. */
function missingSymbolValues(model: LangevinModel, given: Readonly<Record<string, number>>): string[] {
  const state = new Set<Sym>(phaseSpace(model));
  const needed = new Set<string>();
  for (const e of [regularisedLoss(model), ...model.A.flat(), ...model.diffusion.flat()])
    for (const s of freeSymbols(e)) if (!state.has(s)) needed.add(s.name);
  return [...needed].filter((n) => typeof given[n] !== 'number' || !Number.isFinite(given[n]));
}

function symbolValues(model: LangevinModel, exprs: readonly Expr[], given: Readonly<Record<string, number>>): Sym[] {
  const params = new Set<Sym>(model.params);
  const needed = new Set<Sym>();
  for (const e of exprs) for (const s of freeSymbols(e)) if (!params.has(s)) needed.add(s);
  const missing = [...needed].filter((s) => typeof given[s.name] !== 'number' || !Number.isFinite(given[s.name]));
  if (missing.length)
    throw new InputError(
      `the local Gaussian needs numeric values for the symbol(s) ${missing.map((s) => `'${s.name}'`).join(', ')} (pass symbols: { ${missing[0]!.name}: … })`,
    );
  return [...needed];
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! ** 2;
  return Math.sqrt(s);
}

function fmt(v: ArrayLike<number>): string {
  return `[${Array.from(v, (x) => Number(x.toPrecision(6))).join(', ')}]`;
}

/**
 * Newton's method with a backtracking (Armijo) line search for a minimum of V = L + (λ/2)‖θ‖², on
 * compiled V, ∇V, ∇²V. Where ∇²V is not positive definite the step uses ∇²V + μI (μ doubled until it
 * is), so every step descends. Throws an InputError when it does not converge or ends where ∇²V is not
 * positive definite (a saddle or a flat valley).
 */
export function minimizeLoss(
  model: LangevinModel,
  opts: LocalGaussianOptions = {},
): { theta: Float64Array; gradientNorm: number; iterations: number; H: Float64Array; minPivot: number } {
  checkModel(model, 'minimizeLoss');
  const n = model.n;
  const V = regularisedLoss(model);
  const g = gradient(V, model.params);
  const H = hessian(V, model.params);
  const given = opts.symbols ?? {};
  const hyper = symbolValues(model, [V], given);
  const hv = Float64Array.from(hyper, (s) => given[s.name]!);
  const c = compile({ V, g, H }, model.params, { hyper, name: 'regularisedLoss' });
  const out = new Float64Array(c.outputSize);
  const maxIt = opts.maxIterations ?? 100;
  const gradTol = opts.gradTol ?? 1e-10;
  if (!Number.isInteger(maxIt) || maxIt < 1) throw new InputError(`maxIterations must be a positive integer (got ${String(opts.maxIterations)})`);
  if (typeof gradTol !== 'number' || !(gradTol > 0) || !Number.isFinite(gradTol)) throw new InputError(`gradTol must be a positive finite number (got ${String(opts.gradTol)})`);
  const start = opts.start ?? Array.from({ length: n }, (_, i) => 0.5 + 0.1 * i);
  if (start.length !== n) throw new InputError(`the start of Newton's method has ${start.length} entries, expected ${n} (${model.params.map((p) => p.name).join(', ')})`);
  const theta = Float64Array.from(start);
  if (!theta.every(Number.isFinite)) throw new InputError(`the start of Newton's method must be finite (got ${fmt(start)})`);
  const r = newtonMinimize(
    (t) => {
      c.fn(t, out, hv);
      if (!out.every(Number.isFinite)) return undefined;
      return { value: out[0]!, gradient: out.slice(1, 1 + n), hessian: out.slice(1 + n, 1 + n + n * n) };
    },
    theta,
    { maxIterations: maxIt },
  );
  const gn = r.gradientNorm;
  if (!r.converged || (gn > gradTol && gn > 1e-6 * Math.max(1, Math.abs(r.value))))
    throw new InputError(
      r.reason === 'no-decrease'
        ? `Newton's line search found no decrease of L + (λ/2)‖θ‖² at θ = ${fmt(r.theta)} (‖∇V‖ = ${gn.toExponential(2)}): give another start`
        : `Newton's method did not converge in ${maxIt} iterations from ${fmt(start)}: at θ = ${fmt(r.theta)} ‖∇(L + (λ/2)‖θ‖²)‖ = ${gn.toExponential(2)}; ` +
            'the loss may have no minimum there (unbounded below?): give a start closer to a minimum or more iterations',
    );
  theta.set(r.theta);
  const ch = choleskyStrict(r.hessian, n);
  if (!ch.ok)
    throw new InputError(
      `the Hessian of L + (λ/2)‖θ‖² at the critical point θ* = ${fmt(theta)} is not positive definite (Cholesky pivot ${ch.minPivot.toExponential(2)} at '${model.params[ch.at]!.name}'): ` +
        'θ* is a saddle or lies on a flat valley, so there is no local Gaussian there; give another start (or weight decay > 0 for a flat valley)',
    );
  return { theta, gradientNorm: gn, iterations: r.iterations, H: r.hessian, minPivot: ch.minPivot };
}

function block(C: Float64Array, n: number, r0: number, c0: number): Float64Array {
  const out = new Float64Array(n * n);
  const N = 2 * n;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = C[(r0 + i) * N + c0 + j]!;
  return out;
}

function numberTex(x: number): string {
  const s = Number(x.toPrecision(6)).toString();
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

function matrixTex(M: Float64Array, n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: n }, (_, j) => numberTex(M[i * n + j]!)).join(' & '));
  return `\\begin{pmatrix} ${rows.join(' \\\\ ')} \\end{pmatrix}`;
}

/**
 * The local Gaussian solution: a minimum θ* of V (Newton, `minimizeLoss`), A and D of the model at θ*,
 * and the stationary covariance C of the linearised process, A C + C Aᵀ = 2D (numeric/lyapunov.ts).
 */
export function localGaussian(model: LangevinModel, opts: LocalGaussianOptions = {}): LocalGaussian {
  checkModel(model, 'localGaussian');
  const n = model.n;
  const min = minimizeLoss(model, opts);
  const symbols = opts.symbols ?? {};
  symbolValues(model, [...model.A.flat(), ...model.diffusion.flat()].filter((e) => e !== ZERO), symbols);
  const at = model.at(min.theta, symbols);
  const sol = lyapunov(at.A, at.D);
  const C = sol.C;
  const N = 2 * n;
  const thetaTheta = block(C, n, 0, 0);
  const thetaVelocity = block(C, n, 0, n);
  const velocityVelocity = block(C, n, n, n);
  return {
    n,
    theta: min.theta,
    gradientNorm: min.gradientNorm,
    iterations: min.iterations,
    minPivot: min.minPivot,
    A: at.A,
    D: at.D,
    Sigma: at.Sigma,
    H: at.H,
    C,
    thetaTheta,
    thetaVelocity,
    velocityVelocity,
    relResidual: sol.relResidual,
    latex() {
      const mean = `\\begin{pmatrix} ${[...Array.from(min.theta, numberTex), ...Array.from({ length: n }, () => '0')].join(' \\\\ ')} \\end{pmatrix}`;
      return `\\begin{pmatrix} \\theta \\\\ v \\end{pmatrix} \\sim \\mathcal{N}\\left(${mean}, ${matrixTex(C, N)}\\right)`;
    },
    summary() {
      return (
        `local Gaussian at the minimum θ* = ${fmt(min.theta)} (Newton: ${min.iterations} iterations, ‖∇V‖ = ${min.gradientNorm.toExponential(2)}): ` +
        `C_θθ = ${fmt(thetaTheta)}, C_vv = ${fmt(velocityVelocity)} (Lyapunov residual ${sol.relResidual.toExponential(2)})`
      );
    },
  };
}


