/**
 * The size budget of generated code, checked on the expression DAG before anything is lowered or printed.
 *
 * The lowered program has one operand per child of each distinct DAG node (a sum's terms, a product's
 * factors), and the code printed from it grows with that count; the pair sharing of products
 * (ir.ts, shareProductPairs) looks at every pair of factors of each product. Both are counted here in one
 * walk over the distinct nodes, so that an output too large to compile is refused with a BudgetError
 * instead of exhausting memory in the middle of printing (V8 cannot catch "invalid size" failures).
 */
import { BudgetError } from '../errors.ts';
import { type Expr, children } from '../symbolic/index.ts';

/** Default budget of operands (children of the distinct expression nodes) that one compile may lower. */
export const DEFAULT_MAX_OPERANDS = 2_000_000;

/** Above this many factor pairs the pair sharing of products is skipped (the code is correct either way). */
export const MAX_SHARED_PAIRS = 5_000_000;

export interface CodeSize {
  /** distinct expression nodes */
  readonly nodes: number;
  /** Σ over distinct nodes of their number of children: the operands of the lowered program */
  readonly operands: number;
  /** Σ over distinct products of C(m, 2), m its number of factors: the work of pair sharing */
  readonly productPairs: number;
}

/** The size measures of the code for these expressions (one walk over their distinct nodes). */
export function codeSize(exprs: readonly Expr[]): CodeSize {
  const seen = new Set<Expr>();
  const stack: Expr[] = [...exprs];
  let operands = 0;
  let productPairs = 0;
  while (stack.length) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    if (e.free === 0n) continue; // folded to one constant
    const cs = children(e);
    operands += cs.length;
    if (e.kind === 'mul') productPairs += (cs.length * (cs.length - 1)) / 2;
    for (const c of cs) if (!seen.has(c)) stack.push(c);
  }
  return { nodes: seen.size, operands, productPairs };
}

/** A BudgetError when the expressions would lower to more than maxOperands operands. */
export function checkCodeSize(exprs: readonly Expr[], maxOperands: number, what: string): CodeSize {
  const size = codeSize(exprs);
  if (size.operands > maxOperands) {
    throw new BudgetError(
      `${what}: the outputs have ${size.operands.toLocaleString('en-US')} operands in ${size.nodes.toLocaleString('en-US')} distinct sub-expressions, ` +
        `past the generated-code budget maxOperands = ${maxOperands.toLocaleString('en-US')}; compile fewer or lower-order outputs, ` +
        `use the forward-mode counter terms (counterTermsForward), or raise the budget with the option maxOperands`,
    );
  }
  return size;
}
