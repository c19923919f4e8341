/**
 * Degenerate input is not a failure of the theory: a start outside the domain is an input error (exit 2),
 * a start where nothing moves or a step budget that cannot reach T is "cannot be measured here"
 * (NotMeasurableError, exit 4) with what to change; only a measured disagreement is exit 3.
 */
import { describe, expect, it } from 'vitest';
import { InputError, NotMeasurableError, formatDerivationValidation, loss, validateDerivation } from '../../../src/index.ts';
import { main } from '../../../src/cli/main.ts';

async function run(argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, err: (s) => err.push(...s.replace(/\n$/, '').split('\n')) });
  return { code, err };
}

describe('validateDerivation on degenerate starts', () => {
  it('a zero gradient at the start cannot be measured (before this it was reported as the theory failing)', async () => {
    const L = loss('w1^2 + w2^2', { params: ['w1', 'w2'] });
    const p = validateDerivation(L, { order: 1, from: { w1: 0, w2: 0 } });
    await expect(p).rejects.toBeInstanceOf(NotMeasurableError);
    await expect(validateDerivation(L, { order: 1, from: [0, 0] })).rejects.toThrow(/gradient vanishes at the start \(w1 = 0, w2 = 0\).*choose a start/);
  });

  it('a start outside the domain is an input error naming the start', async () => {
    const L = loss('sqrt(w)', { params: ['w'] });
    const p = validateDerivation(L, { order: 1, from: { w: -1 } });
    await expect(p).rejects.toBeInstanceOf(InputError);
    await expect(validateDerivation(L, { order: 1, from: { w: -1 } })).rejects.toThrow(/the start \(w = -1\) is outside the loss's domain/);
  });

  it('a step budget that cannot reach T is not measurable, and says what to change', async () => {
    // w⁴ at w = 100: curvature 12·10⁴, so η ≲ 10⁻⁶ and T = 1 needs over 10⁶ steps (maxSteps 2¹⁸)
    const L = loss('w^4', { params: ['w'] });
    const p = validateDerivation(L, { order: 1, from: { w: 100 }, T: 1 });
    await expect(p).rejects.toBeInstanceOf(NotMeasurableError);
    await expect(validateDerivation(L, { order: 1, from: { w: 100 }, T: 1 })).rejects.toThrow(/cannot be measured here.*lower the final time T/);
    // without T, the default final time ends with the transient (‖∇L‖ at 1 % of its start) and the orders are measured
    const auto = await validateDerivation(L, { order: 1, from: { w: 100 } });
    expect(auto.verdict).toBe('confirmed');
    // GF on w⁴: w(t) = w0/√(1 + 8·w0²·t), ‖∇L‖ = 4w³ falls to 1 % when (1 + 8w0²t)^{3/2} = 100: t = (100^{2/3} − 1)/(8·10⁴)
    const t1 = (100 ** (2 / 3) - 1) / 8e4;
    expect(auto.T).toBeGreaterThanOrEqual(t1 * 0.99);
    expect(auto.T).toBeLessThan(t1 * 1.06);
    expect(auto.notes.join('\n')).toMatch(/T = [0-9.e-]+ instead of the default 1/);
  });
});

describe('errors at float64 floor at every η: not measurable, with the reason and what to change', () => {
  it('dynamics that converge before T (GD): the verdict names the cause, and the suggested T is measurable', async () => {
    const L = loss('w^2/2', { params: ['w'] });
    const r = await validateDerivation(L, { order: 1, from: { w: 0.5 }, T: 200 });
    expect(r.verdict).toBe('not-measurable');
    expect(r.allPass).toBe(false);
    expect(r.notMeasurable!.flows).toEqual(['GF', 'EoM_1']);
    // GD on w²/2 from 0.5 with η = 0.1: |w_k| = 0.5·0.9^k, so by T = 200 (2,000 steps) ‖∇L‖ ≈ 0.5·0.9^2000 (independent closed form)
    expect(r.notMeasurable!.reason).toMatch(/converge before T = 200/);
    const suggested = Number(/--time, e\.g\. ([0-9.e+-]+)/.exec(r.notMeasurable!.reason)![1]);
    // ‖∇L‖ falls to 1 % of its start at t = ln(100) ≈ 4.6 along GF; GD at the coarsest η lags slightly
    expect(suggested).toBeGreaterThan(3.5);
    expect(suggested).toBeLessThan(6);
    const again = await validateDerivation(L, { order: 1, from: { w: 0.5 }, T: suggested });
    expect(again.verdict).toBe('confirmed');
  });

  it('heavy ball with β = 0.99 (errors ~1e-18 at T = 1) is not measurable, not a failure', async () => {
    const L = loss('w^2/2', { params: ['w'] });
    const r = await validateDerivation(L, { order: 1, from: { w: 0.5 }, momentum: 0.99, T: 1 });
    expect(r.verdict).toBe('not-measurable');
    expect(r.notMeasurable!.reason).toMatch(/momentum β = 0\.99 shortens the time scale/);
    const suggested = Number(/--time, e\.g\. ([0-9.e+-]+)/.exec(r.notMeasurable!.reason)![1]);
    expect((await validateDerivation(L, { order: 1, from: { w: 0.5 }, momentum: 0.99, T: suggested })).verdict).toBe('confirmed');
  });

  it('a measured slope outside the tolerance is a disagreement, not "not measurable"', async () => {
    const L = loss('(w1*w2 - 1)^2/2', { params: ['w1', 'w2'] });
    const r = await validateDerivation(L, { order: 1, from: [0.3, 1.5], sweep: { tolerance: 1e-6 } });
    expect(r.verdict).toBe('disagrees');
    expect(r.notMeasurable).toBeUndefined();
    expect((await validateDerivation(L, { order: 1, from: [0.3, 1.5] })).verdict).toBe('confirmed');
  });

  it('the default final time follows the flow: heavy ball β = 0.9 and 0.99 confirm every order without a T', async () => {
    const L = loss('w^2/2', { params: ['w'] });
    for (const beta of [0.9, 0.99]) {
      const r = await validateDerivation(L, { order: 3, from: { w: 0.5 }, momentum: beta });
      expect(r.verdict, formatDerivationValidation(r)).toBe('confirmed');
      // the leading flow θ' = −θ/(1 − β): ‖∇L‖ = 0.5·e^{−t/(1−β)} is at 1 % when t = (1 − β)·ln 100
      const t1 = (1 - beta) * Math.log(100);
      expect(r.T).toBeGreaterThanOrEqual(t1 * 0.99);
      expect(r.T).toBeLessThan(t1 * 1.06);
    }
    // GD: ‖∇L‖ = 0.5·e^{−t} is at 1 % only at t = 4.6, so the default stays 1
    expect((await validateDerivation(L, { order: 1, from: { w: 0.5 } })).T).toBe(1);
  });

  it('a linear loss: GD and every flow coincide, nothing to measure', async () => {
    const r = await validateDerivation(loss('w1 + 2*w2', { params: ['w1', 'w2'] }), { order: 1, from: [0.5, 0.5] });
    expect(r.verdict).toBe('not-measurable');
    expect(r.notMeasurable!.reason).toMatch(/agree to round-off at every η/);
  });

  it('the CLI exits 4, still prints the table and the JSON with the verdict', async () => {
    const out: string[] = [];
    const code = await main(['validate', 'w^2/2', '--params', 'w', '-T', '200', '--order', '1'], { out: (s) => out.push(s), err: () => undefined });
    expect(code).toBe(4);
    expect(out.join('\n')).toMatch(/NOT MEASURABLE: GF, EoM_1 \(the dynamics converge before T = 200/);
    expect(out.join('\n')).toMatch(/result\s+FLOOR\s+FLOOR/);
    const json: string[] = [];
    expect(await main(['validate', 'w^2/2', '--params', 'w', '-T', '200', '--order', '1', '--json'], { out: (s) => json.push(s), err: () => undefined })).toBe(4);
    const obj = JSON.parse(json.join('')) as { verdict: string; notMeasurable: { flows: string[] } };
    expect(obj.verdict).toBe('not-measurable');
    expect(obj.notMeasurable.flows).toEqual(['GF', 'EoM_1']);
  });
});

describe('eomkit validate: exit codes of degenerate cases', () => {
  it.each([
    [['w^2', '--params', 'w', '--from', 'w=0'], 4, /gradient vanishes at the start/],
    [['sqrt(w)', '--params', 'w', '--from', 'w=-1'], 2, /outside the loss's domain/],
    [['w^2', '--params', 'w', '--from', 'w=1', '-T', '1e6'], 4, /cannot be measured here/],
    [['w^4', '--params', 'w', '--from', 'w=100', '-T', '1'], 4, /cannot be measured here/],
    [['1/w', '--params', 'w', '--from', 'w=0.01', '-T', '1'], 4, /cannot be measured here/],
    [['w^4/4', '--params', 'w', '--from', 'w=1', '--momentum', '0.99', '-T', '1'], 4, /lower the momentum β/],
  ])('validate %j → exit %i with one line', async (args, code, message) => {
    const r = await run(['validate', ...args, '--order', '1']);
    expect(r.code).toBe(code);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.err[0]).not.toMatch(/internal error/);
  });
});

describe('eomkit validate --help', () => {
  it('documents every exit status', async () => {
    const out: string[] = [];
    const code = await main(['validate', '--help'], { out: (s) => out.push(s), err: (s) => out.push(s) });
    expect(code).toBe(0);
    const help = out.join('');
    for (const status of ['0', '1', '2', '3', '4']) expect(help).toMatch(new RegExp(`\\n  ${status}  \\S`));
    expect(help).toMatch(/4 {2}cannot be measured here/);
  });
});
