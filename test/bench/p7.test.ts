import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GINAC_HEADER, ginacBinary } from '../../bench/lib.ts';
import { growthExponent, p7Formula, p7Point, valuesGap } from '../../bench/p7.ts';
import { loss } from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';

describe('bench P7 helpers', () => {
  it('growthExponent recovers the exponent of an exact power law, and of a noisy one by least squares', () => {
    expect(growthExponent([[10, 3 * 10 ** 2.5], [20, 3 * 20 ** 2.5], [40, 3 * 40 ** 2.5]])).toBeCloseTo(2.5, 12);
    // two points: the slope through them
    expect(growthExponent([[10, 1], [20, 8]])).toBeCloseTo(3, 12);
  });

  it('the families: the chain is P2 loss; log-sum-exp has three points with entries in −2 … 2', () => {
    expect(p7Formula('chain', 3)).toBe('(w1*w2*w3 - 1)^2/2');
    const lse = p7Formula('lse', 4);
    expect(lse.match(/log\(1 \+ exp\(/g)?.length).toBe(3);
    for (const m of lse.matchAll(/\((-?\d+)\)\*w/g)) expect(Math.abs(Number(m[1]))).toBeLessThanOrEqual(2);
  });

  it('the child prints the time, the total terms and the f values of the expanded counter terms', () => {
    const params = ['w1', 'w2', 'w3', 'w4'];
    const point = p7Point('chain', 4);
    // the child imports the package; here the sources under tsx, so that no build is needed
    const env = { ...process.env, P7_EOMKIT: new URL('../../src/index.ts', import.meta.url).href };
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/eomkit/p7child.mjs', p7Formula('chain', 4), '4', '3', 'expanded', point.join(',')], { encoding: 'utf8', timeout: 60_000, env });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; size: number; values: number[][] };
    const s = counterTerms(loss(p7Formula('chain', 4), { params }), 3, { expanded: true });
    let terms = 0;
    for (const fk of s.f) for (const e of fk) terms += e.kind === 'add' ? e.terms.length + (e.constant.isZero() ? 0 : 1) : e.kind === 'num' && e.value.isZero() ? 0 : 1;
    expect(out.size).toBe(terms);
    expect(out.seconds).toBeGreaterThan(0);
    // f_1 = −g of ½(P − 1)², P = w1·…·w4: −(P − 1)·P/w_i, by hand
    const P = point.reduce((a, b) => a * b, 1);
    expect(valuesGap([out.values[0]!], [point.map((w) => (-(P - 1) * P) / w)])).toBeLessThan(1e-14);
    expect(valuesGap(out.values, s.valuesAt(Object.fromEntries(params.map((p, j) => [p, point[j]!]))))).toBe(0);
  }, 60_000);

  it('valuesGap: largest relative gap, Infinity for different shapes or NaN', () => {
    expect(valuesGap([[1, 2e6]], [[1, 2e6 + 2]])).toBeCloseTo(2 / (2e6 + 2), 15);
    expect(valuesGap([[0.5]], [[0.25]])).toBe(0.25);
    expect(valuesGap([[1]], [[1, 2]])).toBe(Infinity);
    expect(valuesGap([[NaN]], [[1]])).toBe(Infinity);
  });
});

describe.skipIf(!existsSync(GINAC_HEADER))('GiNaC P7 program, chain family (needs libginac-dev)', () => {
  it('compact f_1 … f_4 of the chain agree with eomkit at the point, and f_1 with −(P − 1)·P/w_i', async () => {
    const bin = (await ginacBinary('p7lse')).path!;
    const n = 5;
    const params = Array.from({ length: n }, (_, i) => `w${i + 1}`);
    const point = p7Point('chain', n);
    const r = spawnSync(bin, [String(n), '4', 'compact', point.join(','), 'chain'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { size: number; values: number[][] };
    const P = point.reduce((a, b) => a * b, 1);
    expect(valuesGap([out.values[0]!], [point.map((w) => (-(P - 1) * P) / w)])).toBeLessThan(1e-14);
    const s = counterTerms(loss(p7Formula('chain', n), { params }), 4);
    expect(valuesGap(out.values, s.valuesAt(Object.fromEntries(params.map((p, j) => [p, point[j]!]))))).toBeLessThan(1e-12);
    // an unknown family is refused
    expect(spawnSync(bin, [String(n), '3', 'compact', point.join(','), 'ring'], { encoding: 'utf8' }).status).toBe(2);
  }, 120_000);
});
