/** float64 helpers for the heavy-ball and invariance tests: an Expr → JS compiler, RK4, GD / heavy-ball loops, slopes. */
import type { Expr, Sym } from '../../../src/symbolic/index.ts';

export type Field = (y: Float64Array, out: Float64Array, eta: number) => void;

/** Compile a vector of expressions in `params` (and the scalar `extra`, passed as `eta`) to a JS function. */
export function compile(F: readonly Expr[], params: readonly Sym[], extra?: Sym): Field {
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  params.forEach((p, i) => names.set(p, `y[${i}]`));
  if (extra) names.set(extra, 'eta');
  const powr = (x: string, k: { num: bigint; den: bigint; toNumber(): number }): string => {
    if (k.den === 1n) {
      const n = Number(k.num);
      if (n === 1) return x;
      if (n === 2) return `(${x}*${x})`;
      if (n === -1) return `(1/${x})`;
      return `Math.pow(${x},${n})`;
    }
    if (k.num === 1n && k.den === 2n) return `Math.sqrt(${x})`;
    return `Math.pow(${x},${k.toNumber()})`;
  };
  const go = (e: Expr): string => {
    const hit = names.get(e);
    if (hit !== undefined) return hit;
    let s: string;
    switch (e.kind) {
      case 'num':
        return `(${e.value.toNumber()})`;
      case 'sym':
        throw new Error(`compile: free symbol ${e.name}`);
      case 'add':
        s = [String(e.constant.toNumber()), ...e.terms.map((t, i) => `${e.coeffs[i]!.toNumber()}*${go(t)}`)].join('+');
        break;
      case 'mul':
        s = [String(e.coeff.toNumber()), ...e.bases.map((b, i) => powr(go(b), e.exps[i]!))].join('*');
        break;
      case 'pow':
        s = `Math.pow(${go(e.base)},${go(e.exp)})`;
        break;
      case 'call': {
        const a = go(e.arg);
        const fn: Record<string, string> = {
          exp: `Math.exp(${a})`,
          log: `Math.log(${a})`,
          sin: `Math.sin(${a})`,
          cos: `Math.cos(${a})`,
          tanh: `Math.tanh(${a})`,
          sigmoid: `(1/(1+Math.exp(-(${a}))))`,
          softplus: `Math.log1p(Math.exp(${a}))`,
        };
        s = fn[e.fn]!;
        break;
      }
    }
    const v = `t${names.size}`;
    lines.push(`const ${v} = ${s};`);
    names.set(e, v);
    return v;
  };
  const outs = F.map((e, i) => `out[${i}] = ${go(e)};`);
  return new Function('y', 'out', 'eta', [...lines, ...outs].join('\n')) as Field;
}

/** RK4 for y' = F(y) over `duration` (may be negative) in `steps` steps. */
export function rk4(F: Field, y0: ArrayLike<number>, duration: number, steps: number, eta: number): Float64Array {
  const n = y0.length;
  const h = duration / steps;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n), k2 = new Float64Array(n), k3 = new Float64Array(n), k4 = new Float64Array(n), t = new Float64Array(n);
  for (let s = 0; s < steps; s++) {
    F(y, k1, eta);
    for (let i = 0; i < n; i++) t[i] = y[i]! + 0.5 * h * k1[i]!;
    F(t, k2, eta);
    for (let i = 0; i < n; i++) t[i] = y[i]! + 0.5 * h * k2[i]!;
    F(t, k3, eta);
    for (let i = 0; i < n; i++) t[i] = y[i]! + h * k3[i]!;
    F(t, k4, eta);
    for (let i = 0; i < n; i++) y[i] = y[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }
  return y;
}

/** Heavy-ball θ_{k+1} = θ_k − η g(θ_k) + β(θ_k − θ_{k−1}) for `steps` steps; returns θ_steps. */
export function heavyBall(grad: Field, theta0: ArrayLike<number>, thetaPrev: ArrayLike<number>, eta: number, beta: number, steps: number): Float64Array {
  const n = theta0.length;
  let cur = Float64Array.from(theta0);
  let prev = Float64Array.from(thetaPrev);
  const g = new Float64Array(n);
  for (let k = 0; k < steps; k++) {
    grad(cur, g, eta);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = cur[i]! - eta * g[i]! + beta * (cur[i]! - prev[i]!);
    prev = cur;
    cur = next;
  }
  return cur;
}

/** Least-squares slope of log(err) against log(eta). */
export function slope(etas: readonly number[], errs: readonly number[]): number {
  const x = etas.map(Math.log);
  const y = errs.map(Math.log);
  const mx = x.reduce((a, b) => a + b) / x.length;
  const my = y.reduce((a, b) => a + b) / y.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

export function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
