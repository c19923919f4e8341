/**
 * Agreement of a peer's results with eomkit's: each peer string is read into the core
 * (bench/polyparse.ts), expanded, and compared with eomkit's expanded entry by identity — the core
 * hash-conses, so equal canonical polynomials are the same object. On a mismatch the difference is
 * also evaluated exactly at a random rational point, to tell "different value" from "same value,
 * different canonical form" (a core bug).
 */
import { type Expr, type Sym, ZERO, num, sub, freeSymbols } from '../src/symbolic/expr.ts';
import { expand } from '../src/symbolic/expand.ts';
import { subs } from '../src/symbolic/transform.ts';
import { Rational } from '../src/symbolic/rational.ts';
import { parsePolynomial } from './polyparse.ts';

export interface CheckResult {
  agrees: boolean;
  note?: string;
}

function exactValueIsZero(d: Expr): boolean {
  const env = new Map<Sym, Expr>();
  for (const s of freeSymbols(d)) env.set(s, num(Rational.of(1 + Math.floor(Math.random() * 97), 1 + Math.floor(Math.random() * 89))));
  return expand(subs(d, env)) === ZERO;
}

/** Compare a peer's entry strings with eomkit's expanded entries (same order). */
export function checkEntries(label: string, ours: readonly Expr[], theirs: readonly string[]): CheckResult {
  if (theirs.length !== ours.length) return { agrees: false, note: `${theirs.length} entries, expected ${ours.length}` };
  const bad: string[] = [];
  for (let i = 0; i < ours.length; i++) {
    let e: Expr;
    try {
      e = expand(parsePolynomial(theirs[i]!));
    } catch (err) {
      bad.push(`#${i}: unreadable (${(err as Error).message.slice(0, 80)})`);
      continue;
    }
    if (e === ours[i]) continue;
    const d = expand(sub(e, ours[i]!));
    bad.push(d === ZERO || exactValueIsZero(d) ? `${label}[${i}]: same value, different canonical form` : `${label}[${i}]: different value`);
  }
  if (bad.length === 0) return { agrees: true };
  return { agrees: false, note: `${bad.length} mismatching: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? '; …' : ''}` };
}

/** Number of terms of an expanded expression (0 for zero): the size measure of P1 and P2. */
export function termCount(e: Expr): number {
  if (e === ZERO) return 0;
  return e.kind === 'add' ? e.terms.length + (e.constant.isZero() ? 0 : 1) : 1;
}
