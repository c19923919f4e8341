import { describe, it, expect } from 'vitest';
import katex from 'katex';
import { type Expr, ZERO, loss, expand, diff, sub, add, mul, num, sum, subs, scale, sym, gradient, hessian, Rational } from '../../../src/symbolic/index.ts';
import { modifiedLoss } from '../../../src/theory/eom/modified-loss.ts';
import { ETA } from '../../../src/theory/eom/instantiate.ts';
import { shufflingModifiedLoss, partitionModifiedLoss } from '../../../src/theory/langevin/index.ts';
import { InputError } from '../../../src/errors.ts';

const strictKatex = (tex: string): string => katex.renderToString(tex, { throwOnError: true, strict: 'error' });
const eta = sym('eta');

// six non-quadratic per-example losses in two parameters
const EXAMPLES = [
  '(w1 + 2*w2 - 1)^2/2 + w1^2*w2^2/4',
  '(w1 - w2)^2/2 + w1^3/6',
  '(2*w1 + w2 + 1)^2/2',
  '(w2 - 3)^2/2 + w1^2*w2/2',
  '(w1 + w2)^2/2 - w2^3/6',
  '(w1 - 2)^2/2 + w1*w2^2/3',
];
const params = ['w1', 'w2'];

function meanLoss(ex: readonly string[]) {
  return loss(`(${ex.join(' + ')})/${ex.length}`, { params });
}

/** All sequences of m disjoint batches of size S covering 0..N−1 (ordered partitions). */
function orderedPartitions(N: number, S: number): number[][][] {
  const out: number[][][] = [];
  const rec = (left: number[], acc: number[][]): void => {
    if (left.length === 0) return void out.push(acc);
    const choose = (start: number, pick: number[]): void => {
      if (pick.length === S) {
        rec(left.filter((i) => !pick.includes(i)), [...acc, pick]);
        return;
      }
      for (let j = start; j < left.length; j++) choose(j + 1, [...pick, left[j]!]);
    };
    choose(0, []);
  };
  rec([...Array(N).keys()], []);
  return out;
}

/** [η²] of an expression polynomial in η. */
function eta2(e: Expr): Expr {
  return expand(scale(subs(diff(diff(e, eta), eta), new Map([[eta, num(0)]])), Rational.HALF));
}

const THETA0 = [num(Rational.of(1, 3)), num(Rational.of(-1, 2))];

/** E θ_m over the given batch sequences: one epoch of SGD, exactly, as polynomials in η. */
function meanEpoch(ex: readonly string[], sequences: readonly (readonly (readonly number[])[])[]): Expr[] {
  const L = meanLoss(ex);
  const ls = ex.map((f) => loss(f, { params }).expr);
  const acc: Expr[][] = [[], []];
  for (const seq of sequences) {
    let th: Expr[] = THETA0;
    for (const batch of seq) {
      const gB = gradient(scale(sum(batch.map((i) => ls[i]!)), Rational.of(1, batch.length)), L.params);
      const at = new Map(L.params.map((p, i) => [p, th[i]!] as const));
      th = th.map((x, i) => sub(x, mul(eta, subs(gB[i]!, at))));
    }
    th.forEach((x, i) => acc[i]!.push(x));
  }
  return acc.map((xs) => scale(sum(xs), Rational.of(1, sequences.length)));
}

/** [η²] of the gradient flow of L̃ = L + ηC₁ over time mη from θ0: −m∇C₁ + (m²/2) H ∇L (a second derivation). */
function flowEta2(ex: readonly string[], potential: Expr, m: number): Expr[] {
  const L = meanLoss(ex);
  const C1 = diff(potential, eta);
  const at = new Map(L.params.map((p, i) => [p, THETA0[i]!] as const));
  const g = gradient(L.expr, L.params).map((x) => subs(x, at));
  const H = hessian(L.expr, L.params).map((r) => r.map((x) => subs(x, at)));
  const gC = gradient(C1, L.params).map((x) => subs(x, at));
  return [0, 1].map((i) => expand(add(scale(gC[i]!, -m), scale(sum([0, 1].map((j) => mul(H[i]![j]!, g[j]!))), Rational.of(m * m, 2)))));
}

describe('shuffling modified loss: E θ after one epoch = gradient flow of L + (η/4)‖∇L‖² + (η/4)(N−S)/(S(N−1)) tr Σ to O(η²)', () => {
  for (const [N, S] of [[4, 2], [6, 2], [6, 3], [4, 1], [4, 4]] as const)
    it(`N = ${N}, S = ${S}: exact average over all ${orderedPartitions(N, S).length} ordered partitions`, () => {
      const ex = EXAMPLES.slice(0, N);
      const L = meanLoss(ex);
      const r = shufflingModifiedLoss(L, ex, { batchSize: S, eta: 'eta' });
      expect(r.samplingFactor.equals(Rational.of(N - S, S * (N - 1)))).toBe(true);
      const brute = meanEpoch(ex, orderedPartitions(N, S)).map(eta2);
      const flow = flowEta2(ex, r.potential, N / S);
      for (let i = 0; i < 2; i++) expect(expand(sub(brute[i]!, flow[i]!))).toBe(ZERO);
      // not vacuous: with the with-replacement factor 1/S the η² terms differ (unless S = N, S = 1 where both vanish/agree)
      if (S > 1 && S < N) {
        const wrong = add(L.expr, r.gradientPenalty, scale(r.variancePenalty, Rational.of(N - 1, N - S)));
        const f2 = flowEta2(ex, wrong, N / S);
        expect(expand(sub(brute[0]!, f2[0]!)) === ZERO && expand(sub(brute[1]!, f2[1]!)) === ZERO).toBe(false);
      }
      expect(() => strictKatex(r.latex())).not.toThrow();
    });

  it('one fixed partition, averaged over the order of its batches: L + (η/(4m)) Σ_k ‖∇L̂_k‖²', () => {
    const ex = EXAMPLES;
    const parts = [[0, 3], [1, 5], [2, 4]];
    const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]].map((p) => p.map((k) => parts[k]!));
    const L = meanLoss(ex);
    const brute = meanEpoch(ex, perms).map(eta2);
    const flow = flowEta2(ex, partitionModifiedLoss(L, ex, parts, 'eta'), 3);
    for (let i = 0; i < 2; i++) expect(expand(sub(brute[i]!, flow[i]!))).toBe(ZERO);
  });

  it('S = N is gradient descent: the EoM layer’s modified loss L + (η/4)‖∇L‖²', () => {
    const ex = EXAMPLES.slice(0, 3);
    const L = meanLoss(ex);
    const r = shufflingModifiedLoss(L, ex, { batchSize: 3 });
    expect(expand(sub(r.potential, modifiedLoss(L, 2).potential))).toBe(ZERO);
    expect(r.eta).toBe(ETA);
  });

  it('input errors: S not dividing N, too few examples, L not the mean', () => {
    const ex = EXAMPLES.slice(0, 4);
    const L = meanLoss(ex);
    expect(() => shufflingModifiedLoss(L, ex, { batchSize: 3 })).toThrow(/does not divide/);
    expect(() => shufflingModifiedLoss(L, ex, { batchSize: 0 })).toThrow(InputError);
    expect(() => shufflingModifiedLoss(L, ex.slice(0, 1), { batchSize: 1 })).toThrow(/at least 2/);
    expect(() => shufflingModifiedLoss(L, ex.slice(0, 3), { batchSize: 1 })).toThrow(/mean/);
    expect(() => partitionModifiedLoss(L, ex, [[0, 1], [1, 2]])).toThrow(/exactly once/);
  });
});
