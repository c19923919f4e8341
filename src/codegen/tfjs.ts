/**
 * The TensorFlow.js target of codegen: the straight-line program of `lower` over a batch, one tfjs op per IR
 * node inside `tf.tidy` (float32: agreement with the float64 function is to float32 tolerance). Public from
 * `eomkit/numeric/tfjs`, the TensorFlow.js entry point, so that the package root never references tfjs types
 * (tfjs is an optional peer dependency, loaded on first use through src/tf-loader.ts).
 */
import type * as TF from '@tensorflow/tfjs';
import type { Sym } from '../symbolic/index.ts';
import { getFunction } from '../symbolic/functions/registry.ts';
import { importTf, type Tf } from '../tf-loader.ts';
import { type Outputs, type OutputBlock, CodegenError, lower, reachableInOrder, oddRootSign } from './ir.ts';
import type { CompileOptions } from './index.ts';

/** A batched TensorFlow.js function: x [batch, n] (float32) → [batch, outputSize]. */
export type TfFn = (x: TF.Tensor2D, hyper?: ArrayLike<number>) => TF.Tensor2D;

export interface CompiledTf {
  readonly fn: TfFn;
  readonly outputSize: number;
  readonly blocks: readonly OutputBlock[];
  readonly tf: Tf;
}

/**
 * The same program over a batch, with TensorFlow.js ops (float32: agreement with the float64 function
 * is to float32 tolerance). Each IR node becomes one op on a [batch] tensor inside `tf.tidy`.
 */
export async function compileTf(outputs: Outputs, params: readonly Sym[], opts: CompileOptions & { tf?: Tf } = {}): Promise<CompiledTf> {
  const tf = opts.tf ?? (await importTf());
  const p = opts.program ?? lower(outputs, params, opts.hyper ?? []);
  // every function used must have a TensorFlow.js form: refuse now, not at the first batch
  for (const node of p.nodes) if (node.op === 'call' && node.fn !== 'sqrt' && node.fn !== 'cbrt') tfOp(node.fn);
  const n = p.params.length;
  const m = p.outputs.length;
  const fn: TfFn = (x, hyper) =>
    tf.tidy(() => {
      if (x.rank !== 2 || x.shape[1] !== n) throw new CodegenError(`expected input of shape [batch, ${n}], got [${x.shape.join(', ')}]`);
      if (p.hyper.length && (!hyper || hyper.length < p.hyper.length)) throw new CodegenError(`expected ${p.hyper.length} hyper-parameter value(s) (${p.hyper.map((h) => h.name).join(', ')})`);
      const batch = x.shape[0];
      const cols = tf.unstack(x, 1) as TF.Tensor1D[];
      const val: Array<TF.Tensor | number | undefined> = new Array(p.nodes.length);
      const T = (v: TF.Tensor | number): TF.Tensor => (typeof v === 'number' ? tf.scalar(v) : v);
      const order = reachableInOrder(p);
      for (const id of order) {
        const node = p.nodes[id]!;
        switch (node.op) {
          case 'theta':
            val[id] = cols[node.index]!;
            break;
          case 'hyper':
            val[id] = hyper![node.index]!;
            break;
          case 'const':
            val[id] = node.value;
            break;
          case 'sum': {
            let acc: TF.Tensor | number = node.constant;
            for (let i = 0; i < node.args.length; i++) {
              const a = val[node.args[i]!]!;
              const c = node.coefs[i]!;
              const term = c === 1 ? a : typeof a === 'number' ? c * a : tf.mul(a, c);
              acc = typeof acc === 'number' && acc === 0 ? term : typeof acc === 'number' && typeof term === 'number' ? acc + term : tf.add(T(acc), T(term));
            }
            val[id] = acc;
            break;
          }
          case 'prod': {
            let acc: TF.Tensor | number = node.coeff;
            for (const a of node.num) {
              const v = val[a]!;
              acc = typeof acc === 'number' && acc === 1 ? v : typeof acc === 'number' && typeof v === 'number' ? acc * v : tf.mul(T(acc), T(v));
            }
            if (node.den.length) {
              let d: TF.Tensor | number = 1;
              for (const a of node.den) {
                const v = val[a]!;
                d = typeof d === 'number' && d === 1 ? v : typeof d === 'number' && typeof v === 'number' ? d * v : tf.mul(T(d), T(v));
              }
              acc = typeof acc === 'number' && typeof d === 'number' ? acc / d : tf.div(T(acc), T(d));
            }
            val[id] = acc;
            break;
          }
          case 'call': {
            const a = T(val[node.arg]!);
            if (node.fn === 'sqrt') val[id] = tf.sqrt(a);
            else if (node.fn === 'cbrt') val[id] = tf.mul(tf.sign(a), tf.pow(tf.abs(a), 1 / 3));
            else val[id] = tfOp(node.fn)(tf, a) as TF.Tensor;
            break;
          }
          case 'pow':
            val[id] = tf.pow(T(val[node.base]!), T(val[node.exp]!));
            break;
          case 'powc': {
            // an odd denominator: the real root of a negative base (as `evaluate`)
            const x = T(val[node.base]!);
            const sign = oddRootSign(node.k, node.q);
            if (sign === 0) val[id] = tf.pow(x, node.k);
            else if (sign === 1) val[id] = tf.pow(tf.abs(x), node.k);
            else val[id] = tf.mul(tf.sign(x), tf.pow(tf.abs(x), node.k));
            break;
          }
        }
      }
      const cols2 = p.outputs.map((o) => {
        const v = val[o]!;
        return typeof v === 'number' ? tf.fill([batch], v) : v.rank === 0 ? tf.fill([batch], v.dataSync()[0]!) : v;
      });
      return tf.stack(cols2, 1) as TF.Tensor2D;
    });
  return { fn, outputSize: m, blocks: p.blocks, tf };
}

/** The TensorFlow.js form of a registered function (a CodegenError when it has none). */
function tfOp(fn: string): NonNullable<ReturnType<typeof getFunction>['tf']> {
  const f = getFunction(fn);
  if (f.tf === undefined) throw new CodegenError(`the function '${fn}' has no TensorFlow.js form (give 'tf' in its definition to use it in compileTf)`);
  return f.tf;
}

