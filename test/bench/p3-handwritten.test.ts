import { describe, expect, it } from 'vitest';
import { p3Handwritten, p3HandwrittenReadable, p3HandwrittenUnrolled } from '../../bench/handwritten/p3.ts';
import { p3Loss } from '../../bench/p3.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { compile } from '../../src/codegen/index.ts';

describe('bench P3: the hand-written f1..f3 of the 2-3-1 tanh network', () => {
  it('all three forms (readable, tuned loops, straight-line) equal the symbolic counterTerms compiled by compile to 1e-12', () => {
    const L = p3Loss();
    const s = counterTerms(L, 3);
    const ref = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params);
    for (const scale of [0.5, 1.3, -0.8]) {
      const th = Float64Array.from({ length: 13 }, (_, i) => scale * Math.sin(i + 1) + 0.1 * Math.cos(3 * i));
      const a = new Float64Array(39);
      ref.fn(th, a);
      const big = Math.max(...a.map(Math.abs));
      for (const [name, f] of [['readable', p3HandwrittenReadable], ['loops', p3Handwritten], ['straight-line', p3HandwrittenUnrolled]] as const) {
        const b = new Float64Array(39);
        f(th, b);
        a.forEach((r, i) => expect(Math.abs(b[i]! - r), `${name} entry ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(r), big)));
      }
    }
  });
});
