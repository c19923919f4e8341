import { runCli } from '../support/cli.ts';
/** `eomkit validate`: the table, --json, --plot, flag errors (exit 2) and the failure status of runValidate. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIO, type ValidateCommandOptions } from '../../src/cli/main.ts';
import { runValidate, NOT_MEASURABLE, VALIDATION_FAILED, parseTime } from '../../src/cli/validate.ts';

const run = runCli;

const L1 = '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5';
const L2 = '(w1^2 - 2*w1*w2 + 3*w2^2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)^(3/2)';

/** the fitted slopes from the table's "fitted" row */
function fittedRow(out: string): number[] {
  const line = out.split('\n').find((l) => l.startsWith('fitted'))!;
  return line.trim().split(/\s+/).slice(1).map(Number);
}

describe('eomkit validate', () => {
  it('prints the table of η and errors, fitted vs expected slopes and PASS per order (P4 L₁, default order 3)', async () => {
    const r = await run(['validate', L1, '--params', 'w1,w2', '--from', 'w1=1.3,w2=-0.4']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^η\s+steps\s+GF\s+EoM_1\s+EoM_2\s+EoM_3$/m);
    const slopes = fittedRow(r.out);
    expect(slopes).toHaveLength(4);
    slopes.forEach((s, k) => expect(Math.abs(s - (k + 1)), r.out).toBeLessThanOrEqual(0.15));
    expect(r.out).toMatch(/^expected\s+1\s+2\s+3\s+4$/m);
    expect(r.out).toMatch(/^result\s+PASS\s+PASS\s+PASS\s+PASS$/m);
    expect(r.out).toContain('all 4 orders confirmed');
    // at least 4 η rows with errors in scientific notation
    expect(r.out.split('\n').filter((l) => /^\d\.\d{3}e-\d+\s+\d+\s/.test(l)).length).toBeGreaterThanOrEqual(4);
    expect(r.err).toBe('');
  });

  it('scale-invariant loss: the error is in ‖θ‖², with a note', async () => {
    const r = await run(['validate', L2, '--params', 'w1,w2', '--from', 'w1=0.8,w2=0.5', '--order', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('|‖θ‖²(θ_disc) − ‖θ‖²(θ_flow(T))|');
    expect(r.out).toMatch(/note: the loss is scale invariant/);
    fittedRow(r.out).forEach((s, k) => expect(Math.abs(s - (k + 1)), r.out).toBeLessThanOrEqual(0.15));
  });

  it('--json prints one object; --momentum validates the heavy-ball modified equation; --time and --constants', async () => {
    const r = await run(['validate', '(w1*w2 - c)^2/2', '--params', 'w1,w2', '--constants', 'c=1', '--from', 'w1=0.3,w2=1.5', '--order', '2', '--momentum', '0.5', '--time', '0.5', '--json']);
    expect(r.code, r.err).toBe(0);
    const obj = JSON.parse(r.out);
    expect(obj.method).toBe('heavy-ball');
    expect(obj.beta).toBe(0.5);
    expect(obj.T).toBe(0.5);
    expect(obj.loss).toBe('(w1*w2 - 1)^2/2');
    expect(obj.flows.map((f: { name: string }) => f.name)).toEqual(['MF_0', 'MF_1', 'MF_2']);
    obj.flows.forEach((f: { fittedSlope: number; expectedSlope: number; pass: boolean; errors: number[] }, k: number) => {
      expect(f.expectedSlope).toBe(k + 1);
      expect(Math.abs(f.fittedSlope - (k + 1))).toBeLessThanOrEqual(0.15);
      expect(f.pass).toBe(true);
      expect(f.errors).toHaveLength(obj.eta.length);
    });
    expect(obj.pass).toBe(true);
    expect(obj.eta.every((e: number, j: number) => Math.abs(e * obj.steps[j] - 0.5) < 1e-12)).toBe(true);
  });

  it('--plot writes an SVG of error against η', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eomkit-validate-'));
    try {
      const file = join(dir, 'err.svg');
      const r = await run(['validate', '(w1*w2 - 1)^2/2', '--params', 'w1,w2', '--from', 'w1=0.3,w2=1.5', '--order', '1', '--plot', file]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`plot      ${file}`);
      const svg = readFileSync(file, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('EoM_1 (slope 2.00, expected 2)');
      expect(svg).toContain('learning rate η');
      // --json with --plot names the file
      const file2 = join(dir, 'err2.svg');
      const j = await run(['validate', 'w^4/4 + w^2', '--params', 'w', '--from', 'w=1', '--order', '1', '--json', '--plot', file2]);
      expect(j.code, j.err).toBe(0);
      expect(JSON.parse(j.out).plot).toBe(file2);
      expect(existsSync(file2)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('bad flags exit 2 with one line on stderr', async () => {
    const cases: [string[], RegExp][] = [
      [['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--order', '0'], /--order must be an integer from 1 to 6/],
      [['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--order', 'x'], /--order/],
      [['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--momentum', '1'], /--momentum must be a number in \[0, 1\)/],
      [['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--time', '0'], /--time must be a finite number > 0/],
      [['validate', 'w^2', '--params', 'w', '--from', 'v=1'], /--from: 'v' is not a parameter/],
      [['validate', 'w^2', '--params', 'w,u', '--from', 'w=1'], /--from: no value for u/],
      [['validate', 'w^2', '--params', 'w', '--from', 'w=abc'], /--from: w=abc is not a finite number/],
      [['validate', 'w^2 +', '--params', 'w', '--from', 'w=1'], /./],
      [['validate', 'w^2', '--params', 'w', '--from', 'w=1', '--plot', '/nonexistent-dir/x.svg'], /--plot: cannot write/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(args);
      expect(r.code, `${args.join(' ')}\n${r.err}`).toBe(2);
      expect(r.err, args.join(' ')).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);

  it('runValidate returns 3 when a measured order fails, 4 when nothing can be measured, 0 when all pass', async () => {
    let out = '';
    let err = '';
    const io: CliIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
    const base: ValidateCommandOptions = { params: 'w1,w2', from: 'w1=1,w2=0', order: '1', time: '1' };
    // a linear loss: GD is exact, the errors are at round-off at every η — not measurable, not a failure
    expect(await runValidate('w1 + 2*w2', base, io)).toBe(NOT_MEASURABLE);
    expect(NOT_MEASURABLE).toBe(4);
    expect(out).toMatch(/^result\s+FLOOR\s+FLOOR$/m);
    expect(out).toContain('NOT MEASURABLE: GF, EoM_1');
    expect(out).toMatch(/note: .*no slope can be fitted/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^eomkit: GF, EoM_1: the error cannot be measured here/);
    expect(VALIDATION_FAILED).toBe(3);
    out = '';
    expect(await runValidate('(w1*w2 - 1)^2/2', { ...base, from: 'w1=0.3,w2=1.5' }, io)).toBe(0);
  });

  it('parseTime', () => {
    expect(parseTime(undefined)).toBeUndefined(); // the library's default (1, or earlier when the dynamics converge sooner)
    expect(parseTime('2.5')).toBe(2.5);
    expect(() => parseTime('')).toThrow(/--time/);
    expect(() => parseTime('inf')).toThrow(/--time/);
  });
});
