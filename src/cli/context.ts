/** What every command receives from the entry point: where to write, and how to ask for an exit status. */
export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface CliContext {
  readonly io: CliIO;
  /** exit status the command asks for beyond success (validate: 3 when a measured order fails) */
  status: number;
}

export const defaultIO: CliIO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};
