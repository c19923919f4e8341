/**
 * A small float64 compiler for the numeric checks: Expr[] → (θ, out) => void, one local per DAG node
 * (shared sub-expressions evaluated once per call). Kept here so the slope tests depend only on the core.
 */
import { type Expr, type Sym } from '../../../src/symbolic/index.ts';

export type Field = (theta: Float64Array, out: Float64Array) => void;

const FN: Record<string, string> = {
  exp: 'Math.exp',
  log: 'Math.log',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tanh: 'Math.tanh',
  sigmoid: 'sigmoid',
  softplus: 'softplus',
};

export function compile(exprs: readonly Expr[], vars: readonly Sym[]): Field {
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  const varIndex = new Map<Sym, number>(vars.map((v, i) => [v, i]));
  const lit = (x: number): string => `(${String(x)})`;
  const go = (e: Expr): string => {
    const hit = names.get(e);
    if (hit) return hit;
    let code: string;
    switch (e.kind) {
      case 'num':
        return lit(e.value.toNumber());
      case 'sym': {
        const i = varIndex.get(e);
        if (i === undefined) throw new Error(`compile: free symbol ${e.name}`);
        return `x[${i}]`;
      }
      case 'add':
        code = [lit(e.constant.toNumber()), ...e.terms.map((t, i) => `${lit(e.coeffs[i]!.toNumber())}*${go(t)}`)].join('+');
        break;
      case 'mul':
        code = [
          lit(e.coeff.toNumber()),
          ...e.bases.map((b, i) => {
            const k = e.exps[i]!;
            const v = go(b);
            if (k.isOne()) return v;
            if (k.isInteger() && k.toNumber() === 2) return `${v}*${v}`;
            return `Math.pow(${v},${lit(k.toNumber())})`;
          }),
        ].join('*');
        break;
      case 'pow':
        code = `Math.pow(${go(e.base)},${go(e.exp)})`;
        break;
      case 'call':
        code = `${FN[e.fn]}(${go(e.arg)})`;
        break;
    }
    const name = `t${names.size}`;
    lines.push(`const ${name}=${code};`);
    names.set(e, name);
    return name;
  };
  const outs = exprs.map((e, i) => `out[${i}]=${go(e)};`);
  const body = `${lines.join('\n')}\n${outs.join('\n')}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(
    'sigmoid',
    'softplus',
    `return function(x, out) {\n${body}\n};`,
  ) as (s: (u: number) => number, sp: (u: number) => number) => Field;
  return make(
    (u) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u))),
    (u) => (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))),
  );
}
