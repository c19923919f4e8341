/**
 * The `--terms` language shared by `eomkit codegen` and `eomkit latex`: which derived objects of a loss
 * to emit. Names (case-sensitive):
 *
 *   loss (L)            the loss
 *   gradient (g)        ∇L
 *   hessian (H)         ∇²L
 *   f1, f2, …           the counter terms f_k of the GD equation of motion (docs/theory/eom.md, "Counter terms")
 *   field0, field1, …   the truncated EoM field f_1 + η f_2 + … + η^j f_{j+1} (η a hyper-parameter)
 *   modified-loss       L̃ (docs/theory/eom.md, "Modified loss"), known through the order where it exists
 *   error               the leading local error of GF, EoM_1, … (docs/theory/eom.md, "Discretization error")
 *   eom                 the equation θ̇ = −g − η ξ_1 − … (LaTeX only)
 *
 * The order K of the counter-term series is --order, or the least K the terms need.
 */
import { UsageError } from './errors.ts';

export type TermSpec =
  | { kind: 'loss' }
  | { kind: 'gradient' }
  | { kind: 'hessian' }
  | { kind: 'f'; k: number }
  | { kind: 'field'; j: number }
  | { kind: 'modified-loss' }
  | { kind: 'error' }
  | { kind: 'eom' };

/** Highest order K accepted by codegen / latex (as `derive`). */
export const MAX_TERM_ORDER = 10;

const ALIASES: Record<string, TermSpec> = {
  loss: { kind: 'loss' },
  L: { kind: 'loss' },
  gradient: { kind: 'gradient' },
  g: { kind: 'gradient' },
  hessian: { kind: 'hessian' },
  H: { kind: 'hessian' },
  'modified-loss': { kind: 'modified-loss' },
  error: { kind: 'error' },
  eom: { kind: 'eom' },
};

/** Parse one --terms entry; the message of a bad one lists what is accepted. */
export function parseTerm(name: string, allowed: ReadonlyArray<TermSpec['kind']>): TermSpec {
  let t: TermSpec | undefined = ALIASES[name];
  let m: RegExpExecArray | null;
  if (!t && (m = /^f(\d+)$/.exec(name))) t = { kind: 'f', k: Number(m[1]) };
  else if (!t && (m = /^field(\d+)$/.exec(name))) t = { kind: 'field', j: Number(m[1]) };
  const accepted = allowed
    .map((k) => (k === 'f' ? 'f1, f2, …' : k === 'field' ? 'field0, field1, …' : k))
    .join(', ');
  if (!t || !allowed.includes(t.kind)) throw new UsageError(`--terms: unknown term '${name}' (accepted: ${accepted})`);
  if (t.kind === 'f' && (t.k < 1 || t.k > MAX_TERM_ORDER)) throw new UsageError(`--terms: f${t.k}: counter terms are f1 … f${MAX_TERM_ORDER}`);
  if (t.kind === 'field' && t.j > MAX_TERM_ORDER - 1) throw new UsageError(`--terms: field${t.j}: the EoM fields are field0 … field${MAX_TERM_ORDER - 1}`);
  return t;
}

/** The least series order K that the terms need (0: none). */
export function orderNeeded(terms: readonly TermSpec[]): number {
  let K = 0;
  for (const t of terms) {
    if (t.kind === 'f') K = Math.max(K, t.k);
    else if (t.kind === 'field') K = Math.max(K, t.j + 1);
    else if (t.kind === 'modified-loss' || t.kind === 'error') K = Math.max(K, 2);
    else if (t.kind === 'eom') K = Math.max(K, 1);
  }
  return K;
}

/**
 * The order K to derive: --order when given (it must cover what the terms need), otherwise the least
 * that the terms need.
 */
export function resolveOrder(terms: readonly TermSpec[], orderText: string | undefined): number {
  const need = orderNeeded(terms);
  if (orderText === undefined) return need;
  const K = Number(orderText);
  if (!Number.isInteger(K) || K < 1 || K > MAX_TERM_ORDER) throw new UsageError(`--order must be an integer from 1 to ${MAX_TERM_ORDER}, got "${orderText}"`);
  if (K < need) throw new UsageError(`--order ${K} is too low for --terms: they need f_1 … f_${need} (give --order ${need} or more, or leave it out)`);
  return K;
}

/** The terms a list names, each once, in the order given. */
export function parseTerms(text: string, allowed: ReadonlyArray<TermSpec['kind']>): TermSpec[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--terms: empty name in "${text}"`);
  const seen = new Set<string>();
  const out: TermSpec[] = [];
  for (const n of names) {
    const t = parseTerm(n, allowed);
    const key = JSON.stringify(t);
    if (!seen.has(key)) out.push(t);
    seen.add(key);
  }
  return out;
}
