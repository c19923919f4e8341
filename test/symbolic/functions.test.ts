import { InputError } from '../../src/errors.ts';
/**
 * The elementary functions added through the registry (erf, erfc, gelu, sinh, cosh, atan, log1p, expm1,
 * abs/sgn), each checked by a route independent of its entry:
 *  - float accuracy of erf, erfc, GELU against series summed here in exact BigInt fixed point (π by
 *    Machin's formula), in ulps;
 *  - derivatives against algebrite (parsed back and compared exactly after expansion), Richardson
 *    differences of the float functions, and exact identities (erf″ = −2u·erf′, sinh″ = sinh, …);
 *  - exact simplifications at 0, LaTeX under KaTeX strict, the text form re-parsed to the same object;
 *  - compile and emitModule against evaluate (the helpers bit-identical to evaluation), tfjs within float32;
 *  - abs: its derivative sgn is undefined at 0 and says so (evaluate, compile), never a silent sign(0).
 */
import katex from 'katex';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EvaluationError,
  PI,
  ZERO,
  ONE,
  abs,
  atan,
  call,
  cosh,
  diff,
  erf,
  erfFloat,
  erfc,
  erfcFloat,
  evaluate,
  expand,
  expm1,
  freeSymbols,
  gelu,
  geluFloat,
  gradient,
  hessian,
  log1p,
  mul,
  neg,
  num,
  parseExpr,
  pow,
  Rational,
  sgn,
  sinh,
  sym,
  toLatex,
  toText,
  type Expr,
} from '../../src/symbolic/index.ts';
import { compile, emitModule } from '../../src/codegen/index.ts';
import { compileTf } from '../../src/codegen/tfjs.ts';
import { mlpLoss } from '../../src/symbolic/index.ts';
import { algebriteDiff, richardson, rng } from './support.ts';

const x = sym('x');
const y = sym('y');

// ---------------------------------------------------------------------------
// Exact reference values: BigInt fixed point with B fractional bits

/** x as an exact fraction p / 2^k (every finite double is one). */
function dyadic(v: number): { p: bigint; k: bigint } {
  let k = 0;
  let w = v;
  while (!Number.isInteger(w)) {
    w *= 2; // exact
    k++;
  }
  return { p: BigInt(w), k: BigInt(k) };
}

/** atan(1/m)·2^B by its alternating series. */
function atanInv(m: bigint, B: bigint): bigint {
  let term = (1n << B) / m;
  let sum = term;
  const m2 = m * m;
  for (let n = 1n; term !== 0n; n++) {
    term /= m2;
    sum += (n % 2n === 1n ? -1n : 1n) * (term / (2n * n + 1n));
  }
  return sum;
}

/** π·2^B (Machin: π = 16 atan(1/5) − 4 atan(1/239)). */
function piFixed(B: bigint): bigint {
  const G = B + 16n;
  return (16n * atanInv(5n, G) - 4n * atanInv(239n, G)) >> 16n;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton from above decreases monotonically to floor(√n)
  let r = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const s = (r + n / r) >> 1n;
    if (s >= r) return r;
    r = s;
  }
}

/**
 * Σ_n (−1)^n x^(2n+1) / (n!·(2n+1)·c^n) · 2^B for x = p/2^k: the series of √π/2·erf(x) (c = 1) and of
 * √(π/2)·(2Φ(x) − 1)... scaled (c = 2: Σ (−1)^n x^(2n+1)/(2^n n! (2n+1))).
 */
function oddSeries(p: bigint, k: bigint, c: bigint, B: bigint): bigint {
  if (p < 0n) return -oddSeries(-p, k, c, B); // odd in x (and shifts of negatives would never reach 0)
  let term = (p << B) >> k; // x·2^B
  let sum = term;
  const p2 = p * p;
  for (let n = 1n; ; n++) {
    term = (term * p2) / (n * c) >> (2n * k);
    if (term === 0n && n > 4n) break;
    sum += (n % 2n === 1n ? -1n : 1n) * (term / (2n * n + 1n));
  }
  return sum;
}

/** F·2^−B as the nearest-ish double (64 significant bits kept, then one rounding). */
function toDouble(F: bigint, B: bigint): number {
  const neg = F < 0n;
  const a = neg ? -F : F;
  if (a === 0n) return 0;
  const bits = BigInt(a.toString(2).length);
  const shift = bits > 64n ? bits - 64n : 0n;
  const top = Number(a >> shift);
  const e = Number(shift - B);
  const h = Math.trunc(e / 2);
  const v = top * 2 ** h * 2 ** (e - h);
  return neg ? -v : v;
}

/** Exact erf(x), erfc(x) and GELU(x) = x·Φ(x) as doubles (rounded from ≥ 120 extra bits). */
function reference(v: number): { erf: number; erfc: number; gelu: number } {
  const { p, k } = dyadic(v);
  // bits: the cancellation of the series (~e^(x²)), the size of tiny x, and 200 to spare
  const B = BigInt(Math.ceil(2 * 1.4427 * v * v + 200 + Math.max(0, -Math.log2(Math.abs(v) || 1))));
  const pi = piFixed(B);
  const sqrtPi = isqrt(pi << B); // √π·2^B
  const one = 1n << B;
  const erfF = (2n * oddSeries(p, k, 1n, B) << B) / sqrtPi;
  // Φ(x) = 1/2 + (1/√(2π))·Σ (−1)^n x^(2n+1)/(2^n n!(2n+1))
  const sqrt2Pi = isqrt((2n * pi) << B);
  const phiF = one / 2n + (oddSeries(p, k, 2n, B) << B) / sqrt2Pi;
  return { erf: toDouble(erfF, B), erfc: toDouble(one - erfF, B), gelu: v * toDouble(phiF, B) };
}

/** |a − b| in units of the last place of b. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(b))) - 52);
  return Math.abs(a - b) / ulp;
}

describe('float accuracy against exact BigInt series', () => {
  it('the reference itself: π, erf(1), Φ at known values', () => {
    expect(toDouble(piFixed(200n), 200n)).toBe(Math.PI);
    // erf(1) = 0.8427007929497148693412206350826... (A&S 7.1), GELU(1) = Φ(1) = 0.841344746068542948585...
    expect(reference(1).erf).toBe(0.8427007929497149);
    expect(reference(1).gelu).toBe(0.8413447460685429);
    expect(reference(0.5).erfc).toBe(0.4795001221869535);
  });

  it('erf within 1 ulp, erfc within 3 ulps (normal range), on 260 seeded points over every branch', () => {
    const r = rng(20261129);
    const xs = [1e-300, 2 ** -30, 1e-9, 0.25, 0.84374, 0.84375, 1.2499, 1.25, 2.857, 2.8572, 5.99, 6, 20, 26];
    for (let i = 0; i < 120; i++) xs.push((r() - 0.5) * 12);
    for (let i = 0; i < 80; i++) xs.push(r() * 26.5);
    for (let i = 0; i < 40; i++) xs.push((r() - 0.5) * 2);
    let worstErf = 0;
    let worstErfc = 0;
    for (const v of xs) {
      const ref = reference(v);
      worstErf = Math.max(worstErf, ulps(erfFloat(v), ref.erf));
      worstErfc = Math.max(worstErfc, ulps(erfcFloat(v), ref.erfc));
    }
    expect(worstErf).toBeLessThanOrEqual(1);
    expect(worstErfc).toBeLessThanOrEqual(3);
  });

  it('GELU′ keeps its relative accuracy in the negative tail (Φ through erfc, no 1 + erf cancellation)', () => {
    const d = diff(gelu(x), x);
    for (const v of [-5, -10, -20]) {
      // Φ(u) + u·φ(u) from the exact series: Φ = GELU(u)/u
      const ref = reference(v).gelu / v + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI);
      expect(Math.abs(evaluate(d, { x: v }) - ref) / Math.abs(ref), `GELU′(${v})`).toBeLessThan(1e-12);
    }
  });

  it('GELU within 6 ulps from −37 to 8 (the negative tail has no cancellation)', () => {
    const r = rng(7);
    const xs = [-37, -30, -10, -1.7677669529663689, -1.7677669529663687, -1, -1e-8, 1e-8, 0.5, 3, 8];
    for (let i = 0; i < 100; i++) xs.push(-37 + r() * 45);
    let worst = 0;
    for (const v of xs) worst = Math.max(worst, ulps(geluFloat(v), reference(v).gelu));
    expect(worst).toBeLessThanOrEqual(6);
  });

  it('special values: symmetry, limits, NaN', () => {
    for (const v of [0.1, 0.9, 1.5, 3, 7]) {
      expect(erfFloat(-v)).toBe(-erfFloat(v));
      expect(erfcFloat(-v)).toBeCloseTo(2 - erfcFloat(v), 15);
    }
    expect(erfFloat(0)).toBe(0);
    expect(erfFloat(Infinity)).toBe(1);
    expect(erfFloat(-Infinity)).toBe(-1);
    expect(erfcFloat(Infinity)).toBe(0);
    expect(erfcFloat(-Infinity)).toBe(2);
    expect(erfcFloat(30)).toBe(0);
    expect(geluFloat(-50)).toBe(-0);
    expect(geluFloat(50)).toBe(50);
    expect(Number.isNaN(erfFloat(NaN)) && Number.isNaN(erfcFloat(NaN)) && Number.isNaN(geluFloat(NaN))).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Derivatives

/** Parse an algebrite result with the core (pi → π, arctan → atan). */
function fromAlgebrite(text: string): Expr {
  return parseExpr(text.replace(/arctan\(/g, 'atan('), { resolve: (n) => (n === 'pi' ? PI : sym(n)) });
}

describe('derivatives', () => {
  const cases: Array<[string, string]> = [
    // core syntax, algebrite syntax
    ['erf(x^2)*y', 'erf(x^2)*y'],
    ['erfc(x*y)', 'erfc(x*y)'],
    ['atan(x*y) + x', 'arctan(x*y) + x'],
    ['sinh(x^2)*cosh(y*x)', 'sinh(x^2)*cosh(y*x)'],
    ['log1p(x*y)', 'log(1 + x*y)'],
    ['expm1(x*y)*x', '(exp(x*y) - 1)*x'],
    ['abs(x)*y', 'abs(x)*y'],
    ['gelu(x)*y', 'x*(1+erf(x/sqrt(2)))/2*y'],
  ];

  it.each(cases)('∂/∂x and ∂²/∂x∂y of %s equal algebrite’s, exactly after expansion or at points', (core, alg) => {
    const f = parseExpr(core);
    for (const vars of [['x'], ['x', 'y']]) {
      let ours = f;
      let theirs = alg;
      for (const v of vars) {
        ours = diff(ours, sym(v));
        theirs = algebriteDiff(theirs, v);
      }
      const t = fromAlgebrite(theirs);
      if (expand(t) === expand(ours)) continue;
      // log1p/expm1/gelu are written differently by algebrite: compare values (x ≠ 0 for abs)
      for (const env of [{ x: 0.37, y: -1.3 }, { x: -1.1, y: 0.6 }, { x: 2.2, y: 0.25 }]) {
        const a = evaluate(ours, env);
        const b = evaluate(t, env);
        expect(Math.abs(a - b), `${core} ∂${vars.join('')} at ${JSON.stringify(env)}: ${toText(ours)} vs ${theirs}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(b)));
      }
    }
  });

  it('first and second derivatives agree with Richardson differences of the float functions', () => {
    const fns: Array<[(u: Expr) => Expr, (v: number) => number]> = [
      [erf, erfFloat],
      [erfc, erfcFloat],
      [gelu, geluFloat],
      [sinh, Math.sinh],
      [cosh, Math.cosh],
      [atan, Math.atan],
      [log1p, Math.log1p],
      [expm1, Math.expm1],
      [abs, Math.abs],
    ];
    for (const [F, f] of fns) {
      const e = F(mul(num(2), x));
      const d1 = diff(e, x);
      const d2 = diff(d1, x);
      for (const v of [-0.3, -0.15, 0.45, 1.1]) {
        const g = (env: Record<string, number>): number => f(2 * env.x!);
        const num1 = richardson(g, { x: v }, 'x');
        const num2 = richardson((env) => richardson(g, env, 'x', 4e-3), { x: v }, 'x', 4e-3);
        expect(Math.abs(evaluate(d1, { x: v }) - num1), `${toText(e)}′ at ${v}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(num1)));
        expect(Math.abs(evaluate(d2, { x: v }) - num2), `${toText(e)}″ at ${v}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(num2)));
      }
    }
  });

  it('exact identities: erf″ = −2u·erf′, sinh″ = sinh, cosh″ = cosh, expm1′ = expm1 + 1, erfc′ = −erf′', () => {
    const d = (e: Expr): Expr => diff(e, x);
    expect(d(d(erf(x)))).toBe(mul(num(-2), x, d(erf(x))));
    expect(d(d(sinh(x)))).toBe(sinh(x));
    expect(d(d(cosh(x)))).toBe(cosh(x));
    expect(expand(d(expm1(x)))).toBe(call('exp', x));
    expect(d(erfc(x))).toBe(neg(d(erf(x))));
    // atan′ = 1/(1 + u²), log1p′ = 1/(1 + u)
    expect(d(atan(x))).toBe(pow(parseExpr('1 + x^2'), -1));
    expect(d(log1p(x))).toBe(pow(parseExpr('1 + x'), -1));
    // GELU′(u) = Φ(u) + u·φ(u), written independently: Φ = erfc(−u/√2)/2, φ = e^(−u²/2)/√(2π)
    const Phi = parseExpr('erfc(-x/sqrt(2))/2');
    const phi = mul(parseExpr('exp(-x^2/2)/sqrt(2)'), pow(PI, Rational.of(-1, 2)));
    const geluPrime = expand(parseExpr('p + x*q', { resolve: (n) => (n === 'p' ? Phi : n === 'q' ? phi : sym(n)) }));
    expect(expand(d(gelu(x)))).toBe(geluPrime);
  });

  it('π is a constant: it is not a free symbol, evaluates to Math.PI, prints as π and \\pi', () => {
    const e = diff(erf(x), x);
    expect(freeSymbols(e)).toEqual([x]);
    expect(evaluate(e, { x: 0 })).toBe(2 / Math.sqrt(Math.PI));
    expect(toText(e)).toBe('2*exp(-x^2)/π^(1/2)');
    expect(parseExpr(toText(e))).toBe(e);
    expect(toLatex(e)).toContain('\\pi');
  });
});

// ---------------------------------------------------------------------------
// Simplification, printing, parsing

describe('simplification, text and LaTeX', () => {
  it('values at 0 and obvious rules', () => {
    for (const f of ['erf', 'sinh', 'atan', 'log1p', 'expm1', 'gelu']) expect(parseExpr(`${f}(0)`), f).toBe(ZERO);
    expect(parseExpr('cosh(0)')).toBe(ONE);
    expect(parseExpr('erfc(0)')).toBe(ONE);
    expect(parseExpr('abs(-3/4)')).toBe(num(Rational.of(3, 4)));
    expect(parseExpr('abs(-2*x*y)')).toBe(parseExpr('abs(2*x*y)'));
    expect(abs(abs(x))).toBe(abs(x));
    expect(sgn(num(-5))).toBe(num(-1));
    expect(() => parseExpr('log1p(-1)')).toThrow(InputError);
    expect(() => sgn(ZERO)).toThrow(/abs is not differentiable at 0/);
  });

  const exprs = [
    'erf(x^2)*y',
    'erfc(x)^2 + gelu(x*y)',
    'abs(x - y)^3 + abs(x)',
    'atan(x)^2/cosh(y)',
    'sinh(x)*log1p(x^2) - expm1(y)/2',
    'gelu(x)/abs(y)',
  ];

  it.each(exprs)('%s: the text form re-parses to the same object, for it and its first two derivatives', (src) => {
    const f = parseExpr(src);
    for (const e of [f, diff(f, x), diff(diff(f, x), y)]) expect(parseExpr(toText(e))).toBe(e);
  });

  it.each(exprs)('%s: LaTeX of it and its derivatives renders in KaTeX strict mode', (src) => {
    const f = parseExpr(src);
    for (const e of [f, diff(f, x), diff(diff(f, x), x)]) {
      const tex = toLatex(e);
      expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex).not.toThrow();
    }
  });

  it('specific LaTeX', () => {
    expect(toLatex(parseExpr('erf(x)'))).toBe('\\operatorname{erf}\\left(x\\right)');
    expect(toLatex(parseExpr('abs(x)^2'))).toBe('\\left|x\\right|^{2}');
    expect(toLatex(parseExpr('sinh(x)^2'))).toBe('\\sinh^{2}\\left(x\\right)');
    expect(toLatex(parseExpr('atan(x)'))).toBe('\\arctan\\left(x\\right)');
    expect(toLatex(diff(erf(x), x))).toBe('\\frac{2 \\exp\\left(-x^{2}\\right)}{\\sqrt{\\pi}}');
  });
});

// ---------------------------------------------------------------------------
// abs at 0

describe('abs: the derivative is undefined at 0', () => {
  const L = parseExpr('abs(x) + x^2*y');
  const g = gradient(L, [x, y]);

  it('evaluate of the gradient at x = 0 raises an EvaluationError naming abs′ at 0', () => {
    expect(evaluate(g[0]!, { x: 0.5, y: 1 })).toBe(2);
    expect(evaluate(g[0]!, { x: -0.5, y: 1 })).toBe(-2);
    expect(() => evaluate(g[0]!, { x: 0, y: 1 })).toThrow(EvaluationError);
    expect(() => evaluate(g[0]!, { x: 0, y: 1 })).toThrow(/abs is not differentiable at 0: its derivative sgn\(0\) is undefined/);
    // the value itself is fine at 0
    expect(evaluate(L, { x: 0, y: 1 })).toBe(0);
  });

  it('compiled code raises the same InputError at 0; the module declares the error class', () => {
    const c = compile({ g }, [x, y]);
    const out = new Float64Array(2);
    c.fn(Float64Array.of(-0.25, 2), out);
    expect([...out]).toEqual([-2, 0.0625]);
    expect(() => c.fn(Float64Array.of(0, 2), out)).toThrow(EvaluationError);
    expect(() => c.fn(Float64Array.of(0, 2), out)).toThrow(/abs is not differentiable at 0/);
    const src = emitModule({ g }, [x, y]);
    expect(src).toContain('class EvaluationError extends Error {}');
    expect(src).toContain('function sgn(u: number): number');
  });
});

// ---------------------------------------------------------------------------
// Codegen

describe('codegen of the new functions', () => {
  const L = parseExpr('gelu(x*y) + erf(x)^2*abs(y) + atan(x - y) + sinh(x)*cosh(y) + log1p(x^2) + expm1(-y^2)/3 + erfc(x + y)');
  const params = [x, y];
  const g = gradient(L, params);
  const H = hessian(L, params);

  it('compile and the emitted module agree with evaluate (gradient, Hessian) at 40 seeded points', () => {
    const c = compile({ L, g, H }, params);
    const out = new Float64Array(c.outputSize);
    const src = emitModule({ L, g, H }, params, { name: 'special' });
    // the TypeScript module, its types stripped, run as a function
    const js = src.replace(/^export const specialLayout[\s\S]*?as const;\n/m, '').replace(/export function/, 'function').replace(/: number/g, '').replace(/: Float64Array/g, '').replace(/\): void/g, ')').replace(/\]!/g, ']');
    const mod = new Function(`${js}\nreturn special;`)() as (t: Float64Array, o: Float64Array) => void;
    const out2 = new Float64Array(c.outputSize);
    const r = rng(11);
    for (let i = 0; i < 40; i++) {
      const env = { x: (r() - 0.5) * 6, y: (r() - 0.5) * 6 };
      const theta = Float64Array.of(env.x, env.y);
      c.fn(theta, out);
      mod(theta, out2);
      const ref = [evaluate(L, env), ...g.map((e) => evaluate(e, env)), ...H.flat().map((e) => evaluate(e, env))];
      ref.forEach((v, k) => {
        expect(Math.abs(out[k]! - v), `component ${k} at ${JSON.stringify(env)}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
        expect(out2[k]).toBe(out[k]);
      });
    }
  });

  it('the generated helpers are the evaluation functions, bit for bit', () => {
    const u = sym('u');
    const c = compile({ v: [erf(u), erfc(u), gelu(u)] }, [u]);
    const out = new Float64Array(3);
    const r = rng(3);
    for (let i = 0; i < 300; i++) {
      const v = (r() - 0.5) * 60;
      c.fn(Float64Array.of(v), out);
      expect([...out]).toEqual([erfFloat(v), erfcFloat(v), geluFloat(v)]);
    }
  });

  it('stable forms: log1p and expm1 keep full precision at 1e-12 in generated code', () => {
    const c = compile({ v: [log1p(x), expm1(x)] }, [x]);
    const out = new Float64Array(2);
    c.fn(Float64Array.of(1e-12), out);
    expect(out[0]).toBe(Math.log1p(1e-12));
    expect(out[1]).toBe(Math.expm1(1e-12));
    expect(c.js).toContain('Math.log1p(');
    expect(c.js).toContain('Math.expm1(');
  });

  it('an MLP with GELU activations (mlpLoss): compiled gradient against Richardson differences of the compiled loss', () => {
    const M = mlpLoss({ sizes: [2, 3, 1], activation: 'gelu', X: [[0.5, -1], [1.5, 0.25], [-0.75, 2]], Y: [0.3, -0.2, 1] });
    const c = compile({ L: M.expr, g: gradient(M.expr, M.params) }, M.params);
    const out = new Float64Array(c.outputSize);
    const r = rng(23);
    const theta = Float64Array.from(M.params, () => r() - 0.5);
    c.fn(theta, out);
    const f = (env: Record<string, number>): number => {
      const o = new Float64Array(c.outputSize);
      c.fn(Float64Array.from(M.params, (_p, i) => env[`t${i}`]!), o);
      return o[0]!;
    };
    const env = Object.fromEntries([...theta].map((v, i) => [`t${i}`, v]));
    M.params.forEach((_p, i) => {
      const d = richardson(f, env, `t${i}`);
      expect(Math.abs(out[1 + i]! - d), M.params[i]!.name).toBeLessThan(1e-9 * Math.max(1, Math.abs(d)));
    });
  });

  it('TensorFlow.js forms agree with the float64 function within float32 tolerance', async () => {
    const c = compile({ L, g }, params);
    const tfc = await compileTf({ L, g }, params);
    const { tf } = tfc;
    const r = rng(5);
    const pts: number[][] = [];
    for (let i = 0; i < 16; i++) pts.push([(r() - 0.5) * 4, 0.2 + r() * 1.5]);
    const res = tfc.fn(tf.tensor2d(pts)).arraySync() as number[][];
    const out = new Float64Array(c.outputSize);
    pts.forEach((p, i) => {
      c.fn(Float64Array.from(p), out);
      out.forEach((v, k) => expect(Math.abs(res[i]![k]! - v), `point ${i} component ${k}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(v))));
    });
  }, 60_000);
});
