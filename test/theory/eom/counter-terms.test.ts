import { InputError } from '../../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import nerdamer from 'nerdamer';
import 'nerdamer/Calculus.js';
import {
  type Expr,
  type Sym,
  Rational,
  ZERO,
  diff,
  expand,
  jvp,
  loss,
  mul,
  num,
  pow,
  quadraticLoss,
  scale,
  subs,
  sum,
  sym,
  add,
  neg,
  toText,
  evaluate,
} from '../../../src/symbolic/index.ts';
import { counterTerms } from '../../../src/theory/eom/index.ts';

const katexOk = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex.slice(0, 200)).not.toThrow();
};

/** small deterministic PRNG (mulberry32) */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('quadratic closed form f_k = −A^k θ / k (eom.md)', () => {
  const rand = prng(12345);
  const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  for (const n of [2, 3, 2, 3]) {
    it(`random symmetric ${n}×${n} integer A, every k ≤ 10, exactly`, () => {
      const A: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i]![j] = A[j]![i] = randInt(-3, 3);
      const L = quadraticLoss(A);
      const s = counterTerms(L, 10, { expanded: true });
      expect(s.expanded).toBe(true);
      // A^k with exact rationals
      let Ak: Rational[][] = A.map((r, i) => r.map((_, j) => Rational.int(i === j ? 1 : 0)));
      for (let k = 1; k <= 10; k++) {
        Ak = Ak.map((row) => A[0]!.map((_, j) => row.reduce((acc, x, m) => acc.add(x.mul(Rational.int(A[m]![j]!))), Rational.ZERO)));
        const expected = Ak.map((row) => expand(sum(row.map((a, j) => scale(L.params[j]!, a.div(Rational.int(k)).neg())))));
        for (let i = 0; i < n; i++) expect(s.f[k - 1]![i], `f_${k}[${i}] for A = ${JSON.stringify(A)}`).toBe(expected[i]);
      }
    });
  }
});

/**
 * Brute force, independent of the trees: the time-h flow of the truncated field F = f_1 + h f_2 + … + h^{k−2} f_{k−1}
 * by its Taylor (Lie) series φ_h = Σ_j h^j/j! D^j θ, D G = G′F; one GD step is θ − h g exactly, so the
 * coefficient of h^k of φ_h (k ≥ 2) must be cancelled by h·h^{k−1} f_k: f_k = −[h^k] φ_h.
 */
function bruteForceCounterTerms(L: { expr: Expr; params: readonly Sym[] }, K: number): Expr[][] {
  const h = sym('h_bruteforce');
  const th = L.params;
  const g = th.map((p) => diff(L.expr, p));
  const f: Expr[][] = [g.map((e) => expand(neg(e)))];
  for (let k = 2; k <= K; k++) {
    const F = th.map((_, i) => add(...f.map((fj, j) => mul(pow(h, j), fj[i]!))));
    // Σ_{j ≤ k} h^j/j! D^j θ
    let G: Expr[] = [...th];
    let phi: Expr[] = [...th];
    let fact = 1;
    for (let j = 1; j <= k; j++) {
      G = jvp(G, th, F);
      fact *= j;
      phi = phi.map((p, i) => add(p, mul(num(Rational.of(1, fact)), pow(h, j), G[i]!)));
    }
    // [h^k] φ = (d/dh)^k φ |_{h=0} / k!
    let kfact = 1;
    for (let j = 2; j <= k; j++) kfact *= j;
    const zero = new Map([[h, ZERO as Expr]]);
    f.push(
      phi.map((p) => {
        let d = p;
        for (let j = 0; j < k; j++) d = diff(d, h);
        return expand(scale(subs(d, zero), Rational.of(-1, kfact)));
      }),
    );
  }
  return f;
}

describe('brute-force Taylor matching of one GD step agrees exactly (k ≤ 4)', () => {
  const cases: Array<[string, string[]]> = [
    ['w^4/4 - w^2/2 + w/3', ['w']],
    ['sin(w) + w^3/6', ['w']],
    ['exp(w/2) + w^2', ['w']],
    ['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5', ['w1', 'w2']],
    ['log(1 + exp(w1*w2)) + (w1^2 + w2^2)/10', ['w1', 'w2']],
    ['w1^3*w2 + cos(w1 - w2)', ['w1', 'w2']],
  ];
  for (const [formula, params] of cases) {
    it(formula, () => {
      const L = loss(formula, { params });
      const s = counterTerms(L, 4, { expanded: true });
      const bf = bruteForceCounterTerms(L, 4);
      for (let k = 1; k <= 4; k++) {
        for (let i = 0; i < params.length; i++) expect(s.f[k - 1]![i], `f_${k}[${i}]: ${toText(bf[k - 1]![i]!)}`).toBe(bf[k - 1]![i]);
      }
      // compact and expanded agree
      const c = counterTerms(L, 4);
      expect(c.toExpanded().f).toEqual(s.f);
    });
  }
});

/** nerdamer derivatives at exact rational points, contracted in exact arithmetic */
describe('agreement with nerdamer at random rational points', () => {
  const parse = (s: string): Rational => {
    const m = /^(-?\d+)(?:\/(\d+))?$/.exec(s.trim());
    if (!m) throw new Error(`not a fraction: ${s}`);
    return Rational.of(BigInt(m[1]!), BigInt(m[2] ?? '1'));
  };
  const cases: Array<[string, string[]]> = [
    ['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + w2^3/7', ['w1', 'w2']],
    ['w1^2*w2^2 + w2*w3^3/3 - w1*w3 + w3^4/8', ['w1', 'w2', 'w3']],
  ];
  const rand = prng(777);
  for (const [formula, params] of cases) {
    it(formula, () => {
      const n = params.length;
      const L = loss(formula, { params });
      const s = counterTerms(L, 4);
      const g1 = params.map((p) => nerdamer.diff(formula, p).toString());
      const h2 = g1.map((gi) => params.map((p) => nerdamer.diff(gi, p).toString()));
      const t3 = h2.map((row) => row.map((hij) => params.map((p) => nerdamer.diff(hij, p).toString())));
      for (let trial = 0; trial < 3; trial++) {
        const pt = params.map(() => Rational.of(Math.floor(rand() * 41) - 20, 1 + Math.floor(rand() * 9)));
        const at: Record<string, string> = Object.fromEntries(params.map((p, i) => [p, pt[i]!.toString()]));
        const ev = (e: string): Rational => parse(nerdamer(e, at).text('fractions'));
        const g = g1.map(ev);
        const H = h2.map((r) => r.map(ev));
        const T = t3.map((r) => r.map((c) => c.map(ev)));
        const Hv = (v: Rational[]): Rational[] => H.map((r) => r.reduce((a, x, j) => a.add(x.mul(v[j]!)), Rational.ZERO));
        const Tvv = (u: Rational[], v: Rational[]): Rational[] =>
          T.map((r) => r.reduce((a, row, j) => row.reduce((b, x, k) => b.add(x.mul(u[j]!).mul(v[k]!)), a), Rational.ZERO));
        const lin = (...terms: Array<[number, number, Rational[]]>): Rational[] =>
          Array.from({ length: n }, (_, i) => terms.reduce((a, [p, q, v]) => a.add(Rational.of(p, q).mul(v[i]!)), Rational.ZERO));
        const Hg = Hv(g);
        const Tgg = Tvv(g, g);
        // f_1 = −g, f_2 = −½Hg, f_3 = −1/12 T[g,g] − 1/3 HHg, f_4 = −1/4 HHHg − 1/12 H T[g,g] − 1/12 T[g,Hg]
        const expected = [
          lin([-1, 1, g]),
          lin([-1, 2, Hg]),
          lin([-1, 12, Tgg], [-1, 3, Hv(Hg)]),
          lin([-1, 4, Hv(Hv(Hg))], [-1, 12, Hv(Tgg)], [-1, 12, Tvv(g, Hg)]),
        ];
        const point = new Map(L.params.map((p, i) => [p, num(pt[i]!) as Expr]));
        for (let k = 1; k <= 4; k++) {
          for (let i = 0; i < n; i++) {
            const mine = subs(s.f[k - 1]![i]!, point);
            expect(mine.kind).toBe('num');
            expect(toText(mine), `f_${k}[${i}] at ${JSON.stringify(at)}`).toBe(expected[k - 1]![i]!.toString().replace(/^(-?\d+)\/(\d+)$/, '$1/$2'));
          }
        }
      }
    });
  }
});

describe('counterTerms API', () => {
  const L = loss('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5', { params: ['w1', 'w2'] });

  it('ξ_j = −f_{j+1}, fields, values, LaTeX', () => {
    const s = counterTerms(L, 4);
    expect(s.f.length).toBe(4);
    expect(s.xi.length).toBe(3);
    for (let j = 1; j < 4; j++) for (let i = 0; i < 2; i++) expect(expand(add(s.xi[j - 1]![i]!, s.f[j]![i]!))).toBe(ZERO);
    // ξ_1 = ½ H g
    const g = L.params.map((p) => diff(L.expr, p));
    const Hg = jvp(g, L.params, g);
    for (let i = 0; i < 2; i++) expect(expand(s.xi[0]![i]!)).toBe(expand(scale(Hg[i]!, Rational.HALF)));
    // the truncated field EoM_1 = −g + η f_2
    const F1 = s.field(1);
    for (let i = 0; i < 2; i++) expect(expand(F1[i]!)).toBe(expand(add(neg(g[i]!), mul(s.eta, s.f[1]![i]!))));
    expect(() => s.field(4)).toThrow(InputError);
    const v = s.valuesAt({ w1: 1.3, w2: -0.4 });
    expect(v[0]![0]).toBeCloseTo(-(1.3 * (1.69 + 0.16 - 1) + 0.3 * -0.4 + 0.1), 12);
    const tex = s.latex();
    for (const x of [...tex.f, ...tex.xi, tex.eom, ...tex.general.loss]) katexOk(x);
    expect(tex.eom).toBe('\\dot{\\theta} = -g - \\eta\\, \\xi_{1} - \\eta^{2}\\, \\xi_{2} - \\eta^{3}\\, \\xi_{3}');
  });

  it('order 10 on a 2-parameter non-quadratic loss, compact', () => {
    const s = counterTerms(L, 10);
    expect(s.f.length).toBe(10);
    expect(Number.isFinite(s.valuesAt({ w1: 0.3, w2: 0.2 })[9]![0]!)).toBe(true);
  });

  it('a user parameter named eta does not collide with the learning rate η', () => {
    const Le = loss('eta^4/4 + eta*w + w^2', { params: ['eta', 'w'] });
    const se = counterTerms(Le, 2);
    expect(se.eta).not.toBe(Le.params[0]);
    const F = se.field(1);
    const at = new Map([
      [Le.params[0]!, 0.5],
      [Le.params[1]!, -0.25],
      [se.eta, 0.1],
    ]);
    const v = se.valuesAt(at);
    for (let i = 0; i < 2; i++) expect(evaluate(F[i]!, at)).toBeCloseTo(v[0]![i]! + 0.1 * v[1]![i]!, 12);
    katexOk(se.latex().xi[0]!);
  });

  it('expression swell is reported, not hung', () => {
    expect(() => counterTerms(loss('exp(w1*w2*w3) + sin(w1 + w2)', { params: ['w1', 'w2', 'w3'] }), 10, { maxNodes: 1000 })).toThrow(/expression swell/);
  });
});

/**
 * The expanded route multiplies out after substitution: Σ_d log(1 + exp(a_d·u)) over three points is
 * dense in u, so expanding the generic forms ∇D^mL[v_1..v_m] with symbolic directions first has n^m
 * terms per component before any substitution. The results must be the very objects that expanding
 * the compact result gives.
 */
describe('expanded counter terms of a dense non-polynomial loss', () => {
  const logSumExp = (n: number, prefix: string): ReturnType<typeof loss> => {
    const ps = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
    // small integer points a_d with entries in −2 … 2
    const dots = [0, 1, 2].map((d) => ps.map((p, j) => `(${((j * 7 + d * 3) % 5) - 2})*${p}`).join(' + '));
    return loss(dots.map((s) => `log(1 + exp(${s}))`).join(' + '), { params: ps });
  };

  it('n = 10, K = 5: the same canonical objects as expanding the compact series, within a small node budget', () => {
    const L = logSumExp(10, 'lse');
    // 20,000 new nodes: the expand-first route (symbolic directions expanded) needs more than that here
    const s = counterTerms(L, 5, { expanded: true, maxNodes: 20_000 });
    const c = counterTerms(L, 5);
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 10; i++) expect(s.f[k]![i] === expand(c.f[k]![i]!), `f_${k + 1}[${i}]`).toBe(true);
    }
    // and the values agree with the compact series at a point (float64 evaluations of two forms of one exact expression: relative 1e-12)
    const point = Object.fromEntries(L.params.map((p, i) => [p.name, 0.1 * Math.sin(i + 1)]));
    const ve = s.valuesAt(point);
    const vc = c.valuesAt(point);
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 10; i++) expect(Math.abs(ve[k]![i]! - vc[k]![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(vc[k]![i]!)));
    }
  }, 60_000);

  it('the expanded form carries no auxiliary direction and is its own expanded form', () => {
    const L = logSumExp(6, 'lsf');
    const s = counterTerms(L, 4, { expanded: true });
    for (const fk of s.f) for (const e of fk) expect(toText(e)).not.toMatch(/§v/);
    expect(s.toExpanded()).toBe(s);
  });
});
