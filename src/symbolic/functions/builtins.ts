/**
 * The built-in elementary functions: one entry each, carrying every form of the function (see
 * registry.ts). Adding a function means adding one `defineFunction` call here (or in a user's script).
 *
 * This module imports the expression core, and the core imports this module (so that the built-ins
 * exist whenever expressions do): nothing here may use the core while the module is being loaded —
 * only inside the entries' functions, which run later.
 */
import { InputError } from '../../errors.ts';
import {
  type Expr,
  HALF,
  MINUS_ONE,
  ONE,
  PI,
  TWO,
  ZERO,
  add,
  call,
  mul,
  neg,
  num,
  pow,
  scale,
  sub,
} from '../expr.ts';
import { Rational } from '../rational.ts';
import { EvaluationError, defineFunction, instantiateHelper } from './registry.ts';
import { ERFC_TS, ERF_TS, GELU_TS } from './special.ts';

/** σ(u) = 1/(1 + e^{−u}), stable on both sides. */
export function stableSigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const z = Math.exp(u);
  return z / (1 + z);
}

/** log(1 + e^u) without overflow or cancellation. */
export function stableSoftplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** The helpers of generated code for σ and softplus (the same formulas as the two functions above). */
const SIGMOID_TS = `/** σ(u) = 1/(1 + e^−u), stable for large |u|. */
function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const z = Math.exp(u);
  return z / (1 + z);
}`;
const SOFTPLUS_TS = `/** softplus(u) = log(1 + e^u), without overflow or cancellation. */
function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}`;

const SGN_MESSAGE = 'abs is not differentiable at 0: its derivative sgn(0) is undefined';
const SGN_TS = `/** sgn(u) = abs′(u) = ±1 for u ≠ 0; abs has no derivative at 0, so sgn(0) is an error, never a silent 0. */
function sgn(u: number): number {
  if (u > 0) return 1;
  if (u < 0) return -1;
  if (u === 0) throw new EvaluationError(${JSON.stringify(SGN_MESSAGE)});
  return u;
}`;

export const erfFloat = instantiateHelper<(x: number) => number>(`${ERFC_TS}\n${ERF_TS}`, 'erf');
export const erfcFloat = instantiateHelper<(x: number) => number>(ERFC_TS, 'erfc');
export const geluFloat = instantiateHelper<(x: number) => number>(`${ERFC_TS}\n${GELU_TS}`, 'gelu');

/** f(0) = value: the usual simplification of a function with a known value at 0. */
const atZero =
  (value: () => Expr) =>
  (u: Expr): Expr | undefined =>
    u === ZERO ? value() : undefined;

/** 2/√π, the factor of erf′ (π is the constant symbol PI). */
const twoOverSqrtPi = (): Expr => mul(TWO, pow(PI, Rational.of(-1, 2)));
/** 1/√(2π), the standard normal density's factor. */
const invSqrtTwoPi = (): Expr => mul(pow(TWO, Rational.of(-1, 2)), pow(PI, Rational.of(-1, 2)));
/** u²  */
const square = (u: Expr): Expr => pow(u, 2);

// ---------------------------------------------------------------------------
// The original seven

defineFunction({
  name: 'exp',
  description: 'the exponential e^u',
  derivative: (_u, self) => self,
  evaluate: Math.exp,
  simplify: (u) => (u === ZERO ? ONE : u.kind === 'call' && u.fn === 'log' ? u.arg : undefined),
  latex: '\\exp',
  code: { call: 'Math.exp' },
  tf: (tf, x) => tf.exp(x),
});

defineFunction({
  name: 'log',
  description: 'the natural logarithm (u > 0)',
  derivative: (u) => pow(u, -1),
  evaluate: Math.log,
  simplify: (u) => {
    if (u.kind === 'num') {
      if (u.value.isOne()) return ZERO;
      if (u.value.sign() <= 0) throw new InputError(`log of the non-positive number ${u.value}`);
    }
    return u.kind === 'call' && u.fn === 'exp' ? u.arg : undefined;
  },
  latex: '\\log',
  code: { call: 'Math.log' },
  tf: (tf, x) => tf.log(x),
});

defineFunction({
  name: 'sin',
  description: 'the sine',
  derivative: (u) => call('cos', u),
  evaluate: Math.sin,
  simplify: atZero(() => ZERO),
  latex: '\\sin',
  code: { call: 'Math.sin' },
  tf: (tf, x) => tf.sin(x),
});

defineFunction({
  name: 'cos',
  description: 'the cosine',
  derivative: (u) => scale(call('sin', u), -1),
  evaluate: Math.cos,
  simplify: atZero(() => ONE),
  latex: '\\cos',
  code: { call: 'Math.cos' },
  tf: (tf, x) => tf.cos(x),
});

defineFunction({
  name: 'tanh',
  description: 'the hyperbolic tangent',
  derivative: (u) => sub(ONE, pow(call('tanh', u), 2)),
  evaluate: Math.tanh,
  simplify: atZero(() => ZERO),
  latex: '\\tanh',
  code: { call: 'Math.tanh' },
  tf: (tf, x) => tf.tanh(x),
});

defineFunction({
  name: 'sigmoid',
  description: 'the logistic function σ(u) = 1/(1 + e^(−u))',
  derivative: (_u, self) => mul(self, sub(ONE, self)),
  evaluate: stableSigmoid,
  simplify: atZero(() => HALF),
  latex: '\\sigma',
  code: { helper: SIGMOID_TS },
  tf: (tf, x) => tf.sigmoid(x),
});

defineFunction({
  name: 'softplus',
  description: 'softplus(u) = log(1 + e^u)',
  derivative: (u) => call('sigmoid', u),
  evaluate: stableSoftplus,
  latex: '\\operatorname{softplus}',
  code: { helper: SOFTPLUS_TS },
  tf: (tf, x) => tf.softplus(x),
});

// ---------------------------------------------------------------------------
// Stable forms of log and exp near 0

defineFunction({
  name: 'log1p',
  description: 'log(1 + u) without cancellation for small u (u > −1)',
  derivative: (u) => pow(add(ONE, u), -1),
  evaluate: Math.log1p,
  simplify: (u) => {
    if (u.kind === 'num' && u.value.compare(Rational.MINUS_ONE) <= 0) throw new InputError(`log1p of ${u.value}: the argument must be greater than −1`);
    return u === ZERO ? ZERO : undefined;
  },
  latex: '\\operatorname{log1p}',
  code: { call: 'Math.log1p' },
  tf: (tf, x) => tf.log1p(x),
});

defineFunction({
  name: 'expm1',
  description: 'e^u − 1 without cancellation for small u',
  derivative: (u) => call('exp', u),
  evaluate: Math.expm1,
  simplify: atZero(() => ZERO),
  latex: '\\operatorname{expm1}',
  code: { call: 'Math.expm1' },
  tf: (tf, x) => tf.expm1(x),
});

// ---------------------------------------------------------------------------
// Hyperbolic and inverse trigonometric

defineFunction({
  name: 'sinh',
  description: 'the hyperbolic sine',
  derivative: (u) => call('cosh', u),
  evaluate: Math.sinh,
  simplify: atZero(() => ZERO),
  latex: '\\sinh',
  code: { call: 'Math.sinh' },
  tf: (tf, x) => tf.sinh(x),
});

defineFunction({
  name: 'cosh',
  description: 'the hyperbolic cosine',
  derivative: (u) => call('sinh', u),
  evaluate: Math.cosh,
  simplify: atZero(() => ONE),
  latex: '\\cosh',
  code: { call: 'Math.cosh' },
  tf: (tf, x) => tf.cosh(x),
});

defineFunction({
  name: 'atan',
  description: 'the inverse tangent',
  derivative: (u) => pow(add(ONE, square(u)), -1),
  evaluate: Math.atan,
  simplify: atZero(() => ZERO),
  latex: '\\arctan',
  code: { call: 'Math.atan' },
  tf: (tf, x) => tf.atan(x),
});

// ---------------------------------------------------------------------------
// The error function and GELU

defineFunction({
  name: 'erfc',
  description: 'the complementary error function 1 − erf(u)',
  derivative: (u) => neg(mul(twoOverSqrtPi(), call('exp', neg(square(u))))),
  evaluate: erfcFloat,
  simplify: atZero(() => ONE),
  latex: '\\operatorname{erfc}',
  code: { helper: ERFC_TS },
  // float32 (tfjs has no erfc): 1 − erf loses the tail, which float32 cannot hold anyway below ~1e-7
  tf: (tf, x) => tf.sub(1, tf.erf(x)),
});

defineFunction({
  name: 'erf',
  description: 'the error function 2/√π ∫₀ᵘ e^(−t²) dt',
  derivative: (u) => mul(twoOverSqrtPi(), call('exp', neg(square(u)))),
  evaluate: erfFloat,
  simplify: atZero(() => ZERO),
  latex: '\\operatorname{erf}',
  code: { helper: ERF_TS, uses: ['erfc'] },
  tf: (tf, x) => tf.erf(x),
});

defineFunction({
  name: 'gelu',
  description: 'the Gaussian error linear unit u·Φ(u) = u/2·(1 + erf(u/√2)) (exact, not the tanh approximation)',
  // GELU′(u) = Φ(u) + u·φ(u) = erfc(−u/√2)/2 + u·e^(−u²/2)/√(2π): Φ through erfc, not (1 + erf)/2, which
  // cancels to 0 for u ≪ 0 where Φ(u) is tiny but not negligible against u·φ(u)
  derivative: (u) =>
    add(
      mul(HALF, call('erfc', mul(neg(pow(TWO, Rational.of(-1, 2))), u))),
      mul(invSqrtTwoPi(), u, call('exp', mul(num(Rational.of(-1, 2)), square(u)))),
    ),
  evaluate: geluFloat,
  simplify: atZero(() => ZERO),
  latex: '\\operatorname{GELU}',
  code: { helper: GELU_TS, uses: ['erfc'] },
  tf: (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
});

// ---------------------------------------------------------------------------
// Absolute value and its derivative

defineFunction({
  name: 'sgn',
  description: 'the derivative of abs: ±1 for u ≠ 0, undefined at 0 (an error there, never a silent 0)',
  // sgn is constant where it is defined
  derivative: () => ZERO,
  evaluate: (u) => {
    if (u > 0) return 1;
    if (u < 0) return -1;
    if (u === 0) throw new EvaluationError(SGN_MESSAGE);
    return u;
  },
  simplify: (u) => {
    if (u.kind !== 'num') return undefined;
    const s = u.value.sign();
    if (s === 0) throw new InputError(SGN_MESSAGE);
    return s > 0 ? ONE : MINUS_ONE;
  },
  latex: '\\operatorname{sgn}',
  code: { helper: SGN_TS },
  // float32 batches cannot throw per element: 0/0 gives NaN at 0 (never a silent 0)
  tf: (tf, x) => tf.div(x, tf.abs(x)),
});

defineFunction({
  name: 'abs',
  description: 'the absolute value |u|; its derivative sgn(u) is undefined at 0',
  derivative: (u) => call('sgn', u),
  evaluate: Math.abs,
  simplify: (u) => {
    if (u.kind === 'num') return u.value.isNegative() ? num(u.value.neg()) : u;
    if (u.kind === 'call' && u.fn === 'abs') return u;
    // |c·m| = |c|·|m| is not canonical (abs would leave the call); |−m| = |m| is
    if (u.kind === 'mul' && u.coeff.isNegative()) return call('abs', neg(u));
    return undefined;
  },
  latex: { left: '\\left|', right: '\\right|' },
  code: { call: 'Math.abs' },
  tf: (tf, x) => tf.abs(x),
});

/** Names of the built-in functions (in definition order). */
export const BUILTIN_FUNCTION_NAMES = [
  'exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'log1p', 'expm1', 'sinh', 'cosh', 'atan', 'erfc', 'erf', 'gelu', 'sgn', 'abs',
] as const;
