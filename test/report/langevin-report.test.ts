/**
 * `--report DIR` on `eomkit stationary` and `eomkit diffusion`: the page opens in headless Chromium, every
 * formula renders without a KaTeX error, the plot is inline with its marks, the tables carry the numbers of
 * the --json object, report.json is that object; a screenshot is kept under test/.artifacts.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { numberLatex, squareMatrixLatex } from '../../src/report/stationary.ts';
import { chromium, inspectReport, type PageFacts } from '../support/report-page.ts';

const run = runCli;

const ARTIFACTS = join(process.cwd(), 'test/.artifacts');

async function inspect(page: string, screenshot: string): Promise<PageFacts> {
  const facts = await inspectReport(page, screenshot);
  return facts;
}

/** The page's number format (src/report/html.ts formatCell) for a value of the JSON. */
const cell = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(6))) : v.toExponential(3));

describe('LaTeX of the report numbers', () => {
  it('prints powers of ten as ×10^k and a 1×1 matrix as its entry', () => {
    expect(numberLatex(1.5e-7)).toBe('1.5000\\times 10^{-7}');
    expect(numberLatex(0.25)).toBe('0.25');
    expect(numberLatex(Infinity)).toBe('\\infty');
    expect(squareMatrixLatex(new Float64Array([2]), 1)).toBe('2');
    expect(squareMatrixLatex(new Float64Array([1, 0, 0, 3]), 2)).toBe('\\begin{pmatrix} 1 & 0 \\\\ 0 & 3 \\end{pmatrix}');
  });
});

describe.skipIf(!chromium)('Langevin reports in headless Chromium', () => {
  it('stationary --report: formulas, modes table with the JSON numbers, the plot', async () => {
    const dir = join(ARTIFACTS, 'report-stationary');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const args = ['stationary', '0.5*(w1^2 + 3*w2^2) + w1^4', '--params', 'w1,w2', '--noise-scale', '0.5', '--lr', '0.05', '--momentum', '0.5'];
    const r = await run([...args, '--report', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(join(dir, 'index.html'));
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const j = await run([...args, '--json']);
    expect(json.result).toEqual(JSON.parse(j.out));
    const facts = await inspect(join(dir, 'index.html'), join(ARTIFACTS, 'report-stationary.png'));
    expect(facts.katexErrors).toBe(0);
    // H, Σ, SDE, Lyapunov equation, C_θθ, C_vv, Q (continuous), recursion, C_θθ, C_vv (discrete)
    expect(facts.katex).toBe(10);
    expect(facts.plots).toBe(1);
    expect(facts.plotMarks).toBeGreaterThan(2);
    expect(facts.tables).toBe(3);
    expect(facts.command).toContain('eomkit stationary');
    for (const m of json.result.modes as { gapFactor: number; omega: number }[]) {
      expect(facts.cells).toContain(cell(m.gapFactor));
      expect(facts.cells).toContain(cell(m.omega));
    }
    expect(facts.cells).toContain(cell(json.result.gap.thetaTraceRatio));
  }, 120_000);

  it('diffusion --report: prediction with a simulation, and a training log', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = join(ARTIFACTS, 'report-diffusion');
    rmSync(dir, { recursive: true, force: true });
    const args = ['diffusion', '--hessian', '[[1,0.3],[0.3,0.2]]', '--noise', '[[0.5,-0.1],[-0.1,1]]', '--lr', '0.1', '--momentum', '0.9', '--batch', '4', '--steps', '1,10,100,1000', '--simulate', '40'];
    const r = await run([...args, '--report', dir]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(json.result).toEqual(JSON.parse((await run([...args, '--json'])).out));
    const facts = await inspect(join(dir, 'index.html'), join(ARTIFACTS, 'report-diffusion.png'));
    expect(facts.katexErrors).toBe(0);
    expect(facts.katex).toBe(2);
    expect(facts.plots).toBe(1);
    expect(facts.plotMarks).toBeGreaterThan(4);
    expect(facts.tables).toBe(3);
    for (const v of json.result.discrete.dist2 as number[]) expect(facts.cells).toContain(cell(v));

    const logDir = join(ARTIFACTS, 'report-diffusion-log');
    rmSync(logDir, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    const log = join(logDir, 'run.csv');
    writeFileSync(log, ['step,dist2,step2', ...Array.from({ length: 40 }, (_, i) => `${5 * i},${0.01 * (5 * i) ** 0.7},0.01`)].join('\n'));
    const rl = await run(['diffusion', '--log', log, '--lr', '0.1', '--batch', '4', '--hessian-eigs', '1,0.3', '--noise-trace', '2', '--report', join(logDir, 'page')]);
    expect(rl.code, rl.err).toBe(0);
    const lf = await inspect(join(logDir, 'page', 'index.html'), join(ARTIFACTS, 'report-diffusion-log.png'));
    expect(lf.katexErrors).toBe(0);
    expect(lf.katex).toBe(3);
    expect(lf.plots).toBe(1);
    // the fitted exponent of Δ(k) = k^{7/10}/100 is 7/10
    expect(lf.cells.some((c) => c.startsWith('0.7000 ±'))).toBe(true);
  }, 120_000);

  it('--report with an empty directory name is a usage error', async () => {
    const r = await run(['stationary', '--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0.1', '--report', ' ']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--report needs a directory name');
    const d = await run(['diffusion', '--hessian', '[[1]]', '--noise', '[[1]]', '--lr', '0.1', '--batch', '1', '--report', '']);
    expect(d.code).toBe(2);
  });
});
