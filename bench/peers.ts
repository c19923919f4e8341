/**
 * P1/P2: eomkit and every available peer, alternated round by round, then an agreement check.
 *
 * A *program* is one way of running a task: eomkit's headline or a variant (bench/eomkit/child.ts, on the
 * built package: bench/eomkit/launch.ts), one GiNaC route (bench/ginac/<task>.cpp), a SymPy script, the
 * compute-engine script. In each of `EOMKIT_BENCH_ROUNDS` rounds (default 3) every program runs
 * - its idle mode (loads everything, computes nothing: the memory baseline of that program),
 * - a *cold* process: one computation, the first in a fresh process (the headline figure),
 * - for eomkit and GiNaC a *warm* process: the same cold run, then W further runs with fresh symbols, the
 *   best of which is the warm figure (W the same for both, per task),
 * each under `/usr/bin/time` (peak resident memory). No timed process prints its results. A program marked
 * `once` (SymPy's 2.5-minute P2 expression route) runs in the first round only, printing its results.
 * A row's time is the median over the rounds, its peak memory the median of the peaks, its work memory
 * that minus the median idle peak; a peer's ratio is the median of the per-round ratios eomkit/peer (the
 * note lists them). Afterwards every peer runs once more printing its results; eomkit's child reads them
 * into the core and compares them with its own by identity of canonical forms (bench/check.ts).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow, TaskOptions } from './types.ts';
import { BUILD_DIR, BENCH_DIR, ginacBinary, lastJson, runWithPeak, sympyMissing, wants, type MeasuredProc } from './lib.ts';
import { benchRounds } from './rounds.ts';
import type { CheckResult } from './check.ts';
import { eomkitLauncher } from './eomkit/launch.ts';

export interface PeerOutput {
  seconds: number;
  warmSeconds?: number;
  size: number;
  entries?: string[];
  f?: string[][];
  f4chars?: number;
  note?: string;
}

export interface GinacSpec {
  /** bench/ginac/<program>.cpp */
  program: 'p1' | 'p2';
  /**
   * the routes the program knows; routes[0] is the counterpart of eomkit's headline row, an eomkit
   * variant's counterpart is the route of its own name. The faster route (median cold time) becomes row
   * `ginac`, the other `ginac-<route>`.
   */
  routes: string[];
}

export interface PeerSpec {
  /** file under bench/peers/ */
  sympy?: string;
  /** SymPy's expression route runs once (round 1) and prints its results in that run */
  sympyOnce?: boolean;
  /** file under bench/peers/: SymPy's sparse polynomial ring (sympy.polys.rings), reported as row `sympy-ring` */
  sympyRing?: string;
  ginac?: GinacSpec;
  /** file under bench/peers/ (TypeScript, run with tsx) */
  computeEngine?: string;
  /** per process, seconds (default 600) */
  timeoutS?: number;
  /** eomkit and GiNaC: further runs in the warm process (the warm row is their best). Default 3. */
  warmRuns?: number;
  /** further eomkit variants (child.ts's 4th argument), reported as rows `eomkit-<variant>`, checked too */
  eomkitVariants?: string[];
  /** rounds (default: EOMKIT_BENCH_ROUNDS, else 3) */
  rounds?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** a / b round by round, over the rounds where both ran */
export function perRoundRatios(a: ReadonlyArray<number | undefined>, b: ReadonlyArray<number | undefined>): number[] {
  const out: number[] = [];
  for (let r = 0; r < Math.min(a.length, b.length); r++) {
    const x = a[r];
    const y = b[r];
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) && y > 0) out.push(x / y);
  }
  return out;
}

export type Mode = 'cold' | 'warm' | 'strings';

export interface Program {
  /** provisional row name: `eomkit`, `eomkit-<variant>`, `ginac:<route>`, `sympy`, `sympy-ring`, `compute-engine` */
  id: string;
  eomkit: boolean;
  /** the eomkit variant, or the GiNaC route */
  route?: string;
  /** an eomkit program: the GiNaC route that does the same work (its ratio is taken against it) */
  counterpart?: string;
  cmd: string;
  args(mode: Mode): string[];
  /** the idle run of the same program (memory baseline); programs sharing it share the key */
  idle: { key: string; args: string[] };
  /** has a warm process */
  warm: boolean;
  once?: boolean;
}

export interface Sample {
  seconds: number;
  peakMB: number;
}

/** what the rounds measured for one program */
export interface Measured {
  cold: Array<Sample | undefined>;
  warm: Array<Sample | undefined>;
  size?: number;
  note?: string;
  /** the printed results (the `once` program's run, or the check pass) */
  output?: PeerOutput;
  failure?: string;
}

export interface ChildCheck {
  seconds: number;
  size: number;
  note?: string;
  checks: Record<string, CheckResult>;
}

function entriesOf(p: PeerOutput): string[] {
  return p.entries ?? (p.f ?? []).flat();
}

const fmtMs = (s: number): string => (s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms`);
const fmtList = (xs: readonly number[]): string => xs.map((x) => (x < 0.1 ? x.toPrecision(2) : x.toFixed(2))).join(', ');
const defined = <T>(xs: ReadonlyArray<T | undefined>): T[] => xs.filter((x): x is T => x !== undefined);

/** The programs of a task, in the order they run within a round (each eomkit program beside its GiNaC counterpart). */
async function programsOf(task: string, n: number, opts: TaskOptions, spec: PeerSpec): Promise<Program[]> {
  const W = String(spec.warmRuns ?? 3);
  const launcher = await eomkitLauncher(opts.log);
  const routes = spec.ginac?.routes ?? [];
  const eomkit = (variant?: string): Program => ({
    id: variant ? `eomkit-${variant}` : 'eomkit',
    eomkit: true,
    ...(variant ? { route: variant } : {}),
    ...(variant === undefined && routes[0] ? { counterpart: routes[0] } : variant && routes.includes(variant) ? { counterpart: variant } : {}),
    cmd: launcher.cmd,
    args: (mode) => [...launcher.prefix, task, String(n), mode === 'warm' ? `run:${W}` : 'run:0', ...(variant ? [variant] : [])],
    idle: { key: 'eomkit', args: [...launcher.prefix, task, String(n), 'idle'] },
    warm: true,
  });
  const ginac: Program[] = [];
  if (spec.ginac && wants(opts.tools, 'ginac')) {
    const bin = await ginacBinary(spec.ginac.program);
    if (bin.missing) opts.log(`${task}: skipping GiNaC: ${bin.missing}`);
    else
      for (const route of spec.ginac.routes) {
        // p1 <n> <warm> <route> <strings>; p2 <n> <warm> <K> <route> <strings>
        const head = (warm: string): string[] => (spec.ginac!.program === 'p2' ? [String(n), warm, '4'] : [String(n), warm]);
        ginac.push({
          id: `ginac:${route}`,
          eomkit: false,
          route,
          cmd: bin.path!,
          args: (mode) => [...head(mode === 'warm' ? W : '0'), route, mode === 'strings' ? '1' : '0'],
          idle: { key: 'ginac', args: ['idle'] },
          warm: true,
        });
      }
  }
  const withCounterpart = (p: Program): Program[] => [p, ...ginac.filter((g) => g.route === p.counterpart)];
  const programs: Program[] = withCounterpart(eomkit());
  for (const v of spec.eomkitVariants ?? []) programs.push(...withCounterpart(eomkit(v)));
  programs.push(...ginac.filter((g) => !programs.includes(g)));

  const python = (id: string, script: string, once = false): Program => ({
    id,
    eomkit: false,
    cmd: 'python3',
    args: (mode) => [join(BENCH_DIR, 'peers', script), String(n), ...(mode === 'strings' || once ? ['--strings'] : [])],
    idle: { key: script, args: [join(BENCH_DIR, 'peers', script), '--idle'] },
    warm: false,
    once,
  });
  // `--tools sympy` runs both SymPy rows, `--tools sympy-ring` only the ring
  const wantRing = spec.sympyRing !== undefined && (wants(opts.tools, 'sympy') || wants(opts.tools, 'sympy-ring'));
  const wantExpr = spec.sympy !== undefined && wants(opts.tools, 'sympy');
  const sympy = wantRing || wantExpr ? await sympyMissing() : 'not wanted';
  if (sympy && sympy !== 'not wanted') opts.log(`${task}: skipping SymPy: ${sympy}`);
  if (!sympy && wantRing) programs.push(python('sympy-ring', spec.sympyRing!));
  if (spec.computeEngine && wants(opts.tools, 'compute-engine')) {
    let present = true;
    try {
      await import('@cortex-js/compute-engine');
    } catch {
      present = false;
      opts.log(`${task}: skipping compute-engine: @cortex-js/compute-engine is not installed`);
    }
    if (present) {
      const file = join(BENCH_DIR, 'peers', spec.computeEngine);
      programs.push({
        id: 'compute-engine',
        eomkit: false,
        cmd: process.execPath,
        args: (mode) => ['--import', 'tsx', file, String(n), ...(mode === 'strings' ? ['--strings'] : [])],
        idle: { key: 'compute-engine', args: ['--import', 'tsx', file, 'idle'] },
        warm: false,
      });
    }
  }
  if (!sympy && wantExpr) programs.push(python('sympy', spec.sympy!, spec.sympyOnce));
  return programs;
}

function failureOf(r: MeasuredProc, timeoutS: number): string {
  if (r.timedOut) return `timed out after ${timeoutS} s`;
  return r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 200) || `exit ${r.code}`;
}

export async function runPeerTask(task: string, opts: TaskOptions, spec: PeerSpec): Promise<BenchRow[]> {
  const n = opts.n ?? 10;
  const timeoutS = spec.timeoutS ?? 600;
  const rounds = spec.rounds ?? benchRounds();
  const W = spec.warmRuns ?? 3;
  const launcher = await eomkitLauncher(opts.log);
  const programs = await programsOf(task, n, opts, spec);
  const measured = new Map<Program, Measured>(programs.map((p) => [p, { cold: [], warm: [] }]));
  const baselines = new Map<string, number[]>();

  const run = async (p: Program, args: string[]): Promise<{ out: PeerOutput; peakMB: number } | string> => {
    const r = await runWithPeak(p.cmd, args, { timeoutS });
    if (r.code !== 0) return failureOf(r, timeoutS);
    try {
      return { out: lastJson<PeerOutput>(r.stdout), peakMB: r.peakMB };
    } catch (e) {
      return (e as Error).message.slice(0, 200);
    }
  };
  const fail = (p: Program, why: string): void => {
    opts.log(`${task}: ${p.id} failed: ${why}`);
    measured.get(p)!.failure = why;
  };

  for (let round = 0; round < rounds; round++) {
    opts.log(`${task}: round ${round + 1}/${rounds}: ${programs.filter((p) => !measured.get(p)!.failure && !(p.once && round > 0)).map((p) => p.id).join(', ')} …`);
    const idleDone = new Set<string>();
    for (const p of programs) {
      const m = measured.get(p)!;
      if (m.failure || (p.once && round > 0)) continue;
      if (!idleDone.has(p.idle.key)) {
        idleDone.add(p.idle.key);
        const r = await runWithPeak(p.cmd, p.idle.args, { timeoutS });
        if (r.code === 0 && Number.isFinite(r.peakMB)) baselines.set(p.idle.key, [...(baselines.get(p.idle.key) ?? []), r.peakMB]);
      }
      if (p.once) opts.log(`${task}: ${p.id}: one run (it takes minutes) …`);
      const cold = await run(p, p.args(p.once ? 'strings' : 'cold'));
      if (typeof cold === 'string') {
        fail(p, cold);
        continue;
      }
      m.cold[round] = { seconds: cold.out.seconds, peakMB: cold.peakMB };
      m.size ??= cold.out.size;
      if (cold.out.note) m.note ??= cold.out.note;
      if (p.once) m.output = cold.out;
      if (!p.warm) continue;
      const warm = await run(p, p.args('warm'));
      if (typeof warm === 'string') fail(p, warm);
      else m.warm[round] = { seconds: warm.out.warmSeconds ?? NaN, peakMB: warm.peakMB };
    }
  }

  // the agreement check: every peer prints its results once more (not timed), eomkit's child compares
  const peers = programs.filter((p) => !p.eomkit && !measured.get(p)!.failure);
  for (const p of peers) {
    const m = measured.get(p)!;
    if (m.output) continue;
    opts.log(`${task}: ${p.id}: printing its results for the agreement check …`);
    const r = await run(p, p.args('strings'));
    if (typeof r === 'string') fail(p, `the check run failed: ${r}`);
    else m.output = r.out;
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  const peersFile = join(BUILD_DIR, `${task}-n${n}-peers.json`);
  const forChild: Record<string, string[]> = {};
  for (const p of peers) if (measured.get(p)!.output) forChild[p.id] = entriesOf(measured.get(p)!.output!);
  writeFileSync(peersFile, JSON.stringify(forChild));
  const checks = new Map<Program, ChildCheck>();
  for (const p of programs.filter((q) => q.eomkit && !measured.get(q)!.failure)) {
    opts.log(`${task}: ${p.id}: checking the peers' results …`);
    const r = await run(p, [...launcher.prefix, task, String(n), `check:${peersFile}`, ...(p.route ? [p.route] : [])]);
    if (typeof r === 'string') fail(p, `the check failed: ${r}`);
    else checks.set(p, r.out as unknown as ChildCheck);
  }

  return rowsOf(task, programs, measured, baselines, checks, { rounds, W, how: launcher.how });
}

/** The rows of a task from what the rounds measured (see the head of this file); exported for the tests. */
export function rowsOf(
  task: string,
  programs: readonly Program[],
  measured: ReadonlyMap<Program, Measured>,
  baselines: ReadonlyMap<string, number[]>,
  checks: ReadonlyMap<Program, ChildCheck>,
  ctx: { rounds: number; W: number; how: string },
): BenchRow[] {
  const headline = programs.find((p) => p.id === 'eomkit')!;
  const secondsOf = (xs: ReadonlyArray<Sample | undefined>): Array<number | undefined> => xs.map((s) => s?.seconds);
  const medianSeconds = (p: Program, which: 'cold' | 'warm'): number => {
    const xs = defined(secondsOf(measured.get(p)![which])).filter(Number.isFinite);
    return xs.length ? median(xs) : NaN;
  };

  // GiNaC's headline row is its faster route (median cold time); the other keeps its route in its name
  const ginacs = programs.filter((p) => p.id.startsWith('ginac:') && !measured.get(p)!.failure);
  const bestGinac = ginacs.length ? ginacs.reduce((a, b) => (medianSeconds(b, 'cold') < medianSeconds(a, 'cold') ? b : a)) : undefined;
  const nameOf = (p: Program): string => (p.id.startsWith('ginac:') ? (p === bestGinac ? 'ginac' : `ginac-${p.route}`) : p.id);
  const warmName = (p: Program): string => (nameOf(p) === 'ginac' ? 'ginac-warm' : `${nameOf(p)}-warm`);

  const memory = (p: Program, samples: ReadonlyArray<Sample | undefined>): Pick<BenchRow, 'peakMB' | 'workMB'> => {
    const peaks = defined(samples.map((s) => s?.peakMB)).filter(Number.isFinite);
    if (!peaks.length) return {};
    const peakMB = median(peaks);
    const base = baselines.get(p.idle.key);
    // (an idle run can peak a few hundred KB above a computing one: the work memory is then 0)
    return { peakMB, ...(base?.length ? { workMB: Math.max(0, peakMB - median(base)) } : {}) };
  };
  const roundsNote = (samples: ReadonlyArray<Sample | undefined>, once?: boolean): string => {
    const xs = defined(secondsOf(samples));
    return once ? `one run (round 1 of ${ctx.rounds}; it takes minutes)` : `median of ${xs.length} alternated rounds (${xs.map(fmtMs).join(', ')})`;
  };

  const rows: BenchRow[] = [];
  const failedRow = (p: Program, m: Measured): BenchRow => ({ task, tool: nameOf(p), seconds: NaN, size: 'failed', agrees: false, note: (m.failure ?? 'no result').slice(0, 160) });

  // eomkit's rows (the headline first), each beside its GiNaC counterpart's per-round ratio
  for (const p of programs.filter((q) => q.eomkit)) {
    const m = measured.get(p)!;
    if (m.failure && !defined(m.cold).length) {
      rows.push(failedRow(p, m));
      continue;
    }
    const check = checks.get(p);
    const bad = check ? Object.entries(check.checks).filter(([, c]) => !c.agrees) : [];
    const counterpart = programs.find((g) => g.id.startsWith('ginac:') && g.route === p.counterpart);
    const cpOk = counterpart && !measured.get(counterpart)!.failure ? counterpart : undefined;
    const versus = (which: 'cold' | 'warm'): Pick<BenchRow, 'ratio' | 'versus'> => {
      if (!cpOk) return {};
      const rs = perRoundRatios(secondsOf(m[which]), secondsOf(measured.get(cpOk)![which]));
      return rs.length ? { ratio: median(rs), versus: which === 'cold' ? nameOf(cpOk) : warmName(cpOk) } : {};
    };
    const ratioNote = (which: 'cold' | 'warm'): string => {
      if (!cpOk) return '';
      const rs = perRoundRatios(secondsOf(m[which]), secondsOf(measured.get(cpOk)![which]));
      return rs.length ? `; per round ${fmtList(rs)}× ${which === 'cold' ? nameOf(cpOk) : warmName(cpOk)}` : '';
    };
    const agreesNote =
      (bad.length ? `; disagrees with ${bad.map(([t, c]) => `${t} (${c.note})`).join(', ')}` : '') + (m.failure ? `; FAILED in a later run: ${m.failure.slice(0, 160)}` : '');
    // a failure after some rounds flags the row (the run then exits non-zero), the headline included
    const agrees: Pick<BenchRow, 'agrees'> = m.failure ? { agrees: false } : p === headline ? {} : { agrees: check !== undefined && bad.length === 0 };
    const taskNote = [check?.note ?? m.note].filter(Boolean).join('; ');
    rows.push({
      task,
      tool: p.id,
      seconds: medianSeconds(p, 'cold'),
      size: m.size ?? 'unknown',
      ...memory(p, m.cold),
      ...versus('cold'),
      ...agrees,
      note: `first run in a fresh process (${ctx.how}), ${roundsNote(m.cold)}${ratioNote('cold')}${taskNote ? '; ' + taskNote : ''}${agreesNote}`,
    });
    if (defined(m.warm).length)
      rows.push({
        task,
        tool: `${p.id}-warm`,
        seconds: medianSeconds(p, 'warm'),
        size: m.size ?? 'unknown',
        ...memory(p, m.warm),
        ...versus('warm'),
        ...agrees,
        note: `best of ${ctx.W} further runs with fresh symbols in one process (${ctx.how}), ${roundsNote(m.warm)}${ratioNote('warm')}; memory: that process of 1 + ${ctx.W} runs`,
      });
  }

  // the peers: GiNaC's headline route first
  const headChecks = checks.get(headline)?.checks ?? {};
  const peerOrder = programs.filter((p) => !p.eomkit).sort((a, b) => Number(b === bestGinac) - Number(a === bestGinac));
  for (const p of peerOrder) {
    const m = measured.get(p)!;
    if (!defined(m.cold).length) {
      rows.push(failedRow(p, m));
      continue;
    }
    const c = headChecks[p.id] ?? { agrees: false, note: m.failure ?? 'not checked' };
    const route = p.id.startsWith('ginac:')
      ? `route ${p.route}${p === bestGinac && ginacs.length > 1 ? ` (GiNaC's faster route here; the other is ${ginacs.filter((g) => g !== p).map(nameOf).join(', ')})` : ''}`
      : undefined;
    const f4 = m.output?.f4chars ? `f4: ${m.output.f4chars.toLocaleString('en-US')} chars printed` : undefined;
    const cold = perRoundRatios(secondsOf(measured.get(headline)!.cold), secondsOf(m.cold));
    const coldNote = cold.length ? `eomkit/${nameOf(p)} per round: ${fmtList(cold)}` : undefined;
    rows.push({
      task,
      tool: nameOf(p),
      seconds: medianSeconds(p, 'cold'),
      size: m.size ?? 'unknown',
      ...memory(p, m.cold),
      ...(cold.length ? { ratio: median(cold) } : {}),
      agrees: c.agrees,
      note: [roundsNote(m.cold, p.once), coldNote, route, c.note, f4, p.once ? 'memory includes printing its results' : undefined].filter(Boolean).join('; '),
    });
    if (defined(m.warm).length) {
      const warm = perRoundRatios(secondsOf(measured.get(headline)!.warm), secondsOf(m.warm));
      rows.push({
        task,
        tool: warmName(p),
        seconds: medianSeconds(p, 'warm'),
        size: m.size ?? 'unknown',
        ...memory(p, m.warm),
        ...(warm.length ? { ratio: median(warm) } : {}),
        agrees: c.agrees,
        note: [`best of ${ctx.W} further runs with fresh symbols, ${roundsNote(m.warm)}`, warm.length ? `eomkit-warm/${warmName(p)} per round: ${fmtList(warm)}` : undefined, route].filter(Boolean).join('; '),
      });
    }
  }
  return rows;
}
