/** Exact rationals against a plain bigint reference implementation. */
import { InputError } from '../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import { Rational } from '../../src/symbolic/index.ts';
import { rng } from './support.ts';

/** Reference: normalised [p, q] with q > 0, gcd 1, all bigint. */
type Ref = [bigint, bigint];
const babs = (a: bigint) => (a < 0n ? -a : a);
function gcd(a: bigint, b: bigint): bigint {
  a = babs(a);
  b = babs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}
function norm(p: bigint, q: bigint): Ref {
  if (q < 0n) [p, q] = [-p, -q];
  const g = gcd(p, q) || 1n;
  return [p / g, q / g];
}
const R = {
  add: ([a, b]: Ref, [c, d]: Ref) => norm(a * d + c * b, b * d),
  sub: ([a, b]: Ref, [c, d]: Ref) => norm(a * d - c * b, b * d),
  mul: ([a, b]: Ref, [c, d]: Ref) => norm(a * c, b * d),
  div: ([a, b]: Ref, [c, d]: Ref) => norm(a * d, b * c),
};
function same(r: Rational, ref: Ref, what: string): void {
  expect(`${r.num}/${r.den}`, what).toBe(`${ref[0]}/${ref[1]}`);
}

/** a mix of small, boundary (around 2^53) and huge integers */
function randomBig(next: () => number): bigint {
  const kind = Math.floor(next() * 4);
  const sign = next() < 0.5 ? -1n : 1n;
  if (kind === 0) return sign * BigInt(Math.floor(next() * 100));
  if (kind === 1) return sign * BigInt(Math.floor(next() * 1e6));
  if (kind === 2) return sign * (2n ** 53n + BigInt(Math.floor(next() * 2000)) - 1000n);
  return sign * BigInt(Math.floor(next() * 1e15)) * BigInt(Math.floor(next() * 1e15) + 1);
}

describe('Rational arithmetic vs a bigint reference', () => {
  it('add, sub, mul, div, neg, inv, compare, equals on 3000 random pairs (small, near 2^53, huge)', () => {
    const next = rng(42);
    for (let i = 0; i < 3000; i++) {
      let a: Ref = [randomBig(next), randomBig(next)];
      let b: Ref = [randomBig(next), randomBig(next)];
      if (a[1] === 0n) a[1] = 7n;
      if (b[1] === 0n) b[1] = 3n;
      a = norm(...a);
      b = norm(...b);
      const A = Rational.of(a[0], a[1]);
      const B = Rational.of(b[0], b[1]);
      same(A, a, 'of');
      same(A.add(B), R.add(a, b), `${A} + ${B}`);
      same(A.sub(B), R.sub(a, b), `${A} - ${B}`);
      same(A.mul(B), R.mul(a, b), `${A} * ${B}`);
      if (b[0] !== 0n) same(A.div(B), R.div(a, b), `${A} / ${B}`);
      same(A.neg(), [-a[0], a[1]], `-${A}`);
      if (a[0] !== 0n) same(A.inv(), norm(a[1], a[0]), `1/${A}`);
      const diff = a[0] * b[1] - b[0] * a[1];
      expect(A.compare(B)).toBe(diff < 0n ? -1 : diff > 0n ? 1 : 0);
      expect(A.equals(B)).toBe(diff === 0n);
      expect(A.sign()).toBe(a[0] < 0n ? -1 : a[0] > 0n ? 1 : 0);
      expect(A.isZero()).toBe(a[0] === 0n);
      expect(A.isInteger()).toBe(a[1] === 1n);
    }
  });

  it('the same value has one representation whichever path made it (small vs bigint), so equals and hash agree', () => {
    const big = Rational.of(2n ** 60n, 3n);
    const back = big.mul(Rational.of(3n, 2n ** 60n));
    expect(back.isOne()).toBe(true);
    expect(back.small).toBe(true);
    expect(back.hash()).toBe(Rational.ONE.hash());
    const viaBig = Rational.of(2n ** 70n, 2n ** 69n);
    expect(viaBig.equals(Rational.TWO)).toBe(true);
    expect(viaBig.hash()).toBe(Rational.TWO.hash());
    expect(viaBig.toString()).toBe('2');
  });

  it('normalises: sign in the numerator, lowest terms, 0 = 0/1', () => {
    expect(Rational.of(6, -4).toString()).toBe('-3/2');
    expect(Rational.of(-6, -4).toString()).toBe('3/2');
    expect(Rational.of(0, -5).toString()).toBe('0');
    expect(Rational.of(0, -5).equals(Rational.ZERO)).toBe(true);
    expect(Object.is(Rational.of(0, -5).toNumber(), -0)).toBe(false);
    expect(Rational.of(10n, -4n).toString()).toBe('-5/2');
    expect(() => Rational.of(1, 0)).toThrow(/division by zero/);
    expect(() => Rational.ONE.div(Rational.ZERO)).toThrow(/division by zero/);
    expect(() => Rational.ZERO.inv()).toThrow(/division by zero/);
    expect(() => Rational.int(1.5)).toThrow(InputError);
  });

  it('products beyond 2^53 take the bigint path and stay exact', () => {
    const a = Rational.int(2 ** 40 + 1);
    const p = a.mul(a);
    expect(p.num).toBe((2n ** 40n + 1n) ** 2n);
    expect(p.small).toBe(false);
    const s = Rational.int(Number.MAX_SAFE_INTEGER).add(Rational.int(Number.MAX_SAFE_INTEGER));
    expect(s.num).toBe(2n * BigInt(Number.MAX_SAFE_INTEGER));
    const f = Rational.of(1, 2 ** 30 + 3).add(Rational.of(1, 2 ** 30 + 5));
    same(f, norm(2n * 2n ** 30n + 8n, (2n ** 30n + 3n) * (2n ** 30n + 5n)), 'sum of fractions with a huge common denominator');
    expect(Rational.of(3).powInt(40).num).toBe(3n ** 40n);
    expect(Rational.of(-2, 3).powInt(45).toString()).toBe(`${-(2n ** 45n)}/${3n ** 45n}`);
    expect(Rational.of(2, 3).powInt(-3).toString()).toBe('27/8');
    expect(Rational.of(7, 5).powInt(0).toString()).toBe('1');
  });

  it('toNumber is accurate even when numerator and denominator overflow float64', () => {
    const r = Rational.of(10n ** 400n + 1n, 3n * 10n ** 400n);
    expect(r.toNumber()).toBeCloseTo(1 / 3, 15);
    expect(Rational.of(1n, 10n ** 20n).toNumber()).toBe(1e-20);
  });
});

describe('parseDecimal is exact', () => {
  const cases: [string, string][] = [
    ['0.1', '1/10'],
    ['0.125', '1/8'],
    ['3', '3'],
    ['2.5e-3', '1/400'],
    ['2.5E+3', '2500'],
    ['.5', '1/2'],
    ['5.', '5'],
    ['1e-20', '1/100000000000000000000'],
    ['0.30000000000000004', '7500000000000001/25000000000000000'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['0', '0'],
    ['000.000', '0'],
  ];
  for (const [text, want] of cases) it(`${text} = ${want}`, () => expect(Rational.parseDecimal(text)!.toString()).toBe(want));

  it('rejects what is not a finite decimal', () => {
    for (const bad of ['', '.', 'e5', '1e', '1.2.3', '-1', '+1', '1/2', 'abc', 'Infinity', 'NaN', '0x10', '1e99999']) {
      expect(Rational.parseDecimal(bad), bad).toBeUndefined();
    }
  });

  it('0.1 + 0.2 = 0.3 exactly (unlike float64)', () => {
    const s = Rational.parseDecimal('0.1')!.add(Rational.parseDecimal('0.2')!);
    expect(s.equals(Rational.parseDecimal('0.3')!)).toBe(true);
  });
});

describe('fromFloat', () => {
  it('reads a float as the shortest decimal that round-trips (what the user typed)', () => {
    expect(Rational.fromFloat(0.1).toString()).toBe('1/10');
    expect(Rational.fromFloat(-2.5).toString()).toBe('-5/2');
    expect(Rational.fromFloat(1e-7).toString()).toBe('1/10000000');
    expect(Rational.fromFloat(3).toString()).toBe('3');
    expect(Rational.fromFloat(-0).toString()).toBe('0');
    expect(Rational.fromFloat(1e21).num).toBe(10n ** 21n);
  });

  it('round-trips short decimals exactly and every random float to within one ulp through toNumber', () => {
    const next = rng(7);
    for (let i = 0; i < 2000; i++) {
      const short = Math.round((next() - 0.5) * 1e6) / 1e3;
      expect(Rational.fromFloat(short).toNumber()).toBe(short);
      const v = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      const back = Rational.fromFloat(v).toNumber();
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * Number.EPSILON);
      // exact round trip of arbitrary floats: see known-bugs.test.ts (toNumber double-rounds on the bigint path)
    }
    for (const v of [Number.MAX_VALUE, 2 ** 53 + 2, -(2 ** 60)]) {
      expect(Rational.fromFloat(v).toNumber()).toBe(v);
    }
  });

  it('refuses non-finite values', () => {
    for (const v of [NaN, Infinity, -Infinity]) expect(() => Rational.fromFloat(v)).toThrow(InputError);
  });
});

describe('root', () => {
  it('finds exact roots and only those', () => {
    expect(Rational.of(4).root(2)!.toString()).toBe('2');
    expect(Rational.of(9, 4).root(2)!.toString()).toBe('3/2');
    expect(Rational.of(-27, 8).root(3)!.toString()).toBe('-3/2');
    expect(Rational.of(-4).root(2)).toBeUndefined();
    expect(Rational.of(2).root(2)).toBeUndefined();
    expect(Rational.of(8, 3).root(3)).toBeUndefined();
    expect(Rational.ZERO.root(5)!.toString()).toBe('0');
    expect(Rational.ONE.root(7)!.toString()).toBe('1');
  });

  it('is exact for large perfect powers (bigint Newton path) and for near misses', () => {
    const big = 123456789012345678901n;
    expect(Rational.of(big ** 2n).root(2)!.num).toBe(big);
    expect(Rational.of(big ** 3n, 7n ** 3n).root(3)!.toString()).toBe(`${big}/7`);
    expect(Rational.of(big ** 2n + 1n).root(2)).toBeUndefined();
    expect(Rational.of(big ** 2n - 1n).root(2)).toBeUndefined();
    expect(Rational.of((2n ** 53n + 1n) ** 2n).root(2)!.num).toBe(2n ** 53n + 1n);
  });

  it('random perfect powers are recognised', () => {
    const next = rng(99);
    for (let i = 0; i < 300; i++) {
      const q = 2 + Math.floor(next() * 4);
      const a = BigInt(Math.floor(next() * 1e9) + 1);
      const b = BigInt(Math.floor(next() * 1e6) + 1);
      const r = Rational.of(a ** BigInt(q), b ** BigInt(q)).root(q);
      expect(r?.toString()).toBe(Rational.of(a, b).toString());
    }
  });
});
