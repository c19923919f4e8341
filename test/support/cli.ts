/** Running the command line in-process for tests: the exit status and what it wrote to stdout and stderr. */
import { main, type CliIO } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  /** stdout, each write followed by a newline */
  out: string;
  /** stderr, each write followed by a newline */
  err: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
  const code = await main(args, io);
  return { code, out, err };
}
