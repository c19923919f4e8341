/**
 * Forward-mode directional derivative over the expression DAG: D_v F = (J_F v) computed node by node
 * (D_v(x·y) = D_v x·y + x·D_v y, D_v θ_j = v_j, …), memoised per node. The result is the same function as
 * `jvp(F, params, v)` of the core (Σ_j ∂F/∂θ_j v_j) but its DAG is about the size of F's, not n times it,
 * so generated code for Hg, ∇³L[g,g], H²g is forward-mode AD in effect: for the P3 network f1..f3 lower to
 * ~3.3 k operations this way against ~12 k through Σ_j ∂F/∂θ_j v_j.
 */
import {
  type Expr,
  type Sym,
  Rational,
  SumBuilder,
  ProductBuilder,
  ZERO,
  ONE,
  mul,
  pow,
  add,
  log,
  cos,
  sin,
  sub,
  tanh,
  sigmoid,
  scale,
} from '../symbolic/index.ts';

/** D_v F_i for every component: the Jacobian–vector product, in forward mode over the DAG. */
export function directionalDerivative(F: readonly Expr[], params: readonly Sym[], v: readonly Expr[]): Expr[] {
  if (v.length !== params.length) throw new RangeError(`directionalDerivative: direction has ${v.length} entries, expected ${params.length}`);
  const dir = new Map<Sym, Expr>();
  params.forEach((p, i) => dir.set(p, v[i]!));
  let mask = 0n;
  for (const p of params) mask |= p.free;
  const memo = new Map<Expr, Expr>();
  const D = (e: Expr): Expr => {
    if ((e.free & mask) === 0n) return ZERO;
    const hit = memo.get(e);
    if (hit !== undefined) return hit;
    let r: Expr;
    switch (e.kind) {
      case 'num':
        r = ZERO;
        break;
      case 'sym':
        r = dir.get(e) ?? ZERO;
        break;
      case 'add': {
        const b = new SumBuilder();
        for (let i = 0; i < e.terms.length; i++) b.add(D(e.terms[i]!), e.coeffs[i]!);
        r = b.build();
        break;
      }
      case 'mul': {
        const b = new SumBuilder();
        const n = e.bases.length;
        for (let i = 0; i < n; i++) {
          const db = D(e.bases[i]!);
          if (db === ZERO) continue;
          const pb = new ProductBuilder();
          pb.coeff = e.coeff.mul(e.exps[i]!);
          for (let j = 0; j < n; j++) {
            const k = j === i ? e.exps[j]!.sub(Rational.ONE) : e.exps[j]!;
            if (!k.isZero()) pb.mul(e.bases[j]!, k);
          }
          b.add(mul(pb.build(), db));
        }
        r = b.build();
        break;
      }
      case 'pow':
        r = mul(e, add(mul(D(e.exp), log(e.base)), mul(e.exp, D(e.base), pow(e.base, -1))));
        break;
      case 'call': {
        const du = D(e.arg);
        const u = e.arg;
        let outer: Expr;
        switch (e.fn) {
          case 'exp':
            outer = e;
            break;
          case 'log':
            outer = pow(u, -1);
            break;
          case 'sin':
            outer = cos(u);
            break;
          case 'cos':
            outer = scale(sin(u), -1);
            break;
          case 'tanh':
            outer = sub(ONE, pow(tanh(u), 2));
            break;
          case 'sigmoid':
            outer = mul(e, sub(ONE, e));
            break;
          case 'softplus':
            outer = sigmoid(u);
            break;
        }
        r = mul(outer, du);
        break;
      }
    }
    memo.set(e, r);
    return r;
  };
  return F.map(D);
}

/**
 * f1, f2, f3 of gradient descent by forward-mode directional derivatives (theory/eom.md):
 * f1 = −g, f2 = −½Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H²g = −1/12 D_g(Hg) − 1/4 D_{Hg}(g).
 */
export function counterTermsForward(params: readonly Sym[], g: readonly Expr[], K: 1 | 2 | 3): Expr[][] {
  const f: Expr[][] = [g.map((x) => scale(x, -1))];
  if (K >= 2) {
    const Hg = directionalDerivative(g, params, g);
    f.push(Hg.map((x) => scale(x, Rational.of(-1, 2))));
    if (K >= 3) {
      const JHg = directionalDerivative(Hg, params, g);
      const HHg = directionalDerivative(g, params, Hg);
      f.push(JHg.map((x, i) => add(scale(x, Rational.of(-1, 12)), scale(HHg[i]!, Rational.of(-1, 4)))));
    }
  }
  return f;
}
