/**
 * Hand-written Taylor-mode counter terms of gradient descent for the n-chain L = ½(w1·…·wn − 1)² (bench
 * task P7T): the speed limit for generated code. f1 = −g, f2 = −½ Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H(Hg)
 * (docs/theory/eom.md, "Counter terms").
 *
 * g_i = r·q_i with P = Π w_j, r = P − 1, q_i = Π_{j≠i} w_j = pre_i·suf_{i+1} (prefix and suffix products).
 * Along w(t) = w + t·u every quantity is a truncated Taylor series x0 + x1 t + x2 t², products follow
 * (x·y)1 = x0y1 + x1y0, (x·y)2 = x0y2 + x1y1 + x2y0, and the t¹, t² coefficients of g(w + t u) are Hu and
 * ½∇³L[u,u]. Three passes, each O(n) (values; along g to second order; along Hg to first order); the
 * value-order prefix and suffix products are computed once and reused by both directional passes.
 * (No division tricks such as q_i = P/w_i: both functions are exact for every w, zeros included.)
 *
 * Two forms of the same arithmetic:
 *  - `chainCounterTerms(n)`: loops (prefix and suffix scans interleaved in one loop, the output loops free
 *    of carried dependences), scratch allocated once, −1/6 and −1/3 as multipliers;
 *  - `chainCounterTermsUnrolled(n)`: the same formulas written out as straight-line code for one n, every
 *    coefficient a local constant, no arrays, no loops. In V8 a loop over a Float64Array costs about
 *    1.5–2 ns per iteration here, which straight-line code does not pay, so the unrolled form is the true
 *    limit for generated code (itself straight-line). Its text comes from the template below (string
 *    concatenation of the formulas), not from eomkit.
 */

/** −1/6 and −1/3 as multipliers (a division costs several multiplications) */
const SIXTH = -1 / 6;
const THIRD = -1 / 3;

/** f1, f2, f3 of the n-chain into out (3n entries: f1, then f2, then f3): loops over Float64Array scratch. */
export function chainCounterTerms(n: number): (w: Float64Array, out: Float64Array) => void {
  const P0 = new Float64Array(n + 1), P1 = new Float64Array(n + 1), P2 = new Float64Array(n + 1);
  const S0 = new Float64Array(n + 1), S1 = new Float64Array(n + 1), S2 = new Float64Array(n + 1);
  const T1 = new Float64Array(n + 1), U1 = new Float64Array(n + 1);
  const n2 = 2 * n;
  P0[0] = 1;
  S0[n] = 1;
  return function chain(w: Float64Array, out: Float64Array): void {
    // pass 0 (values): prefix and suffix products in one loop (two independent chains), then g_i = r0·pre_i·suf_{i+1}
    let p0 = 1;
    let s0 = 1;
    for (let j = 0, k = n - 1; j < n; j++, k--) {
      p0 *= w[j]!;
      s0 *= w[k]!;
      P0[j + 1] = p0;
      S0[k] = s0;
    }
    const r0 = p0 - 1;
    // pass 1, along u = g to second order: Hg and ½∇³L[g,g]; g_j = r0·pre_j·suf_{j+1} is formed in the same loop
    let p1 = 0, p2 = 0, s1 = 0, s2 = 0;
    for (let j = 0, k = n - 1; j < n; j++, k--) {
      const a = w[j]!, c = w[k]!;
      const pj = P0[j]!, sk = S0[k + 1]!;
      const b = r0 * pj * S0[j + 1]!;
      const d = r0 * P0[k]! * sk;
      out[j] = -b;
      p2 = p2 * a + p1 * b;
      p1 = p1 * a + pj * b;
      s2 = s2 * c + s1 * d;
      s1 = s1 * c + sk * d;
      P1[j + 1] = p1;
      P2[j + 1] = p2;
      S1[k] = s1;
      S2[k] = s2;
    }
    const r1 = p1, r2 = p2;
    // pass 2, along u = Hg to first order: H(Hg); Hg (and f2, the ∇³L part of f3) formed in the same loop,
    // Hg_k of the suffix side recomputed (5 flops) rather than stored by a separate loop
    p1 = 0;
    s1 = 0;
    for (let j = 0, k = n - 1; j < n; j++, k--) {
      const a0 = P0[j]!, a1 = P1[j]!, a2 = P2[j]!;
      const b0 = S0[j + 1]!, b1 = S1[j + 1]!, b2 = S2[j + 1]!;
      const c0 = a0 * b0;
      const c1 = a0 * b1 + a1 * b0;
      const c2 = a0 * b2 + a1 * b1 + a2 * b0;
      const hj = r0 * c1 + r1 * c0;
      out[n + j] = -0.5 * hj;
      out[n2 + j] = SIXTH * (r0 * c2 + r1 * c1 + r2 * c0);
      const e0 = P0[k]!, f0 = S0[k + 1]!;
      const hk = r0 * (e0 * S1[k + 1]! + P1[k]! * f0) + r1 * e0 * f0;
      p1 = p1 * w[j]! + a0 * hj;
      s1 = s1 * w[k]! + f0 * hk;
      T1[j + 1] = p1;
      U1[k] = s1;
    }
    const m1 = p1;
    for (let i = 0; i < n; i++) {
      const a0 = P0[i]!, b0 = S0[i + 1]!;
      out[n2 + i] += THIRD * (r0 * (a0 * U1[i + 1]! + T1[i]! * b0) + m1 * a0 * b0);
    }
  };
}

export function chainCounterTermsUnrolledSource(n: number): string {
  const L: string[] = [];
  const e = (s: string) => L.push(`  const ${s};`);
  for (let j = 0; j < n; j++) e(`w${j} = w[${j}]`);
  // pass 0: p_j = Π_{i<j} w_i (p_0 = 1), s_j = Π_{i≥j} w_i (s_n = 1)
  const p0 = (j: number) => (j === 0 ? '1' : `p${j}`);
  const s0 = (j: number) => (j === n ? '1' : `s${j}`);
  for (let j = 1; j <= n; j++) e(`p${j} = ${j === 1 ? 'w0' : `p${j - 1} * w${j - 1}`}`);
  for (let j = n - 1; j >= 1; j--) e(`s${j} = ${j === n - 1 ? `w${n - 1}` : `s${j + 1} * w${j}`}`);
  e(`r0 = p${n} - 1`);
  for (let i = 0; i < n; i++) {
    const q = [p0(i), s0(i + 1)].filter((x) => x !== '1');
    e(`g${i} = r0${q.map((x) => ` * ${x}`).join('')}`);
    L.push(`  out[${i}] = -g${i};`);
  }
  // pass 1 along g, order 2: a_j, b_j prefix t¹, t² coefficients; c_j, d_j suffix
  for (let j = 1; j <= n; j++) {
    e(`a${j} = ${j === 1 ? 'g0' : `a${j - 1} * w${j - 1} + ${p0(j - 1)} * g${j - 1}`}`);
    if (j >= 2) e(`b${j} = ${j === 2 ? `a1 * g1` : `b${j - 1} * w${j - 1} + a${j - 1} * g${j - 1}`}`);
  }
  for (let j = n - 1; j >= 0; j--) {
    e(`c${j} = ${j === n - 1 ? `g${n - 1}` : `c${j + 1} * w${j} + ${s0(j + 1)} * g${j}`}`);
    if (j <= n - 2) e(`d${j} = ${j === n - 2 ? `c${n - 1} * g${n - 2}` : `d${j + 1} * w${j} + c${j + 1} * g${j}`}`);
  }
  // r = P − 1 along the line: r1 = a_n, r2 = b_n
  const r1 = `a${n}`, r2 = n >= 2 ? `b${n}` : '0';
  for (let i = 0; i < n; i++) {
    // q = pre_i ⊗ suf_{i+1}; pre = (p_i, a_i, b_i), suf = (s_{i+1}, c_{i+1}, d_{i+1}); missing terms are 0
    const x0 = p0(i), x1 = i >= 1 ? `a${i}` : null, x2 = i >= 2 ? `b${i}` : null;
    const y0 = s0(i + 1), y1 = i + 1 <= n - 1 ? `c${i + 1}` : null, y2 = i + 1 <= n - 2 ? `d${i + 1}` : null;
    const prod = (u: string | null, v: string | null) => (u === null || v === null ? null : u === '1' ? v : v === '1' ? u : `${u} * ${v}`);
    const sum = (...t: Array<string | null>) => t.filter((x) => x !== null).join(' + ') || '0';
    e(`q0_${i} = ${prod(x0, y0)}`);
    e(`q1_${i} = ${sum(prod(x0, y1), prod(x1, y0))}`);
    e(`q2_${i} = ${sum(prod(x0, y2), prod(x1, y1), prod(x2, y0))}`);
    e(`h${i} = r0 * q1_${i} + ${r1} * q0_${i}`);
    L.push(`  out[${n + i}] = -0.5 * h${i};`);
  }
  // pass 2 along h = Hg, order 1: k_j prefix t¹, l_j suffix t¹
  for (let j = 1; j <= n; j++) e(`k${j} = ${j === 1 ? 'h0' : `k${j - 1} * w${j - 1} + ${p0(j - 1)} * h${j - 1}`}`);
  for (let j = n - 1; j >= 0; j--) e(`l${j} = ${j === n - 1 ? `h${n - 1}` : `l${j + 1} * w${j} + ${s0(j + 1)} * h${j}`}`);
  for (let i = 0; i < n; i++) {
    const x0 = p0(i), x1 = i >= 1 ? `k${i}` : null;
    const y0 = s0(i + 1), y1 = i + 1 <= n - 1 ? `l${i + 1}` : null;
    const t1 = [y1 && (x0 === '1' ? y1 : `${x0} * ${y1}`), x1 && (y0 === '1' ? x1 : `${x1} * ${y0}`)].filter(Boolean).join(' + ') || '0';
    L.push(`  out[${2 * n + i}] = SIXTH * (r0 * q2_${i} + ${r1} * q1_${i} + ${r2} * q0_${i}) + THIRD * (r0 * (${t1}) + k${n} * q0_${i});`);
  }
  return `return function chainUnrolled${n}(w, out) {\n${L.join('\n')}\n};`;
}
/** The straight-line form instantiated for one n (the speed limit for the generated code). */
export function chainCounterTermsUnrolled(n: number): (w: Float64Array, out: Float64Array) => void {
  return new Function('SIXTH', 'THIRD', chainCounterTermsUnrolledSource(n))(SIXTH, THIRD) as (w: Float64Array, out: Float64Array) => void;
}
