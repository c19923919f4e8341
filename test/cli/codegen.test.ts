import { runCli } from '../support/cli.ts';
import { strictTypeCheck } from '../support/strict-tsc.ts';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { evaluate, gradient, hessian, loss } from '../../src/symbolic/index.ts';
import { counterTerms, ETA } from '../../src/theory/eom/index.ts';
import { functionName } from '../../src/cli/codegen.ts';

const run = runCli;

const DIR = join(process.cwd(), 'test/cli/.tmp-codegen');
beforeAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** A loss with every kind of node the lowering meets: products, powers, calls, a symbol. */
const FORMULA = 'lam/2*w1^2 + w1*w2^3/3 + sin(w2)*sigmoid(w1) + sqrt(w1^2 + w2^2 + 1)';
const OPTS = { params: ['w1', 'w2'], symbols: ['lam'] };

/** Relative difference, with an absolute floor of 1 (values near 0 compared absolutely). */
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('eomkit codegen', () => {
  it('the js module computes the terms to 1e-12 of evaluate, with ∇L in closed form and f_2 = −½ H g', async () => {
    const file = join(DIR, 'mixed.mjs');
    const r = await run(['codegen', FORMULA, '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'loss,gradient,hessian,f1,f2,f3,field2', '--target', 'js', '--out', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('function mixed(theta, out, hyper)');
    const mod = (await import(pathToFileURL(file).href)) as {
      mixed: (t: Float64Array, o: Float64Array, h: number[]) => void;
      mixedLayout: { outputSize: number; hyper: string[]; outputs: Array<{ name: string; offset: number; shape: number[] }> };
    };
    expect(mod.mixedLayout.hyper).toEqual(['lam', 'η']);
    const at = (name: string) => mod.mixedLayout.outputs.find((o) => o.name === name)!.offset;
    const L = loss(FORMULA, OPTS);
    const s = counterTerms(L, 3);
    const g = gradient(L.expr, L.params);
    const H = hessian(L.expr, L.params);
    const field = s.field(2);
    for (const [w1, w2, lam, eta] of [
      [0.3, -1.2, 0.7, 0.05],
      [-0.8, 0.45, 2, 0.2],
      [1.7, 0.1, 0, 0.01],
    ] as const) {
      const out = new Float64Array(mod.mixedLayout.outputSize);
      mod.mixed(Float64Array.of(w1, w2), out, [lam, eta]);
      const env = { w1, w2, lam, [ETA.name]: eta };
      // library route: evaluate the exact expressions
      expect(rel(out[at('L')]!, evaluate(L.expr, env))).toBeLessThan(1e-12);
      for (let i = 0; i < 2; i++) {
        expect(rel(out[at('g') + i]!, evaluate(g[i]!, env))).toBeLessThan(1e-12);
        for (let j = 0; j < 2; j++) expect(rel(out[at('H') + 2 * i + j]!, evaluate(H[i]![j]!, env))).toBeLessThan(1e-12);
        for (let k = 1; k <= 3; k++) expect(rel(out[at(`f${k}`) + i]!, evaluate(s.f[k - 1]![i]!, env))).toBeLessThan(1e-12);
        expect(rel(out[at('F2') + i]!, evaluate(field[i]!, env))).toBeLessThan(1e-12);
      }
      // independent route: the gradient written by hand, and f_2 = −½ H g (eom.md, "Counter terms")
      const sg = 1 / (1 + Math.exp(-w1));
      const rt = Math.sqrt(w1 * w1 + w2 * w2 + 1);
      const gHand = [lam * w1 + w2 ** 3 / 3 + Math.sin(w2) * sg * (1 - sg) + w1 / rt, w1 * w2 * w2 + Math.cos(w2) * sg + w2 / rt];
      const gOut = [out[at('g')]!, out[at('g') + 1]!];
      gHand.forEach((v, i) => expect(rel(gOut[i]!, v)).toBeLessThan(1e-12));
      const h = (i: number, j: number) => out[at('H') + 2 * i + j]!;
      for (let i = 0; i < 2; i++) expect(rel(out[at('f2') + i]!, -0.5 * (h(i, 0) * gOut[0]! + h(i, 1) * gOut[1]!))).toBeLessThan(1e-12);
      // F2 = f1 + η f2 + η² f3 from the buffer's own blocks
      for (let i = 0; i < 2; i++) {
        const f = (k: number) => out[at(`f${k}`) + i]!;
        expect(rel(out[at('F2') + i]!, f(1) + eta * f(2) + eta * eta * f(3))).toBeLessThan(1e-12);
      }
    }
  });

  it('the ts module type-checks under a strict user tsconfig (and so does a caller using its layout)', async () => {
    const files = ['quartic.ts', 'mixed.ts', 'tf.ts', 'use.ts'];
    expect((await run(['codegen', '(w1*w2 - 1)^2/2', '--params', 'w1,w2', '--order', '3', '--out', join(DIR, 'quartic.ts')])).code).toBe(0);
    expect((await run(['codegen', FORMULA, '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'g,H,f2,field1,modified-loss', '--out', join(DIR, 'mixed.ts')])).code).toBe(0);
    expect((await run(['codegen', FORMULA, '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'L,g,f2', '--target', 'tfjs', '--out', join(DIR, 'tf.ts')])).code).toBe(0);
    writeFileSync(
      join(DIR, 'use.ts'),
      [
        "import { quartic, quarticLayout } from './quartic.ts';",
        "import { mixed, mixedLayout } from './mixed.ts';",
        "import * as tf from '@tensorflow/tfjs';",
        "import { tf as tfFn } from './tf.ts';",
        'const out = new Float64Array(quarticLayout.outputSize);',
        'quartic(Float64Array.of(1, 2), out);',
        'const out2 = new Float64Array(mixedLayout.outputSize);',
        'mixed(Float64Array.of(1, 2), out2, [0.5, 0.1]);',
        "export const names: readonly ['w1', 'w2'] = quarticLayout.params;",
        'export const y: tf.Tensor2D = tfFn(tf, tf.tensor2d([[1, 2]]), [0.5]);',
        '',
      ].join('\n'),
    );
    // a user's strict settings, not the project's: every strict flag and the index-access checks
    strictTypeCheck(DIR, files);
  }, 60_000);

  it('is the code the derivation catalogue commits (derivations/quartic) below the header (the catalogue lowers the symbolic f_k)', async () => {
    const r = await run(['codegen', '1/2*(w1*w2 - 1)^2', '--params', 'w1,w2', '--terms', 'L,g,H,f1,f2,f3,f4,field2', '--name', 'quartic', '--route', 'symbolic']);
    expect(r.code, r.err).toBe(0);
    const committed = readFileSync(join(process.cwd(), 'derivations/quartic/quartic.ts'), 'utf8');
    const body = (s: string): string => s.slice(s.indexOf('*/') + 2).trim();
    expect(body(r.out)).toBe(body(committed));
  });

  it('the tfjs module agrees with the float64 module to float32 accuracy', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const r = await run(['codegen', FORMULA, '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'L,g,H,f1,f2,field1', '--target', 'tfjs', '--name', 'tfTerms']);
    expect(r.code, r.err).toBe(0);
    const js = (await transform(r.out, { loader: 'ts', format: 'esm' })).code;
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as {
      tfTerms: (t: unknown, x: unknown, h: number[]) => { arraySync(): number[][]; dispose(): void };
      tfTermsLayout: { outputSize: number };
    };
    const ref = await run(['codegen', FORMULA, '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'L,g,H,f1,f2,field1', '--target', 'js', '--out', join(DIR, 'ref.mjs'), '--name', 'ref']);
    expect(ref.code).toBe(0);
    const { ref: f64 } = (await import(pathToFileURL(join(DIR, 'ref.mjs')).href)) as { ref: (t: Float64Array, o: Float64Array, h: number[]) => void };
    const X = [
      [0.3, -1.2],
      [-0.8, 0.45],
      [1.1, 0.9],
    ];
    const hyper = [0.7, 0.05];
    const y = mod.tfTerms(tf, tf.tensor2d(X), hyper);
    const rows = y.arraySync();
    y.dispose();
    expect(rows.length).toBe(3);
    X.forEach((x, b) => {
      const out = new Float64Array(mod.tfTermsLayout.outputSize);
      f64(Float64Array.from(x), out, hyper);
      expect(rows[b]!.length).toBe(out.length);
      out.forEach((v, i) => expect(rel(rows[b]![i]!, v)).toBeLessThan(2e-5));
    });
  }, 60_000);

  it('defaults, names and bad input', async () => {
    expect(functionName({ out: 'out/my-loss_terms.ts' })).toBe('myLossTerms');
    expect(functionName({ out: '3d.ts' })).toBe('derived_3d');
    const d = await run(['codegen', 'w^4/4', '--params', 'w', '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out).outputs.map((o: { name: string }) => o.name)).toEqual(['L', 'g', 'H']);
    const k = await run(['codegen', 'w^4/4', '--params', 'w', '--order', '2', '--json']);
    expect(JSON.parse(k.out).outputs.map((o: { name: string }) => o.name)).toEqual(['g', 'f1', 'f2']);
    const bad = [
      [['--terms', 'g,f0'], /--terms: f0/],
      [['--terms', 'g,,H'], /empty name/],
      [['--terms', 'error'], /unknown term 'error'/],
      [['--terms', 'f3', '--order', '2'], /--order 2 is too low/],
      [['--target', 'py'], /--target must be one of ts, js, tfjs/],
      [['--name', '1x'], /not a JavaScript identifier/],
      [['--out', join(DIR, 'no/such/dir/x.ts')], /--out: cannot write/],
    ] as const;
    for (const [args, msg] of bad) {
      const r = await run(['codegen', 'w^4/4', '--params', 'w', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
