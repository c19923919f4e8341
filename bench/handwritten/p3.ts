/**
 * Hand-written reference functions for bench task P3: the same outputs as the generated code, derived by
 * hand (backprop plus Taylor-mode directional derivatives), the speed limit for generated code.
 *
 * Network (tasks.md P3): z_k = a_k1 x1 + a_k2 x2 + b_k, h_k = tanh z_k, y = Σ_k v_k h_k + c, r = y − t,
 * L = (1/N) Σ_n r_n², θ = (a11, a12, a21, a22, a31, a32, b1, b2, b3, v1, v2, v3, c).
 * g = (2/N) Σ r ∇y. Along a fixed direction u, θ(ε) = θ + εu, every quantity q has Taylor coefficients
 * q, q′, q″ (d/dε, d²/dε²), and g′ = H u, g″ = ∇³L[u, u] (z is linear in θ: z″ = 0):
 *   h′ = s z′, h″ = s′ z′ with s = 1 − h², s′ = −2 h h′, s″ = −2 (h′² + h h″)
 *   y′ = Σ (u_vk h_k + v_k h′_k) + u_c, y″ = Σ (2 u_vk h′_k + v_k h″_k)
 *   ∇y: ∂y/∂a_kj = q_k x_j, ∂y/∂b_k = q_k (q_k = v_k s_k), ∂y/∂v_k = h_k, ∂y/∂c = 1
 *   q′ = u_vk s + v_k s′, q″ = 2 u_vk s′ + v_k s″
 *   g′ = (2/N) Σ (r′ ∇y + r ∇y′), g″ = (2/N) Σ (r″ ∇y + 2 r′ ∇y′ + r ∇y″)
 * Outputs (39): f1 = −g, f2 = −½ Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg).
 */

const X1 = [1, 0, 1, -1];
const X2 = [0, 1, 1, 0.5];
const T = [1, -1, 0, 0.5];

/** g (order 0), g′ = Hu (order 1) and g″ = ∇³L[u,u] (order 2) along u; writes into g0, g1, g2 (length 13). */
function taylorGradient(th: Float64Array, u: Float64Array | null, order: 0 | 1 | 2, g0: Float64Array, g1: Float64Array, g2: Float64Array): void {
  g0.fill(0);
  if (order >= 1) g1.fill(0);
  if (order >= 2) g2.fill(0);
  const k2 = 2 / 4;
  for (let n = 0; n < 4; n++) {
    const x1 = X1[n]!;
    const x2 = X2[n]!;
    // hidden units
    let y = th[12]!;
    let y1 = order ? u![12]! : 0;
    let y2 = 0;
    const h = [0, 0, 0];
    const hp = [0, 0, 0];
    const hpp = [0, 0, 0];
    const s = [0, 0, 0];
    const sp = [0, 0, 0];
    const spp = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const z = th[2 * k]! * x1 + th[2 * k + 1]! * x2 + th[6 + k]!;
      const hk = Math.tanh(z);
      const sk = 1 - hk * hk;
      h[k] = hk;
      s[k] = sk;
      const vk = th[9 + k]!;
      y += vk * hk;
      if (order) {
        const z1 = u![2 * k]! * x1 + u![2 * k + 1]! * x2 + u![6 + k]!;
        const h1 = sk * z1;
        const s1 = -2 * hk * h1;
        hp[k] = h1;
        sp[k] = s1;
        const uv = u![9 + k]!;
        y1 += uv * hk + vk * h1;
        if (order === 2) {
          const h2 = s1 * z1;
          hpp[k] = h2;
          spp[k] = -2 * (h1 * h1 + hk * h2);
          y2 += 2 * uv * h1 + vk * h2;
        }
      }
    }
    const r = y - T[n]!;
    for (let k = 0; k < 3; k++) {
      const vk = th[9 + k]!;
      const q = vk * s[k]!;
      g0[2 * k] += k2 * r * q * x1;
      g0[2 * k + 1] += k2 * r * q * x2;
      g0[6 + k] += k2 * r * q;
      g0[9 + k] += k2 * r * h[k]!;
      if (order) {
        const uv = u![9 + k]!;
        const q1 = uv * s[k]! + vk * sp[k]!;
        const a = k2 * (y1 * q + r * q1);
        g1[2 * k] += a * x1;
        g1[2 * k + 1] += a * x2;
        g1[6 + k] += a;
        g1[9 + k] += k2 * (y1 * h[k]! + r * hp[k]!);
        if (order === 2) {
          const q2 = 2 * uv * sp[k]! + vk * spp[k]!;
          const b = k2 * (y2 * q + 2 * y1 * q1 + r * q2);
          g2[2 * k] += b * x1;
          g2[2 * k + 1] += b * x2;
          g2[6 + k] += b;
          g2[9 + k] += k2 * (y2 * h[k]! + 2 * y1 * hp[k]! + r * hpp[k]!);
        }
      }
    }
    g0[12] += k2 * r;
    if (order) g1[12] += k2 * y1;
    if (order === 2) g2[12] += k2 * y2;
  }
}

const G = new Float64Array(13);
const HG = new Float64Array(13);
const TGG = new Float64Array(13);
const HHG = new Float64Array(13);
const SCR = new Float64Array(13);
const SCR2 = new Float64Array(13);

/** out[0..12] = f1, out[13..25] = f2, out[26..38] = f3 of the P3 network (general, readable version). */
export function p3HandwrittenReadable(theta: Float64Array, out: Float64Array): void {
  taylorGradient(theta, null, 0, G, SCR, SCR2);
  taylorGradient(theta, G, 2, SCR, HG, TGG);
  taylorGradient(theta, HG, 1, SCR, HHG, SCR2);
  for (let i = 0; i < 13; i++) {
    out[i] = -G[i]!;
    out[13 + i] = -0.5 * HG[i]!;
    out[26 + i] = -TGG[i]! / 12 - HHG[i]! / 3;
  }
}

/**
 * The same, tuned: the passes fused per data point where possible, no inner arrays, tanh computed once.
 * (Three passes are needed: Hg needs all of g, H(Hg) needs all of Hg.)
 */
const HK = new Float64Array(12); // tanh per point and unit
const RK = new Float64Array(4); // residual per point
export function p3Handwritten(th: Float64Array, out: Float64Array): void {
  const a11 = th[0]!, a12 = th[1]!, a21 = th[2]!, a22 = th[3]!, a31 = th[4]!, a32 = th[5]!;
  const b1 = th[6]!, b2 = th[7]!, b3 = th[8]!, v1 = th[9]!, v2 = th[10]!, v3 = th[11]!, c = th[12]!;
  // pass 0: forward and g
  let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0, g8 = 0, g9 = 0, g10 = 0, g11 = 0, g12 = 0;
  for (let n = 0; n < 4; n++) {
    const x1 = X1[n]!, x2 = X2[n]!;
    const h1 = Math.tanh(a11 * x1 + a12 * x2 + b1);
    const h2 = Math.tanh(a21 * x1 + a22 * x2 + b2);
    const h3 = Math.tanh(a31 * x1 + a32 * x2 + b3);
    HK[3 * n] = h1;
    HK[3 * n + 1] = h2;
    HK[3 * n + 2] = h3;
    const r = 0.5 * (v1 * h1 + v2 * h2 + v3 * h3 + c - T[n]!);
    RK[n] = r;
    const q1 = r * v1 * (1 - h1 * h1), q2 = r * v2 * (1 - h2 * h2), q3 = r * v3 * (1 - h3 * h3);
    g0 += q1 * x1; g1 += q1 * x2; g2 += q2 * x1; g3 += q2 * x2; g4 += q3 * x1; g5 += q3 * x2;
    g6 += q1; g7 += q2; g8 += q3; g9 += r * h1; g10 += r * h2; g11 += r * h3; g12 += r;
  }
  // pass 1: along u = g, first and second order → Hg, T(g,g)
  let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, p8 = 0, p9 = 0, p10 = 0, p11 = 0, p12 = 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, s9 = 0, s10 = 0, s11 = 0, s12 = 0;
  for (let n = 0; n < 4; n++) {
    const x1 = X1[n]!, x2 = X2[n]!;
    const r = RK[n]!;
    const h1 = HK[3 * n]!, h2 = HK[3 * n + 1]!, h3 = HK[3 * n + 2]!;
    const S1 = 1 - h1 * h1, S2 = 1 - h2 * h2, S3 = 1 - h3 * h3;
    const z1 = g0 * x1 + g1 * x2 + g6, z2 = g2 * x1 + g3 * x2 + g7, z3 = g4 * x1 + g5 * x2 + g8;
    const d1 = S1 * z1, d2 = S2 * z2, d3 = S3 * z3; // h′
    const e1 = -2 * h1 * d1, e2 = -2 * h2 * d2, e3 = -2 * h3 * d3; // s′
    const dd1 = e1 * z1, dd2 = e2 * z2, dd3 = e3 * z3; // h″
    const f1 = -2 * (d1 * d1 + h1 * dd1), f2 = -2 * (d2 * d2 + h2 * dd2), f3 = -2 * (d3 * d3 + h3 * dd3); // s″
    const y1 = 0.5 * (g9 * h1 + v1 * d1 + g10 * h2 + v2 * d2 + g11 * h3 + v3 * d3 + g12);
    const y2 = 0.5 * (2 * (g9 * d1 + g10 * d2 + g11 * d3) + v1 * dd1 + v2 * dd2 + v3 * dd3);
    const q1 = v1 * S1, q2 = v2 * S2, q3 = v3 * S3;
    const q1p = g9 * S1 + v1 * e1, q2p = g10 * S2 + v2 * e2, q3p = g11 * S3 + v3 * e3;
    const q1pp = 2 * g9 * e1 + v1 * f1, q2pp = 2 * g10 * e2 + v2 * f2, q3pp = 2 * g11 * e3 + v3 * f3;
    const A1 = y1 * q1 + r * q1p, A2 = y1 * q2 + r * q2p, A3 = y1 * q3 + r * q3p;
    const B1 = y2 * q1 + 2 * y1 * q1p + r * q1pp, B2 = y2 * q2 + 2 * y1 * q2p + r * q2pp, B3 = y2 * q3 + 2 * y1 * q3p + r * q3pp;
    p0 += A1 * x1; p1 += A1 * x2; p2 += A2 * x1; p3 += A2 * x2; p4 += A3 * x1; p5 += A3 * x2; p6 += A1; p7 += A2; p8 += A3;
    p9 += y1 * h1 + r * d1; p10 += y1 * h2 + r * d2; p11 += y1 * h3 + r * d3; p12 += y1;
    s0 += B1 * x1; s1 += B1 * x2; s2 += B2 * x1; s3 += B2 * x2; s4 += B3 * x1; s5 += B3 * x2; s6 += B1; s7 += B2; s8 += B3;
    s9 += y2 * h1 + 2 * y1 * d1 + r * dd1; s10 += y2 * h2 + 2 * y1 * d2 + r * dd2; s11 += y2 * h3 + 2 * y1 * d3 + r * dd3; s12 += y2;
  }
  // pass 2: along w = Hg, first order → H(Hg)
  let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0, m10 = 0, m11 = 0, m12 = 0;
  for (let n = 0; n < 4; n++) {
    const x1 = X1[n]!, x2 = X2[n]!;
    const r = RK[n]!;
    const h1 = HK[3 * n]!, h2 = HK[3 * n + 1]!, h3 = HK[3 * n + 2]!;
    const S1 = 1 - h1 * h1, S2 = 1 - h2 * h2, S3 = 1 - h3 * h3;
    const z1 = p0 * x1 + p1 * x2 + p6, z2 = p2 * x1 + p3 * x2 + p7, z3 = p4 * x1 + p5 * x2 + p8;
    const d1 = S1 * z1, d2 = S2 * z2, d3 = S3 * z3;
    const y1 = 0.5 * (p9 * h1 + v1 * d1 + p10 * h2 + v2 * d2 + p11 * h3 + v3 * d3 + p12);
    const A1 = y1 * v1 * S1 + r * (p9 * S1 - 2 * v1 * h1 * d1);
    const A2 = y1 * v2 * S2 + r * (p10 * S2 - 2 * v2 * h2 * d2);
    const A3 = y1 * v3 * S3 + r * (p11 * S3 - 2 * v3 * h3 * d3);
    m0 += A1 * x1; m1 += A1 * x2; m2 += A2 * x1; m3 += A2 * x2; m4 += A3 * x1; m5 += A3 * x2; m6 += A1; m7 += A2; m8 += A3;
    m9 += y1 * h1 + r * d1; m10 += y1 * h2 + r * d2; m11 += y1 * h3 + r * d3; m12 += y1;
  }
  // the factor 2/N = 1/2 of g is carried in r (and y′, y″ of each pass): g = Σ r ∇y
  out[0] = -g0; out[1] = -g1; out[2] = -g2; out[3] = -g3; out[4] = -g4; out[5] = -g5; out[6] = -g6;
  out[7] = -g7; out[8] = -g8; out[9] = -g9; out[10] = -g10; out[11] = -g11; out[12] = -g12;
  out[13] = -0.5 * p0; out[14] = -0.5 * p1; out[15] = -0.5 * p2; out[16] = -0.5 * p3; out[17] = -0.5 * p4; out[18] = -0.5 * p5;
  out[19] = -0.5 * p6; out[20] = -0.5 * p7; out[21] = -0.5 * p8; out[22] = -0.5 * p9; out[23] = -0.5 * p10; out[24] = -0.5 * p11; out[25] = -0.5 * p12;
  const k = 1 / 12, l = 1 / 3;
  out[26] = -k * s0 - l * m0; out[27] = -k * s1 - l * m1; out[28] = -k * s2 - l * m2; out[29] = -k * s3 - l * m3;
  out[30] = -k * s4 - l * m4; out[31] = -k * s5 - l * m5; out[32] = -k * s6 - l * m6; out[33] = -k * s7 - l * m7;
  out[34] = -k * s8 - l * m8; out[35] = -k * s9 - l * m9; out[36] = -k * s10 - l * m10; out[37] = -k * s11 - l * m11; out[38] = -k * s12 - l * m12;
}

/**
 * The tuned passes above written out as straight-line code (the 4 data points unrolled, their inputs and
 * targets as literals, every quantity a local constant, no arrays, no loops): in V8 a loop costs per
 * iteration what straight-line code does not, so this form is the true limit for generated code (itself
 * straight-line). The text comes from this hand-written template (string concatenation of the formulas of
 * `p3Handwritten`), not from eomkit.
 */
export function p3HandwrittenUnrolledSource(): string {
  const L: string[] = [];
  const def = (name: string, text: string) => L.push(`  const ${name} = ${text};`);
  /** x·e with the literal x folded (0 → no term, ±1 → ±e) */
  const times = (x: number, e: string): string | null => (x === 0 ? null : x === 1 ? e : x === -1 ? `-${e}` : `${x} * ${e}`);
  const sum = (terms: Array<string | null>): string => terms.filter((t): t is string => t !== null).join(' + ').replace(/\+ -/g, '- ') || '0';
  const P = [0, 1, 2, 3];
  const K = [1, 2, 3];
  ['a11', 'a12', 'a21', 'a22', 'a31', 'a32', 'b1', 'b2', 'b3', 'v1', 'v2', 'v3', 'c'].forEach((s, i) => def(s, `th[${i}]`));
  // pass 0: forward and g
  for (const n of P) {
    const x1 = X1[n]!, x2 = X2[n]!;
    for (const k of K) {
      def(`h${k}_${n}`, `Math.tanh(${sum([times(x1, `a${k}1`), times(x2, `a${k}2`), `b${k}`])})`);
      def(`S${k}_${n}`, `1 - h${k}_${n} * h${k}_${n}`);
      def(`vS${k}_${n}`, `v${k} * S${k}_${n}`); // shared by the three passes
    }
    def(`r_${n}`, `0.5 * (v1 * h1_${n} + v2 * h2_${n} + v3 * h3_${n} + c - ${T[n]})`);
    for (const k of K) def(`q${k}_${n}`, `r_${n} * vS${k}_${n}`);
  }
  /** the 13 gradient-shaped sums over the points: Σ A_k x1, Σ A_k x2 (k = 1..3), Σ A_k, Σ Bh_k, Σ C */
  const gradSums = (prefix: string, A: (k: number, n: number) => string, Bh: (k: number, n: number) => string, C: (n: number) => string): void => {
    for (const k of K) {
      def(`${prefix}${2 * k - 2}`, sum(P.map((n) => times(X1[n]!, A(k, n)))));
      def(`${prefix}${2 * k - 1}`, sum(P.map((n) => times(X2[n]!, A(k, n)))));
    }
    for (const k of K) def(`${prefix}${5 + k}`, sum(P.map((n) => A(k, n))));
    for (const k of K) def(`${prefix}${8 + k}`, sum(P.map((n) => Bh(k, n))));
    def(`${prefix}12`, sum(P.map((n) => C(n))));
  };
  gradSums('g', (k, n) => `q${k}_${n}`, (k, n) => `r_${n} * h${k}_${n}`, (n) => `r_${n}`);
  // pass 1: along g, first and second order → Hg, T(g,g)
  for (const n of P) {
    const x1 = X1[n]!, x2 = X2[n]!;
    for (const k of K) {
      def(`z${k}_${n}`, sum([times(x1, `g${2 * k - 2}`), times(x2, `g${2 * k - 1}`), `g${5 + k}`]));
      def(`d${k}_${n}`, `S${k}_${n} * z${k}_${n}`);
      def(`e${k}_${n}`, `-2 * h${k}_${n} * d${k}_${n}`);
      def(`dd${k}_${n}`, `e${k}_${n} * z${k}_${n}`);
      def(`f${k}_${n}`, `-2 * (d${k}_${n} * d${k}_${n} + h${k}_${n} * dd${k}_${n})`);
    }
    def(`y1_${n}`, `0.5 * (${K.map((k) => `g${8 + k} * h${k}_${n} + v${k} * d${k}_${n}`).join(' + ')} + g12)`);
    def(`y2_${n}`, `0.5 * (2 * (${K.map((k) => `g${8 + k} * d${k}_${n}`).join(' + ')}) + ${K.map((k) => `v${k} * dd${k}_${n}`).join(' + ')})`);
    for (const k of K) {
      def(`qp${k}_${n}`, `g${8 + k} * S${k}_${n} + v${k} * e${k}_${n}`);
      def(`qpp${k}_${n}`, `2 * g${8 + k} * e${k}_${n} + v${k} * f${k}_${n}`);
      def(`A${k}_${n}`, `y1_${n} * vS${k}_${n} + r_${n} * qp${k}_${n}`);
      def(`B${k}_${n}`, `y2_${n} * vS${k}_${n} + 2 * y1_${n} * qp${k}_${n} + r_${n} * qpp${k}_${n}`);
    }
  }
  gradSums('p', (k, n) => `A${k}_${n}`, (k, n) => `(y1_${n} * h${k}_${n} + r_${n} * d${k}_${n})`, (n) => `y1_${n}`);
  gradSums('s', (k, n) => `B${k}_${n}`, (k, n) => `(y2_${n} * h${k}_${n} + 2 * y1_${n} * d${k}_${n} + r_${n} * dd${k}_${n})`, (n) => `y2_${n}`);
  // pass 2: along Hg, first order → H(Hg)
  for (const n of P) {
    const x1 = X1[n]!, x2 = X2[n]!;
    for (const k of K) {
      def(`Z${k}_${n}`, sum([times(x1, `p${2 * k - 2}`), times(x2, `p${2 * k - 1}`), `p${5 + k}`]));
      def(`D${k}_${n}`, `S${k}_${n} * Z${k}_${n}`);
    }
    def(`Y1_${n}`, `0.5 * (${K.map((k) => `p${8 + k} * h${k}_${n} + v${k} * D${k}_${n}`).join(' + ')} + p12)`);
    for (const k of K) def(`M${k}_${n}`, `Y1_${n} * vS${k}_${n} + r_${n} * (p${8 + k} * S${k}_${n} - 2 * v${k} * h${k}_${n} * D${k}_${n})`);
  }
  gradSums('m', (k, n) => `M${k}_${n}`, (k, n) => `(Y1_${n} * h${k}_${n} + r_${n} * D${k}_${n})`, (n) => `Y1_${n}`);
  for (let i = 0; i < 13; i++) {
    L.push(`  out[${i}] = -g${i};`);
    L.push(`  out[${13 + i}] = -0.5 * p${i};`);
    L.push(`  out[${26 + i}] = ${-1 / 12} * s${i} - ${1 / 3} * m${i};`);
  }
  return `return function p3Unrolled(th, out) {\n${L.join('\n')}\n};`;
}

/** `p3HandwrittenUnrolledSource()` instantiated (the speed limit for the generated code of P3). */
export const p3HandwrittenUnrolled = new Function(p3HandwrittenUnrolledSource())() as (theta: Float64Array, out: Float64Array) => void;
