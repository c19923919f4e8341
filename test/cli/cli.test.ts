import { runCli } from '../support/cli.ts';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { parseExpr, expand, sub, toText } from '../../src/symbolic/index.ts';

const run = runCli;

describe('eomkit derive', () => {
  it('prints the gradient and Hessian, and their values at a point', async () => {
    const r = await run(['derive', '0.5*(w1*w2 - 1)^2', '--params', 'w1,w2', '--at', 'w1=0.3,w2=-1.2']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('∂L/∂w1 = w2*(w1*w2 - 1)');
    expect(r.out).toContain('∂²L/∂w1∂w2 = 2*w1*w2 - 1');
    // (w1 w2 − 1) w2 at (0.3, −1.2) = (−0.36 − 1)(−1.2) = 1.632
    expect(r.out).toContain('∇L = [1.632, -0.408]');
  });

  it('--json gives one object whose gradient re-parses to the true derivative', async () => {
    const r = await run(['derive', 'exp(w1)*sin(w2) + w1^3/3', '--params', 'w1,w2', '--json', '--at', 'w1=0.1,w2=0.2']);
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.out);
    expect(obj.params).toEqual(['w1', 'w2']);
    const g1 = parseExpr(obj.gradient[0]);
    expect(expand(sub(g1, parseExpr('exp(w1)*sin(w2) + w1^2')))).toBe(parseExpr('0'));
    expect(obj.at.gradient[0]).toBeCloseTo(Math.exp(0.1) * Math.sin(0.2) + 0.01, 14);
    expect(obj.at.hessian[0][1]).toBeCloseTo(Math.exp(0.1) * Math.cos(0.2), 14);
  });

  it('--constants are substituted exactly', async () => {
    const r = await run(['derive', '(w - x)^2', '--params', 'w', '--constants', 'x=1/3', '--json']);
    expect(r.code).toBe(0);
    expect(toText(parseExpr(JSON.parse(r.out).gradient[0]))).toBe('2*w - 2/3');
  });

  it.each([
    [['derive', 'w1*(2+', '--params', 'w1'], /ends where a value was expected at position 7/],
    [['derive', 'w1 + foo', '--params', 'w1'], /unknown symbol 'foo'.*position 6/],
    [['derive', 'w1 + bar(w1)', '--params', 'w1'], /unknown function 'bar'/],
    [['derive', 'w1', '--params', 'w1,w1'], /--params: 'w1' is given twice/],
    [['derive', 'pi*w1', '--params', 'w1'], /reserved name/],
    [['derive', 'w1', '--params', 'w1', '--at', 'w1=abc'], /not a finite number/],
    [['derive', 'w1', '--params', 'w1', '--at', 'w2=1'], /'w2' is not a parameter/],
    [['derive', 'w1', '--params', 'w1', '--order', '0'], /--order must be an integer/],
    [['derive', 'w1', '--params', 'w1', '--momentum', '1.5'], /--momentum must be a number in \[0, 1\)/],
    [['derive', 'log(w1)', '--params', 'w1', '--at', 'w1=-1'], /evaluates to NaN/],
    [['derive', 'w1'], /required option/],
  ])('bad input %j exits 2 with one clear line', async (args, pattern) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('eomkit derive --order', () => {
  it('prints the counter terms with their general form, the discretization errors and the modified loss', async () => {
    const r = await run(['derive', 'w^4/4', '--params', 'w', '--order', '3', '--expanded', '--at', 'w=0.5']);
    expect(r.code).toBe(0);
    // f_2 = −½ H g = −½·3w²·w³ (eom.md), f_3 = −1/12 T(g,g) − 1/3 H²g = −(1/12)·6w·w⁶ − (1/3)·9w⁴·w³
    expect(r.out).toContain('f_2 = -1/2 Hg');
    expect(r.out).toContain('f_2[w] = -3*w^5/2');
    expect(r.out).toContain('f_3[w] = -7*w^7/2');
    expect(r.out).toContain('EoM_1: local error η^3 f_3, O(η^3) per step; global O(η^2)');
    // 1-D fields are always gradients: L̃ = L + η/4 g² = w⁴/4 + η w⁶/4 (+ …)
    expect(r.out).toMatch(/L̃ = .*w\^6\*η\/4/);
    expect(r.out).toContain('f_2 = [-0.046875]'); // −1.5·0.5⁵
  });

  it('names the obstruction when the truncated field is not a gradient (JSON)', async () => {
    const r = await run(['derive', '(w1^2 + w2^2 - 1)^2/4 + sin(w2)/5', '--params', 'w1,w2', '--order', '3', '--json']);
    const obj = JSON.parse(r.out);
    expect(obj.modifiedLoss.isGradient).toBe(false);
    expect(obj.modifiedLoss.knownThroughOrder).toBe(1);
    expect(obj.modifiedLoss.summary).toMatch(/η\^2 \(f_3\): not a gradient/);
    expect(obj.localErrors).toHaveLength(2);
  });

  it('proves scale and translation invariance and gives the norm dynamics', async () => {
    const s = await run(['derive', '(w1^2 - 2*w1*w2 + 3*w2^2)/(w1^2 + w2^2)', '--params', 'w1,w2', '--order', '3', '--json']);
    const inv = JSON.parse(s.out).invariances;
    expect(inv.map((i: { kind: string }) => i.kind)).toEqual(['scale']);
    expect(inv[0].dynamics.join('\n')).toMatch(/= \\eta\^\{2\} \\lVert g_\{G\} \\rVert\^\{2\}/);
    const t = await run(['derive', 'log(exp(z1)+exp(z2)+exp(z3)) - z1', '--params', 'z1,z2,z3', '--order', '2', '--json']);
    expect(JSON.parse(t.out).invariances.map((i: { kind: string }) => i.kind)).toEqual(['translation']);
    const none = await run(['derive', 'w1^2 + w2', '--params', 'w1,w2', '--order', '2', '--json']);
    expect(JSON.parse(none.out).invariances).toBeUndefined();
  });

  it('--json summarises a series too large to be useful (formulas past the budget become null with a note), --full writes it', async () => {
    // a 9-level nested power: f_1…f_3 print about 2·10⁶ nodes of formulas (≈ 10 MB of JSON)
    let f = 'w1*w2';
    for (let i = 0; i < 9; i++) f = `(${f}^2 + w${(i % 2) + 1})`;
    const args = ['derive', f, '--params', 'w1,w2', '--order', '3', '--json', '--no-invariance'];
    const short = await run(args);
    expect(short.code).toBe(0);
    const terms = JSON.parse(short.out).series.terms as Array<{ value: (string | null)[]; note?: string }>;
    expect(terms.every((t) => t.value.every((v) => v === null))).toBe(true);
    expect(terms[0]!.note).toMatch(/past the JSON budget of 2,000,000; --full writes every formula in full/);
    expect(short.out.length).toBeLessThan(100_000);
    const full = await run([...args, '--full']);
    const fullTerms = JSON.parse(full.out).series.terms as Array<{ value: (string | null)[]; note?: string }>;
    expect(fullTerms.every((t) => t.note === undefined && t.value.every((v) => typeof v === 'string'))).toBe(true);
    expect(full.out.length).toBeGreaterThan(100 * short.out.length);
  });

  it('--no-invariance skips the invariance analysis (the same loss proves scale invariance without it)', async () => {
    const f = '(w1^2 - 2*w1*w2 + 3*w2^2)/(w1^2 + w2^2)';
    const on = await run(['derive', f, '--params', 'w1,w2', '--order', '2', '--json']);
    expect(JSON.parse(on.out).invariances).toHaveLength(1);
    const off = await run(['derive', f, '--params', 'w1,w2', '--order', '2', '--json', '--no-invariance']);
    expect(off.code).toBe(0);
    const obj = JSON.parse(off.out);
    expect(obj.invariances).toBeUndefined();
    // the series itself is unchanged
    expect(obj.series.kind).toBe("gd");
    expect(obj.series).toEqual(JSON.parse(on.out).series);
  });

  it('a high order answers in seconds: formulas too large to print are summarised, analyses past their budget become notes', async () => {
    const r = await run(['derive', 'tanh(a*x+b)^2*w + exp(w*a) + sigmoid(b*w)', '--params', 'a,b,w,x', '--order', '6', '--json', '--at', 'a=0.1,b=0.2,w=0.3,x=0.4']);
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.out);
    expect(obj.series.terms[5].value[0]).toBeNull(); // f_6: a tree of ~1.6e7 nodes
    expect(obj.series.terms[5].note).toMatch(/too large to print/);
    expect(obj.notes.join('\n')).toMatch(/the modified loss was skipped: expression swell/);
    expect(obj.at.series[5].every(Number.isFinite)).toBe(true);
  }, 120_000); // a hang guard only: the time it takes is npm run bench's business

  it('heavy-ball: F_0 = −g/(1−β) and the momentum modified loss', async () => {
    const r = await run(['derive', 'w^2/2', '--params', 'w', '--order', '2', '--momentum', '0.5', '--at', 'w=1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('F_0 = [-2]'); // −w/(1−β)
    // L + η(1+β)/(4(1−β)²) g² = w²/2 + (3/2)η w²  at β = 1/2
    expect(r.out).toContain('modified loss of heavy-ball\n  3*w^2*η/2 + w^2/2 ');
  });
});

describe('the eomkit executable', () => {
  it('answers a small derivation from the built command, and --help explains the commands', () => {
    // how fast it answers is measured by npm run bench (task S), not here
    const r = spawnSync(process.execPath, ['bin/eomkit.js', 'derive', 'w^4/4 - w^2', '--params', 'w'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('∂L/∂w = w^3 - 2*w');
    const h = spawnSync(process.execPath, ['bin/eomkit.js', '--help'], { encoding: 'utf8' });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/derive/);
    expect(h.stdout).toMatch(/series/);
  });

  it('bad input exits with code 2 and one line on stderr', () => {
    const r = spawnSync(process.execPath, ['bin/eomkit.js', 'derive', 'w*', '--params', 'w'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^eomkit: /);
  });
});
