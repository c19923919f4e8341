import { runCli } from '../support/cli.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import katex from 'katex';
import { parseMatrixArg } from '../../src/cli/stationary.ts';

const run = runCli;

const dir = mkdtempSync(join(tmpdir(), 'eomkit-stationary-'));
const csv = join(dir, 'rows.csv');
writeFileSync(csv, 'x1,x2,y\n1,0.5,1\n-0.3,2,0\n0.7,-1,1\n1.5,0.2,0\n-1,-1,0\n0.2,0.3,1\n');
const json = join(dir, 'rows.json');
writeFileSync(json, JSON.stringify({ X: [[1, 0.5], [-0.3, 2], [0.7, -1], [1.5, 0.2], [-1, -1], [0.2, 0.3]], y: [1, 0, 1, 0, 0, 1] }));

describe('eomkit stationary', () => {
  it('matrices: the overdamped-free 1-D case matches the closed forms, and the gap factor is 1/(1 − ηq/(2(1+β)))', async () => {
    // q = 2, η = 0.1, β = 0.5, S = 4, σ² = 3: C_θθ = ησ²/(2Sq(1−β)) = 3/80, C_vv = σ²/(S(1−β²)) = 1
    const r = await run(['stationary', '--hessian', '[[2]]', '--noise', '[[3]]', '--lr', '0.1', '--momentum', '0.5', '--batch', '4', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.exact).toBe(true);
    expect(o.continuous.thetaTheta[0][0]).toBeCloseTo(0.0375, 15);
    expect(o.continuous.vv[0][0]).toBeCloseTo(1, 15);
    expect(o.continuous.exactC[0][0]).toBe('3/80');
    const factor = 1 / (1 - (0.1 * 2) / (2 * 1.5));
    expect(o.gap.thetaTraceRatio).toBeCloseTo(factor, 14);
    expect(o.modes[0].gapFactor).toBeCloseTo(factor, 14);
    expect(o.stabilityLimit).toBeCloseTo(1.5, 14);
  });

  it('matrices, text output: non-commuting H and Σ, with the trace identity and Q antisymmetric exactly', async () => {
    const r = await run(['stationary', '--hessian', '[[2,0.7],[0.7,0.5]]', '--noise', '[[1,-0.4],[-0.4,2]]', '--lr', '0.2', '--momentum', '0.5', '--batch', '3', '--weight-decay', '0.1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('not commuting');
    expect(r.out).toContain('tr C_vv = 1.33333 (tr Σ c/(1−β²) = 1.33333)');
    expect(r.out).toContain('antisymmetric exactly');
    expect(r.out).toMatch(/overdamped/);
    expect(r.out).toMatch(/underdamped/);
  });

  it('--noise-scale: Σ = σ²H; fractions are exact; --latex is KaTeX-strict', async () => {
    const r = await run(['stationary', '--hessian', '[[1/2,0],[0,2]]', '--noise-scale', '1/3', '--lr', '0.1', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    // Σ = σ²H commutes with H: C_θθ = ησ²/(2S) I exactly
    expect(o.continuous.exactC[0][0]).toBe('1/60');
    expect(o.continuous.exactC[1][1]).toBe('1/60');
    const t = await run(['stationary', '0.5*(w1^2 + 3*w2^2)', '--params', 'w1,w2', '--noise-scale', '0.5', '--lr', '0.05', '--momentum', '0.9', '--latex']);
    expect(t.code).toBe(0);
    for (const line of t.out.trim().split('\n')) expect(() => katex.renderToString(line, { throwOnError: true, strict: 'error' })).not.toThrow();
    expect(t.out).toContain('\\dot{w_{1}}');
  });

  it('a loss with --data: logistic regression from CSV (header) and JSON agree; the minimum is found', async () => {
    const a = await run(['stationary', 'logistic', '--data', csv, '--lr', '0.5', '--momentum', '0.9', '--batch', '2', '--weight-decay', '0.01', '--json']);
    const b = await run(['stationary', 'logistic', '--data', json, '--lr', '0.5', '--momentum', '0.9', '--batch', '2', '--weight-decay', '0.01', '--json']);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const oa = JSON.parse(a.out), ob = JSON.parse(b.out);
    expect(oa.gradientNorm).toBeLessThan(1e-12);
    expect(oa.continuous.thetaTheta).toEqual(ob.continuous.thetaTheta);
    expect(oa.hyper.noiseFactor).toBe(0.5);
    // Σ at the minimum is the covariance of the per-example gradients −ỹ σ(−ỹ x·w) x (written out here)
    const rows = [[1, 0.5, 1], [-0.3, 2, -1], [0.7, -1, 1], [1.5, 0.2, -1], [-1, -1, -1], [0.2, 0.3, 1]];
    const w = [oa.point.w1, oa.point.w2];
    const g = rows.map(([x1, x2, y]) => { const s = 1 / (1 + Math.exp(y! * (x1! * w[0] + x2! * w[1]))); return [-y! * s * x1!, -y! * s * x2!]; });
    const mean = [0, 1].map((k) => g.reduce((s, gi) => s + gi[k]!, 0) / 6);
    const s01 = g.reduce((s, gi) => s + gi[0]! * gi[1]!, 0) / 6 - mean[0]! * mean[1]!;
    expect(oa.Sigma[0][1]).toBeCloseTo(s01, 13);
    // a per-example formula in the column names gives the same result
    const c = await run(['stationary', 'softplus(-(2*y - 1)*(w1*x1 + w2*x2))', '--params', 'w1,w2', '--data', csv, '--lr', '0.5', '--momentum', '0.9', '--batch', '2', '--weight-decay', '0.01', '--json']);
    expect(c.code, c.err).toBe(0);
    const oc = JSON.parse(c.out);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(oc.continuous.thetaTheta[i][j]).toBeCloseTo(oa.continuous.thetaTheta[i][j], 12);
  });

  it('--at analyses at the given point and reports the gradient there; --without-replacement uses (N−S)/(S(N−1))', async () => {
    const r = await run(['stationary', 'linear', '--data', csv, '--lr', '0.1', '--batch', '2', '--without-replacement', '--at', 'w1=0,w2=0', '--json']);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.hyper.noiseFactor).toBeCloseTo(4 / 10, 15);
    expect(o.gradientNorm).toBeGreaterThan(0.01);
  });

  it('bad input: one line, exit 2, saying what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--hessian', '[[1,0],[0,-1]]', '--noise', '[[1,0],[0,1]]', '--lr', '0.1'], /no stationary state.*negative eigenvalue/],
      [['--hessian', '[[1,0],[0,0]]', '--noise', '[[1,0],[0,1]]', '--lr', '0.1'], /zero eigenvalue/],
      [['--hessian', '[[30,0],[0,1]]', '--noise', '[[1,0],[0,1]]', '--lr', '0.1'], /stability limit.*η < 2\(1\+β\)\/q_max = 0\.0666667/],
      [['--hessian', '[[1,0],[0,1]]', '--noise', '[[1,2],[2,1]]', '--lr', '0.1'], /indefinite/],
      [['--hessian', '[[1,0],[0,1]]', '--noise', '[[1,0.5],[0,1]]', '--lr', '0.1'], /not symmetric/],
      [['--hessian', '[[1,0],[0,1]]', '--noise', '[[1]]', '--lr', '0.1'], /dimension mismatch/],
      [['--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0.1', '--momentum', '1'], /\[0, 1\)/],
      [['--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0'], /eta must be > 0/],
      [['--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0.1', '--batch', '0'], /batch size must be > 0/],
      [['--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0.1', '--batch', '9', '--n-data', '4'], /exceeds/],
      [['logistic', '--data', csv, '--lr', '0.1', '--batch', '7'], /exceeds the number of examples N = 6/],
      [['--hessian', '[[1]]', '--lr', '0.1'], /give the noise/],
      [['--hessian', '[[1]', '--noise', '[[1]]', '--lr', '0.1'], /not a matrix/],
      [['--hessian', '[[a]]', '--noise', '[[1]]', '--lr', '0.1'], /expected a matrix of numbers/],
      [['w^2', '--params', 'w', '--noise', '[[1]]', '--lr', 'x'], /--lr must be a number/],
      [['w^2', '--params', 'w', '--noise', '[[1]]', '--lr', '0.1', '--at', 'w=1', '--from', 'w=0'], /either --at/],
      [['logistic', '--data', join(dir, 'missing.csv'), '--lr', '0.1'], /cannot read/],
    ];
    for (const [args, re] of cases) {
      const r = await run(['stationary', ...args]);
      expect(r.code, `${args.join(' ')} → ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err, args.join(' ')).toMatch(re);
    }
    // collinear features: a valley of minima, the flat direction is named (exit 2)
    const col = join(dir, 'col.csv');
    writeFileSync(col, '1,2,3\n2,4,6\n3,6,9.1\n');
    const v = await run(['stationary', 'linear', '--data', col, '--lr', '0.01']);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/zero eigenvalue.*add weight decay/);
    // separable logistic data without weight decay has no minimum: exit 4 (not measurable), one line
    const sep = join(dir, 'sep.csv');
    writeFileSync(sep, '1,1\n2,1\n-1,0\n-2,0\n');
    const r = await run(['stationary', 'logistic', '--data', sep, '--lr', '0.1']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/no minimum/);
  });

  it('large problems: the text output summarises matrices and modes (float64 route, p = 13)', async () => {
    const p = 13;
    const H = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 + i / 4 : 0.01)));
    const r = await run(['stationary', '--hessian', JSON.stringify(H), '--noise-scale', '2', '--lr', '0.1', '--momentum', '0.9', '--batch', '4']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('(13×13: trace');
    expect(r.out).toContain('… 3 more modes (--json lists all)');
    expect(r.out).toContain('arithmetic  float64');
    const j = JSON.parse((await run(['stationary', '--hessian', JSON.stringify(H), '--noise-scale', '2', '--lr', '0.1', '--momentum', '0.9', '--batch', '4', '--json'])).out);
    expect(j.modes).toHaveLength(p);
    // Σ = 2H commutes with H: both closed forms are there and agree with the solves
    for (let i = 0; i < p; i++) {
      expect(j.continuous.thetaTheta[i][i]).toBeCloseTo(j.continuous.closedForm.thetaTheta[i][i], 12);
      expect(j.discrete.thetaTheta[i][i]).toBeCloseTo(j.discrete.closedForm.thetaTheta[i][i], 10);
    }
  });

  it('--help lists the options', async () => {
    const r = await run(['stationary', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--hessian', '--noise-scale', '--data', '--lr', '--momentum', '--batch', '--weight-decay', '--without-replacement', '--at', '--from', '--latex', '--json']) expect(r.out).toContain(o);
  });

  it('parseMatrixArg reads fractions unquoted', () => {
    expect(parseMatrixArg('[[1/3, -2], [0.5, 1e-3]]', 'noise')).toEqual([['1/3', -2], [0.5, 0.001]]);
  });
});
