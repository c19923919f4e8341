/**
 * The benchmark harness on tiny instances (no python, no GiNaC needed; a few seconds):
 * eomkit's P1 and P2 computations against brute force, the peer-output reader and the agreement
 * check, and `npm run bench -- --json` printing one parseable JSON array.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type Expr, type Sym, SumBuilder, ProductBuilder, sym, num, mul, sub, pow, scale, ONE } from '../../src/symbolic/expr.ts';
import { derivativeTensor, hessian, gradient } from '../../src/symbolic/calculus.ts';
import { expand } from '../../src/symbolic/expand.ts';
import { evaluate } from '../../src/symbolic/transform.ts';
import { Rational } from '../../src/symbolic/rational.ts';
import { parseExpr } from '../../src/symbolic/parse.ts';
import { computeP1 } from '../../bench/p1.ts';
import { computeP2Jvp } from '../../bench/p2.ts';
import { parsePolynomial } from '../../bench/polyparse.ts';
import { checkEntries } from '../../bench/check.ts';
import { mathJsonToText } from '../../bench/mathjson.ts';
import { GINAC_HEADER, GNU_TIME, formatTable, fmtMemory, ginacBinary, runWithPeak } from '../../bench/lib.ts';
import { median, perRoundRatios, rowsOf, type ChildCheck, type Measured, type Program } from '../../bench/peers.ts';
import { distIsStale, distModuleFor, eomkitLauncher } from '../../bench/eomkit/launch.ts';
import type { BenchRow } from '../../bench/types.ts';

/** A polynomial as exponent vector → rational coefficient (independent of the core's calculus). */
type Poly = Map<string, Rational>;

function polyAdd(p: Poly, exps: number[], c: Rational): void {
  const k = exps.join(',');
  const prev = p.get(k);
  const v = prev ? prev.add(c) : c;
  if (v.isZero()) p.delete(k);
  else p.set(k, v);
}

function polyDiff(p: Poly, i: number): Poly {
  const out: Poly = new Map();
  for (const [k, c] of p) {
    const e = k.split(',').map(Number);
    if (e[i] === 0) continue;
    const m = e[i]!;
    e[i] = m - 1;
    polyAdd(out, e, c.mul(Rational.int(m)));
  }
  return out;
}

function polyToExpr(p: Poly, ps: readonly Sym[]): Expr {
  const b = new SumBuilder();
  for (const [k, c] of p) {
    const pb = new ProductBuilder();
    k.split(',').forEach((e, i) => {
      if (e !== '0') pb.mul(ps[i]!, Rational.int(Number(e)));
    });
    b.add(pb.build(), c);
  }
  return expand(b.build());
}

/** ½(w1⋯wn − 1)² = ½P² − P + ½ as a Poly. */
function lossPoly(n: number): Poly {
  const p: Poly = new Map();
  polyAdd(p, new Array(n).fill(2), Rational.HALF);
  polyAdd(p, new Array(n).fill(1), Rational.MINUS_ONE);
  polyAdd(p, new Array(n).fill(0), Rational.HALF);
  return p;
}

describe('bench P1 (eomkit side), n = 4', () => {
  it.each(['expand-first', 'diff-expand'] as const)('%s: agrees with a brute-force exponent-vector derivative, entry by entry, and numerically', (route) => {
    const n = 4;
    const r = computeP1(n, 'hb', route);
    const ps = Array.from({ length: n }, (_, i) => sym(`hb${i + 1}`));
    expect(r.entries.length).toBe(20); // C(6, 3)
    const L = lossPoly(n);
    let k = 0;
    const env: Record<string, number> = { hb1: 0.7, hb2: -1.3, hb3: 0.4, hb4: 1.1 };
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++)
        for (let l = j; l < n; l++) {
          const brute = polyToExpr(polyDiff(polyDiff(polyDiff(L, i), j), l), ps);
          const ours = r.entries[k++]!;
          expect(ours).toBe(brute); // hash-consed: equal canonical polynomials are one object
          // and a float check that does not rely on the core's canonical form
          const h = 1e-3;
          const f = (x: Record<string, number>): number => 0.5 * (x.hb1! * x.hb2! * x.hb3! * x.hb4! - 1) ** 2;
          const d = (g: (x: Record<string, number>) => number, s: string) => (x: Record<string, number>) =>
            (g({ ...x, [s]: x[s]! + h }) - g({ ...x, [s]: x[s]! - h })) / (2 * h);
          const fd = d(d(d(f, `hb${l + 1}`), `hb${j + 1}`), `hb${i + 1}`)(env);
          expect(evaluate(ours, env)).toBeCloseTo(fd, 3);
        }
    expect(r.size).toBe(r.entries.reduce((s, e) => s + (e.kind === 'add' ? e.terms.length + (e.constant.isZero() ? 0 : 1) : e.kind === 'num' && e.value.isZero() ? 0 : 1), 0));
  });
});

describe('bench P2 (eomkit side), n = 3', () => {
  it('the jvp route equals f1…f4 built from the full gradient, Hessian and third-derivative tensor', () => {
    const n = 3;
    const r = computeP2Jvp(n, 'hq');
    const ps = Array.from({ length: n }, (_, i) => sym(`hq${i + 1}`));
    const L = scale(pow(sub(mul(...ps), ONE), 2), Rational.HALF);
    const g = gradient(L, ps).map(expand);
    const H = hessian(L, ps).map((row) => row.map(expand));
    const T3 = new Map<string, Expr>();
    for (const t of derivativeTensor(L, ps, 3)) T3.set(t.index.join(','), expand(t.value));
    const T = (i: number, j: number, k: number): Expr => T3.get([i, j, k].sort((a, b) => a - b).join(','))!;
    const matVec = (v: Expr[]): Expr[] => H.map((row) => expand(sum(row.map((h, j) => mul(h, v[j]!)))));
    const tens = (u: Expr[], v: Expr[]): Expr[] =>
      ps.map((_, i) => expand(sum(ps.flatMap((__, j) => ps.map((___, k) => mul(T(i, j, k), u[j]!, v[k]!))))));
    const sum = (xs: Expr[]): Expr => {
      const b = new SumBuilder();
      for (const x of xs) b.add(x);
      return b.build();
    };
    const lin = (parts: Array<[Rational, Expr[]]>): Expr[] => ps.map((_, i) => expand(sum(parts.map(([k, v]) => scale(v[i]!, k)))));
    const Hg = matVec(g);
    const H2g = matVec(Hg);
    const H3g = matVec(H2g);
    const Tgg = tens(g, g);
    const f1 = lin([[Rational.MINUS_ONE, g]]);
    const f2 = lin([[Rational.of(-1, 2), Hg]]);
    const f3 = lin([[Rational.of(-1, 12), Tgg], [Rational.of(-1, 3), H2g]]);
    const f4 = lin([[Rational.of(-1, 12), tens(g, Hg)], [Rational.of(-1, 12), matVec(Tgg)], [Rational.of(-1, 4), H3g]]);
    expect(r.f).toEqual([f1, f2, f3, f4]);
    for (const [k, fk] of [f1, f2, f3, f4].entries()) for (const [i, e] of fk.entries()) expect(r.f[k]![i]).toBe(e);
  });
});

describe('peer output reader and agreement check', () => {
  const x = sym('w1');
  const y = sym('w2');
  const p = expand(add3(mul(num(2), pow(x, 2), y), scale(y, Rational.of(-1, 2)), num(Rational.of(1, 3))));
  function add3(a: Expr, b: Expr, c: Expr): Expr {
    return new SumBuilder().add(a).add(b).add(c).build();
  }

  it('reads SymPy, GiNaC and MathJSON-derived text to the same object', () => {
    expect(parsePolynomial('2*w1**2*w2 - w2/2 + 1/3')).toBe(p);
    expect(expand(parsePolynomial('1/3-1/2*w2+2*w2*w1^2'))).toBe(p);
    const mj = ['Add', ['Multiply', 2, 'w2', ['Power', 'w1', 2]], ['Negate', ['Divide', 'w2', 2]], ['Rational', 1, 3]];
    expect(expand(parsePolynomial(mathJsonToText(mj)))).toBe(p);
    expect(expand(parsePolynomial('-(w1 - 1)**2'))).toBe(expand(parseExpr('-(w1 - 1)^2')));
    expect(parsePolynomial('0')).toBe(num(0));
  });

  it('accepts agreeing entries and flags a different one', () => {
    expect(checkEntries('peer', [p, ONE], ['2*w1**2*w2 - w2/2 + 1/3', '1'])).toEqual({ agrees: true });
    const bad = checkEntries('peer', [p, ONE], ['2*w1**2*w2 - w2/2 + 1/4', '1']);
    expect(bad.agrees).toBe(false);
    expect(bad.note).toMatch(/peer\[0\]: different value/);
    expect(checkEntries('peer', [p], []).agrees).toBe(false);
    expect(checkEntries('peer', [p], ['2*w1**2*w2 - w2/2 +']).agrees).toBe(false);
  });
});

describe('npm run bench -- --json', () => {
  it('prints exactly one JSON array of rows on stdout: alternated rounds, peak and work memory per P1/P2 row', () => {
    // node on dist/ when it is up to date (as `npm test` leaves it), else tsx on src/: the bench would
    // rebuild a stale dist/ while other test files read it
    const core = distIsStale() ? 'src' : 'dist';
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--json', '--only', 'P1,P2', '--tools', 'eomkit', '--n', '4'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, EOMKIT_BENCH_CORE: core, EOMKIT_BENCH_ROUNDS: '2' },
    });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as BenchRow[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((row) => `${row.task}/${row.tool}`)).toEqual(['P1/eomkit', 'P1/eomkit-warm', 'P1/eomkit-diff-expand', 'P1/eomkit-diff-expand-warm', 'P2/eomkit', 'P2/eomkit-warm', 'P2/eomkit-jvp', 'P2/eomkit-jvp-warm']);
    for (const row of rows) {
      expect(typeof row.seconds).toBe('number');
      expect(row.seconds).toBeGreaterThan(0);
      // every timed process ran once per round
      expect(row.note).toMatch(/median of 2 alternated rounds \([^,]+, [^,)]+\)/);
      expect(row.note).toContain(core === 'dist' ? 'node on dist/' : 'tsx on src/');
      if (existsSync(GNU_TIME)) {
        // a Node process holds tens of MB before computing anything; the work memory is the part above that
        expect(row.peakMB).toBeGreaterThan(20);
        expect(row.workMB).toBeTypeOf('number');
        expect(row.workMB!).toBeLessThan(row.peakMB!);
      }
    }
    // the variants agree with the headline (both checked against the same peers: none here)
    expect(rows.filter((row) => row.tool.startsWith('eomkit-') && !row.tool.endsWith('-warm')).every((row) => row.agrees === true)).toBe(true);
    expect(rows[0]!.size).toBe(computeP1(4, 'hj').size);
  });

  it('rejects an unknown option with exit code 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--bogus'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('alternated rounds: medians and per-round ratios', () => {
  it('pairs the rounds where both tools ran and takes the median of the ratios, not the ratio of the medians', () => {
    expect(perRoundRatios([1, 2, undefined, 4], [2, 1, 1, 2])).toEqual([0.5, 2, 2]);
    expect(perRoundRatios([1, 2], [0, NaN])).toEqual([]);
    // eomkit 10, 1, 1 against a peer 1, 10, 1: the medians are equal (ratio 1), the per-round ratios 10, 0.1, 1
    expect(median(perRoundRatios([10, 1, 1], [1, 10, 1]))).toBe(1);
    expect(median(perRoundRatios([3, 1, 2], [1, 1, 1]))).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('the table prints the row\'s median of per-round ratios and a memory column (— where not measured)', () => {
    const rows: BenchRow[] = [
      { task: 'T', tool: 'eomkit', seconds: 1, size: 5, peakMB: 94.04, workMB: 9.31 },
      { task: 'T', tool: 'peer', seconds: 0.5, size: 5, agrees: true, ratio: 3 },
      { task: 'T', tool: 'other', seconds: 0.25, size: 5, agrees: true, peakMB: 250.4 },
    ];
    const text = formatTable(rows);
    const line = (tool: string): string => text.split('\n').find((l) => l.trimStart().startsWith(tool + ' '))!;
    expect(line('eomkit')).toContain('94.0 (+9.3)');
    expect(line('peer')).toMatch(/—\s+yes\s+3\.00×\s+0\.33×/); // 3, not the 2 of the medians
    expect(line('other')).toMatch(/250\s+yes\s+4\.00×\s+0\.25×/); // no ratio field: the ratio of the rows
    expect(text).toContain('peak MB (work)');
    expect(fmtMemory(undefined, undefined)).toBe('—');
    expect(fmtMemory(NaN, 3)).toBe('—');
  });
});

describe.skipIf(!existsSync(GNU_TIME))('peak resident memory under /usr/bin/time', () => {
  it('sees a 160 MB buffer that a process fills, above the same runtime idle', async () => {
    const idle = await runWithPeak(process.execPath, ['-e', '0']);
    const busy = await runWithPeak(process.execPath, ['-e', 'const b = Buffer.alloc(160 * 2 ** 20, 1); process.stdout.write(String(b[12345]))']);
    expect(idle.code).toBe(0);
    expect(busy.stdout).toBe('1');
    expect(busy.stderr).not.toContain('EOMKIT_BENCH_PEAK_KB');
    expect(busy.peakMB - idle.peakMB).toBeGreaterThan(150);
    expect(busy.peakMB - idle.peakMB).toBeLessThan(250);
  });

  it('reports a failing command with its exit status and a missing one as missing', async () => {
    const bad = await runWithPeak(process.execPath, ['-e', 'process.exit(3)']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toMatch(/non-zero status/);
    const none = await runWithPeak('/nonexistent/eomkit-bench-tool', []);
    expect(none.missing).toBe(true);
  });
});

describe('eomkit\'s child on the built package', () => {
  it('maps src/**.ts to dist/**.js and nothing else', () => {
    const root = new URL('../../', import.meta.url).pathname;
    expect(distModuleFor(`${root}src/symbolic/expr.ts`)).toBe(`${root}dist/symbolic/expr.js`);
    expect(distModuleFor(`${root}src/theory/eom/index.ts`)).toBe(`${root}dist/theory/eom/index.js`);
    expect(distModuleFor(`${root}bench/p1.ts`)).toBeUndefined();
  });

  // dist/ is built by `npm test`'s pretest; a bare `vitest run` after editing src/ skips this test
  it.skipIf(distIsStale())('bundles the bench code with the core left to dist/ and computes what the source computes', async () => {
    const l = await eomkitLauncher(() => undefined);
    expect(l.core).toBe('dist');
    const bundle = readFileSync(l.prefix[0]!, 'utf8');
    expect(bundle).toMatch(/from "\.\.\/\.\.\/dist\/symbolic\/calculus\.js"/);
    expect(bundle).not.toMatch(/function derivativeTensor\(/); // the core is not copied into the bundle
    const r = spawnSync(l.cmd, [...l.prefix, 'P1', '4', 'run:0', 'diff-expand'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).size).toBe(computeP1(4, 'hd', 'diff-expand').size);
    const unknown = spawnSync(l.cmd, [...l.prefix, 'P1', '4', 'run:0', 'expand-first'], { encoding: 'utf8', timeout: 60_000 });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown P1 variant expand-first \(diff-expand, or none for the headline\)/);
    const idle = spawnSync(l.cmd, [...l.prefix, 'P2', '4', 'idle'], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(idle.stdout)).toEqual({ idle: true });
  });
});

describe.skipIf(!existsSync(GINAC_HEADER))('the GiNaC programs, both routes (needs libginac-dev)', () => {
  const run = (bin: string, args: string[]): { seconds: number; warmSeconds?: number; size: number; entries?: string[]; f?: string[][] } => {
    const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  };

  it('P1: diff-then-expand and expand-first give eomkit\'s entries; nothing printed without strings', async () => {
    const bin = (await ginacBinary('p1')).path!;
    const ours = computeP1(4, 'w');
    for (const route of ['diff', 'expand-first']) {
      const out = run(bin, ['4', '2', route, '1']);
      expect(out.size).toBe(ours.size);
      expect(out.warmSeconds).toBeGreaterThan(0);
      expect(checkEntries(`ginac ${route}`, ours.entries, out.entries!)).toEqual({ agrees: true });
      const quiet = run(bin, ['4', '0', route, '0']);
      expect(quiet.entries).toEqual([]);
      expect(quiet.warmSeconds).toBeUndefined();
    }
    expect(run(bin, ['idle'])).toEqual({ idle: true });
  });

  it('P2: the jvp and expand-first routes give eomkit\'s f1…f4', async () => {
    const bin = (await ginacBinary('p2')).path!;
    const ours = computeP2Jvp(3, 'w');
    for (const route of ['jvp', 'expand-first']) {
      const out = run(bin, ['3', '0', '4', route, '1']);
      expect(out.size).toBe(ours.size);
      expect(checkEntries(`ginac ${route}`, ours.f.flat(), out.f!.flat())).toEqual({ agrees: true });
      expect(run(bin, ['3', '0', '4', route, '0']).f).toEqual([[], [], [], []]);
    }
    expect(run(bin, ['idle'])).toEqual({ idle: true });
  });
});

describe('the rows of alternated rounds (rowsOf, on made-up measurements)', () => {
  const program = (id: string, extra: Partial<Program> = {}): Program => ({
    id,
    eomkit: id.startsWith('eomkit'),
    cmd: 'x',
    args: () => [],
    idle: { key: id.startsWith('eomkit') ? 'eomkit' : id.split(':')[0]!, args: [] },
    warm: true,
    ...extra,
  });
  const eom = program('eomkit', { counterpart: 'diff' });
  const eomEf = program('eomkit-expand-first', { route: 'expand-first', counterpart: 'expand-first' });
  const gDiff = program('ginac:diff', { route: 'diff' });
  const gEf = program('ginac:expand-first', { route: 'expand-first' });
  const sympy = program('sympy', { warm: false });
  const s = (seconds: number, peakMB = 50): { seconds: number; peakMB: number } => ({ seconds, peakMB });
  const measured = new Map<Program, Measured>([
    [eom, { cold: [s(0.04, 56), s(0.02, 58), s(0.06, 57)], warm: [s(0.004), s(0.003), s(0.005)], size: 330 }],
    [eomEf, { cold: [s(0.02), s(0.018), s(0.03)], warm: [s(0.0015), s(0.0012), s(0.002)], size: 330 }],
    [gDiff, { cold: [s(0.008, 7), s(0.01, 7), s(0.006, 7.2)], warm: [s(0.007), s(0.006), s(0.0065)], size: 330 }],
    [gEf, { cold: [s(0.005, 7), s(0.004, 7), s(0.02, 7)], warm: [s(0.004), s(0.004), s(0.0045)], size: 330 }],
    [sympy, { cold: [s(2, 53)], warm: [], size: 330 }],
  ]);
  const baselines = new Map([['eomkit', [50, 49, 54]], ['ginac', [6.8, 6.9, 6.7]], ['sympy', [49]]]);
  const agreeing: ChildCheck = { seconds: 0, size: 330, checks: { 'ginac:diff': { agrees: true }, 'ginac:expand-first': { agrees: true }, sympy: { agrees: true } } };
  const checks = new Map<Program, ChildCheck>([[eom, agreeing], [eomEf, agreeing]]);
  const programs = [eom, gDiff, eomEf, gEf, sympy];

  it('names GiNaC\'s faster route `ginac`, takes medians and per-round ratios, and the work memory above the idle median', () => {
    const rows = rowsOf('T', programs, measured, baselines, checks, { rounds: 3, W: 20, how: 'node on dist/' });
    const row = (tool: string): BenchRow => rows.find((r) => r.tool === tool)!;
    expect(rows.map((r) => r.tool)).toEqual(['eomkit', 'eomkit-warm', 'eomkit-expand-first', 'eomkit-expand-first-warm', 'ginac', 'ginac-warm', 'ginac-diff', 'ginac-diff-warm', 'sympy']);
    // expand-first: median cold 5 ms against diff's 8 ms
    expect(row('ginac').note).toContain('route expand-first');
    expect(row('ginac').seconds).toBeCloseTo(0.005, 12);
    // eomkit against GiNaC's faster route: per round 40/5, 20/4, 60/20 → 8, 5, 3; median 5 (the medians' ratio is 8)
    expect(row('ginac').ratio).toBeCloseTo(5, 12);
    // eomkit's headline against its counterpart (diff): 5, 2, 10 → 5
    expect(row('eomkit').ratio).toBeCloseTo(5, 12);
    expect(row('eomkit').versus).toBe('ginac-diff');
    expect(row('eomkit-expand-first').versus).toBe('ginac');
    expect(row('eomkit-expand-first').ratio).toBeCloseTo(4, 12); // 4, 4.5, 1.5
    expect(row('eomkit-warm').versus).toBe('ginac-diff-warm');
    expect(row('eomkit').peakMB).toBe(57);
    expect(row('eomkit').workMB).toBe(7);
    expect(row('ginac-diff').workMB).toBeCloseTo(0.2, 12);
    expect(row('sympy').ratio).toBeCloseTo(0.02, 12); // round 1 only
    expect(row('sympy').workMB).toBe(4);
    expect(row('sympy').agrees).toBe(true);
    expect(row('eomkit-expand-first').agrees).toBe(true);
    expect(row('eomkit')).not.toHaveProperty('agrees');
  });

  it('flags a peer that disagrees, a program that failed after some rounds, and one that never ran', () => {
    const bad = new Map(checks);
    bad.set(eom, { ...agreeing, checks: { ...agreeing.checks, sympy: { agrees: false, note: '1 mismatching' } } });
    const m = new Map(measured);
    m.set(eomEf, { ...measured.get(eomEf)!, failure: 'exit 1' });
    m.set(gDiff, { cold: [], warm: [], failure: 'timed out after 600 s' });
    const rows = rowsOf('T', programs, m, baselines, bad, { rounds: 3, W: 20, how: 'node on dist/' });
    const row = (tool: string): BenchRow => rows.find((r) => r.tool === tool)!;
    expect(row('sympy').agrees).toBe(false);
    expect(row('eomkit-expand-first').agrees).toBe(false);
    expect(row('eomkit-expand-first').note).toContain('FAILED in a later run: exit 1');
    expect(row('ginac-diff')).toMatchObject({ seconds: NaN, size: 'failed', agrees: false });
    expect(row('ginac').note).toContain('route expand-first');
    expect(row('eomkit')).not.toHaveProperty('ratio'); // its counterpart failed
  });
});
