import { runCli } from '../../support/cli.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readNpy, writeNpy } from '../../../src/numeric/npy.ts';
import { analyzeDiffusionLog, parseCsvLog, parseJsonLog, parseNpyLog } from '../../../src/theory/langevin/diffusion-log.ts';
import { discreteModeDiffusion, predictDiffusion } from '../../../src/theory/langevin/diffusion.ts';
import { exampleLogJson } from '../../../docs/examples/diffusion.ts';
import { InputError } from '../../../src/errors.ts';

const root = resolve(__dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'eomkit-diffusion-'));

const run = runCli;

/** A .npy file assembled byte by byte here (not with writeNpy): version 1.0, '<f8', shape (2, 3). */
function handBuiltNpy(values: number[]): Uint8Array {
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n'; // data at byte 128
  const bytes = new Uint8Array(128 + 8 * values.length);
  bytes.set([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), 1, 0, padded.length & 0xff, padded.length >> 8]);
  for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setFloat64(128 + 8 * i, v, true));
  return bytes;
}

describe('.npy reader', () => {
  it('reads a hand-built file (header bytes written out here) and round-trips writeNpy for float64 and float32', () => {
    const a = readNpy(handBuiltNpy([0, 0, 0.5, 1, 0.25, 0.5]));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([0, 0, 0.5, 1, 0.25, 0.5]);
    const b = readNpy(writeNpy([1.5, -2, 3.25], [3], 'float32'));
    expect(b.dtype).toBe('float32');
    expect(Array.from(b.data)).toEqual([1.5, -2, 3.25]);
    const c = readNpy(writeNpy([1, 2, 3, 4, 5, 6], [3, 2]));
    expect(c.shape).toEqual([3, 2]);
    expect(c.data[5]).toBe(6);
  });

  it('refuses big-endian, Fortran order, 3-D, truncated data and non-npy bytes with an InputError saying why', () => {
    const good = handBuiltNpy([1, 2, 3, 4, 5, 6]);
    const text = new TextDecoder('latin1').decode(good.subarray(10, 128));
    const patch = (from: string, to: string): Uint8Array => {
      const out = Uint8Array.from(good);
      const t = text.replace(from, to.padEnd(from.length, ' ').slice(0, Math.max(from.length, to.length)));
      for (let i = 0; i < 118; i++) out[10 + i] = t.charCodeAt(i);
      return out;
    };
    expect(() => readNpy(patch("'<f8'", "'>f8'"))).toThrow(/'>f8' is not supported/);
    expect(() => readNpy(patch('False', 'True,'))).toThrow(/Fortran/);
    expect(() => readNpy(patch('(2, 3)', '(1,2,3)'))).toThrow(/3-D/);
    expect(() => readNpy(good.subarray(0, 150))).toThrow(/truncated/);
    expect(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(InputError);
  });
});

describe('training logs', () => {
  it('the example log in docs/ is reproduced by its generator and read back: measured exponent = predicted within its error', () => {
    const text = readFileSync(join(root, 'docs/examples/diffusion-log.json'), 'utf8');
    expect(exampleLogJson()).toBe(text);
    const a = analyzeDiffusionLog(parseJsonLog(text), { kMin: 10, kMax: 5000 });
    expect(a.predicted).not.toBeNull();
    expect(Math.abs(a.fit.exponent - a.predicted!.exponentDiscrete)).toBeLessThan(3 * a.fit.stderr);
    // δ flat near the law (32 chains: a few percent of noise per point)
    expect(Math.abs(a.meanStep2 / a.stepSizeLaw! - 1)).toBeLessThan(0.1);
  });

  it('JSON, CSV and .npy forms of one log give the same analysis; the per-mode predictions are those of diffusion.ts', () => {
    const steps = [1, 2, 5, 10, 20, 50, 100];
    const hyper = { eta: 0.1, beta: 0.5, batchSize: 2, weightDecay: 0.01 };
    const H = [[1, 0], [0, 0.05]];
    const Sg = [[0.3, 0], [0, 0.2]];
    const pr = predictDiffusion({ H, Sigma: Sg, hyper }, steps);
    const dist2 = pr.discrete.dist2.map((x, i) => x * (1 + 0.01 * Math.sin(i)));
    const step2 = steps.map(() => pr.discrete.step2[0]!);
    const meta = { eta: 0.1, beta: 0.5, batchSize: 2, weightDecay: 0.01, hessianEigenvalues: [1, 0.05], noiseSpectrum: [0.3, 0.2] };
    const j = parseJsonLog(JSON.stringify({ step: steps, dist2, step2, ...meta }));
    const csv = [
      '# eta = 0.1', '# beta = 0.5', '# batchSize = 2', '# weightDecay: 0.01', '# hessianEigenvalues = 1, 0.05', '# noiseSpectrum = 0.3,0.2',
      'step2,extra,dist2,step', ...steps.map((k, i) => `${step2[i]},x,${dist2[i]},${k}`),
    ].join('\n');
    const c = parseCsvLog(csv);
    const n = parseNpyLog(writeNpy(steps.flatMap((k, i) => [k, dist2[i]!, step2[i]!]), [steps.length, 3]));
    const aj = analyzeDiffusionLog(j);
    const ac = analyzeDiffusionLog(c);
    const an = analyzeDiffusionLog(n, { meta });
    expect(ac).toEqual(aj);
    expect(an.fit).toEqual(aj.fit);
    expect(an.predicted).toEqual(aj.predicted);
    aj.predicted!.discrete.forEach((v, i) => expect(Math.abs(v / pr.discrete.dist2[i]! - 1)).toBeLessThan(1e-10));
    expect(aj.stepSizeLaw).toBeCloseTo((0.01 * 0.5) / (2 * 0.75), 14);
    // rows form
    const rows = parseJsonLog(JSON.stringify({ rows: steps.map((k, i) => ({ step: k, dist2: dist2[i], step2: step2[i] })), ...meta }));
    expect(analyzeDiffusionLog(rows).fit).toEqual(aj.fit);
    // noise trace only: spread as Σ ≈ σ²H, with a note
    const tr = analyzeDiffusionLog({ ...j, meta: { ...j.meta, noiseSpectrum: undefined, noiseTrace: 1.05 } } as never);
    expect(tr.notes.join(' ')).toMatch(/Σ ≈ σ²H/);
    expect(tr.predicted!.discrete[0]).toBeCloseTo(discreteModeDiffusion({ hessian: 1, noise: 1 }, hyper, 1).dist2 + discreteModeDiffusion({ hessian: 0.05, noise: 0.05 }, hyper, 1).dist2, 12);
  });

  it('bad logs: missing column, non-finite cell, decreasing steps, too few points, window outside the data', () => {
    expect(() => parseJsonLog('{"step":[1,2,3],"dist2":[1,2,3]}', 'r.json')).toThrow(/missing column 'step2'/);
    expect(() => parseCsvLog('step,dist2,step2\n1,1,1\n2,NaN,1\n', 'r.csv')).toThrow(/line 3, column 'dist2'/);
    expect(() => parseCsvLog('step,dist2\n1,1\n', 'r.csv')).toThrow(/missing column 'step2'/);
    expect(() => parseJsonLog('{"step":[1,3,2],"dist2":[1,2,3],"step2":[1,1,1]}')).toThrow(/row 2: steps must increase/);
    expect(() => parseJsonLog('{"step":[1,2,3],"dist2":[1,null,3],"step2":[1,1,1]}')).toThrow(/column 'dist2', row 1/);
    const log = parseJsonLog('{"step":[1,2,3,4],"dist2":[1,2,3,4],"step2":[1,1,1,1]}');
    expect(() => analyzeDiffusionLog(log, { kMin: 3, kMax: 4 })).toThrow(/fewer than three points/);
    expect(() => analyzeDiffusionLog(log, { kMin: 10, kMax: 20 })).toThrow(/outside the logged steps/);
    expect(() => parseNpyLog(writeNpy([1, 2], [2]))).toThrow(/3 columns/);
  });
});

describe('eomkit diffusion', () => {
  const args = ['diffusion', '--hessian', '[[1,0.3],[0.3,0.2]]', '--noise', '[[0.5,-0.1],[-0.1,1]]', '--lr', '0.1', '--momentum', '0.9', '--batch', '4', '--weight-decay', '0.01'];

  it('--json carries Δ and δ of both models at the steps, from stationarity and --from, equal to the library', async () => {
    const r = await run([...args, '--steps', '1,10,100,1000', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    const pr = predictDiffusion({ H: [[1, 0.3], [0.3, 0.2]], Sigma: [[0.5, -0.1], [-0.1, 1]], hyper: { eta: 0.1, beta: 0.9, batchSize: 4, weightDecay: 0.01 } }, [1, 10, 100, 1000]);
    expect(o.discrete.dist2).toEqual(pr.discrete.dist2);
    expect(o.continuous.step2).toEqual(pr.continuous.step2);
    expect(o.stepSizeLaw).toBeCloseTo(0.01 * 1.5 / (4 * 0.19), 14);
    const f = JSON.parse((await run([...args, '--steps', '0,5,50', '--from', '1,-2', '--json'])).out);
    expect(f.discrete.dist2[0]).toBe(0);
    expect(f.start.theta0).toEqual([1, -2]);
  });

  it('text table, plot file, and --log with a window', async () => {
    const svg = join(tmp, 'd.svg');
    const r = await run([...args, '--plot', svg]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('step-size law');
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    const l = await run(['diffusion', '--log', join(root, 'docs/examples/diffusion-log.json'), '--window', '10:5000', '--json']);
    expect(l.code).toBe(0);
    const o = JSON.parse(l.out);
    expect(o.fit.points).toBe(22);
    expect(o.predicted.exponentDiscrete).toBeGreaterThan(0);
  });

  it('--simulate adds a seeded ensemble beside the predictions (within 4 SE of the exact discrete ones)', async () => {
    const o = JSON.parse((await run([...args, '--steps', '0,1,30,300', '--simulate', '1500', '--seed', '3', '--json'])).out);
    expect(o.simulated.steps).toEqual([1, 30, 300]);
    o.simulated.steps.forEach((_: number, i: number) => {
      expect(Math.abs(o.simulated.dist2[i] - o.discrete.dist2[i + 1])).toBeLessThan(4 * o.simulated.dist2Se[i]);
      expect(Math.abs(o.simulated.step2[i] - o.discrete.step2[i + 1])).toBeLessThan(4 * o.simulated.step2Se[i]);
    });
    const bad = await run([...args, '--simulate', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--simulate must be an integer number of chains/);
  });

  it('--loss gives the quadratic of the loss at its minimum: the same numbers as --hessian with --noise-scale', async () => {
    const common = ['--lr', '0.1', '--momentum', '0.5', '--batch', '4', '--steps', '1,10,100', '--json'];
    const a = JSON.parse((await run(['diffusion', '--loss', '0.5*((w1-1)^2 + 3*w2^2) + 0.2*(w1-1)*w2', '--params', 'w1,w2', '--noise-scale', '0.5', ...common])).out);
    const b = JSON.parse((await run(['diffusion', '--hessian', '[[1,0.2],[0.2,3]]', '--noise-scale', '0.5', ...common])).out);
    expect(a.quadratic.note).toMatch(/at the minimum w1=1\.00000/);
    a.discrete.dist2.forEach((x: number, i: number) => expect(x).toBeCloseTo(b.discrete.dist2[i], 12));
    // Σ = σ²H: the continuous saturation level 2 tr C_θθ = 2 · m · ησ²/(2S(1−β))
    const sat = JSON.parse((await run(['diffusion', '--hessian', '[[1,0.2],[0.2,3]]', '--noise-scale', '0.5', '--lr', '0.1', '--momentum', '0.5', '--batch', '4', '--steps', '100000', '--json'])).out);
    expect(sat.continuous.dist2[0]).toBeCloseTo((2 * 2 * 0.1 * 0.5) / (2 * 4 * 0.5), 10);
  });

  it('bad input: exit 2 and one line naming the problem', async () => {
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'step,dist2,step2\n1,1,1\n2,inf,1\n3,3,1\n');
    const cases: [string[], RegExp][] = [
      [['diffusion', '--log', bad], /line 3, column 'dist2'/],
      [['diffusion', '--log', join(root, 'docs/examples/diffusion-log.json'), '--window', '1:2'], /fewer than three points/],
      [['diffusion', '--log', join(root, 'docs/examples/diffusion-log.json'), '--window', '9000:10000'], /outside the logged steps/],
      [['diffusion', '--log', join(tmp, 'none.json')], /cannot read log/],
      [['diffusion', '--hessian', '[[1,2]]', '--noise', '1', '--lr', '0.1', '--batch', '1'], /--hessian: must be a square matrix/],
      [['diffusion', '--hessian', '[[1]]', '--noise', '1', '--batch', '1'], /--lr/],
      [['diffusion', '--hessian', '[[30]]', '--noise', '1', '--lr', '0.1', '--batch', '1'], /unstable/],
      [[...args, '--steps', '10,5'], /strictly increasing/],
      [[...args, '--from', '1'], /--from has 1 values/],
      [['diffusion', '--loss', 'w^2', '--lr', '0.1', '--batch', '1'], /--loss needs --params/],
      [['diffusion', '--loss', 'w^2', '--params', 'w', '--lr', '0.1', '--batch', '1'], /--loss needs the noise/],
    ];
    for (const [a, re] of cases) {
      const r = await run(a);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
    }
  });
});
