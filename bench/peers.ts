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
  /** program bench/ginac/<name>.cpp */
  ginac?: string;
  /** file under bench/peers/ (TypeScript, run with tsx) */
  computeEngine?: string;
  timeoutS?: number;
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
      opts.log(`${task}: running GiNaC …`);
      const r = await runProcess(bin.path!, [String(n)], { timeoutS });
      if (r.code === 0) peers['ginac'] = lastJson<PeerOutput>(r.stdout);
      else failed('ginac', r.timedOut ? `timed out after ${timeoutS} s` : r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
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

  opts.log(`${task}: running eomkit (fresh process) …`);
  const r = await runTs('eomkit/child.ts', [task, String(n), peersFile], timeoutS);
  if (r.code !== 0) {
    failed('eomkit', r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`);
    return rows;
  }
  const child = lastJson<ChildOutput>(r.stdout);
  const out: BenchRow[] = [...child.rows.filter((row) => wants(opts.tools, row.tool))];
  for (const [tool, p] of Object.entries(peers)) {
    const c = child.checks[tool] ?? { agrees: false, note: 'not checked' };
    const note = [c.note, sizeNote(p)].filter(Boolean).join('; ') || undefined;
    out.push({ task, tool, seconds: p.seconds, size: p.size, agrees: c.agrees, ...(note ? { note } : {}) });
    if (p.warmSeconds !== undefined) {
      out.push({ task, tool: `${tool}-warm`, seconds: p.warmSeconds, size: p.size, agrees: c.agrees, note: 'best of further runs in the same process' });
    }
  }
  return [...out, ...rows];
}
