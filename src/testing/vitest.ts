/**
 * A vitest matcher for derivations: `expect(derived).toEqualDerivation(golden, opts?)`.
 *
 *   import 'eomkit/testing/vitest';   // registers the matcher (expect.extend) and its types
 *   expect(gradient(L.expr, L.params)).toEqualDerivation(['w2*(w1*w2 - 1)', 'w1*(w1*w2 - 1)']);
 *
 * Equality is canonical (same object, or equal after `expand`); a failure prints both forms and a point
 * where their values differ (see ./regression.ts).
 */
import { expect } from 'vitest';
import { type CompareOptions, type DerivedValue, compareDerivation } from './regression.ts';

interface DerivationMatchers<R = unknown> {
  /** canonical equality with a golden expression / vector / matrix (Expr or canonical text) */
  toEqualDerivation(golden: DerivedValue, opts?: CompareOptions): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends DerivationMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends DerivationMatchers {}
}

expect.extend({
  toEqualDerivation(received: DerivedValue, golden: DerivedValue, opts?: CompareOptions) {
    const c = compareDerivation(received, golden, opts);
    return {
      pass: c.equal,
      message: () => (c.equal ? `expected the derivation to differ from the golden value, but all ${c.components} components are equal` : c.message),
    };
  },
});
