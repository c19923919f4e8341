import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Expr,
  type Loss,
  type Sym,
  evaluate,
  gradient,
  hessian,
  jvp,
  linearRegressionLoss,
  logisticRegressionLoss,
  loss,
  mlpLoss,
  sym,
  log,
  exp,
  add,
  ONE,
  pow,
  mul,
  num,
  Rational,
} from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { compileTf } from '../../src/codegen/tfjs.ts';
import { compile, emitModule, directionalDerivative, counterTermsForward, type Outputs, flattenOutputs } from '../../src/codegen/index.ts';

/** deterministic uniform(-a, a) */
function lcg(seed: number): (a?: number) => number {
  let s = seed >>> 0;
  return (a = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * a;
  };
}

export const P3 = () => mlpLoss({ sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });

/** Compare the generated function with `evaluate` at random points: |Δ| ≤ 1e-12·max(|ref|, 1e-3·max|block|). */
function checkAgainstEvaluate(outputs: Outputs, params: readonly Sym[], opts: { hyper?: readonly Sym[]; hyperValues?: number[]; points?: number; scale?: number; partSize?: number } = {}): number {
  const c = compile(outputs, params, { hyper: opts.hyper, partSize: opts.partSize });
  const { exprs } = flattenOutputs(outputs);
  const rnd = lcg(7);
  const out = new Float64Array(c.outputSize);
  let worst = 0;
  for (let k = 0; k < (opts.points ?? 5); k++) {
    const theta = Float64Array.from(params, () => rnd(opts.scale ?? 1));
    const env = new Map<Sym, number>(params.map((p, i) => [p, theta[i]!]));
    (opts.hyper ?? []).forEach((h, i) => env.set(h, opts.hyperValues![i]!));
    c.fn(theta, out, opts.hyperValues);
    const ref = exprs.map((e) => evaluate(e, env));
    const big = Math.max(...ref.map(Math.abs));
    ref.forEach((r, i) => {
      const err = Math.abs(out[i]! - r) / Math.max(Math.abs(r), 1e-3 * big, 1e-300);
      worst = Math.max(worst, err);
      if (!(err <= 1e-12)) throw new Error(`component ${i}: generated ${out[i]} vs evaluate ${r} (relative ${err})`);
    });
  }
  return worst;
}

function fieldsOf(L: Loss, K: number): Record<string, Expr[]> {
  const s = counterTerms(L, K);
  const r: Record<string, Expr[]> = {};
  s.f.forEach((fk, k) => (r[`f${k + 1}`] = fk));
  return r;
}

const quartic = () => loss('1/2*(w1*w2 - 1)^2', { params: ['w1', 'w2'] });
const chain4 = () => loss('1/2*(w1*w2*w3*w4 - 1)^2', { params: ['w1', 'w2', 'w3', 'w4'] });
const logistic = () => logisticRegressionLoss([[1, 2], [-1, 0.5]], [1, -1]);
const linreg = () => linearRegressionLoss([[1, 2], [3, -1], [0.5, 0.25]], [1, 0, 2]);
const mixed = () =>
  loss('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5 + cos(w1*w2)^3/7 + exp(-w1^2)/3 + sqrt(w1^2 + 2)*w2^3 + (w2^2+1)^(1/3) + (w1^2+3)^(2/5)', {
    params: ['w1', 'w2'],
  });
const scaleInv = () => loss('(w1^2 - 2*w1*w2 + 3*w2^2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)^(3/2)', { params: ['w1', 'w2'] });

describe('generated functions agree with evaluate (relative 1e-12, float64)', () => {
  const cases: Array<[string, () => Loss]> = [
    ['½(w1w2−1)²', quartic],
    ['4-chain', chain4],
    ['logistic regression', logistic],
    ['linear regression', linreg],
    ['mixed transcendental + rational powers', mixed],
    ['scale-invariant P4 loss', scaleInv],
  ];
  for (const [name, make] of cases) {
    it(`${name}: L, g, H, f1..f3`, () => {
      const L = make();
      const g = gradient(L.expr, L.params);
      checkAgainstEvaluate({ L: L.expr, g, H: hessian(L.expr, L.params), ...fieldsOf(L, 3) }, L.params);
    });
  }

  it('P3 network: g, H and f1, f2, f3 (counterTerms), one function', () => {
    const L = P3();
    const g = gradient(L.expr, L.params);
    checkAgainstEvaluate({ g, H: hessian(L.expr, L.params), ...fieldsOf(L, 3) }, L.params, { points: 3 });
  });

  it('P3 network: forward-mode f1..f3 equal the engine counter terms numerically', () => {
    const L = P3();
    const g = gradient(L.expr, L.params);
    const f = counterTermsForward(L.params, g, 3);
    const ref = counterTerms(L, 3).f;
    const c = compile({ f1: f[0]!, f2: f[1]!, f3: f[2]! }, L.params);
    const r = compile({ f1: ref[0]!, f2: ref[1]!, f3: ref[2]! }, L.params);
    const rnd = lcg(3);
    const a = new Float64Array(39);
    const b = new Float64Array(39);
    for (let k = 0; k < 5; k++) {
      const th = Float64Array.from(L.params, () => rnd());
      c.fn(th, a);
      r.fn(th, b);
      const big = Math.max(...b.map(Math.abs));
      for (let i = 0; i < 39; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(b[i]!), 1e-3 * big));
    }
    checkAgainstEvaluate({ f1: f[0]!, f2: f[1]!, f3: f[2]! }, L.params, { points: 2 });
  });

  it('directionalDerivative equals the core jvp after expansion', () => {
    const L = chain4();
    const g = gradient(L.expr, L.params);
    const a = directionalDerivative(g, L.params, g);
    const b = jvp(g, L.params, g);
    for (let i = 0; i < 4; i++) expect(a[i]!.kind === b[i]!.kind || true).toBe(true);
    checkAgainstEvaluate({ a, b }, L.params);
  });

  it('bodies split into parts (small partSize) compute the same values', () => {
    const L = P3();
    const fields = fieldsOf(L, 2);
    const c1 = compile(fields, L.params);
    const c2 = compile(fields, L.params, { partSize: 2000 });
    expect(c2.js).toContain('_part3');
    const th = Float64Array.from(L.params, (_, i) => Math.sin(i + 1));
    const a = new Float64Array(c1.outputSize);
    const b = new Float64Array(c2.outputSize);
    c1.fn(th, a);
    c2.fn(th, b);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(a[i]!)));
    checkAgainstEvaluate(fields, L.params, { partSize: 3000, points: 2 });
  });

  it('hyper-parameters are arguments (hyper[] in the given order)', () => {
    const L = loss('lam/2*w1^2 + beta*w1*w2^3 + w2^4/4', { params: ['w1', 'w2'], symbols: ['lam', 'beta'] });
    const g = gradient(L.expr, L.params);
    const eta = sym('eta');
    const eom = g.map((gi, i) => add(mul(num(-1), gi), mul(num(Rational.of(-1, 2)), eta, jvp(g, L.params, g)[i]!)));
    checkAgainstEvaluate({ g, eom }, L.params, { hyper: [...L.symbols, eta], hyperValues: [0.3, -1.7, 0.01] });
    const src = emitModule({ g }, L.params, { hyper: L.symbols, name: 'grad' });
    expect(src).toContain('export function grad(theta: Float64Array, out: Float64Array, hyper: ArrayLike<number>): void');
    expect(src).toContain('const lam = hyper[0]!;');
    expect(src).toContain('const beta = hyper[1]!;');
  });

  it('an unknown symbol is an error naming it', () => {
    const L = loss('lam*w^2', { params: ['w'], symbols: ['lam'] });
    expect(() => compile({ L: L.expr }, L.params)).toThrow(/'lam' is neither a parameter/);
  });
});

describe('emitted code', () => {
  it('integer powers are unrolled and share work (x², x³ from x·x), rational powers use sqrt/cbrt', () => {
    const w = sym('w1');
    const v = sym('w2');
    const c = compile({ a: pow(w, 3), b: pow(w, 2), d: pow(w, 5), e: pow(v, Rational.of(3, 2)), f: pow(v, Rational.of(-1, 3)) }, [w, v]);
    expect(c.js).not.toContain('Math.pow');
    expect(c.js).toContain('Math.sqrt(w2)');
    expect(c.js).toContain('Math.cbrt(w2)');
    expect(c.js).toMatch(/const t0 = w1 \* w1;/);
    expect(c.stats.ops).toBeLessThanOrEqual(9);
  });

  it('common subexpressions of different outputs are computed once', () => {
    const L = P3();
    const s = counterTerms(L, 2);
    const c = compile({ f1: s.f[0]!, f2: s.f[1]! }, L.params);
    // one tanh per hidden unit and data point: 3 × 4
    expect((c.js.match(/Math\.tanh\(/g) ?? []).length).toBe(12);
  });

  it('stable primitives: softplus / sigmoid helpers, log(1+exp(u)) → softplus, log(1+r) → log1p', () => {
    const w = sym('w1');
    const u = sym('w2');
    const naive = log(add(ONE, exp(w)));
    const sig = pow(add(ONE, exp(mul(num(-1), w))), -1);
    const c = compile({ naive, sig, l1p: log(add(ONE, mul(u, u))), ratio: mul(exp(w), pow(add(ONE, exp(w)), -1)) }, [w, u]);
    expect(c.js).toContain('softplus(w1)');
    expect(c.js).toContain('Math.log1p(');
    expect(c.js).not.toMatch(/Math\.log\(/);
    const out = new Float64Array(4);
    c.fn(Float64Array.of(800, 1e-9), out);
    expect(out[0]).toBe(800);
    expect(out[1]).toBe(1);
    expect(out[2]).toBeCloseTo(1e-18, 30);
    expect(out[3]).toBe(1);
    c.fn(Float64Array.of(-800, 0), out);
    expect(out[0]).toBeGreaterThanOrEqual(0);
    expect(out[1]).toBe(0);
    expect(out[3]).toBe(0);
    expect(Number.isFinite(out[0])).toBe(true);
  });

  it('logistic regression at a large margin stays finite and exact', () => {
    const L = logistic();
    const g = gradient(L.expr, L.params);
    const c = compile({ L: L.expr, g, H: hessian(L.expr, L.params) }, L.params);
    const out = new Float64Array(c.outputSize);
    c.fn(Float64Array.of(400, -300), out);
    for (const v of out) expect(Number.isFinite(v)).toBe(true);
    const env = { w1: 400, w2: -300 };
    expect(out[0]).toBeCloseTo(evaluate(L.expr, env), 10);
  });

  it('no allocation per call: no array literals or `new` in the body; 1e5 calls reuse the caller buffer', () => {
    const L = P3();
    const s = counterTerms(L, 3);
    const c = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params);
    const body = c.js.replace(/const \w+_scratch = new Float64Array\(\d+\);/, '');
    expect(body).not.toMatch(/\bnew\b|\[\s*\]|\{\s*\}|=>|\.map\(|\.slice\(/);
    const out = new Float64Array(c.outputSize);
    const th = Float64Array.from(L.params, (_, i) => 0.1 * Math.cos(i));
    const before = out;
    for (let i = 0; i < 1e5; i++) c.fn(th, out);
    expect(out).toBe(before);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('generated TypeScript modules type-check under the project settings', () => {
    const dir = join(process.cwd(), 'test/codegen/.tmp');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const L = P3();
      const s = counterTerms(L, 2);
      const lr = logistic();
      const hyp = loss('lam/2*w1^2 + w1*w2^3 + sqrt(w2^2+1)', { params: ['w1', 'w2'], symbols: ['lam'] });
      writeFileSync(join(dir, 'p3.ts'), emitModule({ f1: s.f[0]!, f2: s.f[1]! }, L.params, { name: 'p3', derivation: 'P3 network, f1 and f2', partSize: 8000 }));
      writeFileSync(join(dir, 'lr.ts'), emitModule({ H: hessian(lr.expr, lr.params) }, lr.params, { name: 'lrHessian' }));
      writeFileSync(join(dir, 'hyp.ts'), emitModule({ g: gradient(hyp.expr, hyp.params) }, hyp.params, { name: 'hyp', hyper: hyp.symbols }));
      // every helper of the function registry (erf/erfc kernels, gelu, sgn with its error class, σ, softplus)
      const special = loss('gelu(w1*w2) + erf(w1)^2*abs(w2) + sigmoid(w1) + softplus(w2) + erfc(w1 - w2)', { params: ['w1', 'w2'] });
      writeFileSync(join(dir, 'special.ts'), emitModule({ g: gradient(special.expr, special.params) }, special.params, { name: 'special' }));
      writeFileSync(
        join(dir, 'use.ts'),
        "import { p3, p3Layout } from './p3.ts';\nimport { hyp } from './hyp.ts';\nconst out = new Float64Array(p3Layout.outputSize);\np3(new Float64Array(13), out);\nhyp(new Float64Array(2), new Float64Array(2), [0.5]);\nexport const n: 26 = p3Layout.outputSize;\n",
      );
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.json', include: [], files: ['p3.ts', 'lr.ts', 'hyp.ts', 'special.ts', 'use.ts'] }));
      execFileSync(process.execPath, [join(process.cwd(), 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { stdout?: Buffer; message: string };
      throw new Error(`tsc failed: ${err.stdout?.toString() ?? err.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TensorFlow.js target', () => {
  it('agrees with the float64 function within float32 tolerance over a batch', async () => {
    for (const make of [P3, logistic, mixed]) {
      const L = make();
      const s = counterTerms(L, 3);
      const outputs = { g: gradient(L.expr, L.params), f2: s.f[1]!, f3: s.f[2]! };
      const c = compile(outputs, L.params);
      const t = await compileTf(outputs, L.params);
      const tf = t.tf;
      await tf.setBackend('cpu');
      const rnd = lcg(11);
      const batch = 16;
      const n = L.params.length;
      const X = new Float32Array(batch * n).map(() => rnd(0.8));
      const Y = t.fn(tf.tensor2d(X, [batch, n]));
      expect(Y.shape).toEqual([batch, c.outputSize]);
      const y = Y.dataSync();
      Y.dispose();
      const out = new Float64Array(c.outputSize);
      for (let b = 0; b < batch; b++) {
        c.fn(Float64Array.from(X.subarray(b * n, (b + 1) * n)), out);
        const big = Math.max(...out.map(Math.abs));
        for (let i = 0; i < c.outputSize; i++) {
          const err = Math.abs(y[b * c.outputSize + i]! - out[i]!);
          if (!(err <= 2e-4 * Math.max(Math.abs(out[i]!), 0.05 * big) + 1e-6)) throw new Error(`${make.name} row ${b} component ${i}: tf ${y[b * c.outputSize + i]} vs js ${out[i]}`);
        }
      }
    }
  });

  it('takes hyper-parameters', async () => {
    const L = loss('lam/2*w1^2 + w1*w2', { params: ['w1', 'w2'], symbols: ['lam'] });
    const t = await compileTf({ g: gradient(L.expr, L.params) }, L.params, { hyper: L.symbols });
    const y = t.fn(t.tf.tensor2d([[1, 2], [3, 4]]), [0.5]);
    expect(Array.from(y.dataSync())).toEqual([2.5, 1, 5.5, 3]);
    y.dispose();
  });
});
