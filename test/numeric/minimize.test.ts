/**
 * Newton's method with the eigenvalue modification (src/numeric/minimize.ts), against closed-form minima.
 */
import { describe, expect, it } from 'vitest';
import { newtonMinimize, type NewtonObjective } from '../../src/numeric/minimize.ts';
import { InputError } from '../../src/errors.ts';

const f2 = (value: (x: number, y: number) => number, grad: (x: number, y: number) => [number, number], hess: (x: number, y: number) => [number, number, number]): NewtonObjective => (t) => {
  const [x, y] = [t[0]!, t[1]!];
  const [a, b, c] = hess(x, y);
  const v = value(x, y);
  return Number.isFinite(v) ? { value: v, gradient: Float64Array.from(grad(x, y)), hessian: Float64Array.of(a, b, b, c) } : undefined;
};

describe('newtonMinimize', () => {
  it('Rosenbrock: the minimum (1, 1) to round-off', () => {
    const r = newtonMinimize(
      f2(
        (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
        (x, y) => [2 - 400 * (y - x * x) + 800 * x * x, -400 * x, 200],
      ),
      [-1.2, 1],
    );
    expect(r.converged).toBe(true);
    expect(Math.abs(r.theta[0]! - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.theta[1]! - 1)).toBeLessThan(1e-12);
  });

  it('crosses a saddle downhill: x² − y² + y⁴ from (0.3, 0.1) ends at (0, ±1/√2)', () => {
    const r = newtonMinimize(
      f2(
        (x, y) => x * x - y * y + y ** 4,
        (x, y) => [2 * x, -2 * y + 4 * y ** 3],
        (_x, y) => [2, 0, -2 + 12 * y * y],
      ),
      [0.3, 0.1],
    );
    expect(r.converged).toBe(true);
    expect(Math.abs(r.theta[0]!)).toBeLessThan(1e-12);
    expect(Math.abs(Math.abs(r.theta[1]!) - Math.SQRT1_2)).toBeLessThan(1e-12);
  });

  it('a valley of minima, (x + y − 1)²: converges onto the valley', () => {
    const r = newtonMinimize(
      f2(
        (x, y) => (x + y - 1) ** 2,
        (x, y) => [2 * (x + y - 1), 2 * (x + y - 1)],
        () => [2, 2, 2],
      ),
      [3, -4],
    );
    expect(r.converged).toBe(true);
    expect(Math.abs(r.theta[0]! + r.theta[1]! - 1)).toBeLessThan(1e-12);
  });

  it('no minimum (separable logistic: log(1 + e^{−x−y})): not converged, never a minimum at a huge θ', () => {
    const sp = (u: number) => Math.log1p(Math.exp(-u));
    const s = (u: number) => 1 / (1 + Math.exp(u));
    const r = newtonMinimize(
      f2(
        (x, y) => sp(x + y),
        (x, y) => [-s(x + y), -s(x + y)],
        (x, y) => {
          const h = s(x + y) * (1 - s(x + y));
          return [h, h, h];
        },
      ),
      [0, 0],
      { maxIterations: 100 },
    );
    expect(r.converged).toBe(false);
    expect(['iterations', 'diverged', 'no-decrease']).toContain(r.reason);
  });

  it('bad input is an InputError', () => {
    const quad = f2((x, y) => x * x + y * y, (x, y) => [2 * x, 2 * y], () => [2, 0, 2]);
    expect(() => newtonMinimize(quad, [NaN, 0])).toThrow(InputError);
    expect(() => newtonMinimize(quad, [0, 0], { maxIterations: 0 })).toThrow(InputError);
    expect(() => newtonMinimize(() => undefined, [0, 0])).toThrow(InputError);
  });
});
