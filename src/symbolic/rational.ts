/**
 * Exact rational numbers p/q (q > 0, gcd(p, q) = 1).
 *
 * Every coefficient in a symbolic result is one of these. Small values stay in
 * float64 integers (exact up to 2^53) and move to bigint only when an operation
 * would overflow: coefficients in derivative and counter-term series are mostly
 * small, and bigint arithmetic is ~10x slower than number arithmetic in V8.
 */
import { InputError } from '../errors.ts';
export class Rational {
  /** numerator and denominator; `small` marks that both are safe JS integers in `sn`/`sd`. */
  private constructor(
    readonly small: boolean,
    readonly sn: number,
    readonly sd: number,
    readonly bn: bigint,
    readonly bd: bigint,
  ) {}

  static readonly ZERO = Rational.ofSmall(0, 1);
  static readonly ONE = Rational.ofSmall(1, 1);
  static readonly MINUS_ONE = Rational.ofSmall(-1, 1);
  static readonly HALF = Rational.ofSmall(1, 2);
  static readonly TWO = Rational.ofSmall(2, 1);

  /** Trusted constructor: caller guarantees normalisation. */
  private static ofSmall(n: number, d: number): Rational {
    return new Rational(true, n, d, 0n, 0n);
  }

  private static ofBig(n: bigint, d: bigint): Rational {
    if (n <= MAX_SAFE_BIG && n >= -MAX_SAFE_BIG && d <= MAX_SAFE_BIG) {
      return new Rational(true, Number(n), Number(d), 0n, 0n);
    }
    return new Rational(false, 0, 0, n, d);
  }

  static int(n: number | bigint): Rational {
    if (typeof n === 'number') {
      if (!Number.isInteger(n)) throw new InputError(`Rational.int: ${n} is not an integer`);
      if (Number.isSafeInteger(n)) return n === 0 ? Rational.ZERO : n === 1 ? Rational.ONE : Rational.ofSmall(n, 1);
      return Rational.ofBig(BigInt(n), 1n);
    }
    return Rational.ofBig(n, 1n);
  }

  /** p/q normalised; throws on q = 0. */
  static of(p: number | bigint, q: number | bigint = 1): Rational {
    if (typeof p === 'number' && typeof q === 'number' && Number.isSafeInteger(p) && Number.isSafeInteger(q)) {
      if (q === 0) throw new InputError('Rational: division by zero');
      if (q < 0) {
        p = -p;
        q = -q;
      }
      const g = gcdNum(Math.abs(p), q);
      return Rational.ofSmall(p / g + 0, q / g);
    }
    let bp = BigInt(p);
    let bq = BigInt(q);
    if (bq === 0n) throw new InputError('Rational: division by zero');
    if (bq < 0n) {
      bp = -bp;
      bq = -bq;
    }
    const g = gcdBig(bp < 0n ? -bp : bp, bq);
    return Rational.ofBig(bp / g, bq / g);
  }

  /**
   * Exact value of a decimal literal such as "0.125", "3", "2.5e-3".
   * Returns undefined when the text is not a finite decimal.
   */
  static parseDecimal(text: string): Rational | undefined {
    const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const intPart = m[1] ?? '';
    const frac = m[2] ?? '';
    const exp = m[3] ? parseInt(m[3], 10) : 0;
    if (Math.abs(exp) > 10000) return undefined;
    let num = BigInt((intPart + frac) || '0');
    let den = 10n ** BigInt(frac.length);
    if (exp > 0) num *= 10n ** BigInt(exp);
    else if (exp < 0) den *= 10n ** BigInt(-exp);
    return Rational.of(num, den);
  }

  /** Closest exact value of a finite float64 (its binary expansion, not a decimal guess). */
  static fromFloat(x: number): Rational {
    if (!Number.isFinite(x)) throw new InputError(`Rational.fromFloat: ${x} is not finite`);
    if (Number.isSafeInteger(x)) return Rational.int(x);
    // the shortest decimal that round-trips is what users typed: prefer it
    const r = Rational.parseDecimal(Math.abs(x).toString());
    if (r) return x < 0 ? r.neg() : r;
    throw new InputError(`Rational.fromFloat: cannot convert ${x}`);
  }

  get num(): bigint {
    return this.small ? BigInt(this.sn) : this.bn;
  }
  get den(): bigint {
    return this.small ? BigInt(this.sd) : this.bd;
  }

  isZero(): boolean {
    return this.small ? this.sn === 0 : false;
  }
  isOne(): boolean {
    return this.small && this.sn === 1 && this.sd === 1;
  }
  isMinusOne(): boolean {
    return this.small && this.sn === -1 && this.sd === 1;
  }
  isInteger(): boolean {
    return this.small ? this.sd === 1 : this.bd === 1n;
  }
  isNegative(): boolean {
    return this.small ? this.sn < 0 : this.bn < 0n;
  }
  sign(): -1 | 0 | 1 {
    if (this.small) return this.sn < 0 ? -1 : this.sn > 0 ? 1 : 0;
    return this.bn < 0n ? -1 : 1;
  }

  add(o: Rational): Rational {
    if (this.small && o.small) {
      if (this.sd === 1 && o.sd === 1) {
        const s = this.sn + o.sn;
        if (Number.isSafeInteger(s)) return Rational.ofSmall(s, 1);
      } else {
        const a = this.sn * o.sd;
        const b = o.sn * this.sd;
        const d = this.sd * o.sd;
        const s = a + b;
        if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(s) && Number.isSafeInteger(d)) {
          return Rational.of(s, d);
        }
      }
    }
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return this.add(o.neg());
  }

  mul(o: Rational): Rational {
    if (this.small && o.small) {
      if (this.sd === 1 && o.sd === 1) {
        const p = this.sn * o.sn;
        if (Number.isSafeInteger(p)) return Rational.ofSmall(p + 0, 1);
      } else {
        const n = this.sn * o.sn;
        const d = this.sd * o.sd;
        if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return Rational.of(n, d);
      }
    }
    return Rational.of(this.num * o.num, this.den * o.den);
  }

  div(o: Rational): Rational {
    if (o.isZero()) throw new InputError('Rational: division by zero');
    return this.mul(o.inv());
  }

  neg(): Rational {
    return this.small ? Rational.ofSmall(-this.sn + 0, this.sd) : Rational.ofBig(-this.bn, this.bd);
  }

  inv(): Rational {
    if (this.isZero()) throw new InputError('Rational: division by zero');
    return this.small ? Rational.of(this.sd, this.sn) : Rational.of(this.bd, this.bn);
  }

  /** this^k for an integer k. */
  powInt(k: number): Rational {
    if (!Number.isInteger(k)) throw new InputError('Rational.powInt: non-integer exponent');
    if (k === 1) return this;
    if (k === 0) return Rational.ONE;
    if (k < 0) return this.inv().powInt(-k);
    if (this.isZero() || this.isOne()) return this;
    if (this.isMinusOne()) return k % 2 === 0 ? Rational.ONE : this;
    // the size of the exact result: refuse numbers of more than ~1,000,000 bits
    const bits = (Math.max(bitLength(this.num), bitLength(this.den)) - 1) * k;
    if (bits > MAX_POWER_BITS) {
      throw new InputError(`the exact value of ${this}^${k} would have about ${Math.round(bits * 0.30103).toLocaleString('en-US')} digits`);
    }
    if (this.small && k < 64) {
      let n = 1;
      let d = 1;
      for (let i = 0; i < k; i++) {
        n *= this.sn;
        d *= this.sd;
        if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d)) break;
      }
      if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return Rational.ofSmall(n + 0, d);
    }
    let n = this.num;
    let d = this.den;
    const bk = BigInt(k);
    return Rational.ofBig(n ** bk, d ** bk);
  }

  /**
   * Exact q-th root when it exists (this^(1/q) rational), else undefined.
   * Used to fold e.g. 4^(1/2) = 2 and (9/4)^(1/2) = 3/2.
   */
  root(q: number): Rational | undefined {
    if (this.isNegative()) return q % 2 === 1 ? this.neg().root(q)?.neg() : undefined;
    const rn = intRoot(this.num, q);
    const rd = intRoot(this.den, q);
    return rn !== undefined && rd !== undefined ? Rational.of(rn, rd) : undefined;
  }

  equals(o: Rational): boolean {
    if (this.small && o.small) return this.sn === o.sn && this.sd === o.sd;
    return this.num === o.num && this.den === o.den;
  }

  compare(o: Rational): number {
    if (this.small && o.small) {
      const a = this.sn * o.sd;
      const b = o.sn * this.sd;
      if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a < b ? -1 : a > b ? 1 : 0;
    }
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }

  toNumber(): number {
    if (this.small) return this.sn / this.sd;
    // correctly rounded: a quotient with ≥ 66 significant bits plus a sticky bit, then one rounding
    const neg = this.bn < 0n;
    const n = neg ? -this.bn : this.bn;
    const d = this.bd;
    const e = bitLength(n) - bitLength(d);
    if (e < -1020) {
      // subnormal or tiny: count in units of 2^-1074 and round half to even by hand
      const scaled = n << 1074n;
      let q = scaled / d;
      const rem2 = (scaled - q * d) * 2n;
      if (rem2 > d || (rem2 === d && (q & 1n) === 1n)) q += 1n;
      const r = Number(q) * 2 ** -1074;
      return neg ? -r : r;
    }
    const shift = Math.max(0, 66 - e);
    const scaled = n << BigInt(shift);
    let q = scaled / d;
    if (q * d !== scaled) q |= 1n; // sticky bit: Number(q) then rounds once, correctly
    const half = Math.floor(shift / 2);
    const r = Number(q) / 2 ** half / 2 ** (shift - half);
    return neg ? -r : r;
  }

  /** 32-bit structural hash. */
  hash(): number {
    if (this.small) return mix(mix(0x9e3779b9, this.sn | 0), Math.floor(this.sn / 4294967296) ^ (this.sd * 0x85ebca6b)) >>> 0;
    return stringHash(this.bn.toString() + '/' + this.bd.toString());
  }

  toString(): string {
    if (this.small) return this.sd === 1 ? String(this.sn) : `${this.sn}/${this.sd}`;
    return this.bd === 1n ? this.bn.toString() : `${this.bn}/${this.bd}`;
  }
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_POWER_BITS = 1_000_000;

function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  return n === 0n ? 0 : n.toString(2).length;
}

function gcdNum(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a === 0 ? 1 : a;
}

function gcdBig(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a === 0n ? 1n : a;
}

function intRoot(n: bigint, q: number): bigint | undefined {
  if (n < 0n) return undefined;
  if (n < 2n) return n;
  const bq = BigInt(q);
  const guess = Number(n) ** (1 / q);
  let x: bigint;
  if (Number.isFinite(guess) && guess < 2 ** 50) {
    x = BigInt(Math.round(guess));
    for (const c of [x - 1n, x, x + 1n]) if (c >= 0n && c ** bq === n) return c;
  }
  // Newton for very large values
  x = 1n << BigInt(Math.ceil(n.toString(2).length / q));
  for (let i = 0; i < 200; i++) {
    const y = ((bq - 1n) * x + n / x ** (bq - 1n)) / bq;
    if (y >= x) break;
    x = y;
  }
  return x ** bq === n ? x : undefined;
}

/** 32-bit mixing step (murmur3 style). */
export function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
