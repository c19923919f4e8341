/**
 * Stochastic modified equations of SGD (Li, Tai & E, "Stochastic modified equations and adaptive
 * stochastic gradient algorithms", ICML 2017 / JMLR 2019), built on the EoM layer's counter terms
 * (docs/theory/eom.md, "Counter term" and "Heavy-ball momentum") and the noise model of
 * docs/theory/langevin.md ("Discrete update").
 *
 * SGD without momentum: θ_{k+1} = θ_k − η(∇V(θ_k) + ε_k), V = L + (λ/2)‖θ‖², E ε = 0, Cov ε = cΣ(θ)
 * (c = 1/S, or (N−S)/(S(N−1)) without replacement). Its weak order-2 modified equation is the Itô SDE
 *
 *     dθ = [f_1 + η f_2] dt + (η c Σ(θ))^{1/2} dW,   f_1 + η f_2 = −∇V − (η/2) H_V ∇V = −∇(V + (η/4)‖∇V‖²).
 *
 * Derivation (why the drift is exactly the EoM's and the noise adds no drift at this order, even for a
 * θ-dependent Σ). Weak order 2 needs one step's first two moments to agree to O(η³) (higher moments of
 * both are O(η³)). For the SDE dθ = b dt + σ dW with generator 𝓛φ = b·∇φ + ½ σσᵀ:∇²φ, the Itô–Taylor
 * expansion of one step of length η gives
 *     E[Δ] = η b + (η²/2) 𝓛b + O(η³),   𝓛b = (∇b) b + ½ σσᵀ:∇²b,
 *     E[Δ Δᵀ] = η σσᵀ + η² b bᵀ + O(η³)        (when σσᵀ = O(η)).
 * With b = b_0 + η b_1 and σσᵀ = η a: E[Δ] = η b_0 + η²(b_1 + ½(∇b_0)b_0) + (η³/4) a:∇²b_0 + …, so the
 * noise enters the mean only at O(η³) — there is no noise-induced drift at weak order 2 in the Itô form;
 * matching SGD's E Δ = −η∇V gives b_0 = −∇V and b_1 = −½ H_V∇V = f_2 (the first EoM counter term), and
 * matching E ΔΔᵀ = η²(∇V∇Vᵀ + cΣ) gives a = cΣ(θ), θ-dependence included. (In the Stratonovich form the
 * same process has the drift b − ½ Σ_k σ_{·k}·∇σ_{·k}, an O(η) term: that is where a "noise-induced
 * drift" of a θ-dependent Σ appears; it is an artefact of the interpretation, not a correction.) The
 * first noise-induced correction of the Itô drift is (η²/4)∇³V[cΣ] at weak order 3, where the Gaussian
 * SDE must also match the third cumulant of ε, which it cannot in general. For Gaussian ε (κ₃ = 0) the
 * same matching one order further (first moment to η³, second to η³, third to η³) gives the weak
 * order-3 equation (`{ order: 3 }`, β = 0), with Σ̃ = cΣ:
 *     b = f_1 + η f_2 + η² (f_3 + ¼ ∇³V[Σ̃]),
 *     σσᵀ = η Σ̃ + (η²/2) (H_V Σ̃ + Σ̃ H_V + (∇V·∇) Σ̃)
 * (the η³ term of E Δ = ηb + (η²/2)𝓛b + (η³/6)𝓛²b + … is b_2 + ½((∇b_0)b_1 + (∇b_1)b_0) + ⅙(b_0·∇)²b_0
 * + ¼ Σ̃:∇²b_0, whose Σ̃-free part vanishes for b_2 = f_3 as in the EoM, leaving ¼ Σ̃:∇²b_0 = −¼∇³V[Σ̃]
 * to cancel; the η³ term of E ΔΔᵀ is a_1 + ½((b_0·∇)Σ̃ + (∇b_0)Σ̃ + Σ̃(∇b_0)ᵀ) with b_0 = −∇V). As a
 * formal series in η the diffusion matrix is positive semi-definite only for small enough η.
 *
 * With heavy-ball momentum β the first-order reduction of the underdamped model on the slow manifold is
 *     dθ = [F_0 + η F_1] dt + (1/(1−β)) (η c Σ(θ))^{1/2} dW,
 *     F_0 + ηF_1 = −∇V/(1−β) − η(1+β)/(2(1−β)³) H_V∇V = −∇[V + η(1+β)/(4(1−β)²)‖∇V‖²]/(1−β),
 * the drift from the heavy-ball series of the EoM layer; the noise of every step accumulates in the
 * velocity as ε/(1−β) over the ~1/(1−β) steps it persists, which gives the diffusion ηcΣ/(1−β)²
 * (leading order; the model's underdamped form keeps the velocity, model.ts).
 */
import { InputError } from '../../errors.ts';
import { type Expr, type Loss, type Sym, ONE, ZERO, Rational, add, diff, evaluate, gradient, hessian, mul, pow, scale, sub, subs, sum, toLatex, matrixLatex, vectorLatex } from '../../symbolic/index.ts';
import { counterTerms } from '../eom/counter-terms.ts';
import { BETA, heavyBallSeries } from '../eom/momentum.ts';
import { ETA } from '../eom/instantiate.ts';
import { type Hyper, type NoiseSpec, type SgdHyper, momentumModifiedLoss, noiseCovariance, normalizeHyper } from './model.ts';
import { type ZeroDecision, decideZero } from './zero-test.ts';

export interface SmeOptions {
  /** weak order: 2 (default) or 3 (SGD without momentum; exact for Gaussian gradient noise) */
  order?: 2 | 3;
}

export interface StochasticModifiedEquation {
  readonly loss: Loss;
  readonly hyper: Hyper;
  /** V = L + (λ/2)‖θ‖² */
  readonly potential: Expr;
  /** the modified loss Ṽ = V + η(1+β)/(4(1−β)²)‖∇V‖² (β = 0: V + (η/4)‖∇V‖²) */
  readonly modifiedLoss: Expr;
  /** the Itô drift: f_1 + η f_2 (β = 0) or F_0 + η F_1 (β > 0), from the EoM layer's series; order 3 adds η²(f_3 + ¼∇³V[cΣ]) */
  readonly drift: readonly Expr[];
  /** the noise-induced part of the Itô drift: zero at weak order 2, (η²/4)∇³V[cΣ] at weak order 3 */
  readonly noiseInducedDrift: readonly Expr[];
  /** the diffusion matrix σσᵀ = η c Σ(θ)/(1−β)² (dθ = drift dt + σ dW); order 3 adds (η²/2)(HcΣ + cΣH + (∇V·∇)cΣ) */
  readonly diffusion: readonly (readonly Expr[])[];
  /** Σ(θ) of one example */
  readonly sigma: readonly (readonly Expr[])[];
  /** the O(η) drift f_1 + ηf_2 (F_0 + ηF_1) equals −∇Ṽ/(1−β), decided by the zero test (checked, not assumed) */
  readonly gradientForm: ZeroDecision;
  /** what is matched: weak order 2 (β = 0), weak order 3 for Gaussian noise (`order: 3`), or the first-order reduction (β > 0) */
  readonly order: string;
  /** drift and diffusion in float64 at θ (symbols by name) */
  at(theta: ArrayLike<number>, symbols?: Readonly<Record<string, number>>): { drift: Float64Array; diffusion: Float64Array };
  /** the SDE in LaTeX (KaTeX strict-valid) */
  latex(): { sde: string; modifiedLoss: string };
}

/** A loss with V = L + (λ/2)‖θ‖² as its expression (the EoM layer works on the expression and the parameters). */
function regularised(L: Loss, h: Hyper): Loss {
  if (h.weightDecay === ZERO) return L;
  const V = add(L.expr, mul(scale(h.weightDecay, Rational.HALF), sum(L.params.map((p) => pow(p, 2)))));
  return { ...L, expr: V, formula: `${L.formula} + (λ/2)‖θ‖²` };
}

function texOf(e: Expr): string {
  return toLatex(e).replace(/η/g, '\\eta ').replace(/β/g, '\\beta ');
}

/**
 * The stochastic modified equation of SGD (with momentum: its first-order reduction) on the loss L with
 * the settings `hyper` and the gradient noise `noise` (see the module comment for the derivation).
 */
export function stochasticModifiedEquation(L: Loss, hyper: SgdHyper, noise: NoiseSpec, opts: SmeOptions = {}): StochasticModifiedEquation {
  if (!L || !Array.isArray(L.params)) throw new InputError('stochasticModifiedEquation: the first argument must be a Loss (see loss())');
  const weakOrder = opts.order ?? 2;
  if (weakOrder !== 2 && weakOrder !== 3) throw new InputError(`the weak order must be 2 or 3 (got ${String(opts.order)})`);
  const h = normalizeHyper(hyper);
  if (weakOrder === 3 && h.beta !== ZERO) throw new InputError('the weak order-3 equation is derived for SGD without momentum (beta = 0); with momentum use order 2 (the first-order reduction)');
  const Lv = regularised(L, h);
  const params = L.params;
  const n = params.length;
  const sigma = noiseCovariance(L, noise, hyper);
  const noMomentum = h.beta === ZERO;
  let drift: Expr[];
  if (noMomentum) {
    // f_1 + η f_2 of gradient descent's modified equation (the EoM counter term ξ_1 = −f_2)
    drift = counterTerms(Lv, 2).field(1).map((x) => subs(x, new Map([[ETA, h.eta]])));
  } else {
    const betaArg = h.beta.kind === 'num' ? h.beta.value : undefined;
    const series = heavyBallSeries(Lv, 2, betaArg === undefined ? {} : { beta: betaArg });
    const map = new Map<Sym, Expr>([[ETA, h.eta]]);
    if (betaArg === undefined) map.set(BETA, h.beta);
    drift = series.field(2).map((x) => subs(x, map));
  }
  const friction = sub(ONE, h.beta);
  const modified = momentumModifiedLoss(L, h);
  // −∇Ṽ/(1−β), compared with the series' drift
  const gradTilde = params.map((p) => mul(scale(pow(friction, -1), -1), diff(modified, p)));
  const gradientForm = firstNonZero(drift.map((d, i) => decideZero(sub(d, gradTilde[i]!), { state: params, ranges: rangesOf(h) })));
  const factor = mul(h.eta, h.noiseFactor, pow(friction, -2));
  let diffusion = sigma.map((row) => row.map((s) => (s === ZERO ? ZERO : mul(factor, s))));
  let noiseInducedDrift: Expr[] = params.map(() => ZERO);
  if (weakOrder === 3) {
    // drift + η²(f_3 + ¼∇³V[cΣ]), diffusion ηcΣ + (η²/2)(H cΣ + cΣ H + (∇V·∇)(cΣ)) (module comment)
    const third = counterTerms(Lv, 3).f[2]!.map((x) => subs(x, new Map([[ETA, h.eta]])));
    const cSigma = sigma.map((row) => row.map((x) => (x === ZERO ? ZERO : mul(h.noiseFactor, x))));
    const HV = hessian(Lv.expr, params);
    const gV = gradient(Lv.expr, params);
    const eta2 = pow(h.eta, 2);
    noiseInducedDrift = params.map((pi) =>
      mul(eta2, scale(sum(HV.flatMap((row, j) => row.map((hjk, k) => (cSigma[j]![k]! === ZERO ? ZERO : mul(diff(hjk, pi), cSigma[j]![k]!))))), Rational.of(1, 4))),
    );
    drift = drift.map((d, i) => add(d, mul(eta2, third[i]!), noiseInducedDrift[i]!));
    const HS = HV.map((row, i) => params.map((_, k) => sum(row.map((hij, j) => mul(hij, cSigma[j]![k]!)))));
    diffusion = diffusion.map((row, i) =>
      row.map((dij, j) => {
        const transport = sum(params.map((p, k) => mul(gV[k]!, diff(cSigma[i]![j]!, p))));
        return add(dij, mul(scale(eta2, Rational.HALF), add(HS[i]![j]!, HS[j]![i]!, transport)));
      }),
    );
  }
  const order =
    weakOrder === 3
      ? 'weak order 3 for Gaussian gradient noise: one step’s first three moments agree with SGD’s to O(η⁴) (non-Gaussian noise adds −η³κ₃ to the third moment, which no Gaussian SDE matches)'
      : noMomentum
        ? 'weak order 2 (Li, Tai & E): one step’s first two moments agree with SGD’s to O(η³)'
        : 'first-order reduction of the momentum model on the slow manifold: drift to O(η) (F_0 + ηF_1), diffusion to leading order';
  return {
    loss: L,
    hyper: h,
    potential: Lv.expr,
    modifiedLoss: modified,
    drift,
    noiseInducedDrift,
    diffusion,
    sigma,
    gradientForm,
    order,
    at(theta, symbols = {}) {
      if (theta.length !== n) throw new InputError(`the point θ has ${theta.length} entries, expected ${n}`);
      const env: Record<string, number> = { ...symbols };
      params.forEach((p, i) => (env[p.name] = theta[i]!));
      return {
        drift: Float64Array.from(drift, (e) => evaluate(e, env)),
        diffusion: Float64Array.from(diffusion.flat(), (e) => evaluate(e, env)),
      };
    },
    latex() {
      const th = vectorLatex(params);
      const inv = pow(friction, -1);
      const amp = mul(inv, pow(mul(h.eta, h.noiseFactor), Rational.HALF));
      const head = inv === ONE ? '-' : `-${wrap(texOf(inv))}`;
      const sde = `d${th} = ${head}\\nabla_{\\theta}\\tilde{V}\\,dt + ${wrap(texOf(amp))}${matrixLatex(sigma).replace(/η/g, '\\eta ')}^{1/2}\\,dW_t`;
      return { sde, modifiedLoss: `\\tilde{V} = ${texOf(modified)}` };
    },
  };
}

function wrap(s: string): string {
  return /^[\w\\{} ]+$/.test(s) || /^-?\\frac\{[^{}]*\}\{[^{}]*\}$/.test(s) ? s : `\\left(${s}\\right)`;
}

function firstNonZero(ds: readonly ZeroDecision[]): ZeroDecision {
  return ds.find((d) => !d.zero) ?? ds[ds.length - 1]!;
}

function rangesOf(h: Hyper): Map<Sym, 'unit' | 'momentum'> {
  const r = new Map<Sym, 'unit' | 'momentum'>();
  if (h.eta.kind === 'sym') r.set(h.eta, 'unit');
  if (h.beta.kind === 'sym') r.set(h.beta, 'momentum');
  return r;
}
