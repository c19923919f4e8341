/**
 * One error model (src/errors.ts): the command line maps errors by class, never by name. Argument errors
 * raised deep in the numeric layer reach the user as exit 2 and one line; anything that is not one of
 * eomkit's classes is an internal error (exit 1, one line that says how to get the stack).
 */
import { describe, expect, it } from 'vitest';
import { main, reportError, type CliIO } from '../../src/cli/main.ts';
import { BudgetError, EomkitError, InputError, InternalError, NotMeasurableError, isUserError } from '../../src/errors.ts';
import { ExpressionSwellError, FormulaError, EvaluationError, PrintSizeError } from '../../src/symbolic/index.ts';
import { CodegenError } from '../../src/codegen/index.ts';
import { gd, lyapunov } from '../../src/numeric/index.ts';

function capture(): CliIO & { outText: () => string; errLines: () => string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (s) => out.push(s),
    err: (s) => err.push(...s.replace(/\n$/, '').split('\n')),
    outText: () => out.join('\n'),
    errLines: () => err,
  };
}

describe('error classes', () => {
  it('every layer’s errors derive from the one base class, with the exit status of their kind', () => {
    const cases: Array<[EomkitError, number]> = [
      [new InputError('x'), 2],
      [new FormulaError('unexpected end', 'w^', 2), 2],
      [new EvaluationError('log of a negative number'), 2],
      [new CodegenError('bad output'), 2],
      [new ExpressionSwellError(10, 'expand'), 2],
      [new PrintSizeError(1e9, 10), 2],
      [new NotMeasurableError('gradient vanishes'), 4],
      [new InternalError('bug'), 1],
    ];
    for (const [e, code] of cases) {
      expect(e).toBeInstanceOf(EomkitError);
      expect(e.exitCode).toBe(code);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(new ExpressionSwellError(10, 'expand')).toBeInstanceOf(BudgetError);
    expect(isUserError(new InternalError('bug'))).toBe(false);
    expect(isUserError(new RangeError('Maximum call stack size exceeded'))).toBe(false);
  });

  it('the numeric layer throws InputError for bad arguments', () => {
    expect(() => gd({ grad: () => {}, theta0: [1], eta: -1, steps: 3 })).toThrow(InputError);
    expect(() => lyapunov([[1, 2], [3, 4]], [[1, 5], [0, 1]])).toThrow(InputError);
  });
});

describe('the CLI maps errors by class', () => {
  it('an η grid that cannot reach T within the step budget is "cannot be measured here": exit 4, one line saying what to change', async () => {
    const io = capture();
    const code = await main(['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--time', '1e12'], io);
    expect(code).toBe(4);
    expect(io.errLines()).toHaveLength(1);
    expect(io.errLines()[0]).toMatch(/^eomkit: cannot be measured here: .*maxSteps.*lower the final time T/);
  });

  it('a JavaScript RangeError is not bad input: exit 1, one line, and how to see the stack', () => {
    const io = capture();
    const code = reportError(new RangeError('Maximum call stack size exceeded'), io, false);
    expect(code).toBe(1);
    expect(io.errLines()).toEqual(['eomkit: internal error: Maximum call stack size exceeded (run with --debug for the stack)']);
  });

  it('--debug prints the stack of an internal error', () => {
    const io = capture();
    expect(reportError(new InternalError('broken invariant'), io, true)).toBe(1);
    expect(io.errLines()[0]).toBe('eomkit: internal error: broken invariant');
    expect(io.errLines().length).toBeGreaterThan(1);
  });

  it('input, budget and not-measurable errors print their first line only, with their exit status', () => {
    for (const [e, code] of [
      [new InputError('--lr must be > 0\nsecond line'), 2],
      [new BudgetError('expression swell: …'), 2],
      [new NotMeasurableError('the gradient vanishes at the start'), 4],
    ] as const) {
      const io = capture();
      expect(reportError(e, io, false)).toBe(code);
      expect(io.errLines()).toHaveLength(1);
    }
  });

  it('a formula error keeps its position on the one line', async () => {
    const io = capture();
    expect(await main(['derive', 'w^', '--params', 'w'], io)).toBe(2);
    expect(io.errLines()).toHaveLength(1);
    expect(io.errLines()[0]).toMatch(/position 3/);
  });
});
