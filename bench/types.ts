/** One measured result: a task run by one tool. `npm run bench -- --json` prints an array of these. */
export interface BenchRow {
  task: string;
  tool: string;
  /** wall-clock seconds of the timed work (for a throughput task: seconds per evaluation) */
  seconds: number;
  /** size of the result, the same measure for every tool of a task (here: total number of terms) */
  size: number | string;
  /** false when this tool's result disagrees with eomkit's (the run then exits non-zero) */
  agrees?: boolean;
  /** short remark: how the time was taken, what a mismatch was */
  note?: string;
  /**
   * peak resident memory of the process that produced the row, MB (MiB; `/usr/bin/time -f %M`), which
   * includes the runtime's own baseline; absent where not measured (printed `—`)
   */
  peakMB?: number;
  /** the peak above the idle baseline of the same program (loaded everything, computed nothing), MB */
  workMB?: number;
  /**
   * for a peer row: eomkit/peer as the median of per-round ratios of alternated rounds (the table's ratio
   * column uses it instead of the ratio of the medians); for an eomkit row: this row over `versus`, likewise
   */
  ratio?: number;
  /** the row an eomkit row's `ratio` compares with */
  versus?: string;
}

/** A benchmark task: runs eomkit and every available peer, returns one row per tool. */
export interface BenchTask {
  id: string;
  /** one line: what is measured */
  title: string;
  run(opts: TaskOptions): Promise<BenchRow[]>;
}

export interface TaskOptions {
  /** problem size (P1/P2: number of parameters, default 10); tasks that do not scale ignore it */
  n?: number;
  /** run only these tools (undefined: all) */
  tools?: ReadonlySet<string>;
  /** progress and skip messages (stderr) */
  log(line: string): void;
}
