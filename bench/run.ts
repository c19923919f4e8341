/**
 * `npm run bench [-- --json] [--only P1,P2] [--tools eomkit,ginac,…] [--n 10]`
 *
 * Runs each registered task in eomkit and in every available peer (SymPy, GiNaC,
 * @cortex-js/compute-engine, …), checks that the results agree, and prints a table with
 * times, result sizes and the ratios eomkit/peer and peer/eomkit. With `--json`, stdout
 * carries exactly one JSON array of rows {task, tool, seconds, size, agrees?, note?, peakMB?, workMB?, ratio?,
 * versus?}; all
 * progress goes to stderr. A missing peer is skipped with one line on stderr. The exit
 * status is 1 when any tool's result disagrees with eomkit's or a run failed.
 * See bench/README.md.
 */
import type { BenchRow, BenchTask, TaskOptions } from './types.ts';
import { formatTable } from './lib.ts';
import { p1Task } from './p1.ts';
import { p2Task } from './p2.ts';

interface Args {
  json: boolean;
  only?: Set<string>;
  tools?: Set<string>;
  n?: number;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const value = (): string => {
      const [, inline] = k.split('=', 2);
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) usage(`${k} needs a value`);
      return v!;
    };
    const list = (): Set<string> => new Set(value().split(',').map((s) => s.trim()).filter(Boolean));
    if (k === '--json') a.json = true;
    else if (k === '--only' || k.startsWith('--only=')) a.only = new Set([...list()].map((s) => s.toUpperCase()));
    else if (k === '--tools' || k.startsWith('--tools=')) a.tools = list();
    else if (k === '--n' || k.startsWith('--n=')) {
      a.n = Number(value());
      if (!Number.isInteger(a.n) || a.n < 3 || a.n > 12) usage('--n must be an integer from 3 to 12');
    } else if (k === '--help' || k === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--json] [--only P1,P2] [--tools eomkit,ginac,sympy,compute-engine] [--n 10]\n' +
          '  runs the benchmark tasks of bench/README.md in eomkit and the peers; see bench/README.md\n',
      );
      process.exit(0);
    } else usage(`unknown option ${k}`);
  }
  return a;
}

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg} (try --help)\n`);
  process.exit(2);
}

/** Tasks written by other engineers, registered when their files exist. */
async function optionalTask(id: string, file: string, exportName: string, log: (s: string) => void): Promise<BenchTask | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(file)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(file.replace('./', ''))) {
      log(`${id}: skipped (bench/${file.replace('./', '')} does not exist yet)`);
    } else log(`${id}: skipped (bench/${file.replace('./', '')} failed to load: ${err.message.split('\n')[0]})`);
    return undefined;
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    log(`${id}: skipped (bench/${file.replace('./', '')} has no export ${exportName}())`);
    return undefined;
  }
  return {
    id,
    title: `bench/${file.replace('./', '')}`,
    run: async () => (await (fn as () => Promise<BenchRow[]>)()) ?? [],
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  // stdout carries only the result: anything a task or a library prints goes to stderr meanwhile
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  const selected = (id: string): boolean => args.only === undefined || args.only.has(id);

  // The task table: P1–P6 in order; later tasks plug in here.
  const tasks: BenchTask[] = [p1Task, p2Task];
  for (const [id, file, name] of [
    ['P3', './p3.ts', 'runP3'],
    ['P4', './p4.ts', 'runP4'],
    ['P5', './p5.ts', 'runP5'],
    ['P6', './p6.ts', 'runP6'],
    ['S', './startup.ts', 'runStartup'],
    ['P6L', './langevin.ts', 'runLangevinBench'],
    ['N', './networks.ts', 'runNetworks'],
    ['P8', './p8.ts', 'runP8'],
    ['P7', './p7.ts', 'runP7'],
    ['P7T', './p7taylor.ts', 'runP7Taylor'],
  ] as const) {
    if (!selected(id)) continue;
    const t = await optionalTask(id, file, name, log);
    if (t) tasks.push(t);
  }
  if (args.only) for (const id of args.only) if (!tasks.some((t) => t.id === id)) log(`${id}: no such task registered`);

  const opts: TaskOptions = { log, ...(args.n !== undefined ? { n: args.n } : {}), ...(args.tools ? { tools: args.tools } : {}) };
  const rows: BenchRow[] = [];
  for (const task of tasks) {
    if (!selected(task.id)) continue;
    log(`== ${task.id}: ${task.title}`);
    try {
      rows.push(...(await task.run(opts)));
    } catch (e) {
      log(`${task.id}: FAILED: ${(e as Error).stack ?? e}`);
      rows.push({ task: task.id, tool: 'harness', seconds: NaN, size: 'failed', agrees: false, note: String((e as Error).message).slice(0, 120) });
    }
  }

  const bad = rows.filter((r) => r.agrees === false);
  for (const r of bad) log(`!!! ${r.task} ${r.tool}: DISAGREES WITH EOMKIT OR FAILED${r.note ? ': ' + r.note : ''}`);
  if (args.json) {
    stdoutWrite(JSON.stringify(rows.map((r) => ({ ...r, seconds: Number.isFinite(r.seconds) ? r.seconds : null }))) + '\n');
  } else {
    stdoutWrite('\n' + formatTable(rows));
    stdoutWrite(
      'Times exclude process start and imports. `eomkit` is the first run in a fresh Node process (JIT cold), the\n' +
        'headline figure; `*-warm` rows are the best of further runs in the same process with fresh symbols (no memo\n' +
        'hits) and are compared with each other. Ratios: eomkit/peer > 1 means eomkit is slower. Size: total terms.\n' +
        'P1/P2: every tool once per round, alternated (EOMKIT_BENCH_ROUNDS, default 3); times are medians over the\n' +
        'rounds, ratios medians of per-round ratios. Peak MB: peak resident memory of the process (/usr/bin/time),\n' +
        'in parentheses the part above the same program idle (loaded, nothing computed). See bench/README.md.\n',
    );
  }
  process.exitCode = bad.length ? 1 : 0;
}

await main();
