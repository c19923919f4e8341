/**
 * The coefficient arithmetic of a B-series. Coefficients are exact: rationals for a method with numeric
 * parameters (explicit Euler, a Runge–Kutta tableau, heavy-ball with a given β), or elements of a larger
 * exact ring when a parameter stays symbolic (heavy-ball's β: Laurent polynomials in u = 1/(1−β), see
 * theory/eom/momentum-bseries.ts). The modified-equation routine (./modified-equation.ts) only needs these
 * operations, and one inverse: of the method's leading weight Σ_i α_i i (1 for a one-step method).
 */
import { InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';

export interface CoefficientRing<C> {
  /** a short description, used in error messages */
  readonly name: string;
  readonly zero: C;
  readonly one: C;
  add(a: C, b: C): C;
  mul(a: C, b: C): C;
  neg(a: C): C;
  /** Σ xs (a ring may sum many terms more cheaply than by repeated `add`) */
  sum(xs: readonly C[]): C;
  /** a · q for an exact rational q */
  scale(a: C, q: Rational): C;
  isZero(a: C): boolean;
  /** 1/a; an InputError when a has no inverse in the ring */
  inverse(a: C): C;
}

/** ℚ with exact `Rational` arithmetic. */
export const RATIONALS: CoefficientRing<Rational> = {
  name: 'the rationals',
  zero: Rational.ZERO,
  one: Rational.ONE,
  add: (a, b) => a.add(b),
  mul: (a, b) => a.mul(b),
  neg: (a) => a.neg(),
  sum: (xs) => xs.reduce((s, x) => s.add(x), Rational.ZERO),
  scale: (a, q) => a.mul(q),
  isZero: (a) => a.isZero(),
  inverse: (a) => {
    if (a.isZero()) throw new InputError('cannot invert 0 in the rationals: the method is not consistent (Σ α_i i = 0)');
    return a.inv();
  },
};
