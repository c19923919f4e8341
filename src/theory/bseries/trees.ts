/**
 * Rooted trees and their elementary differentials (Butcher; Hairer–Lubich–Wanner, *Geometric Numerical
 * Integration* (GNI) §III.1; the layout follows BSeries.jl / RootedTrees.jl).
 *
 * A rooted tree t = [t_1, …, t_m] is a root with the subtrees t_1 … t_m hanging from it; the single node is
 * • = []. Trees are *canonical and interned*: the children are kept sorted (by number of nodes, then by
 * canonical key), so two equal trees are the same object and `===` is tree equality.
 *
 * For the ODE θ̇ = f(θ), the elementary differential of t is (GNI Def. III.1.2)
 *
 *     F(•) = f,     F([t_1, …, t_m]) = f^(m)(F(t_1), …, F(t_m)),
 *
 * the symmetry σ(t) = Π_i σ(u_i)^{k_i} k_i!  (u_i the distinct children, k_i their multiplicities)
 * and the density γ(t) = |t| Π_j γ(t_j).
 *
 * Nothing here knows the method or the vector field: gradient descent's loss notation (f = −∇L) lives in
 * theory/eom/loss-notation.ts.
 */
import { BudgetError, InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';

export class RootedTree {
  /** number of nodes |t| */
  readonly order: number;
  /** canonical key: • = "[]", [•] = "[[]]", [•,•] = "[[],[]]", … (equal trees have equal keys) */
  readonly key: string;
  /** σ(t), the order of the automorphism group */
  readonly symmetry: bigint;
  /** γ(t), the density */
  readonly density: bigint;

  /** use `tree(children)`: trees are interned */
  private constructor(readonly children: readonly RootedTree[]) {
    this.order = 1 + children.reduce((s, c) => s + c.order, 0);
    this.key = `[${children.map((c) => c.key).join(',')}]`;
    this.density = children.reduce((d, c) => d * c.density, BigInt(this.order));
    this.symmetry = symmetryOf(children);
  }

  private static readonly table = new Map<string, RootedTree>();

  /** The tree [children…] (in any order): the canonical, interned object. */
  static of(children: readonly RootedTree[]): RootedTree {
    const sorted = [...children].sort(compareTrees);
    const key = `[${sorted.map((c) => c.key).join(',')}]`;
    let t = RootedTree.table.get(key);
    if (t === undefined) {
      t = new RootedTree(sorted);
      RootedTree.table.set(key, t);
    }
    return t;
  }

  /** Butcher's bracket notation: •, [•], [•,•], [[•]], … */
  toString(): string {
    return this.children.length === 0 ? '•' : `[${this.children.map(String).join(',')}]`;
  }

  /** level sequence (RootedTrees.jl convention: root at level 1, depth-first, canonical child order) */
  levelSequence(): number[] {
    const out: number[] = [];
    const walk = (t: RootedTree, level: number): void => {
      out.push(level);
      for (const c of t.children) walk(c, level + 1);
    };
    walk(this, 1);
    return out;
  }
}

/** Canonical order of trees: fewer nodes first, then by key. */
export function compareTrees(a: RootedTree, b: RootedTree): number {
  if (a === b) return 0;
  return a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function factorial(k: number): bigint {
  let r = 1n;
  for (let i = 2; i <= k; i++) r *= BigInt(i);
  return r;
}

/** σ([t_1..t_m]) = Π over distinct children u of σ(u)^k · k!, k = multiplicity (GNI (III.1.14)). */
function symmetryOf(children: readonly RootedTree[]): bigint {
  let s = 1n;
  for (const [child, k] of multiplicities(children)) s *= child.symmetry ** BigInt(k) * factorial(k);
  return s;
}

/** The distinct children with their multiplicities. */
export function multiplicities(children: readonly RootedTree[]): Map<RootedTree, number> {
  const m = new Map<RootedTree, number>();
  for (const c of children) m.set(c, (m.get(c) ?? 0) + 1);
  return m;
}

export const tree = (children: readonly RootedTree[] = []): RootedTree => RootedTree.of(children);
/** the one-node tree • */
export const LEAF: RootedTree = tree([]);

/** α(t) = |t|! / (σ(t) γ(t)): the number of monotonic labellings (Σ_{|t|=n} α(t) = (n−1)!). */
export function labellings(t: RootedTree): bigint {
  return factorial(t.order) / (t.symmetry * t.density);
}

// ---------------------------------------------------------------------------------------------------------
// Enumeration

const byOrder: RootedTree[][] = [[], [LEAF]];

const countMemo: bigint[] = [0n, 1n];

/**
 * The number of rooted trees with n nodes (OEIS A000081), without enumerating them:
 * r(n+1) = (1/n) Σ_{k=1}^{n} (Σ_{d | k} d·r(d)) r(n−k+1).
 */
export function treeCount(n: number): bigint {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`tree order must be a positive integer, got ${n}`);
  for (let m = countMemo.length; m <= n; m++) {
    const k1 = m - 1; // r(m) from r(1..m−1)
    let s = 0n;
    for (let k = 1; k <= k1; k++) {
      let divisorSum = 0n;
      for (let d = 1; d <= k; d++) if (k % d === 0) divisorSum += BigInt(d) * countMemo[d]!;
      s += divisorSum * countMemo[k1 - k + 1]!;
    }
    countMemo.push(s / BigInt(k1));
  }
  return countMemo[n]!;
}

/** The default budget of trees one enumeration may hold (all trees up to order 15 are 141 083). */
export const DEFAULT_MAX_TREES = 200_000;

/** A BudgetError when the trees with 1 … n nodes number more than maxTrees (`what` names the caller). */
export function checkTreeBudget(what: string, n: number, maxTrees: number = DEFAULT_MAX_TREES): void {
  let total = 0n;
  // the exact count for orders a person would type; past those, stop once over the budget (an order like
  // 10^200 must be refused, not counted: the counts grow like 2.96^k)
  const exact = n <= 200;
  for (let k = 1; k <= n && (exact || total <= BigInt(maxTrees)); k++) total += treeCount(k);
  if (total > BigInt(maxTrees)) {
    throw new BudgetError(
      `${what}: order ${n} needs ${exact ? 'the' : 'more than'} ${total} rooted trees with up to ${n} nodes, above the budget maxTrees = ${maxTrees}; ask for a lower order or raise maxTrees`,
    );
  }
}

/**
 * All rooted trees with n nodes, in canonical order: a root plus a multiset of subtrees of total size n − 1,
 * the multiset enumerated as a non-decreasing sequence in the canonical order (so each tree appears once).
 */
export function treesOfOrder(n: number, maxTrees: number = DEFAULT_MAX_TREES): readonly RootedTree[] {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`tree order must be a positive integer, got ${n}`);
  if (n >= byOrder.length) checkTreeBudget('treesOfOrder', n, maxTrees);
  for (let k = byOrder.length; k <= n; k++) {
    const smaller = byOrder.slice(1, k).flat(); // canonical order: by size, then key within a size
    const out: RootedTree[] = [];
    const pick = (remaining: number, from: number, chosen: RootedTree[]): void => {
      if (remaining === 0) {
        out.push(tree(chosen));
        return;
      }
      for (let i = from; i < smaller.length; i++) {
        const c = smaller[i]!;
        if (c.order > remaining) break;
        chosen.push(c);
        pick(remaining - c.order, i, chosen);
        chosen.pop();
      }
    };
    pick(k - 1, 0, []);
    out.sort(compareTrees);
    byOrder.push(out);
  }
  return byOrder[n]!;
}

/** All trees with 1 … n nodes. */
export function treesUpTo(n: number): RootedTree[] {
  const out: RootedTree[] = [];
  for (let k = 1; k <= n; k++) out.push(...treesOfOrder(k));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Edge cuts (used by the Lie derivative of a B-series, ./modified-equation.ts)

/** One edge of t removed: the part with the root (trunk) and the subtree hanging below the edge (branch). */
export interface EdgeCut {
  readonly trunk: RootedTree;
  readonly branch: RootedTree;
}

const cutMemo = new Map<RootedTree, readonly EdgeCut[]>();

/**
 * All |t| − 1 single-edge cuts of t, one per edge (equal cuts through symmetric edges are listed again:
 * the multiplicity is part of the Lie-derivative coefficient).
 */
export function edgeCuts(t: RootedTree): readonly EdgeCut[] {
  const hit = cutMemo.get(t);
  if (hit) return hit;
  const out: EdgeCut[] = [];
  t.children.forEach((child, i) => {
    const others = t.children.filter((_, j) => j !== i);
    // the edge root–child
    out.push({ trunk: tree(others), branch: child });
    // an edge inside the child
    for (const c of edgeCuts(child)) out.push({ trunk: tree([...others, c.trunk]), branch: c.branch });
  });
  cutMemo.set(t, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Elementary differentials as text and LaTeX

const PRIME_TEXT = ['', '′', '″', '‴'];
const PRIME_TEX = ['', "'", "''", "'''"];

/** F(t) in f-notation: f, f′f, f″(f,f), f′f′f, f‴(f,f,f), … */
export function fNotation(t: RootedTree): string {
  const m = t.children.length;
  if (m === 0) return 'f';
  const head = m < 4 ? `f${PRIME_TEXT[m]}` : `f^(${m})`;
  if (m === 1) return head + fNotation(t.children[0]!);
  return `${head}(${t.children.map(fNotation).join(',')})`;
}

/** F(t) in f-notation, LaTeX: f, f'f, f''(f, f), f'f'f, f^{(4)}(f, f, f, f), … */
export function fNotationLatex(t: RootedTree): string {
  const m = t.children.length;
  if (m === 0) return 'f';
  const head = m < 4 ? `f${PRIME_TEX[m]}` : `f^{(${m})}`;
  if (m === 1) return `${head} ${fNotationLatex(t.children[0]!)}`;
  return `${head}\\left(${t.children.map(fNotationLatex).join(', ')}\\right)`;
}

/**
 * The 1-D reduction of F(t): each node with m children contributes a factor f^(m), so
 * F(t) = Π_m (f^(m))^{c_m}; returns the exponents c_0, c_1, … (c_m = number of nodes with m children).
 */
export function oneDimensionalExponents(t: RootedTree): number[] {
  const c: number[] = [];
  const walk = (s: RootedTree): void => {
    const m = s.children.length;
    while (c.length <= m) c.push(0);
    c[m]!++;
    s.children.forEach(walk);
  };
  walk(t);
  return c;
}

/** σ(t) and γ(t) as exact rationals (for coefficient arithmetic). */
export const symmetryQ = (t: RootedTree): Rational => Rational.int(t.symmetry);
export const densityQ = (t: RootedTree): Rational => Rational.int(t.density);
