/**
 * The `eomkit` command: the entry point builds the program from the self-registering commands
 * (src/cli/commands.ts) and maps errors to exit statuses by class (src/errors.ts). Every sub-command
 * imports its machinery lazily, so a small derivation answers in well under a second (tfjs, vega and
 * the CAS oracles are never loaded unless a command needs them).
 *
 * Exit codes: 0 success, 2 bad input or a budget exceeded (one line on stderr), 3 a measured order
 * disagrees with the theory (validate), 4 cannot be measured here, 1 internal error (--debug: the stack).
 */
import { Command, CommanderError } from 'commander';

import { EomkitError, isUserError } from '../errors.ts';
import { protectNegativeOperands } from './args.ts';
import { COMMANDS } from './commands.ts';
import { type CliContext, type CliIO, defaultIO } from './context.ts';

export { UsageError } from './errors.ts';
export type { CliIO, CliContext } from './context.ts';
export type { DeriveOptions } from './derive.ts';
export type { ValidateCommandOptions } from './validate.ts';

function buildProgram(ctx: CliContext): Command {
  const io = ctx.io;
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
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '').replace(/\s*\n\s*/g, ' ')) })
    .showHelpAfterError(false)
    .option('--debug', 'on an internal error, print its stack');
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Run the command line; returns the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const ctx: CliContext = { io, status: 0 };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(protectNegativeOperands(program, argv), { from: 'user' });
    return ctx.status;
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
