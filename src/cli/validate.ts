/**
 * `eomkit validate "<loss>" --params … --from … [--order K] [--momentum β] [--time T] [--json] [--plot out.svg]`
 *
 * Derives the counter terms f_1 … f_{K+1} of the loss (or, with --momentum, the heavy-ball modified equation
 * F_0 … F_K), compiles them, runs GD (heavy ball from the slow manifold) over an automatically chosen η grid
 * to the time T, integrates GF and EoM_1 … EoM_K (MF_0 … MF_K) with DOP853 (rtol 1e-13) and fits the
 * global-error slopes, expected 1, 2, …, K + 1 (src/theory/eom/verify.ts). For a scale-invariant loss the
 * error is measured in ‖θ‖² (a note says so).
 *
 * Output: a table of η and errors per flow (* marks the fit window), fitted and expected slopes, PASS/FAIL per
 * order and notes (e.g. when no asymptotic window above the float64 floor exists); --json prints one object
 * instead; --plot writes an SVG of error against η. A progress bar appears on stderr only when it is a terminal.
 *
 * Exit status (returned by `runValidate`): 0 when every order is confirmed (|fitted − expected| ≤ 0.15),
 * 3 (`VALIDATION_FAILED`) when at least one measured order fails, 4 (`NOT_MEASURABLE`) when nothing fails but
 * some order's error sits at float64's floor at every η (the table is still printed, with the reason and what
 * to change), 2 for bad input (UsageError and the parser's errors, raised), 1 for an internal error.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { parseAssignments, parseBeta, parseNames, parseNumber, parseOrder, parsePoint } from './args.ts';
import { UsageError } from './errors.ts';
import { loss } from '../symbolic/index.ts';

export interface ValidateCommandOptions {
  params: string;
  from?: string;
  symbols?: string;
  at?: string;
  constants?: string;
  order: string;
  momentum?: string;
  time?: string;
  json?: boolean;
  plot?: string;
  /** write an HTML report (plot, tables) and the JSON result into this directory */
  report?: string;
}

/** Start used when --from is not given: every parameter at this value. */
export const DEFAULT_START = 0.5;

/** Exit status when a measured order does not match the expected one. */
export const VALIDATION_FAILED = 3;

/** Exit status when an order cannot be measured here (the same as a NotMeasurableError's). */
export const NOT_MEASURABLE = 4;

/** Highest --order accepted: beyond f_7 the error sits at the float64 floor for any usable η. */
export const MAX_VALIDATE_ORDER = 6;

export function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const T = parseNumber(text);
  if (text.trim() === '' || !Number.isFinite(T) || T <= 0) throw new UsageError(`--time must be a finite number > 0, got "${text}"`);
  return T;
}

/** Run the command; returns the exit status (0 all orders confirmed, 3 some order failed). */
export async function runValidate(formula: string, opts: ValidateCommandOptions, io: CliIO): Promise<number> {
  const params = parseNames(opts.params, 'params');
  if (params.length === 0) throw new UsageError('--params: give at least one parameter name');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  const symbols = parseNames(opts.symbols, 'symbols');
  // the documented default start: every parameter at 1/2
  const from = opts.from !== undefined ? parsePoint(opts.from, params, 'from') : Object.fromEntries(params.map((p) => [p, DEFAULT_START]));
  const symbolValues = symbols.length ? parsePoint(opts.at ?? '', symbols, 'at') : undefined;
  if (!symbols.length && opts.at !== undefined) throw new UsageError('--at gives values to the --symbols of the loss; this loss has none (the start is --from)');
  const order = parseOrder(opts.order, MAX_VALIDATE_ORDER, 3);
  const beta = parseBeta(opts.momentum);
  const T = parseTime(opts.time);
  if (opts.plot !== undefined && opts.plot.trim() === '') throw new UsageError('--plot needs a file name');
  if (opts.report !== undefined && opts.report.trim() === '') throw new UsageError('--report needs a directory name');
  const L = loss(formula, { params, constants, symbols });

  const { validateDerivation, formatDerivationValidation, derivationValidationJson } = await import('../theory/eom/verify.ts');
  const r = await validateDerivation(L, { order, from, ...(T !== undefined ? { T } : {}), ...(symbolValues ? { symbols: symbolValues } : {}), ...(beta !== undefined ? { momentum: beta } : {}), progress: true });

  let svg: string | undefined;
  if (opts.plot !== undefined || opts.report !== undefined) {
    const { plotValidationSvg } = await import('../numeric/plot.ts');
    svg = await plotValidationSvg(r, {
      title: `${beta === undefined ? 'GD' : `heavy ball β = ${beta}`}: global error at T = ${r.T} for ${shorten(r.loss, 60)}`,
    });
  }
  let reportPage: string | undefined;
  if (opts.report !== undefined) {
    const { writeValidateReport } = await import('../report/validate.ts');
    const json = { ...derivationValidationJson(r), ...(opts.plot !== undefined ? { plot: opts.plot } : {}) };
    reportPage = (await writeValidateReport(opts.report, formula, opts, r, svg!, json)).page;
  }
  if (opts.plot !== undefined) {
    try {
      await writeFile(opts.plot, svg!);
    } catch (e) {
      throw new UsageError(`--plot: cannot write ${opts.plot}: ${(e as Error).message}`);
    }
  }
  if (opts.json) {
    io.out(JSON.stringify({ ...derivationValidationJson(r), ...(opts.plot !== undefined ? { plot: opts.plot } : {}) }, null, 2));
  } else {
    let text = formatDerivationValidation(r);
    if (opts.plot !== undefined) text += `\nplot      ${opts.plot}`;
    if (reportPage !== undefined) text += `\nreport    ${reportPage}`;
    io.out(text);
  }
  if (r.verdict === 'not-measurable') {
    // as every exit-4 case: one line on stderr with the reason and what to change (the table is on stdout)
    io.err(`eomkit: ${r.notMeasurable!.flows.join(', ')}: ${r.notMeasurable!.reason}`);
    return NOT_MEASURABLE;
  }
  return r.verdict === 'confirmed' ? 0 : VALIDATION_FAILED;
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'measure the global error of GF and EoM_1…EoM_K against GD (or heavy-ball) at a fixed time, fit the orders on log-log axes, and compare with the theory (exit status 3 when a measured order fails)',
    )
    .argument('<loss>', 'the loss formula')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names')
    .option('--from <point>', `initial point, e.g. w1=1.3,w2=-0.4 (default: every parameter at ${DEFAULT_START})`)
    .option('-c, --constants <list>', 'named constants, e.g. x=2,y=1/3 (kept exact)')
    .option('-s, --symbols <names>', 'symbolic hyper-parameters of the loss, e.g. lam (their values: --at)')
    .option('--at <values>', 'values of the --symbols, e.g. lam=0.1')
    .option('-k, --order <K>', `K: compare EoM_1…EoM_K, which needs the counter terms f_1…f_{K+1} (1…${MAX_VALIDATE_ORDER})`, '3')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1)')
    .option('-T, --time <T>', 'final time (default 1, or earlier when the dynamics converge sooner: the time at which ‖∇L‖ along the leading flow falls to 1 % of its start; a note says so)')
    .option('--json', 'print one JSON object')
    .option('--plot <file.svg>', 'write an SVG plot of error against η')
    .option('--report <dir>', 'write an HTML report (plot, tables) and report.json into a directory')
    .addHelpText(
      'after',
      '\nExit status:\n' +
        '  0  every order confirmed\n' +
        '  2  bad input (formula, option, a start outside the domain) or a budget exceeded\n' +
        '  3  a measured order disagrees with the theory\n' +
        '  4  cannot be measured here (zero gradient at the start, T out of reach of the step budget, errors at the float64 floor at every η because the dynamics converge before T); the message says what to change\n' +
        '  1  internal error (a bug; --debug prints the stack)',
    )
    .action(async (formula: string, opts: ValidateCommandOptions) => {
      ctx.status = await runValidate(formula, opts, ctx.io);
    });
}
