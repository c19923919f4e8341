import { describe, expect, it } from 'vitest';
import { chainCounterTerms, chainCounterTermsUnrolled } from '../../bench/handwritten/chain.ts';
import { runP7Taylor } from '../../bench/p7taylor.ts';
import { loss } from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { compile } from '../../src/codegen/index.ts';

describe('bench P7T: hand-written Taylor-mode chain and the task', () => {
  it('the hand-written f1..f3 of the n-chain, both forms (n = 1, 2, 3, 6, 7) equal the symbolic counterTerms compiled by compile, zeros included', () => {
    for (const n of [1, 2, 3, 6, 7]) {
      const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
      const L = loss(`(${ws.join('*')} - 1)^2/2`, { params: ws });
      const s = counterTerms(L, 3);
      const ref = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params);
      const hands = [chainCounterTerms(n), chainCounterTermsUnrolled(n)];
      const points = [0, 0.3, -0.2].map((shift) => Float64Array.from({ length: n }, (_, i) => 1 + shift + 0.1 * Math.sin(3 * i + 1)));
      // a zero weight (no division by w_i anywhere) and a point far from the minimum
      points.push(Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : 1.2 - 0.1 * i)));
      points.push(Float64Array.from({ length: n }, (_, i) => -1.5 + 0.2 * i));
      for (const w of points) {
        const a = new Float64Array(3 * n);
        ref.fn(w, a);
        const big = Math.max(...a.map(Math.abs));
        hands.forEach((hand, h) => {
          const b = new Float64Array(3 * n);
          hand(w, b);
          a.forEach((r, i) => expect(Math.abs(b[i]! - r), `n=${n} form ${h} entry ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(r), big)));
        });
      }
    }
  });

  it('runP7Taylor at n = 4: build rows per route and alternated evaluation rows against the hand-written functions, all agreeing', async () => {
    process.env.P7T_NS = '4';
    process.env.P7T_ROUNDS = '1';
    try {
      const rows = await runP7Taylor({ log: () => {} });
      const tools = (suffix: string) => rows.filter((r) => r.task.endsWith(suffix)).map((r) => r.tool).sort();
      expect(tools('build')).toEqual(['auto', 'symbolic', 'taylor']);
      expect(tools('eval')).toEqual(['hand', 'hand-loop', 'symbolic', 'taylor']);
      for (const r of rows) {
        expect(r.agrees, `${r.task} ${r.tool}`).toBe(true);
        expect(r.seconds).toBeGreaterThan(0);
      }
      expect(rows.find((r) => r.tool === 'taylor' && r.task.endsWith('eval'))!.note).toMatch(/× hand/);
    } finally {
      delete process.env.P7T_NS;
      delete process.env.P7T_ROUNDS;
    }
  }, 120_000);
});
