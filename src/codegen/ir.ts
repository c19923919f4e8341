/**
 * Lowering of derived expressions to a straight-line numeric program (the IR shared by every target).
 *
 * The symbolic core is hash-consed, so equal subexpressions of all outputs of one derivation are already
 * one object: lowering walks the DAG once with a Map<Expr, node>, and the IR nodes are interned again
 * (by operation and operands) so that what lowering itself creates is shared too: powers x², x³, x⁴ are
 * built from one another (x³ = x²·x, x⁴ = x²·x²), √x is taken once for x^(1/2), x^(3/2), x^(-1/2).
 * A node used more than once becomes a temporary; a node used once is inlined into its user.
 *
 * Numerically stable forms: log(1 + exp(u)) → softplus(u); (1 + exp(u))^(−k) → σ(−u)^k and
 * exp(u)^j·(1 + exp(u))^(−k) → σ(u)^j·σ(−u)^(k−j); log(1 + r) → log1p(r). Sub-expressions free of symbols
 * are folded to float64 constants at compile time.
 */
import { type Expr, type FnName, type Sym, type Add, constantSymbolValue, evaluate, Rational } from '../symbolic/index.ts';
import { applyFunction } from '../symbolic/transform.ts';
import { memoWalk } from '../symbolic/walk.ts';
import { InputError } from '../errors.ts';

/** A call in the program: a registered function (src/symbolic/functions/) or a root introduced for a rational power. */
export type CallOp = FnName | 'sqrt' | 'cbrt';

export type Node =
  | { readonly op: 'theta'; readonly index: number; readonly name: string }
  | { readonly op: 'hyper'; readonly index: number; readonly name: string }
  | { readonly op: 'const'; readonly value: number }
  /** constant + Σ coefs[i]·args[i] */
  | { readonly op: 'sum'; readonly constant: number; readonly coefs: readonly number[]; readonly args: readonly number[] }
  /** coeff · Π num / Π den (node ids; a repeated id is a repeated factor) */
  | { readonly op: 'prod'; readonly coeff: number; readonly num: readonly number[]; readonly den: readonly number[] }
  | { readonly op: 'call'; readonly fn: CallOp; readonly arg: number }
  /** a^b, both nodes */
  | { readonly op: 'pow'; readonly base: number; readonly exp: number }
  /** a^k for a constant k that is not an integer, a half or a third */
  /**
   * base^k for a constant rational k = p/q (q ≥ 5, or what forward-mode passes derive from one): with q odd a
   * negative base gives the real root, (−1)^p·|base|^k (docs/design.md, "Numbers"), as `evaluate` does.
   */
  | { readonly op: 'powc'; readonly base: number; readonly k: number; readonly q: number };

export interface OutputBlock {
  readonly name: string;
  /** [] scalar, [n] vector, [r, c] matrix (row-major) */
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export interface Program {
  readonly nodes: readonly Node[];
  /** node id of each output component, in buffer order */
  readonly outputs: readonly number[];
  readonly blocks: readonly OutputBlock[];
  readonly params: readonly Sym[];
  readonly hyper: readonly Sym[];
  /** number of uses of each node (operand occurrences + output slots) */
  readonly uses: readonly number[];
}

/** A derived result: a scalar, a vector or a matrix of expressions. */
export type OutputValue = Expr | readonly Expr[] | readonly (readonly Expr[])[];
/** Named outputs: an ordered list or a record (insertion order). */
export type Outputs = ReadonlyArray<{ readonly name: string; readonly value: OutputValue }> | Readonly<Record<string, OutputValue>>;

/** Outputs or inputs that cannot be compiled or evaluated as given (a caller's mistake). */
export class CodegenError extends InputError {}

function isExpr(x: unknown): x is Expr {
  return typeof x === 'object' && x !== null && 'kind' in x && typeof (x as { kind: unknown }).kind === 'string';
}

/** Flatten named outputs to blocks + a list of expressions in buffer order. */
export function flattenOutputs(outputs: Outputs): { blocks: OutputBlock[]; exprs: Expr[] } {
  const list: Array<{ name: string; value: OutputValue }> = Array.isArray(outputs)
    ? (outputs as Array<{ name: string; value: OutputValue }>)
    : Object.entries(outputs as Record<string, OutputValue>).map(([name, value]) => ({ name, value }));
  const blocks: OutputBlock[] = [];
  const exprs: Expr[] = [];
  const names = new Set<string>();
  for (const { name, value } of list) {
    if (names.has(name)) throw new CodegenError(`output '${name}' is given twice`);
    names.add(name);
    const offset = exprs.length;
    if (isExpr(value)) {
      exprs.push(value);
      blocks.push({ name, shape: [], offset, size: 1 });
    } else if (Array.isArray(value) && (value.length === 0 || isExpr(value[0]))) {
      for (const e of value as Expr[]) {
        if (!isExpr(e)) throw new CodegenError(`output '${name}': every entry must be an expression`);
        exprs.push(e);
      }
      blocks.push({ name, shape: [value.length], offset, size: value.length });
    } else if (Array.isArray(value)) {
      const rows = value as Expr[][];
      const c = rows[0]!.length;
      for (const [i, row] of rows.entries()) {
        if (!Array.isArray(row) || row.length !== c) throw new CodegenError(`output '${name}': row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${c}`);
        for (const e of row) {
          if (!isExpr(e)) throw new CodegenError(`output '${name}': every entry must be an expression`);
          exprs.push(e);
        }
      }
      blocks.push({ name, shape: [rows.length, c], offset, size: rows.length * c });
    } else throw new CodegenError(`output '${name}' is not an expression, a vector or a matrix`);
  }
  return { blocks, exprs };
}

/** log(1 + exp(u)) / 1 + exp(u) recognition: returns u when e = 1 + exp(u). */
function onePlusExpArg(e: Expr): Expr | undefined {
  if (e.kind !== 'add' || e.terms.length !== 1 || !e.constant.isOne() || !e.coeffs[0]!.isOne()) return undefined;
  const t = e.terms[0]!;
  return t.kind === 'call' && t.fn === 'exp' ? t.arg : undefined;
}

/** Build the program for these outputs over θ = params and hyper-parameters. */
export function lower(outputs: Outputs, params: readonly Sym[], hyper: readonly Sym[] = [], opts: { factorPairs?: boolean } = {}): Program {
  const factorPairs = opts.factorPairs ?? true;
  const { blocks, exprs } = flattenOutputs(outputs);
  const nodes: Node[] = [];
  const keyToId = new Map<string, number>();
  const intern = (n: Node, key: string): number => {
    const hit = keyToId.get(key);
    if (hit !== undefined) return hit;
    const id = nodes.length;
    nodes.push(n);
    keyToId.set(key, id);
    return id;
  };
  const constant = (v: number): number => intern({ op: 'const', value: v }, `c${Object.is(v, -0) ? '0' : String(v)}`);
  const symNode = new Map<Sym, number>();
  params.forEach((p, i) => {
    if (symNode.has(p)) throw new CodegenError(`parameter '${p.name}' is listed twice`);
    symNode.set(p, intern({ op: 'theta', index: i, name: p.name }, `θ${i}`));
  });
  hyper.forEach((h, i) => {
    if (symNode.has(h)) throw new CodegenError(`'${h.name}' is both a parameter and a hyper-parameter`);
    symNode.set(h, intern({ op: 'hyper', index: i, name: h.name }, `η${i}`));
  });
  const callNode = (fn: CallOp, arg: number): number => {
    const a = nodes[arg]!;
    if (a.op === 'const') return constant(applyCall(fn, a.value));
    return intern({ op: 'call', fn, arg }, `${fn}(${arg})`);
  };
  const prodNode = (coeff: number, num: number[], den: number[]): number => {
    // fold constant factors
    const n2: number[] = [];
    const d2: number[] = [];
    for (const x of num) {
      const nx = nodes[x]!;
      if (nx.op === 'const') coeff *= nx.value;
      else n2.push(x);
    }
    for (const x of den) {
      const nx = nodes[x]!;
      if (nx.op === 'const') coeff /= nx.value;
      else d2.push(x);
    }
    if (coeff === 0) return constant(0);
    if (n2.length === 0 && d2.length === 0) return constant(coeff);
    if (coeff === 1 && n2.length === 1 && d2.length === 0) return n2[0]!;
    n2.sort((a, b) => a - b);
    d2.sort((a, b) => a - b);
    return intern({ op: 'prod', coeff, num: n2, den: d2 }, `*${coeff}|${n2.join(',')}|${d2.join(',')}`);
  };
  // x^k for a positive integer k, by squaring, each power shared
  const powInt = (x: number, k: number): number => {
    if (k === 1) return x;
    if (k % 2 === 0) {
      const h = powInt(x, k / 2);
      return prodNode(1, [h, h], []);
    }
    return prodNode(1, [powInt(x, k - 1), x], []);
  };
  /** factors of x^k for a rational k: pushes onto num/den */
  const powRational = (x: number, k: Rational, num: number[], den: number[]): void => {
    const p = Number(k.num);
    const q = Number(k.den);
    const side = p > 0 ? num : den;
    const ap = Math.abs(p);
    if (q === 1) side.push(powInt(x, ap));
    else if (q === 2) side.push(powInt(callNode('sqrt', x), ap));
    else if (q === 3) side.push(powInt(callNode('cbrt', x), ap));
    else {
      const nx = nodes[x]!;
      if (nx.op === 'const') num.push(constant(evalPowRat(nx.value, k)));
      else num.push(intern({ op: 'powc', base: x, k: k.toNumber(), q }, `^${x},${k.toNumber()},${q}`));
    }
  };

  const go: (e: Expr) => number = memoWalk<number>((e) => {
    let r: number;
    if (e.free === 0n) r = constant(evaluate(e, {}, { allowNonFinite: true }));
    else {
      switch (e.kind) {
        case 'num':
          r = constant(e.value.toNumber());
          break;
        case 'sym': {
          const s = symNode.get(e);
          const c = constantSymbolValue(e);
          if (c !== undefined) {
            r = constant(c);
            break;
          }
          if (s === undefined) {
            throw new CodegenError(
              `the symbol '${e.name}' is neither a parameter (${params.map((p) => p.name).join(', ') || 'none'}) nor a hyper-parameter (${hyper.map((h) => h.name).join(', ') || 'none'})`,
            );
          }
          r = s;
          break;
        }
        case 'add':
          r = lowerAdd(e);
          break;
        case 'mul': {
          const num: number[] = [];
          const den: number[] = [];
          // stable logistic forms: (1+exp(u))^(−k), with exp(u)^j in the same product
          const expFactor = new Map<Expr, number>(); // exp(u) base → index
          e.bases.forEach((b, i) => {
            if (b.kind === 'call' && b.fn === 'exp' && e.exps[i]!.isInteger() && !e.exps[i]!.isNegative()) expFactor.set(b.arg, i);
          });
          const consumed = new Set<number>();
          for (let i = 0; i < e.bases.length; i++) {
            const b = e.bases[i]!;
            const k = e.exps[i]!;
            const u = onePlusExpArg(b);
            if (u !== undefined && k.isInteger() && k.isNegative()) {
              let kk = -k.toNumber();
              const j = expFactor.get(u);
              if (j !== undefined && !consumed.has(j)) {
                const jj = Math.min(e.exps[j]!.toNumber(), kk);
                if (jj === e.exps[j]!.toNumber()) {
                  consumed.add(j);
                  num.push(powInt(callNode('sigmoid', go(u)), jj));
                  kk -= jj;
                }
              }
              if (kk > 0) num.push(powInt(callNode('sigmoid', negate(go(u))), kk));
              consumed.add(i);
            }
          }
          for (let i = 0; i < e.bases.length; i++) {
            if (consumed.has(i)) continue;
            powRational(go(e.bases[i]!), e.exps[i]!, num, den);
          }
          r = prodNode(e.coeff.toNumber(), num, den);
          break;
        }
        case 'pow': {
          const b = go(e.base);
          if (e.exp.kind === 'num') {
            const num: number[] = [];
            const den: number[] = [];
            powRational(b, e.exp.value, num, den);
            r = prodNode(1, num, den);
          } else r = intern({ op: 'pow', base: b, exp: go(e.exp) }, `^${b},${go(e.exp)}`);
          break;
        }
        case 'call': {
          if (e.fn === 'log') {
            const u = onePlusExpArg(e.arg);
            if (u !== undefined) {
              r = callNode('softplus', go(u));
              break;
            }
            if (e.arg.kind === 'add' && e.arg.constant.isOne()) {
              r = callNode('log1p', lowerAdd(e.arg, true));
              break;
            }
          }
          r = callNode(e.fn, go(e.arg));
          break;
        }
      }
    }
    return r;
  });
  const negate = (x: number): number => {
    const n = nodes[x]!;
    if (n.op === 'const') return constant(-n.value);
    if (n.op === 'prod') return prodNode(-n.coeff, [...n.num], [...n.den]);
    if (n.op === 'sum') return sumNode(-n.constant, n.coefs.map((c) => -c), [...n.args]);
    return prodNode(-1, [x], []);
  };
  const sumNode = (c0: number, coefs: number[], args: number[]): number => {
    const cs: number[] = [];
    const as: number[] = [];
    for (let i = 0; i < args.length; i++) {
      const n = nodes[args[i]!]!;
      if (n.op === 'const') c0 += coefs[i]! * n.value;
      else if (coefs[i] !== 0) {
        cs.push(coefs[i]!);
        as.push(args[i]!);
      }
    }
    if (as.length === 0) return constant(c0);
    if (as.length === 1 && c0 === 0 && cs[0] === 1) return as[0]!;
    return intern({ op: 'sum', constant: c0, coefs: cs, args: as }, `+${c0}|${as.map((a, i) => `${cs[i]}*${a}`).join(',')}`);
  };
  const lowerAdd = (e: Add, dropConstant = false): number =>
    sumNode(
      dropConstant ? 0 : e.constant.toNumber(),
      e.coeffs.map((c) => c.toNumber()),
      e.terms.map(go),
    );

  const outputs2 = exprs.map(go);
  if (factorPairs) shareProductPairs(nodes, outputs2, (a, b) => prodNode(1, [a, b], []));
  return { nodes, outputs: outputs2, blocks, params, hyper, uses: useCounts(nodes, outputs2) };
}

/**
 * Associative CSE of products: products are n-ary (w1·w2·…·w9·r), so the leave-one-out products of a
 * chain share no node. Greedily, the pair of factors that occurs in most products (at least two) becomes one
 * node a·b, which replaces the pair in every product containing it; repeat until no pair repeats. Counts are
 * kept incrementally with a lazy max-heap. (The pairs of numerators only; coefficients and denominators stay.)
 */
function shareProductPairs(nodes: Node[], outputs: readonly number[], makePair: (a: number, b: number) => number): void {
  // reachable products with at least three numerator factors
  const reach = new Uint8Array(nodes.length);
  const stack = [...outputs];
  const prods: number[] = [];
  while (stack.length) {
    const id = stack.pop()!;
    if (reach[id]) continue;
    reach[id] = 1;
    const n = nodes[id]!;
    if (n.op === 'prod' && n.num.length >= 3) prods.push(id);
    for (const c of operands(n)) stack.push(c);
  }
  if (prods.length < 2) return;
  const SHIFT = 2 ** 22;
  const key = (a: number, b: number) => (a <= b ? a * SHIFT + b : b * SHIFT + a);
  const factors = new Map<number, number[]>(); // prod id → its numerator factors (mutable copy)
  const count = new Map<number, number>();
  const byFactor = new Map<number, Set<number>>(); // factor → products that contain it
  const addFactorIndex = (id: number, x: number): void => {
    let w = byFactor.get(x);
    if (!w) byFactor.set(x, (w = new Set()));
    w.add(id);
  };
  /** distinct unordered pairs of a sorted factor list */
  const pairsOf = (f: readonly number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < f.length; i++) {
      if (i > 0 && f[i] === f[i - 1]) continue;
      for (let j = i + 1; j < f.length; j++) {
        if (j > i + 1 && f[j] === f[j - 1]) continue;
        out.push(key(f[i]!, f[j]!));
      }
    }
    return out;
  };
  const distinct = (f: readonly number[]): boolean => {
    for (let i = 1; i < f.length; i++) if (f[i] === f[i - 1]) return false;
    return true;
  };
  // lazy max-heap of (count, key) in two parallel arrays
  const hc: number[] = [];
  const hk: number[] = [];
  const push = (c: number, k: number): void => {
    let i = hc.length;
    hc.push(c);
    hk.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hc[p]! >= c) break;
      hc[i] = hc[p]!;
      hk[i] = hk[p]!;
      i = p;
    }
    hc[i] = c;
    hk[i] = k;
  };
  let topC = 0;
  let topK = 0;
  const pop = (): boolean => {
    if (!hc.length) return false;
    topC = hc[0]!;
    topK = hk[0]!;
    const lc = hc.pop()!;
    const lk = hk.pop()!;
    const n = hc.length;
    if (n) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && hc[r]! > hc[l]! ? r : l;
        if (hc[m]! <= lc) break;
        hc[i] = hc[m]!;
        hk[i] = hk[m]!;
        i = m;
      }
      hc[i] = lc;
      hk[i] = lk;
    }
    return true;
  };
  const inc = (_id: number, k: number): void => {
    const c = (count.get(k) ?? 0) + 1;
    count.set(k, c);
    if (c >= 2) push(c, k);
  };
  const dec = (_id: number, k: number): void => {
    count.set(k, count.get(k)! - 1); // the heap entry goes stale; it is re-pushed with the current count when popped
  };
  const addPairs = (id: number, f: readonly number[]): void => {
    for (const k of pairsOf(f)) inc(id, k);
  };
  for (const id of prods) {
    const n = nodes[id] as Extract<Node, { op: 'prod' }>;
    factors.set(id, [...n.num]);
    addPairs(id, n.num);
    for (const x of n.num) addFactorIndex(id, x);
  }
  let budget = 20 * prods.length + 1000;
  for (;;) {
    if (!pop()) break;
    const c = topC;
    const k = topK;
    const now = count.get(k)!;
    if (now !== c) {
      if (now >= 2 && now < c) push(now, k);
      continue;
    }
    if (c < 2) continue;
    if (budget-- <= 0) break;
    const a = Math.floor(k / SHIFT);
    const b = k % SHIFT;
    const pair = makePair(a, b);
    const sa = byFactor.get(a)!;
    const sb = byFactor.get(b)!;
    for (const id of [...(sa.size <= sb.size ? sa : sb)]) {
      const f = factors.get(id)!;
      const ia = f.indexOf(a);
      if (ia < 0) continue;
      const g = f.slice();
      g.splice(ia, 1);
      const ib = g.indexOf(b);
      if (ib < 0) continue;
      g.splice(ib, 1);
      g.push(pair);
      g.sort((x, y) => x - y);
      if (distinct(f) && distinct(g)) {
        // only the pairs with a or b go, only the pairs with the new factor come
        for (const x of f) {
          if (x !== a) dec(id, key(a, x));
          if (x !== b && x !== a) dec(id, key(b, x));
        }
        for (const x of g) if (x !== pair) inc(id, key(pair, x));
      } else {
        const before = new Set(pairsOf(f));
        const after = new Set(pairsOf(g));
        for (const q of before) if (!after.has(q)) dec(id, q);
        for (const q of after) if (!before.has(q)) inc(id, q);
      }
      factors.set(id, g);
      if (!g.includes(a)) byFactor.get(a)!.delete(id);
      if (!g.includes(b)) byFactor.get(b)!.delete(id);
      addFactorIndex(id, pair);
    }
  }
  for (const [id, f] of factors) {
    const n = nodes[id] as Extract<Node, { op: 'prod' }>;
    if (f.length !== n.num.length) nodes[id] = { op: 'prod', coeff: n.coeff, num: f, den: n.den };
  }
}

/** Operand node ids of a node (with repetition). */
export function operands(n: Node): readonly number[] {
  switch (n.op) {
    case 'theta':
    case 'hyper':
    case 'const':
      return [];
    case 'sum':
      return n.args;
    case 'prod':
      return n.den.length ? [...n.num, ...n.den] : n.num;
    case 'call':
      return [n.arg];
    case 'pow':
      return [n.base, n.exp];
    case 'powc':
      return [n.base];
  }
}

export { stableSigmoid, stableSoftplus } from '../symbolic/transform.ts';

export function applyCall(fn: CallOp, u: number): number {
  return applyFunction(fn, u);
}

/**
 * x^k in float64 for k = p/q given as a float and its denominator q: a negative x has the real value
 * (−1)^p·|x|^k when q is odd, NaN (outside the domain) when q is even — the convention of `evaluate`.
 */
export function realPow(x: number, k: number, q: number): number {
  if (x < 0 && q % 2 === 1) return (Math.round(k * q) % 2 === 0 ? 1 : -1) * Math.pow(-x, k);
  return Math.pow(x, k);
}

/** Whether powc's real root of a negative base is negated: q odd and p = k·q odd. */
export function oddRootSign(k: number, q: number): 1 | -1 | 0 {
  if (q % 2 === 0) return 0;
  return Math.round(k * q) % 2 === 0 ? 1 : -1;
}

/**
 * How often each node is used by the nodes reachable from the outputs (an output counts as one use);
 * unreachable nodes have 0. The emitters inline single-use nodes and skip unused ones.
 */
export function useCounts(nodes: readonly Node[], outputs: readonly number[]): number[] {
  const uses = new Array<number>(nodes.length).fill(0);
  const reach = new Uint8Array(nodes.length);
  const stack = [...outputs];
  for (const o of outputs) uses[o]!++;
  while (stack.length) {
    const id = stack.pop()!;
    if (reach[id]) continue;
    reach[id] = 1;
    for (const c of operands(nodes[id]!)) {
      uses[c]!++;
      stack.push(c);
    }
  }
  return uses;
}

function evalPowRat(x: number, k: Rational): number {
  const n = Number(k.num);
  const d = Number(k.den);
  if (x < 0 && d % 2 === 1) return (n % 2 === 0 ? 1 : -1) * Math.pow(-x, n / d);
  return Math.pow(x, n / d);
}

/** Size measures of a program: temporaries and arithmetic operations (for reports and benchmarks). */
export function programStats(p: Program): { nodes: number; temps: number; ops: number } {
  let temps = 0;
  let ops = 0;
  for (let i = 0; i < p.nodes.length; i++) {
    if (p.uses[i] === 0) continue;
    const n = p.nodes[i]!;
    if (n.op === 'theta' || n.op === 'hyper' || n.op === 'const') continue;
    if (p.uses[i]! > 1) temps++;
    switch (n.op) {
      case 'sum':
        ops += n.args.length - (n.constant === 0 ? 1 : 0) + n.coefs.filter((c) => c !== 1 && c !== -1).length;
        break;
      case 'prod':
        ops += n.num.length + n.den.length - 1 + (n.coeff !== 1 && n.coeff !== -1 ? 1 : 0) + (n.den.length > 0 && n.num.length === 0 ? 1 : 0);
        break;
      default:
        ops += 1;
    }
  }
  return { nodes: p.nodes.length, temps, ops };
}

/** A generated function's name must be a JavaScript identifier. */
export function checkFunctionName(name: string): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new CodegenError(`function name ${JSON.stringify(name)} is not a JavaScript identifier`);
  return name;
}

/** Nodes reachable from the outputs, operands first (iterative post-order). */
export function reachableInOrder(p: Program): number[] {
  const order: number[] = [];
  const state = new Uint8Array(p.nodes.length);
  for (const root of p.outputs) {
    const stack: Array<[number, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const id = top[0];
      if (state[id] === 2) {
        stack.pop();
        continue;
      }
      const ops = operands(p.nodes[id]!);
      if (top[1] < ops.length) {
        const c = ops[top[1]++]!;
        if (state[c] !== 2) stack.push([c, 0]);
        continue;
      }
      stack.pop();
      state[id] = 2;
      order.push(id);
    }
  }
  return order;
}
