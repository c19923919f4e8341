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

