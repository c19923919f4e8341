/**
 * Gradient descent's notation for elementary differentials (docs/theory/eom.md, "Counter term").
 *
 * For f = −g = −∇L, f^(m) = −∇^{m+1}L and every node of a tree contributes a factor −1:
 * F(t) = (−1)^{|t|} G(t) with G(•) = g, G([t_1..t_m]) = ∇^{m+1}L[G(t_1), …, G(t_m)]:
 * f′f = H g, f″(f,f) = −∇³L[g,g], f′f′f = −H H g, …
 */
import type { RootedTree } from '../bseries/index.ts';

/** G(t) in loss notation (F(t) = (−1)^{|t|} G(t)): g, Hg, ∇³L[g,g], HHg, … */
export function lossNotation(t: RootedTree): string {
  const m = t.children.length;
  if (m === 0) return 'g';
  if (m === 1) return `H${lossNotation(t.children[0]!)}`;
  return `∇${superscript(m + 1)}L[${t.children.map(lossNotation).join(',')}]`;
}

/** G(t) in loss notation, LaTeX: g, H g, \nabla^{3} L[g, g], H H g, … */
export function lossNotationLatex(t: RootedTree): string {
  const m = t.children.length;
  if (m === 0) return 'g';
  if (m === 1) return `H ${lossNotationLatex(t.children[0]!)}`;
  return `\\nabla^{${m + 1}} L\\left[${t.children.map(lossNotationLatex).join(', ')}\\right]`;
}

/** The sign of F(t) relative to G(t) for f = −g: (−1)^{|t|}. */
export function lossSign(t: RootedTree): 1 | -1 {
  return t.order % 2 === 0 ? 1 : -1;
}

function superscript(n: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return String(n)
    .split('')
    .map((d) => digits[Number(d)])
    .join('');
}


/**
 * G(t) written with derivatives of L (g = ∇L, H = ∇²L): ∇L, ∇²L∇L, ∇³L[∇L,∇L], … — the notation of the
 * general forms, where a reader has no g and H defined.
 */
export function nablaNotation(t: RootedTree): string {
  const m = t.children.length;
  if (m === 0) return '∇L';
  if (m === 1) return `∇²L${nablaNotation(t.children[0]!)}`;
  return `∇${superscript(m + 1)}L[${t.children.map(nablaNotation).join(',')}]`;
}

/**
 * The scalar Φ(t) = D^m L[G(t_1), …, G(t_m)] of the modified loss's general form (docs/theory/eom.md,
 * "Modified loss"), with derivatives of L: Φ(•) = L, Φ([•]) = ‖∇L‖², Φ([t]) = ∇L·G(t),
 * Φ([t_1, t_2]) = G(t_1)ᵀ∇²L G(t_2), Φ([t_1, …, t_m]) = ∇^mL[G(t_1), …, G(t_m)].
 */
export function scalarNotation(t: RootedTree): string {
  const c = t.children;
  if (c.length === 0) return 'L';
  if (c.length === 1) return c[0]!.order === 1 ? '‖∇L‖²' : `∇Lᵀ${nablaNotation(c[0]!)}`;
  if (c.length === 2) return `${transposed(nablaNotation(c[0]!))}∇²L${nablaNotation(c[1]!)}`;
  return `∇${superscript(c.length)}L[${c.map(nablaNotation).join(',')}]`;
}

function transposed(v: string): string {
  return v === '∇L' ? '∇Lᵀ' : `(${v})ᵀ`;
}
