/**
 * The registry of elementary functions (mathjs's "one function, one place"): one entry per function
 * carries everything every layer needs — the exact simplifications applied when a call is built, the
 * derivative rule, the float64 value, the LaTeX form, the generated-code form and the TensorFlow.js op.
 * The text form is always `name(arg)`, which the parser reads back.
 *
 * Every consumer (expr.ts `call`, calculus.ts, transform.ts, parse.ts, the printers, codegen) looks the
 * entry up by name when it needs it, so a function added with `defineFunction` — built-in or from a
 * user's script — is differentiated, evaluated, printed, parsed and compiled with no other change.
 *
 * Soundness with hash-consing: a call node stores only the function's name, and nodes memoise their
 * derivatives, so a name can be defined once and never redefined (a second definition is an InputError),
 * and `call` rejects names that are not defined.
 *
 * This module has no run-time dependency on the expression core (types only), so that expr.ts can read
 * it without an import cycle; the built-in entries, which build expressions, live in builtins.ts.
 */
import type { Expr } from '../expr.ts';
import { InputError } from '../../errors.ts';
import { stringHash } from '../rational.ts';

/** Raised when an evaluation produces NaN or ±∞ (a pole, log of a negative, …) or meets a point where a function is undefined. */
export class EvaluationError extends InputError {}

/** How a function is written in generated code (TypeScript and JavaScript). */
export interface FunctionCode {
  /**
   * The callee in generated code: a built-in such as 'Math.sinh', or the name of the function declared
   * by `helper` (default: the function's own name).
   */
  readonly call?: string;
  /**
   * TypeScript declaration(s) emitted once, before the generated function, when the function is used.
   * Type annotations must be `: number` only (they are removed for the JavaScript dialect). A helper may
   * throw `new EvaluationError(message)` where the function is undefined: generated modules declare that
   * class, and `compile` passes eomkit's own.
   */
  readonly helper?: string;
  /** other registered functions whose helpers this helper calls (emitted before it) */
  readonly uses?: readonly string[];
}

/** LaTeX of f(u): an operator name written before `\left(u\right)`, or delimiters around u (|u|). */
export type FunctionLatex = string | { readonly left: string; readonly right: string };

/** What `defineFunction` takes: one elementary function of one argument. */
export interface FunctionDefinition {
  /** the name in formulas, text output and generated code: a letter, then letters, digits or '_' */
  readonly name: string;
  /** f′(u) as an expression; `self` is the call f(u) itself (so exp′ = self). */
  readonly derivative: (u: Expr, self: Expr) => Expr;
  /** float64 value of f(u); throw EvaluationError where f is undefined (never return a silent value) */
  readonly evaluate: (u: number) => number;
  /**
   * Exact simplification when f(u) is built (f(0) = 0, log(exp(u)) = u, …): return the simpler
   * expression, or undefined to keep the call. Must depend on u only (u is canonical, so is the result).
   */
  readonly simplify?: (u: Expr) => Expr | undefined;
  /** LaTeX (default `\operatorname{name}`) */
  readonly latex?: FunctionLatex;
  /** the generated-code form (required: every function can be compiled) */
  readonly code: FunctionCode;
  /** the TensorFlow.js (float32) form; without it `compileTf` refuses expressions that use the function */
  readonly tf?: (tf: TfOps, x: TfTensor) => TfTensor;
  /** one line for documentation and help: what the function is */
  readonly description?: string;
}

/**
 * TensorFlow.js as a function's tfjs form sees it: the module (`tf.exp`, `tf.mul`, …) and a tensor, typed
 * structurally so that eomkit's declarations never require tfjs's types (tfjs is an optional peer).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfOps = Record<string, any>;
export type TfTensor = object;

/** A registered function: its definition with the defaults filled in. */
export interface ElementaryFunction extends FunctionDefinition {
  readonly latex: FunctionLatex;
  readonly code: FunctionCode & { readonly call: string };
  /** structural hash of the name (for hash-consing call nodes) */
  readonly hash: number;
}

/** Names that can never be functions (or symbols): the parser's aliases and the mathematical constants. */
export const PARSER_ALIASES: readonly string[] = ['sqrt', 'ln'];
/** Operations code generation introduces for rational powers (x^(1/3)); no function may take their names. */
const CODEGEN_OPS: readonly string[] = ['sqrt', 'cbrt'];
export const CONSTANT_NAMES: readonly string[] = ['e', 'E', 'i', 'I', 'pi', 'tau', 'phi', 'Infinity', 'inf', 'NaN', 'nan'];

/** Identifiers generated code uses for itself; a function's code cannot take them. */
const CODE_RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined NaN ' +
    'Infinity Math theta out hyper upTo s EvaluationError'
  ).split(' '),
);

const table = new Map<string, ElementaryFunction>();
const names: string[] = [];
const listeners: Array<(name: string) => void> = [];

/** Names of the registered functions, in definition order (a live list: it grows with `defineFunction`). */
export const FUNCTION_NAMES: readonly string[] = names;

/** The registered function with this name, or undefined. */
export function findFunction(name: string): ElementaryFunction | undefined {
  return table.get(name);
}

/** The registered function with this name; an InputError naming the known functions otherwise. */
export function getFunction(name: string): ElementaryFunction {
  const f = table.get(name);
  if (f === undefined) throw new InputError(`unknown function '${name}' (defined: ${names.join(', ')}); register new functions with defineFunction`);
  return f;
}

/** Is this the name of a registered function? */
export function isFunctionName(name: string): boolean {
  return table.has(name);
}

/** Called with each name defined from now on (the parser keeps its reserved names in step). */
export function onFunctionDefined(listener: (name: string) => void): void {
  listeners.push(listener);
}

/** The callees (helper names or built-ins) of every registered function. */
function codeNamesInUse(): Set<string> {
  const out = new Set<string>();
  for (const f of table.values()) out.add(f.code.call);
  return out;
}

/**
 * Register an elementary function of one argument. After this, `call(name, u)` builds it, `diff`,
 * `evaluate`, `toText`, `toLatex`, `parseExpr`, `compile`, `emitModule` and (with `tf`) `compileTf`
 * handle it. Names are permanent: defining a name twice is an InputError.
 */
export function defineFunction(def: FunctionDefinition): ElementaryFunction {
  if (typeof def !== 'object' || def === null) throw new InputError('defineFunction expects a definition object { name, derivative, evaluate, code, … }');
  const { name } = def;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new InputError(`function name ${JSON.stringify(name)} must be a letter followed by letters, digits or '_'`);
  }
  if (table.has(name)) throw new InputError(`the function '${name}' is already defined (a function name cannot be redefined)`);
  if (PARSER_ALIASES.includes(name) || CONSTANT_NAMES.includes(name) || CODEGEN_OPS.includes(name)) throw new InputError(`'${name}' is a reserved name and cannot be a function`);
  if (typeof def.derivative !== 'function') throw new InputError(`function '${name}': 'derivative' must be a function (u, self) => expression`);
  if (typeof def.evaluate !== 'function') throw new InputError(`function '${name}': 'evaluate' must be a function (u: number) => number`);
  if (def.simplify !== undefined && typeof def.simplify !== 'function') throw new InputError(`function '${name}': 'simplify' must be a function (u) => expression | undefined`);
  if (def.tf !== undefined && typeof def.tf !== 'function') throw new InputError(`function '${name}': 'tf' must be a function (tf, x) => tensor`);
  const code = def.code;
  if (typeof code !== 'object' || code === null) {
    throw new InputError(`function '${name}': 'code' is required: { call: 'Math.fn' } or { helper: 'function ${name}(u: number): number { … }' }`);
  }
  const callee = code.call ?? name;
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)?$/.test(callee)) throw new InputError(`function '${name}': code.call ${JSON.stringify(callee)} is not an identifier`);
  if (code.helper === undefined && !callee.startsWith('Math.')) {
    throw new InputError(`function '${name}': code.helper must declare 'function ${callee}(…)' (or code.call must name a Math function)`);
  }
  if (code.helper !== undefined) {
    if (typeof code.helper !== 'string' || !new RegExp(`\\bfunction ${callee.replace(/\$/g, '\\$')}\\s*\\(`).test(code.helper)) {
      throw new InputError(`function '${name}': code.helper must declare 'function ${callee}(u: number): number'`);
    }
    if (CODE_RESERVED.has(callee) || /^t\d+$/.test(callee) || /^p_/.test(callee)) throw new InputError(`function '${name}': '${callee}' cannot name a helper in generated code`);
    if (codeNamesInUse().has(callee)) throw new InputError(`function '${name}': the helper name '${callee}' is taken by another function`);
  }
  for (const u of code.uses ?? []) if (!table.has(u)) throw new InputError(`function '${name}': code.uses names '${u}', which is not defined (define it first)`);
  const latex = def.latex ?? `\\operatorname{${name.replace(/_/g, '\\_')}}`;
  const entry: ElementaryFunction = Object.freeze({
    ...def,
    latex,
    code: Object.freeze({ ...code, call: callee }),
    hash: stringHash(name),
  });
  table.set(name, entry);
  names.push(name);
  for (const l of listeners) l(name);
  return entry;
}

/**
 * The helper declarations generated code needs for these functions (each once, dependencies first,
 * in definition order), TypeScript source.
 */
export function helperSources(used: Iterable<string>): string[] {
  const need = new Set<string>();
  const add = (n: string): void => {
    if (need.has(n)) return;
    const f = getFunction(n);
    for (const u of f.code.uses ?? []) add(u);
    need.add(n);
  };
  for (const n of used) add(n);
  const out: string[] = [];
  for (const n of names) {
    if (!need.has(n)) continue;
    const h = table.get(n)!.code.helper;
    if (h !== undefined) out.push(h);
  }
  return out;
}

/** The JavaScript of a TypeScript helper: its `: number` annotations removed. */
export function stripNumberTypes(ts: string): string {
  return ts.replace(/:\s*number\b/g, '');
}

/** The helpers' JavaScript instantiated as functions (for float evaluation from one source). */
export function instantiateHelper<T extends (...args: number[]) => number>(ts: string, name: string): T {
  return new Function('EvaluationError', `${stripNumberTypes(ts)}\nreturn ${name};`)(EvaluationError) as T;
}
