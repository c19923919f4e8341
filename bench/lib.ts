/** Shared helpers of the benchmark harness: child processes, peer detection, checks, the table. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(BENCH_DIR, '.build');

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** spawn failed (command not found) */
  missing: boolean;
  timedOut: boolean;
}

/** process groups of running children: killed when the bench itself exits or is interrupted */
const liveGroups = new Set<number>();
function killLiveGroups(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killLiveGroups);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLiveGroups();
    process.kill(process.pid, signal);
  });
}

/** Run a command, capture its output (never throws). */
export function runProcess(cmd: string, args: readonly string[], opts: { timeoutS?: number; input?: string } = {}): Promise<ProcResult> {
  return new Promise((resolve) => {
    let child;
    try {
      // peers single-threaded (BLAS/OpenMP threads only contend on a shared machine and blur the comparison)
      // its own process group (detached), so that a timeout kills the whole tree: a wrapper such as
      // /usr/bin/time or timeout(1) and the tool under it (killing the wrapper alone left the tool running,
      // holding the pipes open, and the bench waited for it)
      child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    } catch {
      resolve({ code: null, stdout: '', stderr: '', missing: true, timedOut: false });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let missing = false;
    const timer = opts.timeoutS ? setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutS * 1000) : undefined;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') missing = true;
    });
    child.on('close', (code) => {
      if (pid !== undefined) liveGroups.delete(pid);
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), missing, timedOut });
    });
    // a child that exits at once (an idle run) closes its stdin before we do: EPIPE is not an error here
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export const GNU_TIME = '/usr/bin/time';
const PEAK_MARK = 'EOMKIT_BENCH_PEAK_KB=';

/** A process's result with its peak resident memory in MB (MiB), NaN when it could not be measured. */
export interface MeasuredProc extends ProcResult {
  peakMB: number;
}

/** The peak resident set size in KB that `/usr/bin/time -f <PEAK_MARK>%M` appended to stderr, or NaN. */
export function parsePeakKb(stderr: string): number {
  const i = stderr.lastIndexOf(PEAK_MARK);
  if (i < 0) return NaN;
  const m = /^(\d+)/.exec(stderr.slice(i + PEAK_MARK.length));
  return m ? Number(m[1]) : NaN;
}

/**
 * Run a command under GNU time (`/usr/bin/time -f %M`: the peak resident memory of the process, which
 * includes its runtime's baseline); without /usr/bin/time it runs plainly and peakMB is NaN. The line
 * GNU time appends is removed from stderr.
 */
export async function runWithPeak(cmd: string, args: readonly string[], opts: { timeoutS?: number } = {}): Promise<MeasuredProc> {
  if (!existsSync(GNU_TIME)) return { ...(await runProcess(cmd, args, opts)), peakMB: NaN };
  const r = await runProcess(GNU_TIME, ['-f', `${PEAK_MARK}%M`, cmd, ...args], opts);
  const kb = parsePeakKb(r.stderr);
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !l.startsWith(PEAK_MARK) && !l.startsWith('Command exited with non-zero status'))
    .join('\n');
  // GNU time reports a command it could not start as exit 127
  const missing = r.missing || (r.code === 127 && /No such file or directory|cannot run/.test(r.stderr));
  return { ...r, stderr, missing, peakMB: kb / 1024 };
}

/** Run a TypeScript file of ours in a fresh Node process (tsx loader): a cold start for every run. */
export function runTs(file: string, args: readonly string[], timeoutS = 600): Promise<ProcResult> {
  return runProcess(process.execPath, ['--import', 'tsx', join(BENCH_DIR, file), ...args], { timeoutS });
}

/** The last line of stdout that parses as JSON (children may print warnings before it). */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  for (let k = lines.length - 1; k >= 0; k--) {
    const l = lines[k]!.trim();
    if (l.startsWith('{') || l.startsWith('[')) return JSON.parse(l) as T;
  }
  throw new Error(`no JSON in the output: ${stdout.slice(0, 200)}`);
}

let pythonState: Promise<string | undefined> | undefined;
/** undefined when python3 with SymPy is usable, else the reason it is not. */
export function sympyMissing(): Promise<string | undefined> {
  pythonState ??= runProcess('python3', ['-c', 'import sympy; print(sympy.__version__)'], { timeoutS: 60 }).then((r) => {
    if (r.missing) return 'python3 not found';
    if (r.code !== 0) return 'python3 has no SymPy (pip install sympy)';
    return undefined;
  });
  return pythonState;
}

export function sympyVersion(): Promise<string> {
  return runProcess('python3', ['-c', 'import sympy; print(sympy.__version__)']).then((r) => r.stdout.trim());
}

export const GINAC_HEADER = '/usr/include/ginac/ginac.h';

/**
 * Compile bench/ginac/<name>.cpp into bench/.build/<name> (when the source is newer than the binary).
 * Returns the binary's path, or a reason why GiNaC is not available.
 */
export async function ginacBinary(name: string): Promise<{ path?: string; missing?: string }> {
  if (!existsSync(GINAC_HEADER)) return { missing: `no GiNaC headers (${GINAC_HEADER}); apt-get install -y libginac-dev` };
  const src = join(BENCH_DIR, 'ginac', `${name}.cpp`);
  const bin = join(BUILD_DIR, name);
  mkdirSync(BUILD_DIR, { recursive: true });
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return { path: bin };
  const r = await runProcess('g++', ['-O2', '-o', bin, src, '-lginac', '-lcln'], { timeoutS: 300 });
  if (r.missing) return { missing: 'no g++ to compile the GiNaC program' };
  if (r.code !== 0) return { missing: `g++ failed on ${name}.cpp: ${r.stderr.split('\n').slice(0, 3).join(' | ')}` };
  return { path: bin };
}

export function wants(tools: ReadonlySet<string> | undefined, tool: string): boolean {
  return tools === undefined || tools.has(tool) || tools.has(tool.replace(/-warm$/, ''));
}

// ---------------------------------------------------------------------------
// The readable table

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s >= 10) return `${s.toFixed(1)} s`;
  if (s >= 0.1) return `${s.toFixed(2)} s`;
  if (s >= 0.001) return `${(s * 1000).toFixed(1)} ms`;
  return `${(s * 1e6).toFixed(1)} µs`;
}

/** peak resident memory, and in parentheses the part above the idle baseline: `94 (+9.3)`; `—` when absent */
export function fmtMemory(peakMB: number | undefined, workMB: number | undefined): string {
  if (peakMB === undefined || !Number.isFinite(peakMB)) return '—';
  const mb = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
  return workMB !== undefined && Number.isFinite(workMB) ? `${mb(peakMB)} (+${mb(Math.max(0, workMB))})` : mb(peakMB);
}

function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`;
}

/**
 * One block per task: tool, time, size, peak memory (work memory above the idle baseline), agreement, and
 * the ratios against eomkit (a `-warm` tool is compared with `eomkit-warm`, every other with the cold
 * `eomkit` row; a row with `ratio` set, from alternated rounds, shows that median of per-round ratios).
 */
export function formatTable(rows: readonly BenchRow[]): string {
  const out: string[] = [];
  const tasks = [...new Set(rows.map((r) => r.task))];
  for (const task of tasks) {
    const rs = rows.filter((r) => r.task === task);
    const cold = rs.find((r) => r.tool === 'eomkit');
    const warm = rs.find((r) => r.tool === 'eomkit-warm');
    const table: string[][] = [['tool', 'time', 'size', 'peak MB (work)', 'agrees', 'eomkit/peer', 'peer/eomkit', 'note']];
    const ginac = rs.find((r) => r.tool === 'ginac');
    const ginacWarm = rs.find((r) => r.tool === 'ginac-warm');
    // tasks written elsewhere may name their reference e.g. `eomkit-js`, with one row per problem size
    const ours = (r: BenchRow): boolean => r.tool === 'eomkit' || r.tool.startsWith('eomkit-');
    const refFor = (r: BenchRow): BenchRow | undefined => {
      if (cold) return r.tool.endsWith('-warm') ? warm : cold;
      const cands = rs.filter(ours);
      return cands.find((c) => c.size === r.size) ?? cands[0];
    };
    for (const r of rs) {
      const ref = refFor(r);
      const isRef = cold ? r.tool === 'eomkit' || r.tool === 'eomkit-warm' : ours(r);
      const variant = !isRef && ours(r);
      // alternated rounds give the median of per-round ratios (row.ratio); otherwise the ratio of the rows
      const ratio = !isRef && !variant && r.ratio !== undefined ? r.ratio : !isRef && ref ? ref.seconds / r.seconds : NaN;
      table.push([
        r.tool,
        fmtSeconds(r.seconds),
        String(r.size),
        fmtMemory(r.peakMB, r.workMB),
        isRef ? 'reference' : r.agrees === undefined ? '—' : r.agrees ? (variant ? 'yes (peers)' : 'yes') : 'NO  <<<<<<<<',
        isRef || variant ? '' : fmtRatio(ratio),
        isRef || variant ? '' : fmtRatio(1 / ratio),
        (() => {
          // every eomkit row (reference or variant, e.g. eomkit-jvp, eomkit-wasm-simd): its own ratio in the
          // note, against GiNaC where it ran, else against the fastest peer of the same size
          const g = r.tool.endsWith('-warm') ? ginacWarm : ginac;
          const peers = rs.filter((p) => !ours(p) && p.size === r.size && Number.isFinite(p.seconds) && p.seconds > 0);
          const fastest = peers.length ? peers.reduce((a, b) => (b.seconds < a.seconds ? b : a)) : undefined;
          const vs =
            (variant || isRef) && r.ratio !== undefined && r.versus
              ? `${fmtRatio(r.ratio)} ${r.versus}'s time (median of per-round ratios); `
              : (variant || isRef) && g
              ? `${fmtRatio(r.seconds / g.seconds)} GiNaC's time; `
              : (variant || isRef) && fastest
                ? `${fmtRatio(r.seconds / fastest.seconds)} ${fastest.tool}'s time; `
                : '';
          return vs + (r.note ?? '');
        })(),
      ]);
    }
    const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
    out.push(`${task}`);
    for (const [k, row] of table.entries()) {
      // time, size and memory right-aligned, the rest left-aligned
      out.push('  ' + row.map((cell, c) => (c >= 1 && c <= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
      if (k === 0) out.push('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
    }
    out.push('');
  }
  return out.join('\n');
}
