/**
 * Differentiation: exact rules, the finite-difference check of every derivative
 * in the formula table (each order against a Richardson central difference of
 * the order below, so the whole chain is checked without any CAS), gradient,
 * Hessian, derivative tensors, JVPs, memoisation.
 */
import { InputError } from '../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import {
  Rational,
  derivativeTensor,
  diff,
  diffMany,
  directional,
  evaluate,
  expand,
  gradient,
  hessian,
  jvp,
  mul,
  sin,
  num,
  parseExpr,
  sym,
  toText,
  type Expr,
} from '../../src/symbolic/index.ts';
import { FORMULAS, close, derivativeIndices, points, relErr, richardson } from './support.ts';

const x = sym('x');
const y = sym('y');
const z = sym('z');
const S = { x, y } as const;
const P = (s: string) => parseExpr(s);

describe('exact derivative rules (results are canonical objects)', () => {
  const cases: [string, 'x' | 'y', string][] = [
    ['x^5', 'x', '5*x^4'],
    ['x^-2', 'x', '-2*x^-3'],
    ['x^(1/2)', 'x', '1/2*x^(-1/2)'],
    ['x^(7/3)', 'x', '7/3*x^(4/3)'],
    ['3*x^2*y + y^3', 'x', '6*x*y'],
    ['3*x^2*y + y^3', 'y', '3*x^2 + 3*y^2'],
    ['exp(2*x)', 'x', '2*exp(2*x)'],
    ['log(x)', 'x', '1/x'],
    ['log(x^2 + 1)', 'x', '2*x/(x^2 + 1)'],
    ['sin(x)', 'x', 'cos(x)'],
    ['cos(x)', 'x', '-sin(x)'],
    ['tanh(x)', 'x', '1 - tanh(x)^2'],
    ['sigmoid(x)', 'x', 'sigmoid(x)*(1 - sigmoid(x))'],
    ['softplus(x)', 'x', 'sigmoid(x)'],
    ['x^y', 'y', 'x^y*log(x)'],
    ['x^y', 'x', 'y*x^y/x'],
    ['exp(x)*exp(-x)', 'x', '0'],
    ['7', 'x', '0'],
    ['y^3', 'x', '0'],
    ['x', 'x', '1'],
    ['0.5*(x*y - 1)^2', 'x', 'y*(x*y - 1)'],
  ];
  for (const [f, v, want] of cases) {
    it(`d/d${v} ${f} = ${want}`, () => {
      const d = diff(P(f), S[v]);
      if (d !== P(want)) {
        // equal after expansion is acceptable only for polynomial-like results
        expect(toText(expand(d))).toBe(toText(expand(P(want))));
      }
    });
  }

  it('product and chain rule: d/dx [f(x)·g(x)] = f′g + fg′ for opaque f, g', () => {
    const f = P('exp(x^2)');
    const g = P('sin(3*x)');
    const lhs = diff(P('exp(x^2)*sin(3*x)'), x);
    const rhs = P('2*x*exp(x^2)*sin(3*x) + 3*exp(x^2)*cos(3*x)');
    expect(expand(lhs)).toBe(expand(rhs));
    expect(diff(f, x)).toBe(P('2*x*exp(x^2)'));
    expect(diff(g, x)).toBe(P('3*cos(3*x)'));
  });

  it('d^n/dx^n x^n = n! exactly, and d^(n+1)/dx^(n+1) x^n = 0', () => {
    for (const n of [1, 2, 5, 10, 20]) {
      let d: Expr = P(`x^${n}`);
      for (let i = 0; i < n; i++) d = diff(d, x);
      let fact = 1n;
      for (let i = 2n; i <= BigInt(n); i++) fact *= i;
      expect(d).toBe(num(Rational.int(fact)));
      expect(diff(d, x)).toBe(num(0));
    }
  });

  it('mixed partials of a polynomial commute as objects after expand', () => {
    const f = P('(x + 2*y - 1)^5*(x*y + 3)');
    expect(expand(diffMany(f, [x, y, y]))).toBe(expand(diffMany(f, [y, x, y])));
    expect(expand(diffMany(f, [x, y, y]))).toBe(expand(diffMany(f, [y, y, x])));
  });
});

describe('every derivative of the formula table against a Richardson central difference', () => {
  FORMULAS.forEach((F, fi) => {
    it(F.f, () => {
      const e = P(F.f);
      const pts = points(3000 + fi);
      for (const idx of derivativeIndices(!!F.full)) {
        const syms = idx.map((v) => S[v as 'x' | 'y']);
        const d = diffMany(e, syms);
        const prev = diffMany(e, syms.slice(0, -1));
        const last = idx[idx.length - 1]!;
        const fprev = (p: Record<string, number>) => evaluate(prev, p);
        for (const p of pts) {
          const exact = evaluate(d, p);
          const fd = richardson(fprev, p, last);
          if (!close(exact, fd, 1e-6)) {
            expect.fail(`∂${idx.join('')} of ${F.f} at ${JSON.stringify(p)}: symbolic ${exact}, finite difference ${fd} (rel. err ${relErr(exact, fd)})`);
          }
        }
      }
    });
  });

  it('mixed partials are symmetric (numerically) for every formula', () => {
    for (const F of FORMULAS) {
      const e = P(F.f);
      const [p] = points(17);
      const a = evaluate(diffMany(e, [x, y, x]), p!);
      const b = evaluate(diffMany(e, [y, x, x]), p!);
      expect(close(a, b, 1e-11), `${F.f}: ∂xyx ${a} vs ∂yxx ${b}`).toBe(true);
    }
  });
});

describe('gradient, Hessian, derivative tensors, JVPs', () => {
  const L = P('0.5*(x*y*z - 1)^2 + x^4/4');

  it('gradient and Hessian of a quartic are the expected exact objects', () => {
    const g = gradient(L, [x, y, z]);
    expect(expand(g[0]!)).toBe(expand(P('x*y^2*z^2 - y*z + x^3')));
    expect(expand(g[1]!)).toBe(expand(P('x^2*y*z^2 - x*z')));
    const H = hessian(L, [x, y, z]);
    expect(expand(H[0]![0]!)).toBe(expand(P('y^2*z^2 + 3*x^2')));
    expect(expand(H[0]![1]!)).toBe(expand(P('2*x*y*z^2 - z')));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i]![j]).toBe(H[j]![i]);
  });

  it('derivativeTensor has C(n+k−1, k) lexicographic entries, each the derivative along its index', () => {
    const params = [x, y, z];
    const binom = (n: number, k: number) => {
      let r = 1;
      for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
      return r;
    };
    for (let k = 0; k <= 4; k++) {
      const T = derivativeTensor(L, params, k);
      expect(T.length).toBe(binom(3 + k - 1, k));
      for (let i = 1; i < T.length; i++) {
        const a = T[i - 1]!.index.join(',');
        const b = T[i]!.index.join(',');
        expect(a < b, `${a} before ${b}`).toBe(true);
      }
      for (const t of T) {
        expect([...t.index].sort()).toEqual(t.index);
        expect(t.value).toBe(diffMany(L, t.index.map((i) => params[i]!)));
      }
    }
    expect(() => derivativeTensor(L, params, -1)).toThrow(InputError);
    expect(() => derivativeTensor(L, params, 1.5)).toThrow(/non-negative integer/);
  });

  it('jvp is H·v for the gradient field; directional derivative is ∇L·v', () => {
    const params = [x, y, z];
    const g = gradient(L, params);
    const v = [P('1'), P('-2'), P('x')];
    const Hv = jvp(g, params, v);
    const H = hessian(L, params);
    const pt = { x: 0.7, y: -1.1, z: 0.4 };
    for (let i = 0; i < 3; i++) {
      const want = H[i]!.reduce((s, h, j) => s + evaluate(h, pt) * evaluate(v[j]!, pt), 0);
      expect(close(evaluate(Hv[i]!, pt), want, 1e-13)).toBe(true);
    }
    const dir = directional(L, params, v);
    const want = g.reduce((s, gi, j) => s + evaluate(gi, pt) * evaluate(v[j]!, pt), 0);
    expect(close(evaluate(dir, pt), want, 1e-13)).toBe(true);
    expect(() => jvp(g, params, [P('1')])).toThrow(/direction has 1 entries, expected 3/);
  });

  it('is memoised: the same derivative is the same object, and a shared subexpression is differentiated once', () => {
    const e = P('tanh(x*y + z)^3 + sin(tanh(x*y + z))');
    expect(diff(e, x)).toBe(diff(e, x));
    expect(diffMany(e, [x, y])).toBe(diffMany(P('tanh(x*y + z)^3 + sin(tanh(x*y + z))'), [x, y]));
    // f_{i+1} = sin(f_i)·f_i: the tree doubles each step (2^40 nodes), the DAG grows by 2; naive differentiation would never finish
    let f: Expr = P('x + 1');
    for (let i = 0; i < 40; i++) f = mul(sin(f), f);
    const d = diff(f, x);
    expect(d.kind).not.toBe('num');
  });
});


describe('forward-mode jvp', () => {
  it('equals Σ_j ∂F_i/∂θ_j v_j (jvpByPartials) after expansion, and its DAG is smaller', async () => {
    const S = { ...(await import('../../src/symbolic/index.ts')), jvpByPartials: (await import('../../src/symbolic/calculus.ts')).jvpByPartials };
    const L = S.loss('tanh(a*x1 + b)^2*exp(a/(1+b^2)) + log(1 + a^2*b^2)*sin(x1) + (a - b*x1)^(3/2)', { params: ['a', 'b', 'x1'] });
    const g = S.gradient(L.expr, L.params);
    const fwd = S.jvp(g, L.params, g);
    const ref = S.jvpByPartials(g, L.params, g);
    const point = { a: 0.7, b: -0.3, x1: 0.2 };
    fwd.forEach((e, i) => {
      const a = S.evaluate(e, point);
      const b = S.evaluate(ref[i]!, point);
      expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
    });
    const P = S.loss('(w1*w2*w3 - 1)^2/2 + w1^4', { params: ['w1', 'w2', 'w3'] });
    const gp = S.gradient(P.expr, P.params);
    const a = S.jvp(gp, P.params, gp).map(S.expand);
    const b = S.jvpByPartials(gp, P.params, gp).map(S.expand);
    a.forEach((e, i) => expect(e).toBe(b[i]));
    expect(S.dagSize(S.jvp(g, L.params, g))).toBeLessThan(S.dagSize(ref));
  });
});

describe('derivativeTensor({ expanded: true })', () => {
  it('differentiates the expanded form: the same canonical entries as expanding each derivative', async () => {
    const S = await import('../../src/symbolic/index.ts');
    const cases: Array<[string, string[]]> = [
      ['(w1*w2*w3*w4 - 1)^2/2', ['w1', 'w2', 'w3', 'w4']],
      ['exp(a*b)*(a + b)^3 + tanh(a)^2*b', ['a', 'b']],
      ['(x + y)^4/(1 + x^2)', ['x', 'y']],
    ];
    for (const [f, names] of cases) {
      const e = S.parseExpr(f);
      const ps = names.map(S.sym);
      for (const k of [1, 2, 3]) {
        const a = S.derivativeTensor(e, ps, k, { expanded: true });
        const b = S.derivativeTensor(e, ps, k).map((t) => S.expand(t.value));
        expect(a.map((t) => t.value)).toEqual(b);
        a.forEach((t, i) => expect(t.value).toBe(b[i]));
      }
    }
  });
});

describe('substitutedGradient', () => {
  it('the same objects as substituting into the gradient, for products, sums as factors, powers and calls', async () => {
    const { substitutedGradient } = await import('../../src/symbolic/calculus.ts');
    const { subsAll } = await import('../../src/symbolic/transform.ts');
    const params = ['sg_x', 'sg_y', 'sg_z'].map((n) => sym(n));
    const [u, v] = [sym('sg_u'), sym('sg_v')];
    const map = new Map([
      [u!, parseExpr('sg_x*sg_y - 1')],
      [v!, parseExpr('sin(sg_z)*sg_x^2')],
    ]);
    const cases = [
      'sg_u*sg_v*sg_x*sg_y^2 + 3*sg_u^2*sg_z',
      '(sg_x*sg_y*sg_z - 1)*(sg_u*sg_y*sg_z + sg_v*sg_x*sg_z + 2*sg_u*sg_x*sg_y)',
      'sg_u*sg_x^(1/2)*sg_y + exp(sg_v*sg_x)/(1 + sg_u*sg_z)^2',
      'log(1 + exp(sg_u*sg_x + sg_v*sg_y))*sg_u + tanh(sg_z)^3',
      'sg_x^2*sg_y + sg_z',
    ];
    for (const c of cases) {
      const e = parseExpr(c);
      const fused = substitutedGradient(e, params, map);
      const reference = subsAll(gradient(e, params), map);
      params.forEach((p, i) => expect(fused[i] === reference[i], `${c}, ∂/∂${p.name}: ${toText(fused[i]!)} vs ${toText(reference[i]!)}`).toBe(true));
    }
  });
});
