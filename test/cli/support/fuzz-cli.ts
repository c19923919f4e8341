/**
 * The command-line invariant under random argument vectors (run by test/cli/property.test.ts in a child
 * process, so that a hang is caught by the parent's time limit):
 *   exit 0 with parseable output (JSON when --json was given) and no NaN printed as a value, or
 *   exit 2 / 3 / 4 with exactly one line on stderr that starts with "eomkit: " and is not an internal error;
 *   never a stack trace.
 * Usage: node --import tsx test/cli/support/fuzz-cli.ts <seed> <runs>
 */
import fc from 'fast-check';
import { main, type CliIO } from '../../../src/cli/main.ts';

const seed = Number(process.argv[2] ?? 1);
const numRuns = Number(process.argv[3] ?? 100);

const names = fc.constantFrom('w', 'w1', 'w2', 'x', 'lam', 'eta', 'a_b', 'W', 'sin', 'pi', '__proto__', '', '1w', 'w w');
const atom = fc.oneof(names, fc.constantFrom('0', '1', '2', '1/3', '0.5', '1e-400', '1e400', '-1', '3'));
const formula: fc.Arbitrary<string> = fc.letrec((tie) => ({
  f: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('f'), fc.constantFrom('+', '-', '*', '/', '^', '**', ' ', ''), tie('f')).map(([a, op, b]) => `${a}${op}${b}`),
    fc.tuple(fc.constantFrom('exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'foo', 'abs', 'erf'), tie('f')).map(([fn, a]) => `${fn}(${a})`),
    tie('f').map((a) => `(${a})`),
    tie('f').map((a) => `-${a}`),
  ),
})).f as fc.Arbitrary<string>;
const junk = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('(', ')', '^^', '1/0', '0^0', '(-8)^(1/3)', 'w^', '*w', 'w..1'));
const value = fc.oneof(fc.constantFrom('1', '0', '-1', '1/3', '0.5', '1e-3', 'abc', '', '1e309', 'NaN', 'Infinity', '0.99', '2', '-0.5'), fc.double({ noNaN: false }).map(String));
const point = fc.array(fc.tuple(names, value).map(([n, v]) => `${n}=${v}`), { minLength: 0, maxLength: 3 }).map((xs) => xs.join(','));
const params = fc.array(names, { minLength: 0, maxLength: 3 }).map((xs) => xs.join(','));

const deriveArgs = fc
  .tuple(
    fc.oneof(formula, junk),
    params,
    fc.option(fc.tuple(fc.constantFrom('--order', '-k'), fc.constantFrom('1', '2', '3', '0', '11', 'x', '-1', '2.5')), { nil: undefined }),
    fc.option(fc.tuple(fc.constant('--at'), point), { nil: undefined }),
    fc.option(fc.tuple(fc.constant('--momentum'), fc.constantFrom('0', '0.5', '0.9', '1', '-0.1', 'x')), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('--symbols', '--constants'), point), { nil: undefined }),
    fc.subarray(['--json', '--latex', '--expanded', '--bogus']),
  )
  .map(([f, p, o, at, m, s, flags]) => ['derive', f, '--params', p, ...(o ?? []), ...(at ?? []), ...(m ?? []), ...(s ?? []), ...flags]);
const validateArgs = fc
  .tuple(
    fc.oneof(formula, junk),
    params,
    fc.option(fc.tuple(fc.constant('--from'), point), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('--order'), fc.constantFrom('1', '2', '0', '7', 'x')), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('--time', '-T'), fc.constantFrom('1', '0', '-1', '1e12', '0.5', 'x')), { nil: undefined }),
    fc.option(fc.tuple(fc.constant('--momentum'), fc.constantFrom('0', '0.5', '0.99', '1')), { nil: undefined }),
    fc.subarray(['--json']),
  )
  .map(([f, p, from, o, t, m, flags]) => ['validate', f, '--params', p, ...(from ?? []), ...(o ?? []), ...(t ?? []), ...(m ?? []), ...flags]);
const seriesArgs = fc.tuple(fc.constantFrom('1', '3', '12', '13', '0', 'x'), fc.subarray(['--json', '--latex'])).map(([k, flags]) => ['series', '--order', k, ...flags]);
// mostly well-formed calls, so that the success paths are exercised too
const goodAtom = fc.constantFrom('w1', 'w2', '1', '2', '1/3', '0.5', '3');
const goodFormula: fc.Arbitrary<string> = fc.letrec((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    goodAtom,
    fc.tuple(tie('f'), fc.constantFrom('+', '-', '*', '/', '^'), tie('f')).map(([a, op, b]) => `(${a})${op}(${b})`),
    fc.tuple(fc.constantFrom('exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus'), tie('f')).map(([fn, a]) => `${fn}(${a})`),
  ),
})).f as fc.Arbitrary<string>;
const goodValue = fc.constantFrom('0', '1', '-1', '1/3', '0.5', '2', '-0.25', '1e-3', '10');
const goodPoint = fc.tuple(goodValue, goodValue).map(([a, b]) => `w1=${a},w2=${b}`);
const goodDerive = fc
  .tuple(goodFormula, fc.constantFrom('1', '2', '3'), goodPoint, fc.subarray(['--json', '--latex', '--expanded']), fc.option(fc.constantFrom('0', '0.5'), { nil: undefined }))
  .map(([f, k, at, flags, m]) => ['derive', f, '--params', 'w1,w2', '--order', k, '--at', at, ...(m ? ['--momentum', m] : []), ...flags]);
const goodValidate = fc
  .tuple(goodFormula, fc.constantFrom('1', '2'), goodPoint, fc.constantFrom('0.5', '1'), fc.subarray(['--json']))
  .map(([f, k, from, T, flags]) => ['validate', f, '--params', 'w1,w2', '--order', k, '--from', from, '--time', T, ...flags]);
const anyArgs = fc.oneof(
  { weight: 4, arbitrary: goodDerive },
  { weight: 1, arbitrary: goodValidate },{ weight: 6, arbitrary: deriveArgs }, { weight: 2, arbitrary: validateArgs }, { weight: 1, arbitrary: seriesArgs }, { weight: 1, arbitrary: fc.array(fc.oneof(junk, fc.constantFrom('derive', '--help', '-p', 'validate', '--json')), { maxLength: 5 }) });

const failures: string[] = [];
const codes: Record<number, number> = {};
await fc.assert(
  fc.asyncProperty(anyArgs, async (argv) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (s) => out.push(s), err: (s) => err.push(...s.replace(/\n$/, '').split('\n')) };
    const code = await main(argv, io);
    codes[code] = (codes[code] ?? 0) + 1;
    const o = out.join('\n');
    const problem = ((): string | undefined => {
      if (![0, 2, 3, 4].includes(code)) return `exit ${code}`;
      if (err.some((l) => /^\s+at /.test(l))) return 'stack trace on stderr';
      if (code === 0) {
        if (argv.includes('--json') && !argv.includes('--help')) {
          try {
            JSON.parse(o);
          } catch {
            return 'unparseable JSON';
          }
        }
        if (/(^|[^A-Za-z])NaN([^A-Za-z]|$)/.test(o)) return 'NaN printed as a value';
        return undefined;
      }
      if (code === 3) return undefined; // a measured disagreement prints its table on stdout
      if (err.length !== 1) return `${err.length} lines on stderr`;
      if (!/^(eomkit: |error: )/.test(err[0]!)) return `stderr line "${err[0]}"`;
      if (/internal error/.test(err[0]!)) return `internal error: ${err[0]}`;
      return undefined;
    })();
    if (problem) failures.push(`${problem}: ${JSON.stringify(argv)} → ${err.slice(0, 2).join(' | ')}`);
    return problem === undefined;
  }),
  { seed, numRuns, endOnFailure: true },
).catch(() => undefined);
process.stdout.write(JSON.stringify({ failures, codes }) + '\n');
