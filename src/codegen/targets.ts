/**
 * Source modules beyond `emitModule`'s TypeScript: plain JavaScript (ESM) and TensorFlow.js.
 *
 * `emitJsModule`: the same function as `emitModule` without types, for a project without a TypeScript build.
 *
 * `emitTfjsModule`: a TensorFlow.js source module for derived outputs: the same lowered program as `emitModule` and
 * `compileTf`, written out as TypeScript that a user vendors without eomkit at run time. The module
 * imports only tfjs's types; the caller passes the `tf` namespace in, so the module works with any
 * tfjs backend (cpu, wasm, webgl) and any bundler:
 *
 *   import * as tf from '@tensorflow/tfjs';
 *   import { derived, derivedLayout } from './derived.ts';
 *   const y = derived(tf, tf.tensor2d([[1, 2], [0.5, -1]]));   // [batch, derivedLayout.outputSize]
 *
 * float32 (tfjs): agreement with the float64 function is to float32 tolerance.
 */
import type { Sym } from '../symbolic/index.ts';
import { getFunction } from '../symbolic/functions/registry.ts';
import { type Node, type Outputs, type Program, CodegenError, lower, operands, programStats } from './ir.ts';
import { emitFunction, numberLiteral } from './emit.ts';
import type { CompileOptions } from './index.ts';

function checkName(name: string): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new CodegenError(`function name ${JSON.stringify(name)} is not a JavaScript identifier`);
  return name;
}

/** Nodes reachable from the outputs, operands first (iterative post-order). */
function reachableInOrder(p: Program): number[] {
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

/** Operations of the IR that are not registered functions (roots from powers). */
const TF_ROOTS: Record<string, (a: string) => string> = {
  sqrt: (a) => `tf.sqrt(${a})`,
  cbrt: (a) => `tf.mul(tf.sign(${a}), tf.pow(tf.abs(${a}), 1 / 3))`,
};

/** A piece of generated tfjs code (what the recording `tf` below returns). */
class TfCode {
  constructor(readonly text: string) {}
}

function showTf(x: unknown, fn: string): string {
  if (x instanceof TfCode) return x.text;
  if (typeof x === 'number') return numberLiteral(x);
  throw new CodegenError(`the TensorFlow.js form of '${fn}' uses a value that cannot be written as code`);
}

/**
 * The tfjs code of a call, read off the function's registry entry (its `tf` form, the one place the
 * function is named): the form is run once on a recording `tf` whose every op returns the text of the call.
 */
function tfCallCode(fn: string, a: string): string {
  const root = TF_ROOTS[fn];
  if (root) return root(a);
  const form = getFunction(fn).tf;
  if (form === undefined) throw new CodegenError(`the function '${fn}' has no TensorFlow.js form (give 'tf' in its definition to use it in a tfjs module)`);
  const recorder = new Proxy({}, { get: (_t, op) => (...args: unknown[]) => new TfCode(`tf.${String(op)}(${args.map((x) => showTf(x, fn)).join(', ')})`) });
  return showTf(form(recorder, new TfCode(a)), fn);
}

/** The tfjs expression of one node, its operands named by `v`. */
function tfExpression(n: Node, v: (id: number) => string): string {
  const lit = (x: number): string => `tf.scalar(${numberLiteral(x)})`;
  switch (n.op) {
    case 'theta':
      return `cols[${n.index}]!`;
    case 'hyper':
      return `tf.scalar(hyper[${n.index}]!)`;
    case 'const':
      return lit(n.value);
    case 'sum': {
      const terms = n.args.map((a, i) => (n.coefs[i] === 1 ? v(a) : `tf.mul(${v(a)}, ${lit(n.coefs[i]!)})`));
      if (n.constant !== 0) terms.push(lit(n.constant));
      return terms.reduce((acc, t) => `tf.add(${acc}, ${t})`);
    }
    case 'prod': {
      const factors = n.num.map(v);
      if (n.coeff !== 1 || factors.length === 0) factors.unshift(lit(n.coeff));
      const num = factors.reduce((acc, t) => `tf.mul(${acc}, ${t})`);
      if (n.den.length === 0) return num;
      const den = n.den.map(v).reduce((acc, t) => `tf.mul(${acc}, ${t})`);
      return `tf.div(${num}, ${den})`;
    }
    case 'call':
      return tfCallCode(n.fn, v(n.arg));
    case 'pow':
      return `tf.pow(${v(n.base)}, ${v(n.exp)})`;
    case 'powc':
      return `tf.pow(${v(n.base)}, ${lit(n.k)})`;
  }
}

/**
 * TypeScript module text of a batched tfjs function `name(tf, x, hyper?)`: x of shape [batch, n]
 * (float32) → [batch, outputSize], outputs concatenated as in `emitModule` (matrices row-major).
 */
export function emitTfjsModule(outputs: Outputs, params: readonly Sym[], opts: CompileOptions = {}): string {
  const name = checkName(opts.name ?? 'derived');
  const p = opts.program ?? lower(outputs, params, opts.hyper ?? []);
  const order = reachableInOrder(p);
  const ids = new Map<number, string>();
  const stmts: string[] = [];
  for (const id of order) {
    const t = `v${ids.size}`;
    stmts.push(`    const ${t} = ${tfExpression(p.nodes[id]!, (a) => ids.get(a)!)};`);
    ids.set(id, t);
  }
  const n = p.params.length;
  const stats = programStats(p);
  const header = [
    '/**',
    ' * Generated by eomkit codegen --target tfjs (src/codegen) — do not edit by hand.',
    ...(opts.derivation ? opts.derivation.split('\n').map((l) => ` * ${l}`.trimEnd()) : []),
    ` * x: [batch, ${n}], columns (${p.params.map((s) => s.name).join(', ')})`,
    ...(p.hyper.length ? [` * hyper-parameters: hyper[0..${p.hyper.length - 1}] = (${p.hyper.map((s) => s.name).join(', ')})`] : []),
    ` * result: [batch, ${p.outputs.length}]: ${p.blocks.map((b) => `${b.name}${b.shape.length ? `[${b.shape.join('×')}]` : ''} at ${b.offset}`).join(', ')}`,
    ` * ${stats.ops} arithmetic operations as tfjs ops inside one tf.tidy; float32.`,
    ' */',
  ].join('\n');
  const layout = `export const ${name}Layout = {\n  outputSize: ${p.outputs.length},\n  params: [${p.params.map((s) => JSON.stringify(s.name)).join(', ')}],\n  hyper: [${p.hyper
    .map((s) => JSON.stringify(s.name))
    .join(', ')}],\n  outputs: [\n${p.blocks.map((b) => `    { name: ${JSON.stringify(b.name)}, offset: ${b.offset}, shape: [${b.shape.join(', ')}] },`).join('\n')}\n  ],\n} as const;`;
  const hyperCheck = p.hyper.length
    ? `  if (!hyper || hyper.length < ${p.hyper.length}) throw new Error('${name}: expected ${p.hyper.length} hyper-parameter value(s) (${p.hyper.map((h) => h.name).join(', ')})');\n`
    : '';
  const fn = [
    `export function ${name}(tf: typeof TF, x: TF.Tensor2D${p.hyper.length ? ', hyper: ArrayLike<number>' : ''}): TF.Tensor2D {`,
    `  if (x.rank !== 2 || x.shape[1] !== ${n}) throw new Error(\`${name}: expected x of shape [batch, ${n}], got [\${x.shape.join(', ')}]\`);`,
    hyperCheck.trimEnd(),
    '  return tf.tidy(() => {',
    '    const zero = tf.zeros([x.shape[0]]);',
    `    const cols = tf.unstack(x, 1);`,
    ...stmts,
    // every output broadcast to [batch] (a constant output is a scalar tensor)
    `    return tf.stack([${p.outputs.map((o) => `tf.add(zero, ${ids.get(o)!})`).join(', ')}], 1) as TF.Tensor2D;`,
    '  });',
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
  return `${header}\nimport type * as TF from '@tensorflow/tfjs';\n\n${layout}\n\n${fn}\n`;
}

/** JavaScript (ESM) module text of the float64 function: `emitModule` without the types. */
export function emitJsModule(outputs: Outputs, params: readonly Sym[], opts: CompileOptions = {}): string {
  const name = checkName(opts.name ?? 'derived');
  const p = opts.program ?? lower(outputs, params, opts.hyper ?? []);
  const body = emitFunction(p, { name, dialect: 'js', partSize: opts.partSize });
  const stats = programStats(p);
  const header = [
    '/**',
    ' * Generated by eomkit codegen --target js (src/codegen) — do not edit by hand.',
    ...(opts.derivation ? opts.derivation.split('\n').map((l) => ` * ${l}`.trimEnd()) : []),
    ` * θ: theta[0..${p.params.length - 1}] = (${p.params.map((s) => s.name).join(', ')})`,
    ...(p.hyper.length ? [` * hyper-parameters: hyper[0..${p.hyper.length - 1}] = (${p.hyper.map((s) => s.name).join(', ')})`] : []),
    ` * ${name}(theta: Float64Array, out: Float64Array${p.hyper.length ? ', hyper' : ''}): fills out (${p.outputs.length} entries, matrices row-major)`,
    ` * ${body.temps} shared temporaries, ${stats.ops} arithmetic operations; no allocation per call.`,
    ' */',
  ].join('\n');
  const layout = `export const ${name}Layout = Object.freeze({\n  outputSize: ${p.outputs.length},\n  params: [${p.params.map((s) => JSON.stringify(s.name)).join(', ')}],\n  hyper: [${p.hyper
    .map((s) => JSON.stringify(s.name))
    .join(', ')}],\n  outputs: [\n${p.blocks.map((b) => `    { name: ${JSON.stringify(b.name)}, offset: ${b.offset}, shape: [${b.shape.join(', ')}] },`).join('\n')}\n  ],\n});`;
  return `${header}\n\n${layout}\n\n${body.helpers ? `${body.helpers}\n\n` : ''}export ${body.fn}\n`;
}
