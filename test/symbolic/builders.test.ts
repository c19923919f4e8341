/** Loss builders against direct formulas and hand-written forward passes. */
import { describe, expect, it } from 'vitest';
import {
  Rational,
  evaluate,
  expand,
  gradient,
  hessian,
  linearRegressionLoss,
  logisticRegressionLoss,
  mlpLoss,
  mul,
  num,
  quadraticLoss,
  sub,
  sum,
  type Expr,
} from '../../src/symbolic/index.ts';
import { InputError } from '../../src/errors.ts';
import { close, rng } from './support.ts';

const R = (x: number) => num(Rational.fromFloat(x));

describe('quadraticLoss: ½θᵀAθ − bᵀθ', () => {
  const A = [
    [2, 0.5, -1],
    [0.5, 3, 0.25],
    [-1, 0.25, 1.5],
  ];
  const b = [1, -0.1, 2.5];

  it('gradient = Aθ − b and Hessian = A, exactly', () => {
    const L = quadraticLoss(A, b);
    expect(L.params.map((p) => p.name)).toEqual(['w1', 'w2', 'w3']);
    const th = L.params;
    const g = gradient(L.expr, th);
    for (let i = 0; i < 3; i++) {
      const want = sub(sum(A[i]!.map((a, j) => mul(R(a), th[j]!))), R(b[i]!));
      expect(g[i], `∂L/∂w${i + 1}`).toBe(want);
    }
    const H = hessian(L.expr, th);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i]![j]).toBe(R(A[i]![j]!));
  });

  it('without b, and with custom names; the value matches ½θᵀAθ', () => {
    const L = quadraticLoss([[1, 2], [2, 5]], undefined, { params: ['p', 'q'] });
    expect(L.params.map((p) => p.name)).toEqual(['p', 'q']);
    expect(evaluate(L.expr, { p: 0.3, q: -0.7 })).toBeCloseTo(0.5 * (0.09 + 4 * 0.3 * -0.7 + 5 * 0.49), 14);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['non-symmetric', () => quadraticLoss([[1, 2], [3, 4]]), /A must be symmetric: A\[1\]\[0\] = 3 but A\[0\]\[1\] = 2/],
    ['non-square', () => quadraticLoss([[1, 2, 3], [2, 4, 5]]), /row 0 has 3 entries, expected 2/],
    ['empty', () => quadraticLoss([]), /non-empty array/],
    ['ragged', () => quadraticLoss([[1, 2], [2]]), /row 1 has 1 entries/],
    ['b length', () => quadraticLoss([[1]], [1, 2]), /b must have 1 entries/],
    ['NaN in A', () => quadraticLoss([[NaN]]), /A\[0\]\[0\] must be a finite number, got NaN/],
    ['Infinity in b', () => quadraticLoss([[1]], [Infinity]), /b\[0\] must be a finite number, got Infinity/],
    ['name count', () => quadraticLoss([[1]], undefined, { params: ['a', 'b'] }), /2 parameter names for a 1×1 matrix/],
    ['reserved name', () => quadraticLoss([[1]], undefined, { params: ['pi'] }), /'pi' is a reserved name/],
  ];
  for (const [name, f, msg] of bad) {
    it(`InputError: ${name}`, () => {
      expect(f).toThrow(InputError);
      expect(f).toThrow(msg);
    });
  }
});

describe('linearRegressionLoss: (1/2N) Σ (x_i·θ − y_i)²', () => {
  const X = [
    [1, 0.5],
    [-0.3, 2],
    [0.7, -1.1],
    [2, 0.1],
  ];
  const y = [1.5, -0.2, 0.3, 2.2];

  it('gradient = (1/N) Xᵀ(Xθ − y), exactly (after expand)', () => {
    const L = linearRegressionLoss(X, y);
    const th = L.params;
    const g = gradient(L.expr, th);
    const N = X.length;
    for (let j = 0; j < 2; j++) {
      const want = mul(
        num(Rational.of(1, N)),
        sum(X.map((row, i) => mul(R(row[j]!), sub(sum(row.map((x, k) => mul(R(x), th[k]!))), R(y[i]!))))),
      );
      expect(expand(g[j]!)).toBe(expand(want));
    }
  });

  it('with an intercept: value matches a direct computation', () => {
    const L = linearRegressionLoss(X, y, { intercept: true });
    expect(L.params.map((p) => p.name)).toEqual(['w1', 'w2', 'c']);
    const env = { w1: 0.4, w2: -0.9, c: 0.25 };
    const direct = X.reduce((s, row, i) => s + (row[0]! * env.w1 + row[1]! * env.w2 + env.c - y[i]!) ** 2, 0) / (2 * X.length);
    expect(close(evaluate(L.expr, env), direct, 1e-14)).toBe(true);
  });

  it('bad inputs', () => {
    expect(() => linearRegressionLoss(X, [1, 2])).toThrow(/y must have 4 entries/);
    expect(() => linearRegressionLoss(X, [1, 2])).toThrow(InputError);
    expect(() => linearRegressionLoss([[1, 2], [3]], [1, 2])).toThrow(InputError);
    expect(() => linearRegressionLoss(X, y, { params: ['a'] })).toThrow(/expected 2 parameter names/);
    expect(() => linearRegressionLoss([[1, NaN]], [1])).toThrow(/X\[0\]\[1\] must be a finite number/);
  });
});

describe('logisticRegressionLoss: (1/N) Σ softplus(−y_i x_i·θ)', () => {
  const X = [
    [1, 2],
    [-0.5, 1],
    [0.3, -1.2],
    [2, 0.4],
    [-1, -1],
  ];
  const ypm = [1, -1, 1, -1, 1];

  const refLoss = (th: number[], labels: number[]) =>
    X.reduce((s, row, i) => s + Math.log1p(Math.exp(-labels[i]! * (row[0]! * th[0]! + row[1]! * th[1]!))), 0) / X.length;
  const refGrad = (th: number[], labels: number[]) =>
    [0, 1].map(
      (j) =>
        X.reduce((s, row, i) => {
          const m = labels[i]! * (row[0]! * th[0]! + row[1]! * th[1]!);
          return s - (labels[i]! * row[j]!) / (1 + Math.exp(m));
        }, 0) / X.length,
    );

  it('value and gradient vs a numeric reference, labels ±1 and {0, 1}', () => {
    const next = rng(3);
    for (const labels of [ypm, ypm.map((v) => (v + 1) / 2)]) {
      const L = logisticRegressionLoss(X, labels);
      const g = gradient(L.expr, L.params);
      const pm = labels.map((v) => (v === 0 ? -1 : v));
      for (let t = 0; t < 5; t++) {
        const th = [4 * next() - 2, 4 * next() - 2];
        const env = { w1: th[0]!, w2: th[1]! };
        expect(close(evaluate(L.expr, env), refLoss(th, pm), 1e-13)).toBe(true);
        const rg = refGrad(th, pm);
        for (let j = 0; j < 2; j++) expect(close(evaluate(g[j]!, env), rg[j]!, 1e-13)).toBe(true);
      }
    }
  });

  it('is stable at large margins (softplus, not log(1 + exp))', () => {
    const L = logisticRegressionLoss([[1]], [1]);
    expect(evaluate(L.expr, { w1: 800 })).toBe(0 + Math.log1p(Math.exp(-800)));
    expect(evaluate(L.expr, { w1: -800 })).toBeCloseTo(800, 10);
  });

  it('bad labels and shapes', () => {
    expect(() => logisticRegressionLoss(X, [1, 0, -1, 1, 1])).toThrow(InputError);
    expect(() => logisticRegressionLoss(X, [1, 0, -1, 1, 1])).toThrow(/labels must all be in \{0, 1\} or all in \{−1, \+1\}/);
    expect(() => logisticRegressionLoss(X, [1, 2, 1, 1, 1])).toThrow(InputError);
    expect(() => logisticRegressionLoss(X, [1])).toThrow(/y must have 5 entries/);
  });
});

describe('mlpLoss: the P3 network (sizes [2, 3, 1], tanh)', () => {
  const X = [
    [1, 0],
    [0, 1],
    [1, 1],
    [-1, 0.5],
  ];
  const Y = [1, -1, 0, 0.5];
  const net = mlpLoss({ sizes: [2, 3, 1], X, Y });

  it('has the 13 parameters of bench task P3 in order', () => {
    expect(net.params.map((p) => p.name)).toEqual(['a11', 'a12', 'a21', 'a22', 'a31', 'a32', 'b1', 'b2', 'b3', 'v1', 'v2', 'v3', 'c']);
  });

  /** hand-written forward pass: (1/N) Σ (Σ_k v_k tanh(a_k·x + b_k) + c − y)² */
  function forward(p: Record<string, number>, half = false, act: (t: number) => number = Math.tanh): number {
    let s = 0;
    X.forEach((x, n) => {
      let out = p.c!;
      for (let k = 1; k <= 3; k++) out += p[`v${k}`]! * act(p[`a${k}1`]! * x[0]! + p[`a${k}2`]! * x[1]! + p[`b${k}`]!);
      s += (out - Y[n]!) ** 2;
    });
    return (s / X.length) * (half ? 0.5 : 1);
  }

  it('loss equals a hand-written forward pass at random parameters', () => {
    const next = rng(31);
    const half = mlpLoss({ sizes: [2, 3, 1], X, Y, half: true });
    const sig = mlpLoss({ sizes: [2, 3, 1], X, Y, activation: 'sigmoid' });
    for (let t = 0; t < 10; t++) {
      const p: Record<string, number> = {};
      for (const s of net.params) p[s.name] = 2 * next() - 1;
      expect(close(evaluate(net.expr, p), forward(p), 1e-13)).toBe(true);
      expect(close(evaluate(half.expr, p), forward(p, true), 1e-13)).toBe(true);
      expect(close(evaluate(sig.expr, p), forward(p, false, (u) => 1 / (1 + Math.exp(-u))), 1e-13)).toBe(true);
    }
  });

  it('its gradient agrees with central differences of the forward pass', () => {
    const next = rng(32);
    const g = gradient(net.expr, net.params);
    const p: Record<string, number> = {};
    for (const s of net.params) p[s.name] = 2 * next() - 1;
    net.params.forEach((s, i) => {
      const h = 1e-4;
      const fd = (forward({ ...p, [s.name]: p[s.name]! + h }) - forward({ ...p, [s.name]: p[s.name]! - h })) / (2 * h);
      expect(close(evaluate(g[i]!, p), fd, 1e-7), s.name).toBe(true);
    });
  });

  it('deeper networks use W{layer}_{out}_{in} names; linear activation gives a polynomial', () => {
    const L = mlpLoss({ sizes: [1, 2, 2, 1], activation: 'linear', X: [[0.5]], Y: [[1]] });
    expect(L.params.map((p) => p.name)).toEqual(['W1_1_1', 'W1_2_1', 'b1_1', 'b1_2', 'W2_1_1', 'W2_1_2', 'W2_2_1', 'W2_2_2', 'b2_1', 'b2_2', 'W3_1_1', 'W3_1_2', 'b3_1']);
    const e: Expr = expand(L.expr);
    expect(e.kind).toBe('add');
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['sizes too short', () => mlpLoss({ sizes: [2], X, Y }), /sizes must be at least \[inputs, outputs\]/],
    ['non-integer size', () => mlpLoss({ sizes: [2, 1.5, 1], X, Y }), /positive integers/],
    ['zero size', () => mlpLoss({ sizes: [2, 0, 1], X, Y }), /positive integers/],
    ['unknown activation', () => mlpLoss({ sizes: [2, 1], X, Y, activation: 'relu' as 'tanh' }), /unknown activation 'relu'/],
    ['X width', () => mlpLoss({ sizes: [3, 1], X, Y }), /X: row 0 has 2 entries, expected 3/],
    ['Y rows', () => mlpLoss({ sizes: [2, 1], X, Y: [1, 2] }), /Y must have 4 rows/],
    ['Y width', () => mlpLoss({ sizes: [2, 2], X, Y }), /Y: row 0 has 1 entries, expected 2/],
    ['NaN in X', () => mlpLoss({ sizes: [2, 1], X: [[1, NaN]], Y: [1] }), /X\[0\]\[1\] must be a finite number/],
  ];
  for (const [name, f, msg] of bad) {
    it(`InputError: ${name}`, () => {
      expect(f).toThrow(InputError);
      expect(f).toThrow(msg);
    });
  }
});
