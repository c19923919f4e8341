/**
 * The `eomkit` command. Every sub-command imports its machinery lazily, so a
 * small derivation answers in well under a second (tfjs, vega and the CAS
 * oracles are never loaded unless a command needs them).
 *
 * Exit codes: 0 success, 2 bad input (one line on stderr), 1 internal error.
 */
import { Command, CommanderError } from 'commander';

import { EomkitError, isUserError } from '../errors.ts';
import { registerStationary } from './stationary.ts';

export { UsageError } from './errors.ts';


export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: CliIO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

/** Exit status a command asks for beyond success (validate: 3 when a measured order fails). */
interface RunState {
  status: number;
}

function buildProgram(io: CliIO, state: RunState): Command {
  const program = new Command();
  program
    .name('eomkit')
    .description(
      'Derive, compile and check the continuous-time equations of motion of gradient methods.\n' +
        'Examples:\n' +
        '  eomkit derive "0.5*(w1*w2 - 1)^2" --params w1,w2 --at w1=0.3,w2=-1.2\n' +
        '  eomkit derive "w^4/4" --params w --order 3 --latex\n' +
        '  eomkit series --order 4',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError(false)
    .option('--debug', 'on an internal error, print its stack');

  program
    .command('derive')
    .description('gradient and Hessian of a loss (and with --order K, the counter terms f_1…f_K of the GD equation of motion)')
    .argument('<loss>', 'the loss formula, e.g. "0.5*(w1*w2 - 1)^2"')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names, e.g. w1,w2')
    .option('-c, --constants <list>', 'named constants, e.g. x=2,y=1/3 (kept exact)')
    .option('-s, --symbols <names>', 'symbolic hyper-parameters kept as symbols, e.g. lam')
    .option('--at <point>', 'evaluate everything at a point, e.g. w1=0.3,w2=-1.2 (float64)')
    .option('-k, --order <K>', 'derive the EoM counter-term series f_1…f_K (K ≥ 1)')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1): the modified equation on the slow manifold')
    .option('--expanded', 'print the canonical expanded form instead of the compact one')
    .option('--full', 'print every formula in full (long ones are otherwise summarised)')
    .option('--latex', 'print LaTeX')
    .option('--json', 'print one JSON object')
    .action(async (formula: string, opts: DeriveOptions) => {
      const { runDerive } = await import('./derive.ts');
      await runDerive(formula, opts, io);
    });

  program
    .command('series')
    .description('the general (loss-independent) counter-term series of gradient descent as B-series trees')
    .requiredOption('-k, --order <K>', 'highest order K (1…12)')
    .option('--latex', 'print LaTeX')
    .option('--json', 'print one JSON object')
    .action(async (opts: { order: string; latex?: boolean; json?: boolean }) => {
      const { runSeries } = await import('./series.ts');
      await runSeries(opts, io);
    });

  program
    .command('validate')
    .description(
      'measure the global error of GF and EoM_1…EoM_K against GD (or heavy-ball) at a fixed time, fit the orders on log-log axes, and compare with the theory (exit status 3 when a measured order fails)',
    )
    .argument('<loss>', 'the loss formula')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names')
    .requiredOption('--from <point>', 'initial point, e.g. w1=1.3,w2=-0.4')
    .option('-c, --constants <list>', 'named constants')
    .option('-k, --order <K>', 'number of counter terms (default 3)', '3')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1)')
    .option('-T, --time <T>', 'final time (default 1)', '1')
    .option('--json', 'print one JSON object')
    .option('--plot <file.svg>', 'write an SVG plot of error against η')
    .action(async (formula: string, opts: ValidateOptions) => {
      const { runValidate } = await import('./validate.ts');
      state.status = await runValidate(formula, opts, io);
    });

  program
    .command('diffusion')
    .description(
      'anomalous diffusion of SGD near a quadratic minimum: E‖θ_k − θ_0‖² and E‖θ_{k+1} − θ_k‖² from the continuous Langevin model and the exact discrete recursion (from matrices), or the exponent of a training log beside the linear theory (--log)',
    )
    .option('--hessian <matrix>', 'Hessian H as JSON rows, e.g. "[[1,0.3],[0.3,0.2]]"')
    .option('--noise <matrix>', 'per-example gradient-noise covariance Σ as JSON rows (the minibatch noise is Σ/S)')
    .option('--noise-scale <s2>', 'Σ = σ²H instead of --noise (label noise near a minimum)')
    .option('--loss <formula>', 'a loss instead of --hessian: H and Σ at its minimum (with --params; --at to analyse elsewhere)')
    .option('-p, --params <names>', 'parameter names of --loss')
    .option('-c, --constants <list>', 'named constants of --loss')
    .option('--at <point>', 'for --loss: analyse at this point instead of the minimum')
    .option('--lr <eta>', 'learning rate η')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1) (default 0)')
    .option('--batch <S>', 'batch size S')
    .option('--weight-decay <lambda>', 'weight decay λ ≥ 0 (default 0)')
    .option('--steps <list>', 'steps k, increasing (default 1,10,100,1000)')
    .option('--from <theta0>', 'start at θ_0 − μ (comma list) instead of stationarity')
    .option('--from-prev <thetaPrev>', 'θ_{−1} − μ for --from (default θ_0: zero initial velocity)')
    .option('--simulate <chains>', 'also simulate that many seeded SGD chains and print the measured Δ, δ with standard errors')
    .option('--seed <n>', 'seed of --simulate (default 0)')
    .option('--log <file>', 'a training log (.json, .csv or .npy with columns step, dist2, step2)')
    .option('--window <kMin:kMax>', 'fit window for --log (default: the whole log)')
    .option('--hessian-eigs <list>', 'for --log: final top Hessian eigenvalues')
    .option('--noise-spectrum <list>', 'for --log: noise variance u_iᵀΣu_i along each eigenvector')
    .option('--noise-trace <trace>', 'for --log: tr Σ')
    .option('--json', 'print one JSON object')
    .option('--plot <file.svg>', 'write an SVG plot')
    .action(async (opts: import('./diffusion.ts').DiffusionCliOptions) => {
      const { runDiffusion } = await import('./diffusion.ts');
      await runDiffusion(opts, io);
    });

  program
    .command('demo')
    .description('the built-in example: a small non-quadratic loss, its gradient, Hessian, counter terms and their LaTeX')
    .action(async () => {
      const { runDemo } = await import('./demo.ts');
      await runDemo(io);
    });

  registerStationary(program, io);
  return program;
}

export interface DeriveOptions {
  params: string;
  constants?: string;
  symbols?: string;
  at?: string;
  order?: string;
  momentum?: string;
  expanded?: boolean;
  full?: boolean;
  latex?: boolean;
  json?: boolean;
}

export interface ValidateOptions {
  params: string;
  from: string;
  constants?: string;
  order: string;
  momentum?: string;
  time: string;
  json?: boolean;
  plot?: string;
}

/** Run the command line; returns the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const state: RunState = { status: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.status;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // commander already printed its one-line message
      return 2;
    }
    return reportError(e, io, argv.includes('--debug') || Boolean(process.env['EOMKIT_DEBUG']));
  }
}

/**
 * Map an error to its exit status by class (src/errors.ts): the user's errors print one line (the first
 * line of the message); anything else is a bug, printed as one line that says how to see the stack.
 */
export function reportError(e: unknown, io: CliIO, debug: boolean): number {
  if (isUserError(e)) {
    io.err(`eomkit: ${e.message.split('\n')[0]}`);
    if (debug) io.err(e.stack ?? '');
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(`eomkit: internal error: ${message.split('\n')[0]}${debug ? '' : ' (run with --debug for the stack)'}`);
  if (debug) io.err(e instanceof Error ? (e.stack ?? '') : '');
  return e instanceof EomkitError ? e.exitCode : 1;
}
