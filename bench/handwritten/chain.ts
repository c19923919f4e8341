/**
 * Hand-written Taylor-mode counter terms of gradient descent for the n-chain L = ½(w1·…·wn − 1)² (bench
 * task P7T): the speed limit for generated code. f1 = −g, f2 = −½ Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg).
 *
 * g_i = r·q_i with P = Π w_j, r = P − 1, q_i = Π_{j≠i} w_j = pre_i·suf_i (prefix and suffix products).
 * Along w(t) = w + t·u every quantity is a truncated Taylor series x0 + x1 t + x2 t² and products follow
 * (x·y)1 = x0y1 + x1y0, (x·y)2 = x0y2 + x1y1 + x2y0; then g1 = Hu and g2 = ½∇³L[u,u]. O(n) per pass.
 */

/** f1, f2, f3 of the n-chain into out (3n entries), with preallocated scratch. */
export function chainCounterTerms(n: number): (w: Float64Array, out: Float64Array) => void {
  const pre0 = new Float64Array(n + 1), pre1 = new Float64Array(n + 1), pre2 = new Float64Array(n + 1);
  const suf0 = new Float64Array(n + 1), suf1 = new Float64Array(n + 1), suf2 = new Float64Array(n + 1);
  const g = new Float64Array(n), Hg = new Float64Array(n), half3 = new Float64Array(n), HHg = new Float64Array(n);
  /** g(w) into c0 */
  const pass0 = (w: Float64Array, c0: Float64Array): void => {
    pre0[0] = 1;
    for (let j = 0; j < n; j++) pre0[j + 1] = pre0[j]! * w[j]!;
    suf0[n] = 1;
    for (let j = n - 1; j >= 0; j--) suf0[j] = suf0[j + 1]! * w[j]!;
    const r0 = pre0[n]! - 1;
    for (let i = 0; i < n; i++) c0[i] = r0 * pre0[i]! * suf0[i + 1]!;
  };
  /** t¹ coefficient of g(w + t u) (= Hu) into c1 */
  const pass1 = (w: Float64Array, u: Float64Array, c1: Float64Array): void => {
    pre0[0] = 1; pre1[0] = 0;
    for (let j = 0; j < n; j++) {
      const a = w[j]!, b = u[j]!;
      pre1[j + 1] = pre1[j]! * a + pre0[j]! * b;
      pre0[j + 1] = pre0[j]! * a;
    }
    suf0[n] = 1; suf1[n] = 0;
    for (let j = n - 1; j >= 0; j--) {
      const a = w[j]!, b = u[j]!;
      suf1[j] = suf1[j + 1]! * a + suf0[j + 1]! * b;
      suf0[j] = suf0[j + 1]! * a;
    }
    const r0 = pre0[n]! - 1, r1 = pre1[n]!;
    for (let i = 0; i < n; i++) {
      const q0 = pre0[i]! * suf0[i + 1]!;
      const q1 = pre0[i]! * suf1[i + 1]! + pre1[i]! * suf0[i + 1]!;
      c1[i] = r0 * q1 + r1 * q0;
    }
  };
  /** t¹ and t² coefficients of g(w + t u) (= Hu and ½∇³L[u,u]) into c1, c2 */
  const pass2 = (w: Float64Array, u: Float64Array, c1: Float64Array, c2: Float64Array): void => {
    pre0[0] = 1; pre1[0] = 0; pre2[0] = 0;
    for (let j = 0; j < n; j++) {
      const a = w[j]!, b = u[j]!;
      pre2[j + 1] = pre2[j]! * a + pre1[j]! * b;
      pre1[j + 1] = pre1[j]! * a + pre0[j]! * b;
      pre0[j + 1] = pre0[j]! * a;
    }
    suf0[n] = 1; suf1[n] = 0; suf2[n] = 0;
    for (let j = n - 1; j >= 0; j--) {
      const a = w[j]!, b = u[j]!;
      suf2[j] = suf2[j + 1]! * a + suf1[j + 1]! * b;
      suf1[j] = suf1[j + 1]! * a + suf0[j + 1]! * b;
      suf0[j] = suf0[j + 1]! * a;
    }
    const r0 = pre0[n]! - 1, r1 = pre1[n]!, r2 = pre2[n]!;
    for (let i = 0; i < n; i++) {
      const q0 = pre0[i]! * suf0[i + 1]!;
      const q1 = pre0[i]! * suf1[i + 1]! + pre1[i]! * suf0[i + 1]!;
      const q2 = pre0[i]! * suf2[i + 1]! + pre1[i]! * suf1[i + 1]! + pre2[i]! * suf0[i + 1]!;
      c1[i] = r0 * q1 + r1 * q0;
      c2[i] = r0 * q2 + r1 * q1 + r2 * q0;
    }
  };
  return (w, out) => {
    pass0(w, g);
    pass2(w, g, Hg, half3);
    pass1(w, Hg, HHg);
    for (let i = 0; i < n; i++) {
      out[i] = -g[i]!;
      out[n + i] = -0.5 * Hg[i]!;
      out[2 * n + i] = -half3[i]! / 6 - HHg[i]! / 3;
    }
  };
}
