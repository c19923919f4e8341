/**
 * Hand-written reference for the chain part of bench task P3: L = ½(w1·…·wn − 1)², outputs
 * g, ξ1 = ½ Hg, ξ2 = 1/12 ∇³L[g,g] + 1/3 H(Hg) (3n values), by Taylor-mode arithmetic to second order.
 *
 * Along a direction u, w(ε) = w + εu; P(ε) = Π (w_j + ε u_j) and q_i(ε) = ∂P/∂w_i = Π_{j≠i}(w_j + ε u_j)
 * are truncated quadratics (prefix/suffix products), r = P − 1, g_i(ε) = r(ε) q_i(ε):
 * g = [ε⁰], H u = [ε¹], ∇³L[u,u] = 2·[ε²].
 */
const N = 10;
const pre0 = new Float64Array(N + 1), pre1 = new Float64Array(N + 1), pre2 = new Float64Array(N + 1);
const suf0 = new Float64Array(N + 1), suf1 = new Float64Array(N + 1), suf2 = new Float64Array(N + 1);
const G = new Float64Array(N), HG = new Float64Array(N), TGG = new Float64Array(N), HHG = new Float64Array(N), TMP = new Float64Array(N);

/** c0 = g, c1 = H u, c2 = ½ ∇³L[u,u] (second Taylor coefficient); u = null: only c0. */
function taylor(w: Float64Array, u: Float64Array | null, c0: Float64Array, c1: Float64Array, c2: Float64Array): void {
  pre0[0] = 1; pre1[0] = 0; pre2[0] = 0;
  for (let j = 0; j < N; j++) {
    const a = w[j]!, b = u ? u[j]! : 0;
    pre0[j + 1] = pre0[j]! * a;
    pre1[j + 1] = pre1[j]! * a + pre0[j]! * b;
    pre2[j + 1] = pre2[j]! * a + pre1[j]! * b;
  }
  suf0[N] = 1; suf1[N] = 0; suf2[N] = 0;
  for (let j = N - 1; j >= 0; j--) {
    const a = w[j]!, b = u ? u[j]! : 0;
    suf0[j] = suf0[j + 1]! * a;
    suf1[j] = suf1[j + 1]! * a + suf0[j + 1]! * b;
    suf2[j] = suf2[j + 1]! * a + suf1[j + 1]! * b;
  }
  const r0 = pre0[N]! - 1, r1 = pre1[N]!, r2 = pre2[N]!;
  for (let i = 0; i < N; i++) {
    const q0 = pre0[i]! * suf0[i + 1]!;
    c0[i] = r0 * q0;
    if (u) {
      const q1 = pre0[i]! * suf1[i + 1]! + pre1[i]! * suf0[i + 1]!;
      const q2 = pre0[i]! * suf2[i + 1]! + pre1[i]! * suf1[i + 1]! + pre2[i]! * suf0[i + 1]!;
      c1[i] = r1 * q0 + r0 * q1;
      c2[i] = r2 * q0 + r1 * q1 + r0 * q2;
    }
  }
}

/** out = (g, ξ1, ξ2) for n = 10. */
export function chain10Handwritten(w: Float64Array, out: Float64Array): void {
  taylor(w, null, G, TMP, TMP);
  taylor(w, G, TMP, HG, TGG); // TGG holds ½ T(g,g)
  taylor(w, HG, TMP, HHG, TMP);
  for (let i = 0; i < N; i++) {
    out[i] = G[i]!;
    out[N + i] = 0.5 * HG[i]!;
    out[2 * N + i] = TGG[i]! / 6 + HHG[i]! / 3;
  }
}
