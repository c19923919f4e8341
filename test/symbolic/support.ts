/**
 * Shared helpers for the symbolic test suite: the formula table, a seeded PRNG,
 * tolerance checks, the oracles (algebrite, nerdamer, mathjs for evaluating the
 * oracles' printed results) and a Richardson-extrapolated central difference.
 *
 * Nothing here uses the core to produce reference values except where a test
 * says so explicitly (parsing an oracle's output back for an exact check).
 */
import { createRequire } from 'node:module';
import type { Expr, Sym } from '../../src/symbolic/index.ts';
import { evaluate } from '../../src/symbolic/index.ts';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------
// Oracles (CommonJS, global state; algebrite has no types)

interface AlgebriteApi {
  run(src: string): string;
}
interface NerdamerExpr {
  toString(): string;
}
type NerdamerFn = (src: string) => NerdamerExpr;

let algebrite: AlgebriteApi | undefined;
let nerdamer: NerdamerFn | undefined;

export function getAlgebrite(): AlgebriteApi {
  algebrite ??= require('algebrite') as AlgebriteApi;
  return algebrite;
}

export function getNerdamer(): NerdamerFn {
  if (!nerdamer) {
    nerdamer = require('nerdamer') as NerdamerFn;
    require('nerdamer/Calculus');
  }
  return nerdamer;
}

/** ∂/∂v of an algebrite expression (text in, text out); throws if algebrite reports an error. */
export function algebriteDiff(f: string, v: string): string {
  const r = getAlgebrite().run(`d(${f},${v})`);
  if (/stop|error/i.test(r)) throw new Error(`algebrite failed on d(${f},${v}): ${r}`);
  return r;
}

export function nerdamerDiff(f: string, v: string): string {
  return getNerdamer()(`diff(${f},${v})`).toString();
}

// ---------------------------------------------------------------------------
// Independent numeric evaluation of an oracle's printed result (mathjs parser)

type Compiled = { evaluate(scope: Record<string, number>): unknown };
let mathCompile: ((s: string) => Compiled) | undefined;

export async function loadMath(): Promise<void> {
  if (mathCompile) return;
  const m = await import('mathjs');
  mathCompile = (s: string) => m.compile(s) as Compiled;
}

/** Compile an oracle's text (algebrite/nerdamer syntax: ^, exp, log, cosh, sech, …) to a float64 function. */
export function compileOracle(text: string): (env: Record<string, number>) => number {
  if (!mathCompile) throw new Error('call loadMath() first');
  const c = mathCompile(text);
  return (env) => {
    const v = c.evaluate({ ...env });
    if (typeof v !== 'number') throw new Error(`oracle expression ${text} gave a non-real value ${String(v)} at ${JSON.stringify(env)}`);
    return v;
  };
}

// ---------------------------------------------------------------------------
// Numbers

/** mulberry32: small deterministic PRNG (tests must be reproducible). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** |a − b| ≤ tol·max(|a|, |b|, floor): relative, with an absolute floor for values near zero. */
export function close(a: number, b: number, tol = 1e-9, floor = 1): boolean {
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), floor);
}

export function relErr(a: number, b: number, floor = 1): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/**
 * ∂f/∂v at env by central differences with one Richardson step
 * (error O(h⁴)): D(h) = (f(v+h) − f(v−h))/2h, R = (4·D(h/2) − D(h))/3.
 */
export function richardson(f: (env: Record<string, number>) => number, env: Record<string, number>, v: string, h = 2e-3): number {
  const at = (d: number): number => f({ ...env, [v]: env[v]! + d });
  const D = (s: number): number => (at(s) - at(-s)) / (2 * s);
  return (4 * D(h / 2) - D(h)) / 3;
}

export function evalAt(e: Expr, env: Record<string, number>): number {
  return evaluate(e, env);
}

// ---------------------------------------------------------------------------
// The formula table

export interface Formula {
  /** core syntax (may use decimals, sqrt, sigmoid, softplus) */
  f: string;
  /** the same function for algebrite / nerdamer: exact fractions only, sigmoid/softplus written out */
  cas?: string;
  /** polynomial: exact check by expansion; rational: exact check at rational points */
  exact?: 'poly' | 'rational';
  /** compute every mixed partial up to 4th order (14 of them in two variables) */
  full?: boolean;
}

/** Variables are x and y; all test points lie in [0.3, 1.2]² where every formula is finite and smooth. */
export const FORMULAS: readonly Formula[] = [
  // polynomials
  { f: 'x^3*y^2 + 2*x*y - 7', exact: 'poly', full: true },
  { f: '0.5*(x*y - 1)^2', cas: '1/2*(x*y-1)^2', exact: 'poly', full: true },
  { f: '(x + 2*y - 1)^5', exact: 'poly', full: true },
  { f: '(x^2 + y^2)^3/4', exact: 'poly' },
  { f: '(x*y - 1)^2*(x + y)^2', exact: 'poly' },
  { f: 'x*y*(x + 1)*(y + 2)*(x - y + 3)*(x + y)', exact: 'poly' },
  { f: 'x^3/3 - x*y^2 + 0.25*y^4', cas: 'x^3/3-x*y^2+1/4*y^4', exact: 'poly' },
  // rational functions
  { f: '1/(1 + x^2 + y^2)', exact: 'rational', full: true },
  { f: '(x - y)/(x + y + 3)', exact: 'rational', full: true },
  { f: 'x^2/(1 + y^2)^2', exact: 'rational' },
  { f: '1/(x*y) + y/x^3', exact: 'rational' },
  // exp / log, nested
  { f: 'exp(x*y)', full: true },
  { f: 'exp(-x^2 - y^2/2)' },
  { f: 'log(1 + x^2 + y^2)', full: true },
  { f: 'exp(exp(x/3) + y/4)' },
  { f: 'log(2 + exp(x) + y^2)' },
  { f: 'log(log(3 + x^2 + y^2))' },
  { f: 'exp(x)/(1 + exp(x) + y^2)' },
  { f: '(x^2 - y)^3*exp(-x)' },
  { f: 'log(x)^2*y' },
  // rational exponents and roots
  { f: 'sqrt(1 + x^2 + y^2)', full: true },
  { f: '(1 + x^2)^(3/2)*y' },
  { f: '(2 + x*y + y^2)^(-1/3)' },
  { f: 'x^(5/2)*y^(1/3)' },
  { f: 'sqrt(x)*y' },
  { f: '(x*y)^(1/3)' },
  { f: '(x*y^2 + 1)^(3/2)/(x*y)^(1/2)' },
  { f: '(sqrt(x) + x)^3', cas: '(x^(1/2)+x)^3' },
  // tanh / sigmoid / softplus chains
  { f: 'tanh(x*y)', full: true },
  { f: 'tanh(tanh(x) + y)' },
  { f: 'sigmoid(x*y - 1)', cas: '1/(1+exp(-(x*y-1)))', full: true },
  { f: 'softplus(x - 2*y)', cas: 'log(1+exp(x-2*y))', full: true },
  { f: 'sigmoid(tanh(x)*y)', cas: '1/(1+exp(-(tanh(x)*y)))' },
  { f: 'softplus(sigmoid(x) + y)', cas: 'log(1+exp(1/(1+exp(-x))+y))' },
  { f: '(sigmoid(x) - y)^2', cas: '(1/(1+exp(-x))-y)^2' },
  // sin / cos compositions
  { f: 'sin(x)*cos(y)', full: true },
  { f: 'sin(cos(x*y))' },
  { f: 'cos(x^2 + y)^2' },
  { f: 'sin(x)/cos(y)' },
  // symbolic exponents
  { f: 'x^y', full: true },
  { f: '(1 + x)^y' },
  { f: 'x^(y^2)*exp(-y)' },
];

/** The derivative multi-indices to check: all mixed partials up to order 4 for `full`, else a chain. */
export function derivativeIndices(full: boolean): string[][] {
  if (!full) return [['x'], ['y'], ['x', 'y'], ['x', 'x', 'y'], ['x', 'x', 'y', 'y']];
  const out: string[][] = [];
  for (let k = 1; k <= 4; k++) for (let nx = k; nx >= 0; nx--) out.push([...Array(nx).fill('x'), ...Array(k - nx).fill('y')] as string[]);
  return out;
}

/** Random points in [0.3, 1.2]², deterministic per seed. */
export function points(seed: number, n = 3): Record<string, number>[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ x: 0.3 + 0.9 * r(), y: 0.3 + 0.9 * r() }));
}

/** Exact rational points (for exact checks of rational functions). */
export const RATIONAL_POINTS: readonly [string, string][] = [
  ['1/3', '2/7'],
  ['5/4', '3/5'],
  ['7/10', '11/9'],
];

export type { Sym };
