/**
 * "Any loss" as a property (fast-check, fixed seed): for random losses built from polynomials and the
 * core's functions, the Gibbs density with isotropic constant noise is stationary, proved by expansion
 * (route 'symbolic'), with and without momentum and weight decay; with anisotropic noise the same
 * candidate is always rejected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loss } from '../../../src/symbolic/index.ts';
import { langevinModel, checkStationary } from '../../../src/theory/langevin/index.ts';

const monomial = fc
  .tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }))
  .map(([c, a, b]) => `${c}/3*w1^${a}*w2^${b}`);
const fn = fc.constantFrom('exp', 'tanh', 'sigmoid', 'softplus', 'sin', 'cos');
const nonlinear = fc
  .tuple(fn, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 1, max: 4 }))
  .map(([f, a, b, c]) => `${c}/2*${f}(${a}/2*w1 + ${b}/3*w2)`);
const lossFormula = fc
  .tuple(fc.array(monomial, { minLength: 1, maxLength: 4 }), fc.array(nonlinear, { maxLength: 2 }), fc.boolean())
  .map(([ms, ns, withLog]) => [...ms, ...ns, ...(withLog ? ['log(1 + w1^2*w2^2)'] : [])].join(' + '));
const settings = fc.record({
  eta: fc.constantFrom(0.01, 0.1, '1/7'),
  beta: fc.constantFrom(0, 0.5, 0.9),
  batchSize: fc.integer({ min: 1, max: 64 }),
  weightDecay: fc.constantFrom(0, 0.01, '1/3'),
});

describe('Gibbs stationarity holds for any loss with isotropic constant noise (property)', () => {
  it('random losses and settings: stationary, route symbolic; anisotropic noise: rejected', () => {
    fc.assert(
      fc.property(lossFormula, settings, fc.integer({ min: 1, max: 5 }), (f, hyper, s) => {
        const L = loss(f, { params: ['w1', 'w2'] });
        const iso = checkStationary(langevinModel(L, hyper, { kind: 'isotropic', variance: s }));
        expect(iso.stationary, f).toBe(true);
        expect(iso.decision.route).toBe('symbolic');
        const aniso = checkStationary(langevinModel(L, hyper, { kind: 'matrix', sigma: [[s, 0], [0, s + 1]] }), { localGaussian: false });
        expect(aniso.stationary, f).toBe(false);
      }),
      { numRuns: 50, seed: 20261129 },
    );
  });
});
