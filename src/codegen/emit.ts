/**
 * From a lowered program to source text: one emitter, two dialects (TypeScript with types, plain
 * JavaScript for `new Function`). The body is straight-line code: θ and hyper-parameters read once
 * into named constants, one `const tN = …` per shared node (in first-use order), single-use nodes inlined,
 * one `out[k] = …` per output component. No arrays, no closures, no allocation per call.
 */
import { type Node, type Program, operands, oddRootSign } from './ir.ts';
import { FUNCTION_NAMES, getFunction, helperSources, stripNumberTypes } from '../symbolic/functions/registry.ts';

const JS_RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined NaN ' +
    'Infinity Math theta out hyper upTo EvaluationError'
  ).split(' '),
);

/** Identifiers that generated code may declare: the functions' helpers (read from the registry at use time). */
function helperIdentifiers(): Set<string> {
  const out = new Set<string>();
  for (const n of FUNCTION_NAMES) {
    const h = getFunction(n).code.helper;
    if (h === undefined) continue;
    for (const m of h.matchAll(/\bfunction\s+([A-Za-z_$][A-Za-z0-9_$]*)/g)) out.add(m[1]!);
  }
  return out;
}

/** The callee of a call node in generated code. */
function callText(fn: string): string {
  if (fn === 'sqrt') return 'Math.sqrt';
  if (fn === 'cbrt') return 'Math.cbrt';
  return getFunction(fn).code.call;
}

/** Declared before a generated module's helpers when one of them can throw (sgn(0), the derivative of abs at 0). */
const EVALUATION_ERROR_TS = `/** Raised where a function is undefined (e.g. the derivative of abs at 0). */
class EvaluationError extends Error {}`;

/** Float64 literal that reads back to the same double. */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '0';
  return String(v);
}

export interface EmitOptions {
  /** function name */
  name: string;
  /** split the body into functions of about this many characters (default DEFAULT_PART_SIZE) */
  partSize?: number;
  /** TypeScript (types in the signature and helpers) or JavaScript */
  dialect: 'ts' | 'js';
  /**
   * Emit a trailing `upTo` argument: `fn(theta, out, hyper, k)` fills only the first k output blocks
   * (returning after block k's outputs; the code is the same prefix, so the values are identical to a
   * full call). A body split into parts ignores it and fills every block.
   */
  prefixReturns?: boolean;
}

export interface EmittedBody {
  /** the complete function declaration (with helpers it uses declared before it when `withHelpers`) */
  fn: string;
  /** helper declarations used by the body */
  helpers: string;
  temps: number;
  /** number of functions the body was split into */
  parts: number;
}

/** Identifier for each parameter / hyper-parameter (its own name when that is a safe JS identifier). */
function variableNames(p: Program): Map<number, string> {
  const used = new Set<string>();
  const helpers = helperIdentifiers();
  const out = new Map<number, string>();
  p.nodes.forEach((n, id) => {
    if (n.op !== 'theta' && n.op !== 'hyper') return;
    let v = n.name;
    if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(v) || JS_RESERVED.has(v) || helpers.has(v) || /^t\d+$/.test(v) || /^p_/.test(v)) v = `p_${v.replace(/[^\p{L}\p{N}_$]/gu, '_')}`;
    while (used.has(v)) v = `${v}_`;
    used.add(v);
    out.set(id, v);
  });
  return out;
}

export function emitFunction(p: Program, opts: EmitOptions): EmittedBody {
  const ts = opts.dialect === 'ts';
  // TypeScript: index reads are non-null asserted, so that the module type-checks under noUncheckedIndexedAccess
  const bang = ts ? '!' : '';
  const names = variableNames(p);
  const { nodes, uses } = p;
  const text = new Map<number, string>(); // node → the text that stands for it (temp name, literal, inline expression)
  /** inline expressions of single-use nodes, with their precedence: 0 sum, 1 product, 2 atom */
  const prec = new Map<number, number>();
  let tempCount = 0;
  /** registered functions the body calls (their helpers are emitted) */
  const calledFunctions = new Set<string>();

  // theta / hyper reads, in index order, only those used
  const reads: string[] = [];
  nodes.forEach((n, id) => {
    if ((n.op === 'theta' || n.op === 'hyper') && uses[id]! > 0) {
      const v = names.get(id)!;
      reads.push(`  const ${v} = ${n.op === 'theta' ? 'theta' : 'hyper'}[${n.index}]${bang};`);
      text.set(id, v);
      prec.set(id, 2);
    }
  });

  const operand = (id: number, minPrec: number): string => {
    const s = text.get(id)!;
    return prec.get(id)! >= minPrec ? s : `(${s})`;
  };

  const render = (id: number, n: Node): [string, number] => {
    switch (n.op) {
      case 'theta':
      case 'hyper':
        return [names.get(id)!, 2];
      case 'const': {
        const s = numberLiteral(n.value);
        return [s, s.startsWith('-') ? 0 : 2];
      }
      case 'call':
        if (n.fn !== 'sqrt' && n.fn !== 'cbrt') calledFunctions.add(n.fn);
        return [`${callText(n.fn)}(${text.get(n.arg)!})`, 2];
      case 'pow':
        return [`Math.pow(${text.get(n.base)!}, ${text.get(n.exp)!})`, 2];
      case 'powc': {
        // an odd denominator: the real root of a negative base, as `evaluate` gives it (docs/design.md, "Numbers")
        const x = text.get(n.base)!;
        const k = numberLiteral(n.k);
        const sign = oddRootSign(n.k, n.q);
        if (sign === 0) return [`Math.pow(${x}, ${k})`, 2];
        if (sign === 1) return [`Math.pow(Math.abs(${x}), ${k})`, 2];
        return [`(${x} < 0 ? -Math.pow(-${x}, ${k}) : Math.pow(${x}, ${k}))`, 2];
      }
      case 'prod':
        return renderProd(n.coeff, n.num, n.den);
      case 'sum': {
        // terms as (coefficient k, body without coefficient); an inline product's own coefficient is folded in
        const terms: Array<[number, string]> = [];
        for (let i = 0; i < n.args.length; i++) {
          const c = n.coefs[i]!;
          const a = n.args[i]!;
          const an = nodes[a]!;
          if (an.op === 'prod' && uses[a] === 1) terms.push([c * an.coeff, renderProd(1, an.num, an.den)[0]]);
          else terms.push([c, operand(a, Math.abs(c) === 1 ? (c < 0 ? 1 : 0) : 1)]);
        }
        // terms with the same |k| ≠ 1 share one multiplication: −¼a − ¼b + ½c → −0.25 * (a + b) + 0.5 * c
        const groups = new Map<number, Array<[boolean, string]>>();
        for (const [k, body] of terms) {
          const g = groups.get(Math.abs(k));
          if (g) g.push([k < 0, body]);
          else groups.set(Math.abs(k), [[k < 0, body]]);
        }
        const parts: Array<[boolean, string]> = [];
        for (const [k, g] of groups) {
          if (k === 1 || g.length === 1) {
            for (const [neg, body] of g) parts.push([neg, k === 1 ? body : `${numberLiteral(k)} * ${body}`]);
            continue;
          }
          const flip = g[0]![0];
          const inner = g.map(([neg, body], j) => (j === 0 ? body : `${neg !== flip ? '-' : '+'} ${body}`)).join(' ');
          parts.push([flip, `${numberLiteral(k)} * (${inner})`]);
        }
        // a positive constant goes first when the first term is negative: 1 - t rather than -t + 1
        let s = '';
        const lead = n.constant > 0 && parts[0]![0];
        if (lead) s = numberLiteral(n.constant);
        for (const [negative, body] of parts) {
          if (s === '') s = negative ? `-${body}` : body;
          else s += negative ? ` - ${body}` : ` + ${body}`;
        }
        if (n.constant !== 0 && !lead) s += n.constant < 0 ? ` - ${numberLiteral(-n.constant)}` : ` + ${numberLiteral(n.constant)}`;
        return [s, 0];
      }
    }
  };

  const renderProd = (coeff: number, num: readonly number[], den: readonly number[]): [string, number] => {
    const parts: string[] = [];
    const a = Math.abs(coeff);
    if (a !== 1 || num.length === 0) parts.push(numberLiteral(a));
    for (const x of num) {
      const xn = nodes[x]!;
      parts.push(xn.op === 'prod' && uses[x] === 1 && (xn.den.length > 0 || xn.coeff < 0) ? `(${text.get(x)!})` : operand(x, 1));
    }
    let s = parts.join(' * ');
    if (den.length === 1) s += ` / ${operand(den[0]!, 2)}`;
    else if (den.length > 1) s += ` / (${den.map((d) => operand(d, 1)).join(' * ')})`;
    if (coeff < 0) s = `-${s}`;
    return [s, coeff < 0 ? 0 : 1];
  };

  // Statements, each with the leaves and temporaries its text refers to (to split long functions).
  interface Stmt {
    text: string;
    /** node ids of θ/hyper reads and temporaries referred to */
    deps: readonly number[];
    /** the temporary this statement defines (node id), if any */
    defines?: number;
    comment?: boolean;
  }
  const stmts: Stmt[] = [];
  const refs = new Map<number, readonly number[]>();
  nodes.forEach((n, id) => {
    if ((n.op === 'theta' || n.op === 'hyper') && uses[id]! > 0) refs.set(id, [id]);
  });
  const refsOf = (id: number): readonly number[] => {
    const n = nodes[id]!;
    if (n.op === 'const') return [];
    const own = refs.get(id);
    if (own) return own;
    const acc = new Set<number>();
    for (const c of operands(n)) for (const r of refs.get(c) ?? []) acc.add(r);
    return [...acc];
  };

  // post-order over the DAG from the outputs (iterative; deep chains are fine)
  const done = new Uint8Array(nodes.length);
  const visit = (root: number): void => {
    const stack: Array<[number, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [id, k] = top;
      if (done[id]) {
        stack.pop();
        continue;
      }
      const ops = operands(nodes[id]!);
      if (k < ops.length) {
        top[1]++;
        const c = ops[k]!;
        if (!done[c]) stack.push([c, 0]);
        continue;
      }
      stack.pop();
      done[id] = 1;
      const n = nodes[id]!;
      if (text.has(id)) continue; // θ / hyper reads
      const [s, pr] = render(id, n);
      if (uses[id]! > 1 && n.op !== 'const') {
        const t = `t${tempCount++}`;
        stmts.push({ text: `const ${t} = ${s};`, deps: refsOf(id), defines: id });
        text.set(id, t);
        prec.set(id, 2);
        refs.set(id, [id]);
      } else {
        text.set(id, s);
        prec.set(id, pr);
        refs.set(id, refsOf(id));
      }
    }
  };

  let k = 0;
  for (let bi = 0; bi < p.blocks.length; bi++) {
    const b = p.blocks[bi]!;
    const shape = b.shape.length === 0 ? 'scalar' : b.shape.length === 1 ? `vector[${b.shape[0]}]` : `matrix[${b.shape[0]}×${b.shape[1]}], row-major`;
    stmts.push({ text: `// ${b.name}: out[${b.offset}${b.size > 1 ? `..${b.offset + b.size - 1}` : ''}] (${shape})`, deps: [], comment: true });
    for (let j = 0; j < b.size; j++, k++) {
      const o = p.outputs[k]!;
      visit(o);
      stmts.push({ text: `out[${k}] = ${text.get(o)!};`, deps: refs.get(o) ?? refsOf(o) });
    }
    if (opts.prefixReturns && bi + 1 < p.blocks.length) stmts.push({ text: `if (upTo === ${bi + 1}) return;`, deps: [], comment: true });
  }

  const prefix = opts.prefixReturns === true;
  const hyperSig = prefix
    ? ts
      ? `, hyper${p.hyper.length ? '' : '?'}: ArrayLike<number>, upTo?: number`
      : ', hyper, upTo'
    : p.hyper.length
      ? ts
        ? ', hyper: ArrayLike<number>'
        : ', hyper'
      : '';
  const sig = ts ? `(theta: Float64Array, out: Float64Array${hyperSig}): void` : `(theta, out${hyperSig})`;
  const readOf = (id: number): string => {
    const n = nodes[id]!;
    return `const ${names.get(id)!} = ${n.op === 'theta' ? 'theta' : 'hyper'}[${(n as { index: number }).index}]${bang};`;
  };
  const helperList = helperSources(calledFunctions);
  // the JavaScript dialect runs inside `compile`, which passes eomkit's EvaluationError in
  if (ts && helperList.some((h) => /\bEvaluationError\b/.test(h))) helperList.unshift(EVALUATION_ERROR_TS);
  const helpers = helperList.map((h) => (ts ? h : stripNumberTypes(h))).join('\n\n');

  // Split into parts of bounded size: V8 does not optimise functions past ~60 KB of bytecode, and a
  // function it does not optimise runs ~15× slower. Temporaries used by a later part pass through a
  // scratch buffer allocated once, with the function.
  const total = stmts.reduce((a, st) => a + st.text.length + 3, 0);
  const limit = opts.partSize ?? DEFAULT_PART_SIZE;
  if (total <= limit) {
    const fn = `function ${opts.name}${sig} {\n${reads.join('\n')}${reads.length ? '\n' : ''}${stmts.map((st) => `  ${st.text}`).join('\n')}\n}`;
    return { fn, helpers, temps: tempCount, parts: 1 };
  }
  const parts: Stmt[][] = [[]];
  let size = 0;
  for (const st of prefix ? stmts.filter((x) => !x.text.startsWith('if (upTo')) : stmts) {
    if (size > limit && !st.comment) {
      parts.push([]);
      size = 0;
    }
    parts[parts.length - 1]!.push(st);
    size += st.text.length + 3;
  }
  const partOf = new Map<number, number>();
  parts.forEach((ps, i) => ps.forEach((st) => st.defines !== undefined && partOf.set(st.defines, i)));
  const slot = new Map<number, number>(); // temp node → scratch index
  parts.forEach((ps, i) => {
    for (const st of ps) for (const d of st.deps) {
      const def = partOf.get(d);
      if (def !== undefined && def < i && !slot.has(d)) slot.set(d, slot.size);
    }
  });
  const scratchType = ts ? ': Float64Array' : '';
  const fns: string[] = [];
  parts.forEach((ps, i) => {
    const body: string[] = [];
    const imported = new Set<number>();
    for (const st of ps) for (const d of st.deps) imported.add(d);
    const head: string[] = [];
    for (const d of [...imported].sort((a, b) => a - b)) {
      const n = nodes[d]!;
      if (n.op === 'theta' || n.op === 'hyper') head.push(`  ${readOf(d)}`);
      else if ((partOf.get(d) ?? i) < i) head.push(`  const ${text.get(d)!} = s[${slot.get(d)!}]${bang};`);
    }
    for (const st of ps) {
      body.push(`  ${st.text}`);
      if (st.defines !== undefined && slot.has(st.defines)) body.push(`  s[${slot.get(st.defines)!}] = ${text.get(st.defines)!};`);
    }
    const psig = ts
      ? `(theta: Float64Array, out: Float64Array${p.hyper.length ? ', hyper: ArrayLike<number>' : ''}, s${scratchType}): void`
      : `(theta, out${p.hyper.length ? ', hyper' : ''}, s)`;
    fns.push(`function ${opts.name}_part${i}${psig} {\n${[...head, ...body].join('\n')}\n}`);
  });
  const args = `theta, out${p.hyper.length ? ', hyper' : ''}, ${opts.name}_scratch`;
  const main = `function ${opts.name}${sig} {\n${parts.map((_, i) => `  ${opts.name}_part${i}(${args});`).join('\n')}\n}`;
  const pre = `/** temporaries shared between the parts below (allocated once) */\nconst ${opts.name}_scratch = new Float64Array(${Math.max(slot.size, 1)});\n\n${fns.join('\n\n')}`;
  return { fn: main, helpers: helpers ? `${helpers}\n\n${pre}` : pre, temps: tempCount, parts: parts.length };
}

/** Characters of statements per generated function part (V8 optimises functions up to ~60 KB of bytecode). */
export const DEFAULT_PART_SIZE = 36_000;
