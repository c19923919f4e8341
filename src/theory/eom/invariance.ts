/**
 * Scale- and translation-invariant layers (docs/theory/eom.md, "Scale- and translation-invariant layers").
 *
 * Detection, proved symbolically (not at sample points):
 *  - scale invariance on a group G, L(cθ_G, θ_rest) = L(θ) for c > 0, is equivalent (on a domain that is a
 *    cone in θ_G) to the Euler identity of degree-0 homogeneity  E = Σ_{i∈G} θ_i ∂L/∂θ_i ≡ 0:
 *    d/dc L(cθ_G) = c⁻¹ E(cθ_G). `proveZero(E)` (./invariance-zero.ts) proves E ≡ 0 by canonical expansion
 *    after clearing denominators and radicals — an identity of functions on the loss's domain.
 *  - translation invariance, L(θ + c𝟙_G) = L(θ) for all c, is equivalent to  Σ_{i∈G} ∂L/∂θ_i ≡ 0.
 * Differentiating these identities gives the ones used below (P_G: keep the G-entries):
 *    scale:        θ_G·g = 0,   H θ_G = −P_G g,   T(θ_G,·,·) = −(P_G H + H P_G)
 *    translation:  𝟙_G·g = 0,   H 𝟙_G = 0,        T(𝟙_G,·,·) = 0
 * each also proved for the given loss.
 *
 * Dynamics of N(θ) = ‖θ_G‖² and Σθ_G. The EoM flow reproduces one GD step, φ_η = θ − ηg (as formal
 * series), so for any function N:  e^{ηD}N − N = ΔN := N(θ − ηg) − N(θ), with D = D_{F_η} the derivative
 * along the EoM field. Hence the exact rate along the EoM is the Bernoulli series
 *
 *        dN/dt = D N = (ηD / (e^{ηD} − 1)) (ΔN/η) = Σ_j B_j/j! (ηD)^j (ΔN/η).
 *
 * For N = ‖θ_G‖²: ΔN = −2η θ_G·g_G + η²‖g_G‖² = η²‖g_G‖² exactly under scale invariance (GD's norm growth),
 * GF's rate −2θ_G·g_G vanishes (GF conserves the norm), and the EoM rate is
 *        2θ_G·F_η = η‖g_G‖² + η² g_Gᵀ H g + O(η³)      (full group: + η³(5/6 ‖Hg‖² + 1/6 ∇³L[g,g,g])),
 * i.e. θ·f_2 = ½‖g‖², θ·f_3 = ½ gᵀHg. For N = Σθ_G under translation invariance ΔN = −η 𝟙_G·g = 0, so GD,
 * GF and every order of the EoM conserve it. Every reduced form is checked against the direct
 * contraction of the counter terms f_k of the loss (`proveZero` of the difference).
 *
 * The counter terms f_1 … f_K come from the general B-series engine, `counterTerms(L, K).f` (or `opts.f`,
 * e.g. the heavy-ball series at β = 0, which is the same GD series: f_{k+1} = F_k, tested).
 */
import {
  type Expr,
  type Loss,
  type Sym,
  Rational,
  ZERO,
  diff,
  directional,
  gradient,
  hessian,
  loss,
  mul,
  num,
  pow,
  scale,
  sub,
  subs,
  sum,
  toLatex,
  latexName,
  PrintSizeError,
  type LatexOptions,
} from '../../symbolic/index.ts';
import { InputError } from '../../errors.ts';
import { ETA } from './instantiate.ts';
import { counterTerms } from './counter-terms.ts';
import { proveZero, type ZeroProof } from './invariance-zero.ts';

export { proveZero, type ZeroProof, type ProofStatus } from './invariance-zero.ts';

export type InvarianceKind = 'scale' | 'translation';

export interface InvarianceResult {
  readonly kind: InvarianceKind;
  readonly group: readonly Sym[];
  /** true iff the identity is proved symbolically */
  readonly invariant: boolean;
  /** the identity that was tested: Σ_{i∈G} θ_i ∂_iL (scale) or Σ_{i∈G} ∂_iL (translation) */
  readonly identity: Expr;
  readonly proof: ZeroProof;
  /** what the identity proves, in words */
  readonly statement: string;
  /** the identity in LaTeX; `opts.names` prints the group's parameters with the user's names */
  latex(opts?: LatexOptions): string;
}

export interface InvarianceReport {
  readonly results: InvarianceResult[];
  /** the groups with a proved scale invariance */
  readonly scale: Sym[][];
  /** the groups with a proved translation invariance */
  readonly translation: Sym[][];
}

function groupLatex(group: readonly Sym[], opts: LatexOptions = {}): string {
  return `\\{${group.map((p) => opts.names?.[p.name] ?? latexName(p.name)).join(', ')}\\}`;
}

function checkGroup(L: Loss, group: readonly Sym[]): void {
  if (group.length === 0) throw new InputError('an invariance group must contain at least one parameter');
  for (const p of group) {
    if (!L.params.includes(p)) throw new InputError(`'${p.name}' in an invariance group is not a parameter of the loss`);
  }
  if (new Set(group).size !== group.length) throw new InputError('an invariance group lists a parameter twice');
}

/** Test scale invariance of L on a group (Euler identity Σ θ_i ∂_iL ≡ 0). */
export function testScaleInvariance(L: Loss, group: readonly Sym[] = L.params): InvarianceResult {
  checkGroup(L, group);
  const identity = sum(group.map((p) => mul(p, diff(L.expr, p))));
  const proof = proveZero(identity, L.params);
  const invariant = proof.status === 'proved';
  return {
    kind: 'scale',
    group,
    invariant,
    identity,
    proof,
    statement: invariant
      ? `Σ_{i∈G} θ_i ∂L/∂θ_i ≡ 0 (proved by ${proof.method}): L is homogeneous of degree 0 in the group, so L(cθ_G) = L(θ) for every c > 0 (wherever the ray stays in the domain).`
      : proof.status === 'disproved'
        ? `Σ_{i∈G} θ_i ∂L/∂θ_i = ${proof.witness!.value} ≠ 0 at a sample point: not scale invariant in the group.`
        : 'Σ_{i∈G} θ_i ∂L/∂θ_i vanished at sample points but no symbolic proof was found: scale invariance not established.',
    latex: (opts: LatexOptions = {}) =>
      `\\sum_{i \\in ${groupLatex(group, opts)}} \\theta_{i} \\frac{\\partial L}{\\partial \\theta_{i}} ${invariant ? '\\equiv' : '\\not\\equiv'} 0` +
      (invariant ? ` \\;\\Rightarrow\\; L(c\\,\\theta_{G}) = L(\\theta) \\quad (c > 0)` : ''),
  };
}

/** Test translation invariance of L on a group (Σ ∂_iL ≡ 0). */
export function testTranslationInvariance(L: Loss, group: readonly Sym[] = L.params): InvarianceResult {
  checkGroup(L, group);
  const identity = sum(group.map((p) => diff(L.expr, p)));
  const proof = proveZero(identity, L.params);
  const invariant = proof.status === 'proved';
  return {
    kind: 'translation',
    group,
    invariant,
    identity,
    proof,
    statement: invariant
      ? `Σ_{i∈G} ∂L/∂θ_i ≡ 0 (proved by ${proof.method}): L(θ + c𝟙_G) = L(θ) for every c (wherever the segment stays in the domain).`
      : proof.status === 'disproved'
        ? `Σ_{i∈G} ∂L/∂θ_i = ${proof.witness!.value} ≠ 0 at a sample point: not translation invariant in the group.`
        : 'Σ_{i∈G} ∂L/∂θ_i vanished at sample points but no symbolic proof was found: translation invariance not established.',
    latex: (opts: LatexOptions = {}) =>
      `\\sum_{i \\in ${groupLatex(group, opts)}} \\frac{\\partial L}{\\partial \\theta_{i}} ${invariant ? '\\equiv' : '\\not\\equiv'} 0` +
      (invariant ? ` \\;\\Rightarrow\\; L(\\theta + c\\,\\mathbf{1}_{G}) = L(\\theta)` : ''),
  };
}

/** Detect scale and translation invariance on all parameters and on the given groups. */
export function detectInvariances(L: Loss, opts: { groups?: Sym[][] } = {}): InvarianceReport {
  const groups: Sym[][] = [[...L.params]];
  for (const g of opts.groups ?? []) {
    checkGroup(L, g);
    const key = (x: readonly Sym[]): string => [...x].map((s) => s.name).sort().join(',');
    if (!groups.some((h) => key(h) === key(g))) groups.push([...g]);
  }
  const results: InvarianceResult[] = [];
  for (const g of groups) results.push(testScaleInvariance(L, g), testTranslationInvariance(L, g));
  return {
    results,
    scale: results.filter((r) => r.kind === 'scale' && r.invariant).map((r) => [...r.group]),
    translation: results.filter((r) => r.kind === 'translation' && r.invariant).map((r) => [...r.group]),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Dynamics of the invariant quantities

export interface Identity {
  readonly name: string;
  readonly latex: string;
  readonly proof: ZeroProof;
}

export interface QuantityDynamics {
  /** 'norm' (‖θ_G‖²) or 'sum' (Σθ_G) */
  readonly name: 'norm' | 'sum';
  readonly quantity: Expr;
  /** one GD step: ΔN = N(θ − ηg) − N(θ), raw (exact polynomial in η), reduced with the identities, and the proof raw − reduced ≡ 0 */
  readonly gdStep: { raw: Expr; reduced: Expr; proof: ZeroProof };
  /** gradient flow: dN/dt = −∇N·g */
  readonly gf: { raw: Expr; reduced: Expr; proof: ZeroProof };
  /**
   * along the EoM θ̇ = f_1 + ηf_2 + …: dN/dt = Σ_m η^m ∇N·f_{m+1}; raw[m] = ∇N·f_{m+1} (direct contraction),
   * reduced[m] = [η^m] of the Bernoulli series applied to the reduced GD step, proofs[m]: raw[m] − reduced[m] ≡ 0.
   */
  readonly eom: { raw: Expr[]; reduced: Expr[]; proofs: ZeroProof[] };
  /** loss-notation forms of the leading reduced EoM terms, each checked: [η^m] = expr */
  readonly lossNotation: Array<{ order: number; latex: string; expr: Expr; proof: ZeroProof }>;
  /** the dynamics in LaTeX; `opts.names` prints the loss's names (the group and the contractions θ_G·f_k) */
  latex(opts?: LatexOptions): string[];
}

export interface InvariantDynamics {
  readonly kind: InvarianceKind;
  readonly group: readonly Sym[];
  readonly K: number;
  /** the invariance identities used, each proved for this loss */
  readonly identities: Identity[];
  readonly quantities: QuantityDynamics[];
  latex(opts?: LatexOptions): string[];
}

/** Bernoulli numbers B_0 … B_n (B_1 = −1/2): x/(e^x − 1) = Σ B_j x^j/j!. */
export function bernoulli(n: number): Rational[] {
  const B: Rational[] = [Rational.ONE];
  for (let m = 1; m <= n; m++) {
    // Σ_{k=0}^{m} C(m+1, k) B_k = 0
    let s = Rational.ZERO;
    let c = Rational.ONE; // C(m+1, 0)
    for (let k = 0; k < m; k++) {
      s = s.add(c.mul(B[k]!));
      c = c.mul(Rational.int(m + 1 - k)).div(Rational.int(k + 1));
    }
    B.push(s.neg().div(Rational.int(m + 1)));
  }
  return B;
}

/**
 * Σ_j B_j/j! (ηD)^j d, to the coefficients η^0 … η^M, with d a series in η (d[m] = [η^m]) and D the
 * derivative along F_η = Σ_b η^b f[b] (f[b] = f_{b+1}).
 */
function bernoulliRate(d: readonly Expr[], f: readonly Expr[][], params: readonly Sym[], M: number): Expr[] {
  const B = bernoulli(M);
  const out: Expr[][] = Array.from({ length: M + 1 }, () => []);
  let Dj: Expr[] = Array.from({ length: M + 1 }, (_, m) => d[m] ?? ZERO);
  let fact = Rational.ONE;
  for (let j = 0; j <= M; j++) {
    if (j > 0) fact = fact.mul(Rational.int(j));
    const c = B[j]!.div(fact);
    for (let m = 0; m + j <= M; m++) if (!c.isZero() && Dj[m] !== ZERO) out[m + j]!.push(scale(Dj[m]!, c));
    // D S: [η^m] = Σ_{a+b=m} ∇S[a]·f_{b+1}
    const next: Expr[] = [];
    for (let m = 0; m <= M; m++) {
      const terms: Expr[] = [];
      for (let a = 0; a <= m; a++) if (Dj[a] !== ZERO && f[m - a]) terms.push(directional(Dj[a]!, params, f[m - a]!));
      next.push(sum(terms));
    }
    Dj = next;
  }
  return out.map((t) => sum(t));
}

function dot(a: readonly Expr[], b: readonly Expr[]): Expr {
  return sum(a.map((x, i) => mul(x, b[i]!)));
}

function safeLatex(e: Expr, opts: LatexOptions = {}): string {
  try {
    return toLatex(e, { ...opts, limit: 4000 });
  } catch (err) {
    if (err instanceof PrintSizeError) return '\\text{(too large to print)}';
    throw err;
  }
}

export interface InvariantDynamicsOptions {
  /** number of counter terms: f_1 … f_K (default 3) */
  K?: number;
  /** the counter terms f[k−1] = f_k; default `counterTerms(L, K).f` */
  f?: Expr[][];
}

/**
 * For a loss invariant on a group: the invariance identities, and the dynamics of ‖θ_G‖² (and Σθ_G for a
 * translation invariance) under one GD step, under GF, and along the EoM to order K, reduced.
 */
export function invariantDynamics(
  L: Loss,
  inv: { kind: InvarianceKind; group: readonly Sym[] },
  opts: InvariantDynamicsOptions = {},
): InvariantDynamics {
  const K = opts.K ?? 3;
  if (!Number.isInteger(K) || K < 1) throw new InputError(`invariantDynamics: K must be a positive integer, got ${K}`);
  const test = inv.kind === 'scale' ? testScaleInvariance(L, inv.group) : testTranslationInvariance(L, inv.group);
  if (!test.invariant) throw new InputError(`the loss is not ${inv.kind} invariant on the group (${test.statement})`);
  const params = L.params;
  const n = params.length;
  const inG = params.map((p) => inv.group.includes(p));
  const g = gradient(L.expr, params);
  const H = hessian(L.expr, params);
  const gG = g.map((x, i) => (inG[i] ? x : ZERO));
  const thetaG: Expr[] = params.map((p, i) => (inG[i] ? p : ZERO));
  const oneG: Expr[] = inG.map((b) => (b ? num(1) : ZERO));
  const f = opts.f?.slice(0, K) ?? counterTerms(L, K).f;
  if (f.length < K) throw new InputError(`invariantDynamics: ${K} counter terms needed, ${f.length} given`);
  const full = inv.group.length === n;

  // identities
  const identities: Identity[] = [];
  const v = inv.kind === 'scale' ? thetaG : oneG;
  const Hv = H.map((row) => dot(row, v));
  identities.push({
    name: inv.kind === 'scale' ? 'θ_G·g = 0' : '𝟙_G·g = 0',
    latex: inv.kind === 'scale' ? '\\theta_{G} \\cdot g = 0' : '\\mathbf{1}_{G} \\cdot g = 0',
    proof: test.proof,
  });
  const hvProofs = Hv.map((x, i) => proveZero(inv.kind === 'scale' ? sum([x, gG[i]!]) : x, params));
  identities.push({
    name: inv.kind === 'scale' ? 'H θ_G = −P_G g' : 'H 𝟙_G = 0',
    latex: inv.kind === 'scale' ? 'H \\theta_{G} = -P_{G}\\, g' : 'H \\mathbf{1}_{G} = 0',
    proof: combine(hvProofs),
  });
  // T(v,·,·)_jk = Σ_i v_i ∂_i H_jk; scale: = −([j∈G] + [k∈G]) H_jk
  const tProofs: ZeroProof[] = [];
  for (let j = 0; j < n; j++) {
    for (let k = j; k < n; k++) {
      const t = directional(H[j]![k]!, params, v);
      const expected = inv.kind === 'scale' ? scale(H[j]![k]!, -((inG[j] ? 1 : 0) + (inG[k] ? 1 : 0))) : ZERO;
      tProofs.push(proveZero(sub(t, expected), params));
    }
  }
  identities.push({
    name: inv.kind === 'scale' ? 'T(θ_G,·,·) = −(P_G H + H P_G)' : 'T(𝟙_G,·,·) = 0',
    latex: inv.kind === 'scale' ? '\\nabla^{3}L[\\theta_{G}, \\cdot, \\cdot] = -\\left(P_{G} H + H P_{G}\\right)' : '\\nabla^{3}L[\\mathbf{1}_{G}, \\cdot, \\cdot] = 0',
    proof: combine(tProofs),
  });

  // N = ‖θ_G‖²
  const normSq = dot(thetaG, thetaG);
  const gG2 = dot(gG, gG);
  const thetaDotG = dot(thetaG, g);
  const quantities: QuantityDynamics[] = [];
  {
    // ΔN/η = −2 θ_G·g + η ‖g_G‖²
    const dRaw = [scale(thetaDotG, -2), gG2];
    const dRed = inv.kind === 'scale' ? [ZERO, gG2] : dRaw;
    const stepped = subs(normSq, new Map(params.map((p, i) => [p, sub(p, mul(ETA, g[i]!))] as [Sym, Expr])));
    const gdRaw = sub(stepped, normSq);
    const gdRed = sum(dRed.map((x, m) => mul(pow(ETA, m + 1), x)));
    const gfRaw = scale(thetaDotG, -2);
    const gfRed = dRed[0]!;
    const raw = f.map((fk) => scale(dot(thetaG, fk), 2));
    const reduced = bernoulliRate(dRed, f, params, K - 1);
    const lossNotation: QuantityDynamics['lossNotation'] = [];
    if (inv.kind === 'scale') {
      const gHg = dot(gG, H.map((row) => dot(row, g)));
      lossNotation.push({ order: 0, latex: '0', expr: ZERO, proof: proveZero(sub(reduced[0]!, ZERO), params) });
      if (K >= 2) lossNotation.push({ order: 1, latex: '\\lVert g_{G} \\rVert^{2}', expr: gG2, proof: proveZero(sub(reduced[1]!, gG2), params) });
      if (K >= 3) lossNotation.push({ order: 2, latex: 'g_{G}^{\\top} H g', expr: gHg, proof: proveZero(sub(reduced[2]!, gHg), params) });
      if (K >= 4 && full) {
        const Hg = H.map((row) => dot(row, g));
        const T3 = directional(dot(g, H.map((row) => dot(row, g))), params, g); // ∇(gᵀHg)·g = T[g,g,g] + 2 gᵀHHg
        const Tggg = sub(T3, scale(dot(Hg, Hg), 2));
        const e3 = sum([scale(dot(Hg, Hg), Rational.of(5, 6)), scale(Tggg, Rational.of(1, 6))]);
        lossNotation.push({
          order: 3,
          latex: '\\frac{5}{6} \\lVert H g \\rVert^{2} + \\frac{1}{6} \\nabla^{3}L[g, g, g]',
          expr: e3,
          proof: proveZero(sub(reduced[3]!, e3), params),
        });
      }
    }
    quantities.push({
      name: 'norm',
      quantity: normSq,
      gdStep: { raw: gdRaw, reduced: gdRed, proof: proveZero(sub(gdRaw, gdRed), params) },
      gf: { raw: gfRaw, reduced: gfRed, proof: proveZero(sub(gfRaw, gfRed), params) },
      eom: { raw, reduced, proofs: raw.map((r, m) => proveZero(sub(r, reduced[m]!), params)) },
      lossNotation,
      latex(opts: LatexOptions = {}) {
        const G = groupLatex(inv.group, opts);
        const N = `\\lVert \\theta_{G} \\rVert^{2}`;
        const lines = [
          `${N} \\text{ with } G = ${G}`,
          `\\Delta_{\\mathrm{GD}} ${N} = -2\\eta\\, \\theta_{G} \\cdot g + \\eta^{2} \\lVert g_{G} \\rVert^{2}` +
            (inv.kind === 'scale' ? ` = \\eta^{2} \\lVert g_{G} \\rVert^{2}` : ''),
          `\\frac{d}{dt}\\Big|_{\\mathrm{GF}} ${N} = -2\\, \\theta_{G} \\cdot g` + (inv.kind === 'scale' ? ' = 0' : ''),
          `\\frac{d}{dt}\\Big|_{\\mathrm{EoM}} ${N} = 2\\, \\theta_{G} \\cdot F_{\\eta} = \\frac{\\eta D}{e^{\\eta D} - 1} \\frac{\\Delta_{\\mathrm{GD}} ${N}}{\\eta}` +
            (lossNotation.length
              ? ' = ' +
                lossNotation
                  .filter((t) => t.order > 0)
                  .map((t) => `${t.order === 1 ? '\\eta' : `\\eta^{${t.order}}`} \\left(${t.latex}\\right)`)
                  .join(' + ') +
                ` + O(\\eta^{${lossNotation.length}})`
              : ''),
        ];
        reduced.forEach((r, m) => lines.push(`[\\eta^{${m}}]\\; 2\\, \\theta_{G} \\cdot f_{${m + 1}} = ${safeLatex(r, opts)}`));
        return lines;
      },
    });
  }
  if (inv.kind === 'translation') {
    const s = dot(oneG, thetaG);
    const sg = dot(oneG, g);
    const stepped = subs(s, new Map(params.map((p, i) => [p, sub(p, mul(ETA, g[i]!))] as [Sym, Expr])));
    const gdRaw = sub(stepped, s);
    const raw = f.map((fk) => dot(oneG, fk));
    const reduced = bernoulliRate([ZERO], f, params, K - 1);
    quantities.push({
      name: 'sum',
      quantity: s,
      gdStep: { raw: gdRaw, reduced: ZERO, proof: proveZero(gdRaw, params) },
      gf: { raw: scale(sg, -1), reduced: ZERO, proof: proveZero(sg, params) },
      eom: { raw, reduced, proofs: raw.map((r) => proveZero(r, params)) },
      lossNotation: [],
      latex: (opts: LatexOptions = {}) => [
        `\\textstyle\\sum_{i \\in G} \\theta_{i} \\text{ with } G = ${groupLatex(inv.group, opts)}`,
        `\\Delta_{\\mathrm{GD}} \\textstyle\\sum_{i \\in G} \\theta_{i} = -\\eta\\, \\mathbf{1}_{G} \\cdot g = 0`,
        `\\frac{d}{dt}\\Big|_{\\mathrm{GF}} \\textstyle\\sum_{i \\in G} \\theta_{i} = -\\mathbf{1}_{G} \\cdot g = 0`,
        `\\frac{d}{dt}\\Big|_{\\mathrm{EoM}} \\textstyle\\sum_{i \\in G} \\theta_{i} = \\mathbf{1}_{G} \\cdot F_{\\eta} = \\frac{\\eta D}{e^{\\eta D} - 1} \\, 0 = 0 \\quad \\text{(every order; checked for } f_{1}, \\dots, f_{${K}} \\text{)}`,
      ],
    });
  }
  return {
    kind: inv.kind,
    group: inv.group,
    K,
    identities,
    quantities,
    latex(opts: LatexOptions = {}) {
      return [...identities.map((i) => i.latex), ...quantities.flatMap((q) => q.latex(opts))];
    },
  };
}

function combine(ps: ZeroProof[]): ZeroProof {
  const bad = ps.find((p) => p.status === 'disproved') ?? ps.find((p) => p.status === 'unproved');
  if (bad) return bad;
  return { status: 'proved', method: ps.some((p) => p.method === 'rationalize') ? 'rationalize' : 'expand' };
}

// ---------------------------------------------------------------------------------------------------------
// Worked examples

function exactText(v: number | string): string {
  return typeof v === 'number' ? `(${String(v)})` : `(${v})`;
}

/**
 * A weight-normalised linear unit: L(w) = (w·x/‖w‖ − y)², ‖w‖ = sqrt(Σ w_i²), parameters w1 … wn
 * (numeric x and y, read exactly). Scale invariant in w.
 */
export function weightNormalizedUnit(x: readonly (number | string)[], y: number | string): Loss {
  if (x.length < 1) throw new InputError('weightNormalizedUnit: x must have at least one entry');
  const params = x.map((_, i) => `w${i + 1}`);
  const dotText = x.map((xi, i) => `${exactText(xi)}*${params[i]}`).join(' + ');
  const norm = `sqrt(${params.map((p) => `${p}^2`).join(' + ')})`;
  return loss(`((${dotText})/${norm} - ${exactText(y)})^2`, { params });
}

/**
 * Cross-entropy of softmax(z) for n logits and the given label (0-based), written with exp/log:
 * L(z) = −z_label + log Σ_j exp(z_j). Translation invariant in z.
 */
export function softmaxCrossEntropy(n = 3, label = 0): Loss {
  if (!Number.isInteger(n) || n < 2) throw new InputError('softmaxCrossEntropy: at least two logits');
  if (!Number.isInteger(label) || label < 0 || label >= n) throw new InputError(`softmaxCrossEntropy: label must be in 0…${n - 1}`);
  const params = Array.from({ length: n }, (_, i) => `z${i + 1}`);
  return loss(`-${params[label]} + log(${params.map((p) => `exp(${p})`).join(' + ')})`, { params });
}
