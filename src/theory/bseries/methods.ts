/**
 * Integrators described by data, for the modified-equation routine (./modified-equation.ts).
 *
 * Normalisation (GNI §III.1): a B-series map is B(a, θ) = a(∅) θ + Σ_t h^{|t|} a(t)/σ(t) F(t), with F(t) the
 * elementary differentials of θ̇ = f(θ) (./trees.ts).
 *
 * Two kinds of method:
 *
 *  - a one-step method Φ_h(θ) = B(a, θ), a(∅) = 1, given by its coefficients a(t) per tree — the exact flow
 *    (a(t) = 1/γ(t), GNI Thm. III.1.3), explicit Euler (a = δ_•), any Runge–Kutta tableau (a(t) = Σ_i b_i u_i(t),
 *    GNI Thm. III.1.4);
 *  - a linear multistep method Σ_i α_i θ_{n+i} = h Σ_i β_i f(θ_{n+i}), given by its characteristic
 *    coefficients (α_i, β_i) per step offset i, and read on its underlying one-step method
 *    (GNI §XV.2: θ_{n+i} = φ_{ih}(θ_n) for the flow φ of the modified field). Heavy-ball momentum
 *    θ_{n+1} − (1+β)θ_n + βθ_{n−1} = h f(θ_n) is one (docs/theory/eom.md, "Heavy-ball momentum").
 */
import { InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';
import { type CoefficientRing, RATIONALS } from './ring.ts';
import { type RootedTree, LEAF } from './trees.ts';

export interface OneStepMethod<C> {
  readonly kind: 'one-step';
  readonly name: string;
  readonly ring: CoefficientRing<C>;
  /** a(t) of Φ_h = B(a, ·) for a non-empty tree t (a(∅) = 1) */
  coefficient(t: RootedTree): C;
}

/** One term c · θ_{n+offset} (or c · h f(θ_{n+offset})) of a multistep relation. */
export interface StepWeight<C> {
  readonly offset: number;
  readonly weight: C;
}

export interface LinearMultistepMethod<C> {
  readonly kind: 'multistep';
  readonly name: string;
  readonly ring: CoefficientRing<C>;
  /** α_i: Σ_i α_i θ_{n+i} … */
  readonly alpha: readonly StepWeight<C>[];
  /** β_i: … = h Σ_i β_i f(θ_{n+i}) */
  readonly beta: readonly StepWeight<C>[];
}

export type BSeriesMethod<C> = OneStepMethod<C> | LinearMultistepMethod<C>;

/** The exact time-h flow of θ̇ = f: a(t) = 1/γ(t). Its modified equation is θ̇ = f. */
export const exactFlowMethod: OneStepMethod<Rational> = {
  kind: 'one-step',
  name: 'exact flow',
  ring: RATIONALS,
  coefficient: (t) => Rational.of(1n, t.density),
};

/** Explicit Euler θ_{n+1} = θ_n + h f(θ_n) (gradient descent for f = −∇L): a = δ_•. */
export const explicitEulerMethod: OneStepMethod<Rational> = {
  kind: 'one-step',
  name: 'explicit Euler',
  ring: RATIONALS,
  coefficient: (t) => (t === LEAF ? Rational.ONE : Rational.ZERO),
};

/** A Butcher tableau: stages Y_i = θ + h Σ_j A_ij f(Y_j), θ_{n+1} = θ + h Σ_i b_i f(Y_i). */
export interface ButcherTableau {
  readonly A: readonly (readonly Rational[])[];
  readonly b: readonly Rational[];
}

/**
 * A Runge–Kutta method as B-series data (GNI Thm. III.1.4): with u_i(•) = 1, u_i([t_1..t_m]) = Π_k g_i(t_k) the
 * coefficients of h f(Y_i), and g_i(t) = Σ_j A_ij u_j(t) those of the stage Y_i, a(t) = Σ_i b_i u_i(t).
 * The formula holds for implicit tableaux too (the children of t are smaller than t), as formal B-series.
 */
export function rungeKuttaMethod(name: string, tableau: ButcherTableau): OneStepMethod<Rational> {
  const s = tableau.b.length;
  if (s < 1) throw new InputError(`rungeKuttaMethod(${name}): the tableau needs at least one stage (b is empty)`);
  if (tableau.A.length !== s || tableau.A.some((row) => row.length !== s)) {
    throw new InputError(`rungeKuttaMethod(${name}): A must be ${s}×${s} to match b (${s} stages)`);
  }
  const memo = new Map<RootedTree, readonly Rational[]>();
  /** u(t) = (u_1(t), …, u_s(t)) */
  const u = (t: RootedTree): readonly Rational[] => {
    const hit = memo.get(t);
    if (hit) return hit;
    const out: Rational[] = [];
    for (let i = 0; i < s; i++) {
      let p = Rational.ONE;
      for (const c of t.children) {
        const uc = u(c);
        let g = Rational.ZERO;
        for (let j = 0; j < s; j++) g = g.add(tableau.A[i]![j]!.mul(uc[j]!));
        p = p.mul(g);
      }
      out.push(p);
    }
    memo.set(t, out);
    return out;
  };
  return {
    kind: 'one-step',
    name,
    ring: RATIONALS,
    coefficient: (t) => u(t).reduce((acc, ui, i) => acc.add(tableau.b[i]!.mul(ui)), Rational.ZERO),
  };
}

const q = (p: number, r = 1): Rational => Rational.of(p, r);

/** The explicit midpoint rule θ_{n+1} = θ_n + h f(θ_n + h/2 f(θ_n)). */
export const explicitMidpointMethod: OneStepMethod<Rational> = rungeKuttaMethod('explicit midpoint', {
  A: [
    [q(0), q(0)],
    [q(1, 2), q(0)],
  ],
  b: [q(0), q(1)],
});

/** Heun's method θ_{n+1} = θ_n + h/2 (f(θ_n) + f(θ_n + h f(θ_n))). */
export const heunMethod: OneStepMethod<Rational> = rungeKuttaMethod('Heun', {
  A: [
    [q(0), q(0)],
    [q(1), q(0)],
  ],
  b: [q(1, 2), q(1, 2)],
});

/** A linear multistep method Σ_i α_i θ_{n+i} = h Σ_i β_i f(θ_{n+i}) (integer offsets i, any sign). */
export function linearMultistepMethod<C>(
  name: string,
  ring: CoefficientRing<C>,
  alpha: readonly StepWeight<C>[],
  beta: readonly StepWeight<C>[],
): LinearMultistepMethod<C> {
  for (const { offset } of [...alpha, ...beta]) {
    if (!Number.isSafeInteger(offset)) throw new InputError(`linearMultistepMethod(${name}): step offsets must be integers, got ${offset}`);
  }
  if (alpha.length === 0) throw new InputError(`linearMultistepMethod(${name}): α is empty`);
  return { kind: 'multistep', name, ring, alpha, beta };
}

/**
 * Heavy-ball momentum θ_{n+1} = θ_n + h f(θ_n) + β(θ_n − θ_{n−1}) as a two-step method:
 * α = (β, −(1+β), 1) at offsets (−1, 0, 1), β_0 = 1. `beta` is an element of `ring` (a rational, or the
 * symbolic β in the ring of theory/eom/momentum-bseries.ts).
 */
export function heavyBallMethod<C>(ring: CoefficientRing<C>, beta: C): LinearMultistepMethod<C> {
  return linearMultistepMethod(
    'heavy-ball',
    ring,
    [
      { offset: -1, weight: beta },
      { offset: 0, weight: ring.neg(ring.add(ring.one, beta)) },
      { offset: 1, weight: ring.one },
    ],
    [{ offset: 0, weight: ring.one }],
  );
}
