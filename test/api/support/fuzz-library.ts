/**
 * The library invariant under random arguments (run by test/api/property.test.ts in a child process, so
 * that a hang is caught by the parent's time limit): each public function, called with arguments drawn from
 * a pool of right and wrong values (wrong types, empty arrays, huge orders, NaN, strings for expressions),
 * returns, or throws an EomkitError subclass — never a TypeError, RangeError or plain Error.
 * Usage: node --import tsx test/api/support/fuzz-library.ts <seed> <runs>
 * Prints one JSON line: { failures, outcomes } (outcomes: how many calls returned and threw, per class).
 */
import fc from 'fast-check';
import * as E from '../../../src/index.ts';

const seed = Number(process.argv[2] ?? 1);
const numRuns = Number(process.argv[3] ?? 200);

const L1 = E.loss('w1^2*w2 + w2^4/4', { params: ['w1', 'w2'] });
const L2 = E.loss('lam/2*w^2 + w^4/4', { params: ['w'], symbols: ['lam'] });
const g = E.gradient(L1.expr, L1.params);

/** right values, wrong values and edge values, all mixed */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(
    L1, L2, L1.expr, L2.expr, g, L1.params, L2.symbols, ['w1', 'w2'], ['w'], 'w1^2', 'w', '', '1/0', 'x y',
    0, 1, 2, 3, -1, 2.5, 50, 1e6, 2 ** 40, 1e300, NaN, Infinity, -Infinity, -0,
    null, undefined, true, {}, [], [[]], [1, 2], [[1, 0], [0, 1]], [[2]], [['1/2']], [NaN], { w1: 1, w2: 2 }, { w: 0.5, lam: 1 },
    { order: 1, from: { w1: 0.5, w2: 0.5 } }, { order: 1, from: [0.5, 0.5], T: 0.5 }, { order: 1, from: [0.5], symbols: { lam: 1 } },
    { eta: 0.1, beta: 0, lam: 0, S: 1 }, { eta: '1/10', beta: 0.5, S: 2 }, { eta: NaN }, { g: g }, { H: [[1]], Sigma: [[1]], hyper: { eta: 0.1, S: 1 } },
    { limit: 1 }, { maxNodes: 10 }, { maxTrees: 5 }, { expanded: true }, [1, 10, 100], Float64Array.of(1, 2), 10n, Symbol('s'),
    () => 1,
  ) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 12 }) },
);

type Call = (...args: unknown[]) => unknown;
const F = E as unknown as Record<string, Call>;
/** the root's public functions under test; validateDerivation runs with a tiny sweep budget */
const functions: Record<string, Call> = {
  loss: F.loss!,
  parseExpr: F.parseExpr!,
  gradient: F.gradient!,
  hessian: F.hessian!,
  diff: F.diff!,
  derivativeTensor: F.derivativeTensor!,
  jvp: F.jvp!,
  expand: F.expand!,
  evaluate: F.evaluate!,
  subs: F.subs!,
  toText: F.toText!,
  toLatex: F.toLatex!,
  counterTerms: F.counterTerms!,
  modifiedLoss: F.modifiedLoss!,
  discretizationError: F.discretizationError!,
  heavyBallSeries: F.heavyBallSeries!,
  compile: F.compile!,
  emitModule: F.emitModule!,
  linearStationary: F.linearStationary!,
  predictDiffusion: F.predictDiffusion!,
  validateDerivation: (L, o, ...rest) =>
    F.validateDerivation!(L, typeof o === 'object' && o !== null ? { ...o, sweep: { gridSize: 3 } } : o, ...rest),
};

/** a well-formed call of each function: mutated one argument at a time, so that near misses are tried too */
const typical: Record<string, unknown[]> = {
  loss: ['w1^2*w2', { params: ['w1', 'w2'] }],
  parseExpr: ['w^2 + 1/3'],
  gradient: [L1.expr, ['w1', 'w2']],
  hessian: [L1.expr, L1.params],
  diff: [L1.expr, L1.params[0]],
  derivativeTensor: [L1.expr, L1.params, 2],
  jvp: [g, L1.params, g],
  expand: [L1.expr],
  evaluate: [L1.expr, { w1: 1, w2: 2 }],
  subs: [L1.expr, { w1: 2 }],
  toText: [g],
  toLatex: [L1.expr],
  counterTerms: [L1, 2],
  modifiedLoss: [L1, 2],
  discretizationError: [L1, 1],
  heavyBallSeries: [L1, 2, { beta: 0.5 }],
  compile: [{ g }, L1.params],
  emitModule: [{ g }, L1.params],
  linearStationary: [[[1, 0], [0, 2]], [[1, 0], [0, 1]], { eta: 0.1, batchSize: 1 }],
  predictDiffusion: [{ H: [[1]], Sigma: [[1]], hyper: { eta: 0.1, S: 1 } }, [1, 10, 100]],
  validateDerivation: [L1, { order: 1, from: [0.5, 0.5], T: 0.5 }],
};
const nearMiss = fc
  .tuple(fc.constantFrom(...Object.keys(typical)), fc.nat(3), value, fc.constantFrom('replace', 'drop', 'append', 'keep'))
  .map(([name, i, v, how]): [string, unknown[]] => {
    const args = [...typical[name]!];
    if (how === 'replace') args[i % args.length] = v;
    else if (how === 'drop') args.length = i % args.length;
    else if (how === 'append') args.push(v);
    return [name, args];
  });
const anyCall = fc.oneof(nearMiss, fc.tuple(fc.constantFrom(...Object.keys(functions)), fc.array(value, { maxLength: 4 })));

const outcomes: Record<string, number> = {};
const failures: string[] = [];
const show = (x: unknown): string => {
  if (E.isExpr(x)) return `expr(${String(x)})`;
  if (typeof x === 'bigint' || typeof x === 'symbol' || typeof x === 'function') return String(x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
};

await fc.assert(
  fc.asyncProperty(anyCall, async ([name, args]) => {
    let outcome = 'returned';
    if (process.env.FUZZ_TRACE) process.stderr.write(`${name}(${args.map(show).join(', ')})\n`);
    try {
      await functions[name]!(...args);
    } catch (e) {
      outcome = e instanceof Error ? e.constructor.name : typeof e;
      if (!(e instanceof E.EomkitError) || e instanceof E.InternalError) {
        failures.push(`${name}(${args.map(show).join(', ')}) threw ${outcome}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    return true; // every failure is collected, not only the first
  }),
  { seed, numRuns },
);
process.stdout.write(JSON.stringify({ failures, outcomes }) + '\n');
