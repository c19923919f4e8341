/**
 * Float64 implementations of the error function family, as TypeScript source: the same text is the
 * helper emitted into generated code and, with its annotations removed, the function `evaluate` calls,
 * so compiled code and evaluation agree to the bit.
 *
 * erf and erfc are a port of fdlibm's s_erf.c (Sun Microsystems, 1993: "Developed at SunPro, a Sun
 * Microsystems, Inc. business. Permission to use, copy, modify, and distribute this software is freely
 * granted, provided that this notice is preserved."): rational approximations on [0, 0.84375),
 * [0.84375, 1.25), [1.25, 1/0.35) and [1/0.35, 28) with stated errors below 2^−57; fdlibm's
 * "clear the low word of x" (so that −x² is computed exactly as −z² + (z − x)(z + x)) is done with
 * Math.fround, whose 24-bit result squares exactly as well. Measured against a 700-digit series in
 * test/symbolic/functions.test.ts: relative error ≤ 1 ulp for erf everywhere and for erfc where it is
 * normal (x < 26.5).
 */

/** fdlibm's c = erf(1) rounded to float32 (0x3FEB0AC1 60000000), and 1 − c (exact). */
const ERX = '0.845062911510467529297';
const ONE_MINUS_ERX = '0.15493708848953247';

/** erfc, with the kernels erf uses too (erf_small, erf_near1, erf_tail). */
export const ERFC_TS = `/** (erf(x) − x)/x on |x| < 0.84375 (fdlibm s_erf.c, Sun Microsystems 1993; error < 2^−57.9). */
function erf_small(x: number): number {
  const z = x * x;
  const r = 1.28379167095512558561e-1 + z * (-3.25042107247001499370e-1 + z * (-2.84817495755985104766e-2 + z * (-5.77027029648944159157e-3 + z * -2.37630166566501626084e-5)));
  const s = 1 + z * (3.97917223959155352819e-1 + z * (6.50222499887672944485e-2 + z * (5.08130628187576562776e-3 + z * (1.32494738004321644526e-4 + z * -3.96022827877536812320e-6))));
  return r / s;
}

/** erf(1 + s) − ${ERX} on |x| = 1 + s in [0.84375, 1.25) (fdlibm; error < 2^−59.06). */
function erf_near1(s: number): number {
  const p = -2.36211856075265944077e-3 + s * (4.14856118683748331666e-1 + s * (-3.72207876035701323847e-1 + s * (3.18346619901161753674e-1 + s * (-1.10894694282396677476e-1 + s * (3.54783043256182359371e-2 + s * -2.16637559486879084300e-3)))));
  const q = 1 + s * (1.06420880400844228286e-1 + s * (5.40397917702171048937e-1 + s * (7.18286544141962662868e-2 + s * (1.26171219808761642112e-1 + s * (1.36370839120290507362e-2 + s * 1.19844998467991074170e-2)))));
  return p / q;
}

/** R(s)/S(s), s = 1/x², in erfc(x) = exp(−x² − 0.5625 + R/S)/x for x in [1.25, 28) (fdlibm; error < 2^−61.5). */
function erf_tail_rs(x: number, s: number): number {
  let r: number;
  let q: number;
  if (x < 1 / 0.35) {
    r = -9.86494403484714822705e-3 + s * (-6.93858572707181764372e-1 + s * (-1.05586262253232909814e1 + s * (-6.23753324503260060396e1 + s * (-1.62396669462573470355e2 + s * (-1.84605092906711035994e2 + s * (-8.12874355063065934246e1 + s * -9.81432934416914548592))))));
    q = 1 + s * (1.96512716674392571292e1 + s * (1.37657754143519042600e2 + s * (4.34565877475229228821e2 + s * (6.45387271733267880336e2 + s * (4.29008140027567833386e2 + s * (1.08635005541779435134e2 + s * (6.57024977031928170135 + s * -6.04244152148580987438e-2)))))));
  } else {
    r = -9.86494292470009928597e-3 + s * (-7.99283237680523006574e-1 + s * (-1.77579549177547519889e1 + s * (-1.60636384855821916062e2 + s * (-6.37566443368389627722e2 + s * (-1.02509513161107724954e3 + s * -4.83519191608651397019e2)))));
    q = 1 + s * (3.03380607434824582924e1 + s * (3.25792512996573918826e2 + s * (1.53672958608443695994e3 + s * (3.19985821950859553908e3 + s * (2.55305040643316442583e3 + s * (4.74528541206955367215e2 + s * -2.24409524465858183362e1))))));
  }
  return r / q;
}

/** erfc(x) for x in [1.25, 28); −x² is −z² + (z − x)(z + x) with z = fround(x), so that z² is exact. */
function erf_tail(x: number): number {
  const z = Math.fround(x);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + erf_tail_rs(x, 1 / (x * x)))) / x;
}

/** erfc(x) = 1 − erf(x), without cancellation for large x (fdlibm s_erf.c). */
function erfc(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 1.3877787807814457e-17) return 1 - x;
    const y = erf_small(x);
    return x < 0.25 ? 1 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  }
  if (a < 1.25) {
    const pq = erf_near1(a - 1);
    return x >= 0 ? ${ONE_MINUS_ERX} - pq : 1 + (${ERX} + pq);
  }
  if (a < 28) {
    if (x < -6) return 2;
    const t = erf_tail(a);
    return x > 0 ? t : 2 - t;
  }
  return x > 0 ? 0 : 2;
}`;

/** erf (uses the kernels of ERFC_TS). */
export const ERF_TS = `/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (fdlibm s_erf.c). */
function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 3.725290298461914e-9) return a < 2.2250738585072014e-308 ? 0.125 * (8 * x + 1.02703333676410069053 * x) : x + 1.28379167095512586316e-1 * x;
    return x + x * erf_small(x);
  }
  if (a < 1.25) {
    const pq = erf_near1(a - 1);
    return x >= 0 ? ${ERX} + pq : -${ERX} - pq;
  }
  if (a >= 6) return x > 0 ? 1 : -1;
  const t = erf_tail(a);
  return x >= 0 ? 1 - t : t - 1;
}`;

/** GELU (uses erfc). */
export const GELU_TS = `/**
 * GELU(x) = x·Φ(x) = (x/2)·erfc(−x/√2). For x ≤ −1.25·√2 the tail is computed from x itself,
 * GELU(x) = −exp(−x²/2 − 0.5625 + R/S)/√2 with −x²/2 split exactly (z = fround(x)): rounding x/√2 first
 * would cost a relative error of about x²·2^−53.
 */
function gelu(x: number): number {
  if (x > -1.7677669529663689) return 0.5 * x * erfc(-x * Math.SQRT1_2);
  if (x < -39.59797974644666) return -0;
  const z = Math.fround(x);
  const rs = erf_tail_rs(-x * Math.SQRT1_2, 2 / (x * x));
  return -Math.SQRT1_2 * (Math.exp(-0.5 * z * z - 0.5625) * Math.exp(-0.5 * (x - z) * (x + z) + rs));
}`;
