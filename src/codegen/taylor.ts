/**
 * Counter terms f1, f2, f3 of gradient descent as forward-mode (Taylor-mode) passes over ONE lowered
 * program for ∇L (docs/theory/eom.md, "Counter terms"; Miyagawa, NeurIPS 2022):
 *
 *   f1 = −g,  f2 = −½ Hg,  f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg).
 *
 * Along the line θ + t·g the gradient program's outputs have the truncated Taylor expansion
 * g(θ + t g) = g + t·Hg + t²·½∇³L[g,g] + O(t³), so one order-2 Taylor pass seeded with the direction g
 * (computed at run time by the value pass) yields Hg and ½∇³L[g,g]; one order-1 pass seeded with Hg
 * yields H(Hg). The generated program is O(K × size of the ∇L program), whatever the symbolic size of
 * the counter terms.
 */
import { type Expr, type Sym, call, diff, sym } from '../symbolic/index.ts';
import type { FnName } from '../symbolic/index.ts';
import { type Node, type Program, CodegenError, lower, operands, reachableInOrder, applyCall } from './ir.ts';
import { compile, type NumericFn } from './index.ts';

/** A Taylor-mode counter-term function: θ in, out = (f1, …, fK) concatenated (K·n entries). */
export interface CompiledCounterTerms {
  readonly fn: NumericFn;
  readonly js: string;
  readonly K: 1 | 2 | 3;
  readonly outputSize: number;
  readonly blocks: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number }>;
  /** the lowered gradient program the passes run over */
  readonly program: Program;
}

/** A truncated Taylor number as code: coefficient texts of t⁰, t¹, t² (null = identically zero). */
type Taylor = [string, string | null, string | null];

function literal(v: number): string {
  return `(${Object.is(v, -0) ? '0' : String(v)})`;
}

function sumOf(terms: Array<string | null>): string | null {
  const t = terms.filter((x): x is string => x !== null);
  return t.length ? t.join(' + ') : null;
}

/** Emitter of one function body: fresh names bound to `const`. */
class Body {
  readonly lines: string[] = [];
  private count = 0;
  bind(text: string): string {
    const name = `t${this.count++}`;
    this.lines.push(`const ${name} = ${text};`);
    return name;
  }
  bindT(x: Taylor): Taylor {
    return [this.bind(x[0]), x[1] === null ? null : this.bind(x[1]), x[2] === null ? null : this.bind(x[2])];
  }
}

function mulT(b: Body, x: Taylor, y: Taylor, order: 1 | 2): Taylor {
  const r1 = sumOf([x[1] && `${y[0]}*${x[1]}`, y[1] && `${x[0]}*${y[1]}`]);
  const r2 = order < 2 ? null : sumOf([x[2] && `${y[0]}*${x[2]}`, x[1] && y[1] && `${x[1]}*${y[1]}`, y[2] && `${x[0]}*${y[2]}`]);
  return b.bindT([`${x[0]}*${y[0]}`, r1, r2]);
}

function divT(b: Body, x: Taylor, y: Taylor, order: 1 | 2): Taylor {
  const q0 = b.bind(`${x[0]}/${y[0]}`);
  const q1 = sumOf([x[1], y[1] && `-${q0}*${y[1]}`]);
  const q1n = q1 === null ? null : b.bind(`(${q1})/${y[0]}`);
  const q2 = order < 2 ? null : sumOf([x[2], y[2] && `-${q0}*${y[2]}`, q1n && y[1] && `-${q1n}*${y[1]}`]);
  return [q0, q1n, q2 === null ? null : b.bind(`(${q2})/${y[0]}`)];
}

/** y = φ(u) given φ(u0), φ'(u0), φ''(u0) as texts: y1 = φ'u1, y2 = φ'u2 + ½φ''u1². */
function chainT(b: Body, u: Taylor, y0: string, d1: string, d2: string, order: 1 | 2): Taylor {
  const y1 = u[1] && `${d1}*${u[1]}`;
  const y2 = order < 2 ? null : sumOf([u[2] && `${d1}*${u[2]}`, u[1] && `0.5*${d2}*${u[1]}*${u[1]}`]);
  return b.bindT([y0, y1, y2]);
}

/** Helpers for a registered function: value and φ', φ'' (symbolic derivatives of the registry's φ, compiled). */
function callHelper(fn: FnName): (u: number, out: Float64Array) => void {
  const u = sym('__taylor_u');
  const d1 = diff(call(fn, u), u);
  const d2 = diff(d1, u);
  const c = compile({ d1, d2 }, [u]);
  const inp = new Float64Array(1);
  return (x, out) => {
    inp[0] = x;
    c.fn(inp, out);
  };
}

/**
 * Compile f1…fK (K ≤ 3) of gradient descent from the gradient g = ∇L over `params`, as Taylor-mode passes
 * over one program for g. `hyper` are the loss's symbolic hyper-parameters (passed as the 3rd argument).
 */
export function compileCounterTermsForward(
  g: readonly Expr[],
  params: readonly Sym[],
  K: 1 | 2 | 3,
  opts: { hyper?: readonly Sym[] } = {},
): CompiledCounterTerms {
  if (K !== 1 && K !== 2 && K !== 3) throw new CodegenError(`K must be 1, 2 or 3 (got ${String(K)}): higher counter terms need the symbolic route (counterTerms)`);
  if (g.length !== params.length) throw new CodegenError(`the gradient has ${g.length} components but there are ${params.length} parameters: pass g = ∇L over the same parameters`);
  const program = lower({ g }, params, opts.hyper ?? []);
  const n = params.length;
  const order = reachableInOrder(program);
  const nodes = program.nodes;
  const active = new Uint8Array(nodes.length);
  for (const id of order) {
    const nd = nodes[id]!;
    active[id] = nd.op === 'theta' || operands(nd).some((o) => active[o]) ? 1 : 0;
  }
  const helpers: Array<(u: number, out: Float64Array) => void> = [];
  const helperIndex = new Map<string, number>();
  const helperOf = (fn: FnName): number => {
    let k = helperIndex.get(fn);
    if (k === undefined) {
      k = helpers.length;
      helpers.push(callHelper(fn));
      helperIndex.set(fn, k);
    }
    return k;
  };
  const b = new Body();
  const v: string[] = [];
  // value pass: the gradient program itself
  for (const id of order) v[id] = b.bind(valueText(nodes[id]!, v));
  const gText = program.outputs.map((id) => v[id]!);
  // Taylor passes: tangent coefficients per node (values shared with the value pass)
  const pass = (seed: readonly string[], ord: 1 | 2): Taylor[] => {
    const T: Taylor[] = [];
    for (const id of order) {
      const nd = nodes[id]!;
      T[id] = active[id] ? taylorNode(b, nd, id, v, T, seed, ord, helperOf) : [v[id]!, null, null];
    }
    return T;
  };
  const outLines: string[] = [];
  gText.forEach((x, j) => outLines.push(`out[${j}] = -${x};`));
  if (K >= 2) {
    const A = pass(gText, K === 3 ? 2 : 1);
    const Hg = program.outputs.map((id) => A[id]![1] ?? '0');
    Hg.forEach((x, j) => outLines.push(`out[${n + j}] = -0.5*${x};`));
    if (K === 3) {
      const B = pass(Hg, 1);
      program.outputs.forEach((id, j) => {
        const half3 = A[id]![2] ?? '0';
        const HHg = B[id]![1] ?? '0';
        outLines.push(`out[${2 * n + j}] = ${literal(-1 / 6)}*${half3} + ${literal(-1 / 3)}*${HHg};`);
      });
    }
  }
  const js = `return function counterTermsTaylor(theta, out, hyper) {\n${[...b.lines, ...outLines].map((l) => `  ${l}`).join('\n')}\n};`;
  const fn = new Function('H', 'S', 'A', js)(helpers, new Float64Array(2), applyCall) as NumericFn;
  const blocks = Array.from({ length: K }, (_, k) => ({ name: `f${k + 1}`, shape: [n], offset: k * n, size: n }));
  return { fn, js, K, outputSize: K * n, blocks, program };
}

function valueText(nd: Node, v: readonly string[]): string {
  switch (nd.op) {
    case 'theta':
      return `theta[${nd.index}]`;
    case 'hyper':
      return `hyper[${nd.index}]`;
    case 'const':
      return literal(nd.value);
    case 'sum':
      return [literal(nd.constant), ...nd.args.map((a, i) => `${literal(nd.coefs[i]!)}*${v[a]}`)].join(' + ');
    case 'prod': {
      const num = [literal(nd.coeff), ...nd.num.map((a) => v[a]!)].join('*');
      return nd.den.length ? `${num}/(${nd.den.map((a) => v[a]!).join('*')})` : num;
    }
    case 'call':
      if (nd.fn === 'sqrt') return `Math.sqrt(${v[nd.arg]})`;
      if (nd.fn === 'cbrt') return `Math.cbrt(${v[nd.arg]})`;
      return `A(${JSON.stringify(nd.fn)}, ${v[nd.arg]})`;
    case 'pow':
      return `Math.pow(${v[nd.base]}, ${v[nd.exp]})`;
    case 'powc':
      return `Math.pow(${v[nd.base]}, ${literal(nd.k)})`;
  }
}

function taylorNode(
  b: Body,
  nd: Node,
  id: number,
  v: readonly string[],
  T: readonly Taylor[],
  seed: readonly string[],
  ord: 1 | 2,
  helperOf: (fn: FnName) => number,
): Taylor {
  const y0 = v[id]!;
  switch (nd.op) {
    case 'theta':
      return [y0, seed[nd.index]!, null];
    case 'hyper':
    case 'const':
      return [y0, null, null];
    case 'sum': {
      const lin = (k: 1 | 2): string | null => sumOf(nd.args.map((a, i) => (T[a]![k] === null ? null : `${literal(nd.coefs[i]!)}*${T[a]![k]}`)));
      return b.bindT([y0, lin(1), ord < 2 ? null : lin(2)]);
    }
    case 'prod': {
      let x: Taylor = [literal(nd.coeff), null, null];
      for (const a of nd.num) x = mulT(b, x, T[a]!, ord);
      if (nd.den.length) {
        let d: Taylor = ['1', null, null];
        for (const a of nd.den) d = mulT(b, d, T[a]!, ord);
        x = divT(b, x, d, ord);
      }
      return [y0, x[1], x[2]];
    }
    case 'call': {
      const u = T[nd.arg]!;
      const u0 = u[0];
      if (nd.fn === 'sqrt') return chainT(b, u, y0, `(0.5/${y0})`, `(-0.25/(${y0}*${u0}))`, ord);
      if (nd.fn === 'cbrt') return chainT(b, u, y0, `(${y0}/(3*${u0}))`, `(-2*${y0}/(9*${u0}*${u0}))`, ord);
      const k = helperOf(nd.fn);
      b.lines.push(`H[${k}](${u0}, S);`);
      const d1 = b.bind('S[0]');
      const d2 = b.bind('S[1]');
      return chainT(b, u, y0, d1, d2, ord);
    }
    case 'powc': {
      const a0 = T[nd.base]![0];
      const k = literal(nd.k);
      const p1 = b.bind(`${k}*Math.pow(${a0}, ${k} - 1)`);
      const p2 = b.bind(`${k}*(${k} - 1)*Math.pow(${a0}, ${k} - 2)`);
      return chainT(b, T[nd.base]!, y0, p1, p2, ord);
    }
    case 'pow': {
      const base = T[nd.base]!;
      const e = T[nd.exp]!;
      if (e[1] === null && e[2] === null) {
        const p1 = b.bind(`${e[0]}*Math.pow(${base[0]}, ${e[0]} - 1)`);
        const p2 = b.bind(`${e[0]}*(${e[0]} - 1)*Math.pow(${base[0]}, ${e[0]} - 2)`);
        return chainT(b, base, y0, p1, p2, ord);
      }
      // a^b = exp(b·log a): log a, then b·log a, then exp
      const lg = chainT(b, base, `Math.log(${base[0]})`, `(1/${base[0]})`, `(-1/(${base[0]}*${base[0]}))`, ord);
      const m = mulT(b, e, lg, ord);
      return chainT(b, m, y0, y0, y0, ord);
    }
  }
}

