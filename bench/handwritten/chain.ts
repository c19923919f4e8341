/**
 * Hand-written Taylor-mode counter terms of gradient descent for the n-chain L = ½(w1·…·wn − 1)² (bench
 * task P7T): the speed limit for generated code. f1 = −g, f2 = −½ Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg)
 * (docs/theory/eom.md, "Counter terms").
 *
 * g_i = r·q_i with P = Π w_j, r = P − 1, q_i = Π_{j≠i} w_j = pre_i·suf_{i+1} (prefix and suffix products).
 * Along w(t) = w + t·u every quantity is a truncated Taylor series x0 + x1 t + x2 t², products follow
 * (x·y)1 = x0y1 + x1y0, (x·y)2 = x0y2 + x1y1 + x2y0, and the t¹, t² coefficients of g(w + t u) are Hu and
 * ½∇³L[u,u]. Three passes (values; along g to second order; along Hg to first order), each O(n).
 *
 * Speed: the prefix and suffix scans are recurrences whose latency, not their arithmetic, bounds them, so
 * each scan runs four independent chains in one loop: the prefix of the left half [0, m) and of the right
 * half [m, n) (restarted at 1), the suffix of the right half and of the left half (restarted at 1). For
 * i < m, q_i = pre_i·sufLeft_{i+1}·sufRight_m and for i ≥ m, q_i = preLeft_m·preRight_i·suf_{i+1}, so the
 * half totals fold into the constant r of each half (r·sufRight_m, r·preLeft_m): no extra work per entry.
 * The order-0 scans are computed once and reused by both directional passes; the output loops have no
 * carried dependence; −1/6 and −1/3 are multipliers; nothing is allocated per call. (No division tricks
 * such as q_i = P/w_i: the function is exact for every w, zeros included.)
 *
 * Layout of the scan arrays (length n + 2): P[i] = Π_{j<i} w_j for i ≤ m; P[i + 1] = Π_{m≤j<i} w_j for
 * i ≥ m; S[i + 1] = Π_{j≥i} w_j for i ≥ m; S[i] = Π_{i≤j<m} w_j for i ≤ m.
 */

const SIXTH = -1 / 6;
const THIRD = -1 / 3;

/** f1, f2, f3 of the n-chain into out (3n entries: f1, then f2, then f3). */
export function chainCounterTerms(n: number): (w: Float64Array, out: Float64Array) => void {
  const m = n >> 1; // left half [0, m), right half [m, n) with n − m ∈ {m, m + 1}
  const odd = n - m > m;
  const P0 = new Float64Array(n + 2), P1 = new Float64Array(n + 2), P2 = new Float64Array(n + 2);
  const S0 = new Float64Array(n + 2), S1 = new Float64Array(n + 2), S2 = new Float64Array(n + 2);
  const T1 = new Float64Array(n + 2), U1 = new Float64Array(n + 2);
  const G = new Float64Array(n), HG = new Float64Array(n);
  // chain starts, never overwritten: P[0], P[m+1], S[m], S[n+1]
  P0[0] = 1;
  P0[m + 1] = 1;
  S0[m] = 1;
  S0[n + 1] = 1;
  const n2 = 2 * n;
  return function chain(w: Float64Array, out: Float64Array): void {
    // ---- pass 0: values. Four product chains, then g_i = (r·half total)·pre·suf
    let pa = 1, pb = 1, sc = 1, sd = 1;
    for (let j = 0; j < m; j++) {
      const ia = j, ib = m + j, ic = n - 1 - j, id = m - 1 - j;
      pa *= w[ia]!;
      pb *= w[ib]!;
      sc *= w[ic]!;
      sd *= w[id]!;
      P0[ia + 1] = pa;
      P0[ib + 2] = pb;
      S0[ic + 1] = sc;
      S0[id] = sd;
    }
    if (odd) {
      P0[n + 1] = pb * w[n - 1]!;
      S0[m + 1] = sc * w[m]!;
    }
    const pl0 = P0[m]!, sr0 = S0[m + 1]!;
    const r0 = pl0 * sr0 - 1;
    const zl0 = r0 * sr0, zr0 = r0 * pl0;
    for (let i = 0; i < m; i++) {
      const gi = zl0 * P0[i]! * S0[i + 1]!;
      G[i] = gi;
      out[i] = -gi;
    }
    for (let i = m; i < n; i++) {
      const gi = zr0 * P0[i + 1]! * S0[i + 2]!;
      G[i] = gi;
      out[i] = -gi;
    }
    // ---- pass 1: along u = g to second order → Hg (t¹) and ½∇³L[g,g] (t²)
    let a1 = 0, a2 = 0, b1 = 0, b2 = 0, c1 = 0, c2 = 0, d1 = 0, d2 = 0;
    for (let j = 0; j < m; j++) {
      const ia = j, ib = m + j, ic = n - 1 - j, id = m - 1 - j;
      const wa = w[ia]!, ua = G[ia]!, wb = w[ib]!, ub = G[ib]!, wc = w[ic]!, uc = G[ic]!, wd = w[id]!, ud = G[id]!;
      a2 = a2 * wa + a1 * ua;
      a1 = a1 * wa + P0[ia]! * ua;
      b2 = b2 * wb + b1 * ub;
      b1 = b1 * wb + P0[ib + 1]! * ub;
      c2 = c2 * wc + c1 * uc;
      c1 = c1 * wc + S0[ic + 2]! * uc;
      d2 = d2 * wd + d1 * ud;
      d1 = d1 * wd + S0[id + 1]! * ud;
      P1[ia + 1] = a1;
      P2[ia + 1] = a2;
      P1[ib + 2] = b1;
      P2[ib + 2] = b2;
      S1[ic + 1] = c1;
      S2[ic + 1] = c2;
      S1[id] = d1;
      S2[id] = d2;
    }
    if (odd) {
      const wb = w[n - 1]!, ub = G[n - 1]!, wc = w[m]!, uc = G[m]!;
      P2[n + 1] = b2 * wb + b1 * ub;
      P1[n + 1] = b1 * wb + P0[n]! * ub;
      S2[m + 1] = c2 * wc + c1 * uc;
      S1[m + 1] = c1 * wc + S0[m + 2]! * uc;
    }
    const pl1 = P1[m]!, pl2 = P2[m]!, sr1 = S1[m + 1]!, sr2 = S2[m + 1]!;
    // r = P − 1 along the line, P = preLeft_m·sufRight_m; zl = r·sufRight_m, zr = r·preLeft_m
    const r1 = pl0 * sr1 + pl1 * sr0;
    const r2 = pl0 * sr2 + pl1 * sr1 + pl2 * sr0;
    const zl1 = r0 * sr1 + r1 * sr0, zl2 = r0 * sr2 + r1 * sr1 + r2 * sr0;
    const zr1 = r0 * pl1 + r1 * pl0, zr2 = r0 * pl2 + r1 * pl1 + r2 * pl0;
    for (let i = 0; i < m; i++) {
      const x0 = P0[i]!, x1 = P1[i]!, x2 = P2[i]!, y0 = S0[i + 1]!, y1 = S1[i + 1]!, y2 = S2[i + 1]!;
      const q0 = x0 * y0, q1 = x0 * y1 + x1 * y0, q2 = x0 * y2 + x1 * y1 + x2 * y0;
      const hg = zl0 * q1 + zl1 * q0;
      HG[i] = hg;
      out[n + i] = -0.5 * hg;
      out[n2 + i] = SIXTH * (zl0 * q2 + zl1 * q1 + zl2 * q0);
    }
    for (let i = m; i < n; i++) {
      const x0 = P0[i + 1]!, x1 = P1[i + 1]!, x2 = P2[i + 1]!, y0 = S0[i + 2]!, y1 = S1[i + 2]!, y2 = S2[i + 2]!;
      const q0 = x0 * y0, q1 = x0 * y1 + x1 * y0, q2 = x0 * y2 + x1 * y1 + x2 * y0;
      const hg = zr0 * q1 + zr1 * q0;
      HG[i] = hg;
      out[n + i] = -0.5 * hg;
      out[n2 + i] = SIXTH * (zr0 * q2 + zr1 * q1 + zr2 * q0);
    }
    // ---- pass 2: along u = Hg to first order → H(Hg) (t¹)
    a1 = 0;
    b1 = 0;
    c1 = 0;
    d1 = 0;
    for (let j = 0; j < m; j++) {
      const ia = j, ib = m + j, ic = n - 1 - j, id = m - 1 - j;
      a1 = a1 * w[ia]! + P0[ia]! * HG[ia]!;
      b1 = b1 * w[ib]! + P0[ib + 1]! * HG[ib]!;
      c1 = c1 * w[ic]! + S0[ic + 2]! * HG[ic]!;
      d1 = d1 * w[id]! + S0[id + 1]! * HG[id]!;
      T1[ia + 1] = a1;
      T1[ib + 2] = b1;
      U1[ic + 1] = c1;
      U1[id] = d1;
    }
    if (odd) {
      T1[n + 1] = b1 * w[n - 1]! + P0[n]! * HG[n - 1]!;
      U1[m + 1] = c1 * w[m]! + S0[m + 2]! * HG[m]!;
    }
    const tl1 = T1[m]!, ur1 = U1[m + 1]!;
    const v1 = pl0 * ur1 + tl1 * sr0;
    const hl1 = r0 * ur1 + v1 * sr0, hr1 = r0 * tl1 + v1 * pl0;
    for (let i = 0; i < m; i++) {
      const x0 = P0[i]!, y0 = S0[i + 1]!;
      out[n2 + i] += THIRD * (zl0 * (x0 * U1[i + 1]! + T1[i]! * y0) + hl1 * x0 * y0);
    }
    for (let i = m; i < n; i++) {
      const x0 = P0[i + 1]!, y0 = S0[i + 2]!;
      out[n2 + i] += THIRD * (zr0 * (x0 * U1[i + 2]! + T1[i + 1]! * y0) + hr1 * x0 * y0);
    }
  };
}
