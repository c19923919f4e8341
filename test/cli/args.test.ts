/**
 * The command line's arguments are consistent across commands: formulas may start with '-', points accept
 * fractions and give values to symbols, names are given once, unsafe names are refused, and `validate` has
 * --symbols and a documented default start.
 */
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli/main.ts';
import { parseNumber, parsePoint } from '../../src/cli/args.ts';
import { DEFAULT_START } from '../../src/cli/validate.ts';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => out.push(s), err: (s) => err.push(...s.replace(/\n$/, '').split('\n')) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err };
}

describe('formulas that start with a minus sign', () => {
  it.each([
    [['derive', '-log(w)', '--params', 'w', '--json']],
    [['derive', '--params', 'w', '-log(w)', '--json']],
    [['derive', '--params', 'w', '--json', '--', '-log(w)']],
  ])('%j is the negative log-likelihood, not an option', async (argv) => {
    const r = await run(argv);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).gradient).toEqual(['-1/w']);
  });

  it('an option value that starts with a minus sign stays the option’s value', async () => {
    const r = await run(['derive', '-w^2/2 + w^4/4', '--params', 'w', '--at', 'w=-1/2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).at.gradient).toEqual([0.5 - 0.125]);
  });

  it('an unknown long option is still an error with one line', async () => {
    const r = await run(['derive', 'w^2', '--params', 'w', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/unknown option '--bogus'/);
  });
});

describe('points and values', () => {
  it('parseNumber reads decimals and fractions and nothing else', () => {
    expect(parseNumber('1/3')).toBeCloseTo(1 / 3, 15);
    expect(parseNumber('-2/7')).toBeCloseTo(-2 / 7, 15);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('.5')).toBe(0.5);
    for (const bad of ['', 'abc', '1/', '/2', '1/2/3', 'Infinity', '0x10', '1 2']) expect(parseNumber(bad)).toBeNaN();
  });

  it('--at accepts fractions, as --constants does', async () => {
    const r = await run(['derive', 'w^2', '--params', 'w', '--at', 'w=1/3', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).at.gradient[0]).toBeCloseTo(2 / 3, 15);
  });

  it('--at gives values to --symbols', async () => {
    const r = await run(['derive', 'lam/2*w^2 + w^4/4', '--params', 'w', '--symbols', 'lam', '--at', 'w=1/2,lam=0.1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).at.gradient[0]).toBeCloseTo(0.1 * 0.5 + 0.125, 15);
  });

  it('a name given twice is refused, not silently overwritten', async () => {
    for (const argv of [
      ['derive', 'w^2', '--params', 'w', '--at', 'w=1,w=2'],
      ['derive', 'w^2 + x', '--params', 'w', '--constants', 'x=1,x=2'],
      ['derive', 'w^2', '--params', 'w,w'],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/given twice/);
    }
  });

  it('__proto__ and friends are refused as names', async () => {
    for (const argv of [
      ['derive', 'w^2', '--params', '__proto__'],
      ['derive', 'w^2', '--params', 'w', '--at', '__proto__=1'],
      ['validate', 'w^2', '--params', 'w', '--from', 'constructor=1'],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/cannot be used as a name/);
    }
    expect(() => parsePoint('__proto__=1', ['w'])).toThrow(/cannot be used as a name/);
  });
});

describe('validate', () => {
  it('has --symbols (values by --at) and starts at the documented default when --from is absent', async () => {
    const r = await run(['validate', 'lam/2*w^2 + w^4/4', '--params', 'w', '--symbols', 'lam', '--at', 'lam=1/10', '--order', '1', '--json']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.from ?? j.theta0 ?? JSON.stringify(j)).toBeDefined();
    expect(JSON.stringify(j)).toContain(String(DEFAULT_START));
  });

  it('--at without --symbols is refused with the reason', async () => {
    const r = await run(['validate', 'w^4/4', '--params', 'w', '--at', 'lam=1']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/this loss has none/);
  });

  it('--help says what --order means in each command', async () => {
    const d = await run(['derive', '--help']);
    const v = await run(['validate', '--help']);
    expect(d.out).toMatch(/f_1…f_K of the EoM \(1…10\)/);
    expect(v.out.replace(/\s+/g, ' ')).toMatch(/EoM_1…EoM_K, which needs the counter terms f_1…f_\{K\+1\} \(1…6\) \(default: "3"\)/);
  });
});
