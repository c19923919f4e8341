/**
 * Running a task in the peers and in eomkit, then checking agreement.
 *
 * Order: every available peer runs first in its own process and prints JSON
 * ({seconds, warmSeconds?, size, entries | f, f4chars?}); their results go to
 * bench/.build/<task>-peers.json; then eomkit runs in a fresh Node process
 * (bench/eomkit/child.ts), times its cold and warm runs, and afterwards reads the
 * peers' strings into the core and compares them with its own results.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow, TaskOptions } from './types.ts';
import { BUILD_DIR, BENCH_DIR, ginacBinary, lastJson, runProcess, runTs, sympyMissing, wants } from './lib.ts';
import type { CheckResult } from './check.ts';

export interface PeerOutput {
  seconds: number;
  warmSeconds?: number;
  size: number;
  entries?: string[];
  f?: string[][];
  f4chars?: number;
}

export interface PeerSpec {
  /** file under bench/peers/ */
  sympy?: string;
  /** file under bench/peers/: SymPy's sparse polynomial ring (sympy.polys.rings), reported as row `sympy-ring` */
  sympyRing?: string;
  /** program bench/ginac/<name>.cpp */
  ginac?: string;
  /** file under bench/peers/ (TypeScript, run with tsx) */
  computeEngine?: string;
  timeoutS?: number;
  /**
   * eomkit and GiNaC: how many fresh processes to time the cold run in (the row is their median;
   * a ~10 ms run on a shared 2-core machine varies by 2× from one process to the next). Default 3.
   */
  coldProcesses?: number;
  /** eomkit: warm repetitions after the cold run (the warm row is their best). Default 3. */
  warmRuns?: number;
  /** further eomkit variants (child.ts's 5th argument), reported as rows `eomkit-<variant>`, checked too */
  eomkitVariants?: string[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface ChildOutput {
  rows: BenchRow[];
  checks: Record<string, CheckResult>;
}

function entriesOf(p: PeerOutput): string[] {
  return p.entries ?? (p.f ?? []).flat();
}

function sizeNote(p: PeerOutput): string | undefined {
  return p.f4chars !== undefined ? `f4: ${p.f4chars.toLocaleString('en-US')} chars printed` : undefined;
}

export async function runPeerTask(task: string, opts: TaskOptions, spec: PeerSpec): Promise<BenchRow[]> {
  const n = opts.n ?? 10;
  const timeoutS = spec.timeoutS ?? 600;
  const coldProcesses = spec.coldProcesses ?? 3;
  const coldNotes: Record<string, string> = {};
  const peers: Record<string, PeerOutput> = {};
  const rows: BenchRow[] = [];
  const failed = (tool: string, why: string): void => {
    opts.log(`${task}: ${tool} failed: ${why}`);
    rows.push({ task, tool, seconds: NaN, size: 'failed', agrees: false, note: why.slice(0, 120) });
  };

  if (spec.ginac && wants(opts.tools, 'ginac')) {
    const bin = await ginacBinary(spec.ginac);
    if (bin.missing) opts.log(`${task}: skipping GiNaC: ${bin.missing}`);
    else {
      opts.log(`${task}: running GiNaC (${coldProcesses} processes) …`);
      const outs: PeerOutput[] = [];
      for (let k = 0; k < coldProcesses; k++) {
        const r = await runProcess(bin.path!, [String(n)], { timeoutS });
        if (r.code === 0) outs.push(lastJson<PeerOutput>(r.stdout));
        else {
          failed('ginac', r.timedOut ? `timed out after ${timeoutS} s` : r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
          break;
        }
      }
      if (outs.length === coldProcesses) {
        const first = outs[0]!;
        peers['ginac'] = {
          ...first,
          seconds: median(outs.map((o) => o.seconds)),
          warmSeconds: Math.min(...outs.map((o) => o.warmSeconds ?? Infinity)),
        };
        coldNotes['ginac'] = `first run, median of ${coldProcesses} fresh processes`;
      }
    }
  }
  if (spec.sympy && wants(opts.tools, 'sympy')) {
    const why = await sympyMissing();
    if (why) opts.log(`${task}: skipping SymPy: ${why}`);
    else {
      opts.log(`${task}: running SymPy …`);
      const r = await runProcess('python3', [join(BENCH_DIR, 'peers', spec.sympy), String(n)], { timeoutS });
      if (r.code === 0) peers['sympy'] = lastJson<PeerOutput>(r.stdout);
      else failed('sympy', r.timedOut ? `timed out after ${timeoutS} s` : r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
    }
  }
  if (spec.sympyRing && wants(opts.tools, 'sympy')) {
    const why = await sympyMissing();
    if (!why) {
      opts.log(`${task}: running the SymPy ring …`);
      const r = await runProcess('python3', [join(BENCH_DIR, 'peers', spec.sympyRing), String(n), '--strings'], { timeoutS });
      if (r.code === 0) peers['sympy-ring'] = lastJson<PeerOutput>(r.stdout);
      else failed('sympy-ring', r.timedOut ? `timed out after ${timeoutS} s` : r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
    }
  }
  if (spec.computeEngine && wants(opts.tools, 'compute-engine')) {
    let present = true;
    try {
      await import('@cortex-js/compute-engine');
    } catch {
      present = false;
      opts.log(`${task}: skipping compute-engine: @cortex-js/compute-engine is not installed`);
    }
    if (present) {
      opts.log(`${task}: running compute-engine …`);
      const r = await runTs(join('peers', spec.computeEngine), [String(n)], timeoutS);
      if (r.code === 0) peers['compute-engine'] = lastJson<PeerOutput>(r.stdout);
      else failed('compute-engine', r.timedOut ? `timed out after ${timeoutS} s` : r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
    }
  }

  mkdirSync(BUILD_DIR, { recursive: true });
  const peersFile = join(BUILD_DIR, `${task}-n${n}-peers.json`);
  const forChild: Record<string, string[]> = {};
  for (const [tool, p] of Object.entries(peers)) forChild[tool] = entriesOf(p);
  writeFileSync(peersFile, JSON.stringify(forChild));

  const warmRuns = String(spec.warmRuns ?? 3);
  const runEomkit = async (variant?: string): Promise<{ child: ChildOutput; colds: number[] } | undefined> => {
    const tool = variant ? `eomkit-${variant}` : 'eomkit';
    opts.log(`${task}: running ${tool} (${coldProcesses} fresh processes) …`);
    let child: ChildOutput | undefined;
    const colds: number[] = [];
    for (let k = 0; k < coldProcesses; k++) {
      // the first process also does the warm runs and the checks; the others only the cold run
      const args = [task, String(n), k === 0 ? peersFile : '-', k === 0 ? warmRuns : '0', ...(variant ? [variant] : [])];
      const r = await runTs('eomkit/child.ts', args, timeoutS);
      if (r.code !== 0) {
        failed(tool, r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`);
        return undefined;
      }
      const c = lastJson<ChildOutput>(r.stdout);
      child ??= c;
      colds.push(c.rows.find((row) => row.tool === tool)!.seconds);
    }
    const cold = child!.rows.find((row) => row.tool === tool)!;
    cold.seconds = median(colds);
    cold.note = `first run, median of ${coldProcesses} fresh processes (${colds.map((s) => (s * 1000).toFixed(0)).join(', ')} ms)${cold.note ? '; ' + cold.note.replace(/^first run in a fresh process;? ?/, '') : ''}`.replace(/; $/, '');
    return { child: child!, colds };
  };
  const main = await runEomkit();
  if (!main) return rows;
  const child = main.child;
  const out: BenchRow[] = [...child.rows]; // eomkit always runs: it is the reference of the checks
  for (const variant of spec.eomkitVariants ?? []) {
    const v = await runEomkit(variant);
    if (!v) continue;
    const bad = Object.entries(v.child.checks).filter(([, c]) => !c.agrees);
    for (const row of v.child.rows) {
      row.agrees = bad.length === 0;
      if (bad.length) row.note = `${row.note ?? ''}; disagrees with ${bad.map(([t, c]) => `${t} (${c.note})`).join(', ')}`;
      out.push(row);
    }
  }
  for (const [tool, p] of Object.entries(peers)) {
    const c = child.checks[tool] ?? { agrees: false, note: 'not checked' };
    const note = [c.note, coldNotes[tool], sizeNote(p)].filter(Boolean).join('; ') || undefined;
    out.push({ task, tool, seconds: p.seconds, size: p.size, agrees: c.agrees, ...(note ? { note } : {}) });
    if (p.warmSeconds !== undefined) {
      out.push({ task, tool: `${tool}-warm`, seconds: p.warmSeconds, size: p.size, agrees: c.agrees, note: 'best of further runs in the same process' });
    }
  }
  return [...out, ...rows];
}
