/**
 * Progress of a multi-phase command on a terminal: one cli-progress bar over the phases, on stderr, only
 * when stderr is a TTY (pipes, files and --json consumers see nothing). The phases of `derive` are
 * synchronous, so the bar advances between them and names the one running.
 */
export interface StageProgress {
  /** the next phase starts (the previous one is done) */
  stage(name: string): void;
  /** all phases done: remove the bar */
  stop(): void;
}

const SILENT: StageProgress = { stage: () => undefined, stop: () => undefined };

/** A stage bar on `stream` when it is a terminal, else a no-op (cli-progress is imported only then). */
export async function stageProgress(title: string, total: number, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Promise<StageProgress> {
  if (stream.isTTY !== true || total < 1) return SILENT;
  const cp = await import('cli-progress');
  const mod = (cp as unknown as { default?: typeof cp }).default ?? cp;
  const bar = new mod.SingleBar(
    { stream, format: `${title} [{bar}] {value}/{total} {stage}`, clearOnComplete: true, hideCursor: false },
    mod.Presets.shades_classic,
  );
  let started = false;
  let completed = 0;
  return {
    stage(name: string): void {
      if (!started) {
        bar.start(total, 0, { stage: name });
        started = true;
        return;
      }
      completed = Math.min(completed + 1, total);
      bar.update(completed, { stage: name });
    },
    stop(): void {
      if (started) {
        bar.update(total, { stage: 'done' });
        bar.stop();
      }
    },
  };
}
