import { describe, expect, it } from 'vitest';
import { type Loss, loss, mlpLoss } from '../../../src/symbolic/index.ts';
import { compileCounterTerms, counterTerms, counterTermsCode } from '../../../src/theory/eom/index.ts';
import { compile, programStats } from '../../../src/codegen/index.ts';
import { CodegenError } from '../../../src/codegen/ir.ts';
import { InputError } from '../../../src/errors.ts';
import { runCli } from '../../support/cli.ts';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const chain = (n: number): Loss => {
  const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  return loss(`1/2*(${ws.join('*')} - 1)^2`, { params: ws });
};

/** worst relative error of compileCounterTerms (a route) against counterTerms compiled by compile, at a few points */
function worstAgainstSymbolic(L: Loss, K: number, route: 'auto' | 'symbolic' | 'taylor', hyper: number[] = []): number {
  const s = counterTerms(L, K);
  const ref = compile(Object.fromEntries(s.f.map((fk, k) => [`f${k + 1}`, fk])), L.params, { hyper: L.symbols });
  const c = compileCounterTerms(L, K, { route });
  expect(c.outputSize).toBe(ref.outputSize);
  let worst = 0;
  for (const shift of [0, 0.25, -0.4]) {
    const th = Float64Array.from({ length: L.params.length }, (_, i) => 0.9 + shift + 0.1 * Math.sin(2 * i + 1));
    const a = new Float64Array(ref.outputSize);
    const b = new Float64Array(ref.outputSize);
    ref.fn(th, a, hyper);
    c.fn(th, b, hyper);
    const big = Math.max(...a.map(Math.abs));
    a.forEach((r, i) => (worst = Math.max(worst, Math.abs(b[i]! - r) / Math.max(Math.abs(r), 1e-3 * big, 1e-300))));
  }
  return worst;
}

describe('counterTermsCode / compileCounterTerms: the counter terms by the cheaper route', () => {
  it('small cases where the f_k simplify take the symbolic route (its program is smaller)', () => {
    for (const L of [loss('w^4', { params: ['w'] }), loss('w1^2 + 3*w2^2', { params: ['w1', 'w2'] }), loss('exp(w)', { params: ['w'] })]) {
      const code = counterTermsCode(L, 3);
      expect(code.route).toBe('symbolic');
      expect(code.symbolicOps!).toBeLessThanOrEqual(code.taylorOps!);
      expect(code.series).toBeDefined();
      expect(code.reason).toMatch(/operations/);
    }
  });

  it('large cases take the Taylor route: the 12-chain (the symbolic derivation is cut at its budget) and the P3 network', () => {
    const c12 = counterTermsCode(chain(12), 3);
    expect(c12.route).toBe('taylor');
    expect(c12.symbolicOps).toBeNull();
    expect(c12.reason).toMatch(/new nodes/);
    const p3 = counterTermsCode(mlpLoss({ sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] }), 3);
    expect(p3.route).toBe('taylor');
    // where both programs are built, the one taken is the smaller
    const c2 = counterTermsCode(chain(2), 3);
    expect(c2.symbolicOps).not.toBeNull();
    expect(programStats(c2.program).ops).toBe(Math.min(c2.symbolicOps!, c2.taylorOps!));
  });

  it('every route gives the same values to 1e-12 (chain, a loss with a symbol), forced routes are honoured', () => {
    for (const route of ['auto', 'symbolic', 'taylor'] as const) {
      expect(worstAgainstSymbolic(chain(5), 3, route)).toBeLessThan(1e-12);
      expect(worstAgainstSymbolic(loss('lam*w1^2*w2^2/2 + sin(w1 - w2)', { params: ['w1', 'w2'], symbols: ['lam'] }), 2, route, [0.8])).toBeLessThan(1e-12);
    }
    expect(compileCounterTerms(chain(5), 3, { route: 'symbolic' }).route).toBe('symbolic');
    expect(compileCounterTerms(loss('w^4', { params: ['w'] }), 3, { route: 'taylor' }).route).toBe('taylor');
  });

  it('K = 4 is on both routes (auto: the 8-chain goes Taylor, to 1e-12 of the symbolic); K ≥ 5: auto is symbolic, a forced Taylor route says why', () => {
    const c4 = compileCounterTerms(chain(8), 4);
    expect(c4.route).toBe('taylor');
    expect(worstAgainstSymbolic(chain(6), 4, 'taylor')).toBeLessThan(1e-12);
    const L = loss('w1^2*w2^2', { params: ['w1', 'w2'] });
    const c = compileCounterTerms(L, 5);
    expect(c.route).toBe('symbolic');
    expect(c.reason).toMatch(/K = 5 > 4/);
    expect(c.outputSize).toBe(10);
    expect(() => compileCounterTerms(L, 5, { route: 'taylor' })).toThrow(CodegenError);
    expect(() => compileCounterTerms(L, 5, { route: 'taylor' })).toThrow(/symbolic route/);
  });

  it('bad arguments are InputErrors naming the argument', () => {
    const L = chain(2);
    expect(() => counterTermsCode(L, 0)).toThrow(/positive integer/);
    expect(() => counterTermsCode(L, 3, { route: 'fast' as never })).toThrow(/'auto', 'symbolic' or 'taylor'/);
    expect(() => counterTermsCode({} as never, 3)).toThrow(InputError);
    expect(() => counterTermsCode(L, 3, null as never)).toThrow(InputError);
  });

  it('eomkit codegen uses the same choice and says which route it took in --json', async () => {
    const small = await runCli(['codegen', 'w^4', '--params', 'w', '--order', '3', '--json']);
    expect(small.code, small.err).toBe(0);
    expect(JSON.parse(small.out)).toMatchObject({ route: 'symbolic' });
    const ws = Array.from({ length: 12 }, (_, i) => `w${i + 1}`);
    const big = await runCli(['codegen', `(${ws.join('*')} - 1)^2/2`, '--params', ws.join(','), '--order', '3', '--json']);
    expect(big.code, big.err).toBe(0);
    const j = JSON.parse(big.out) as { route: string; routeReason: string; source: string };
    expect(j.route).toBe('taylor');
    expect(j.source).toContain('taylor route');
    const none = await runCli(['codegen', 'w^4', '--params', 'w', '--json']);
    expect(JSON.parse(none.out)).toMatchObject({ route: null, routeReason: null });
    const forced = await runCli(['codegen', 'w^4', '--params', 'w', '--terms', 'f2,modified-loss', '--route', 'taylor']);
    expect(forced.code).toBe(2);
    expect(forced.err).toMatch(/modified loss needs the symbolic/);
  });

  it('eomkit codegen --route taylor joins the Taylor counter terms and fields with the other terms: the module equals the symbolic route to 1e-12', async () => {
    const dir = join(process.cwd(), 'test/theory/eom/.tmp-route');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const formula = 'lam/2*w1^2 + w1*w2^3/3 + sin(w2)*sigmoid(w1) + sqrt(w1^2 + w2^2 + 1)';
      const terms = 'loss,f3,gradient,field2,hessian,f1,f2';
      type Mod = Record<string, (t: Float64Array, o: Float64Array, h: number[]) => void>;
      const load = async (route: string): Promise<{ fn: Mod[string]; size: number; route: string }> => {
        const file = join(dir, `${route}.mjs`);
        const r = await runCli(['codegen', formula, '--params', 'w1,w2', '--symbols', 'lam', '--terms', terms, '--target', 'js', '--route', route, '--name', route, '--out', file, '--json']);
        expect(r.code, r.err).toBe(0);
        const j = JSON.parse(r.out) as { outputSize: number; route: string; outputs: Array<{ name: string }>; hyper: string[] };
        expect(j.outputs.map((o) => o.name)).toEqual(['L', 'f3', 'g', 'F2', 'H', 'f1', 'f2']);
        expect(j.hyper).toEqual(['lam', 'η']);
        const mod = (await import(pathToFileURL(file).href)) as Mod;
        return { fn: mod[route]!, size: j.outputSize, route: j.route };
      };
      const tay = await load('taylor');
      const sym = await load('symbolic');
      expect([tay.route, sym.route]).toEqual(['taylor', 'symbolic']);
      for (const [w1, w2, lam, eta] of [[0.3, -1.2, 0.7, 0.05], [-0.8, 0.45, 2, 0.2]] as const) {
        const a = new Float64Array(sym.size);
        const b = new Float64Array(tay.size);
        sym.fn(Float64Array.of(w1, w2), a, [lam, eta]);
        tay.fn(Float64Array.of(w1, w2), b, [lam, eta]);
        a.forEach((r, i) => expect(Math.abs(b[i]! - r), `entry ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(r))));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
