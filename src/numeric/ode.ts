/**
 * ODE integration in float64 for gradient flow and the truncated EoM (docs/theory/eom.md, "Discretization error"):
 * θ̇ = F(θ) with F given as `(theta, out) => void`.
 *
 * - `rk4`: classical fixed-step Runge–Kutta of order 4.
 * - `dop853`: adaptive Dormand–Prince 8(5,3) with its 7th-order dense output (Hairer, Nørsett, Wanner,
 *   Solving ODEs I, §II.10; the algorithm of Hairer's Fortran DOP853 and of scipy's `DOP853`, whose step
 *   control and error norm are reproduced here).
 *
 * Choice (recorded as the brief asks): odex 2.0.4 was considered — it is Hairer's ODEX (Gragg–Bulirsch–Stoer
 * extrapolation) with dense output, not Dormand–Prince as its summary line suggests elsewhere. It works on
 * `number[]` and allocates new arrays on every right-hand-side call (`f(x, y) => number[]`), which clashes
 * with the allocation-free `(theta, out)` callbacks generated code provides, and its accuracy near 1e-13
 * relative is governed by extrapolation-order heuristics that are harder to reason about. DOP853 is the
 * method the P4 peer uses (`solve_ivp(method='DOP853', rtol=1e-13)`), so writing it on Float64Array gives a
 * like-for-like comparison and reaches 1e-13 relative with a few hundred steps on smooth flows. The
 * coefficients are in ./dop853-coefficients.ts (generated from Hairer's tables at float64 precision).
 *
 * Integration may run backwards (tEnd < t0): that is how the heavy-ball slow-manifold start
 * θ_{−1} = φ_{−η}(θ_0) is computed (eom.md, "Heavy-ball momentum").
 */
import { InputError } from '../errors.ts';
import { A, B, C, D, E3, E5, N_STAGES, N_STAGES_EXTENDED } from './dop853-coefficients.ts';
import { checkVector } from './linalg.ts';

/** Autonomous vector field: writes F(y) into `out`. */
export type VectorField = (y: Float64Array, out: Float64Array) => void;

function checkField(y0: ArrayLike<number>, where: string): number {
  const n = y0.length;
  if (n === 0) throw new InputError(`${where}: initial state is empty`);
  checkVector(y0, n, 'y0', where);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// RK4

/**
 * Classical RK4 with fixed step h = (tEnd − t0)/steps (negative for backward integration).
 * Returns the final state; `record` (steps indices) fills rows of `trajectory`.
 */
export function rk4(
  F: VectorField,
  y0: ArrayLike<number>,
  duration: number,
  steps: number,
): Float64Array {
  const where = 'rk4';
  const n = checkField(y0, where);
  if (!Number.isFinite(duration)) throw new InputError(`${where}: duration must be finite, got ${duration}`);
  if (!Number.isInteger(steps) || steps <= 0) throw new InputError(`${where}: steps must be a positive integer, got ${steps}`);
  const h = duration / steps;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  for (let s = 0; s < steps; s++) {
    F(y, k1);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + 0.5 * h * k1[i]!;
    F(tmp, k2);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + 0.5 * h * k2[i]!;
    F(tmp, k3);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * k3[i]!;
    F(tmp, k4);
    for (let i = 0; i < n; i++) y[i] = y[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }
  return y;
}

// ---------------------------------------------------------------------------------------------------------
// DOP853

export interface Dop853Options {
  /** relative tolerance, default 1e-13. */
  rtol?: number;
  /** absolute tolerance, default 1e-15. */
  atol?: number;
  /** maximum number of accepted + rejected steps, default 1e6. */
  maxSteps?: number;
  /** initial step; default chosen automatically (Hairer's heuristic). */
  firstStep?: number;
  /** maximum |h|, default ∞. */
  maxStep?: number;
}

export interface Dop853Result {
  /** output times (as requested). */
  times: Float64Array;
  /** states at `times`, row-major [times.length × n]. */
  states: Float64Array;
  /** final state, at the last requested time. */
  y: Float64Array;
  n: number;
  nfev: number;
  nAccepted: number;
  nRejected: number;
}

/** The non-zero entries of a coefficient row (same order), so stage sums skip the zeros without testing them. */
interface SparseRow {
  idx: Int32Array;
  coef: Float64Array;
}
function sparse(row: ArrayLike<number>, len: number): SparseRow {
  const idx: number[] = [];
  for (let j = 0; j < len; j++) if (row[j]! !== 0) idx.push(j);
  return { idx: Int32Array.from(idx), coef: Float64Array.from(idx, (j) => row[j]!) };
}
const A_SPARSE: SparseRow[] = Array.from({ length: N_STAGES_EXTENDED }, (_, s) => sparse(A[s] ?? [], s));
const B_SPARSE = sparse(B, N_STAGES);
const D_SPARSE: SparseRow[] = [0, 1, 2, 3].map((r) => sparse(D[r]!, N_STAGES_EXTENDED));

/** ytmp = y + h·Σ_j row_j K[j] (the non-zero terms in index order). */
function stageState(row: SparseRow, K: Float64Array[], y: Float64Array, h: number, ytmp: Float64Array, n: number): void {
  const { idx, coef } = row;
  const m = idx.length;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let q = 0; q < m; q++) acc += coef[q]! * K[idx[q]!]![i]!;
    ytmp[i] = y[i]! + h * acc;
  }
}

const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
const ERR_EXP = -1 / 8; // error estimator order 7

/**
 * Integrate y' = F(y) from t0 through the given output times (monotone in one direction from t0) with
 * DOP853; states at interior times come from the 7th-order dense output, the last time is hit exactly.
 */
export function dop853(F: VectorField, y0: ArrayLike<number>, t0: number, times: readonly number[] | number, opts: Dop853Options = {}): Dop853Result {
  const where = 'dop853';
  const n = checkField(y0, where);
  const outTimes = typeof times === 'number' ? [times] : [...times];
  if (outTimes.length === 0) throw new InputError(`${where}: no output times given`);
  if (!Number.isFinite(t0)) throw new InputError(`${where}: t0 must be finite, got ${t0}`);
  for (const t of outTimes) if (!Number.isFinite(t)) throw new InputError(`${where}: output time ${t} is not finite`);
  const tEnd = outTimes[outTimes.length - 1]!;
  const dir = tEnd >= t0 ? 1 : -1;
  for (let i = 0; i < outTimes.length; i++) {
    const prevT = i === 0 ? t0 : outTimes[i - 1]!;
    if (dir * (outTimes[i]! - prevT) < 0) throw new InputError(`${where}: output times must be monotone in the direction of integration (from t0 = ${t0})`);
  }
  const rtol = opts.rtol ?? 1e-13;
  const atol = opts.atol ?? 1e-15;
  if (!(rtol > 0) || !(atol >= 0) || !Number.isFinite(rtol) || !Number.isFinite(atol)) throw new InputError(`${where}: tolerances must be finite, rtol > 0, atol >= 0 (got ${rtol}, ${atol})`);
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const maxStep = opts.maxStep ?? Infinity;

  const states = new Float64Array(outTimes.length * n);
  const K: Float64Array[] = [];
  for (let s = 0; s < N_STAGES_EXTENDED; s++) K.push(new Float64Array(n));
  let y = Float64Array.from(y0);
  let yNew = new Float64Array(n);
  const ytmp = new Float64Array(n);
  let f = new Float64Array(n);
  let fNew = new Float64Array(n);
  const Fd = [0, 1, 2, 3, 4, 5, 6].map(() => new Float64Array(n)); // dense-output coefficients
  let nfev = 0;
  const fun = (yy: Float64Array, out: Float64Array): void => {
    F(yy, out);
    nfev++;
  };
  fun(y, f);

  let t = t0;
  let outIdx = 0;
  // requested times equal to t0
  while (outIdx < outTimes.length && outTimes[outIdx] === t0) {
    states.set(y, outIdx * n);
    outIdx++;
  }
  const result = (): Dop853Result => ({ times: Float64Array.from(outTimes), states, y: states.slice((outTimes.length - 1) * n), n, nfev, nAccepted, nRejected });
  let nAccepted = 0;
  let nRejected = 0;
  if (outIdx === outTimes.length) return result();

  // initial step (Hairer's heuristic, as in scipy select_initial_step, order 7 estimator)
  let hAbs: number;
  if (opts.firstStep !== undefined) {
    if (!(opts.firstStep > 0) || !Number.isFinite(opts.firstStep)) throw new InputError(`${where}: firstStep must be finite and > 0`);
    hAbs = opts.firstStep;
  } else {
    let d0 = 0;
    let d1 = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol + Math.abs(y[i]!) * rtol;
      d0 += (y[i]! / sc) ** 2;
      d1 += (f[i]! / sc) ** 2;
    }
    d0 = Math.sqrt(d0 / n);
    d1 = Math.sqrt(d1 / n);
    let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    h0 = Math.min(h0, Math.abs(tEnd - t0));
    for (let i = 0; i < n; i++) ytmp[i] = y[i]! + dir * h0 * f[i]!;
    fun(ytmp, fNew);
    let d2 = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol + Math.abs(y[i]!) * rtol;
      d2 += ((fNew[i]! - f[i]!) / sc) ** 2;
    }
    d2 = Math.sqrt(d2 / n) / h0;
    const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / 8);
    hAbs = Math.min(100 * h0, h1, Math.abs(tEnd - t0));
  }

  let steps = 0;
  while (outIdx < outTimes.length) {
    const minStep = 10 * Math.abs(nextAfter(t, dir) - t);
    if (hAbs > maxStep) hAbs = maxStep;
    if (hAbs < minStep) hAbs = minStep;
    let accepted = false;
    let rejected = false;
    let h = 0;
    let tNew = t;
    while (!accepted) {
      if (++steps > maxSteps) throw new InputError(`${where}: more than ${maxSteps} steps (stiff or divergent field?) at t = ${t}`);
      if (hAbs < minStep) throw new InputError(`${where}: step size underflow at t = ${t} (field not smooth or solution blows up)`);
      h = hAbs * dir;
      tNew = t + h;
      if (dir * (tNew - tEnd) > 0) tNew = tEnd;
      h = tNew - t;
      hAbs = Math.abs(h);
      // stages
      K[0]!.set(f);
      for (let s = 1; s < N_STAGES; s++) {
        stageState(A_SPARSE[s]!, K, y, h, ytmp, n);
        fun(ytmp, K[s]!);
      }
      stageState(B_SPARSE, K, y, h, yNew, n);
      fun(yNew, fNew);
      K[N_STAGES]!.set(fNew);
      // error norm (DOP853: 5th and 3rd order estimators combined)
      let e5 = 0;
      let e3 = 0;
      for (let i = 0; i < n; i++) {
        const sc = atol + Math.max(Math.abs(y[i]!), Math.abs(yNew[i]!)) * rtol;
        let a5 = 0;
        let a3 = 0;
        for (let j = 0; j <= N_STAGES; j++) {
          a5 += E5[j]! * K[j]![i]!;
          a3 += E3[j]! * K[j]![i]!;
        }
        e5 += (a5 / sc) ** 2;
        e3 += (a3 / sc) ** 2;
      }
      let errNorm: number;
      if (e5 === 0 && e3 === 0) errNorm = 0;
      else errNorm = (hAbs * e5) / Math.sqrt((e5 + 0.01 * e3) * n);
      if (!Number.isFinite(errNorm)) {
        hAbs *= MIN_FACTOR;
        rejected = true;
        nRejected++;
        continue;
      }
      if (errNorm < 1) {
        let factor = errNorm === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, SAFETY * errNorm ** ERR_EXP);
        if (rejected) factor = Math.min(1, factor);
        hAbs *= factor;
        accepted = true;
        nAccepted++;
      } else {
        hAbs *= Math.max(MIN_FACTOR, SAFETY * errNorm ** ERR_EXP);
        rejected = true;
        nRejected++;
      }
    }
    // outputs inside (t, tNew]
    const tOld = t;
    let denseReady = false;
    while (outIdx < outTimes.length && dir * (outTimes[outIdx]! - tNew) <= 0) {
      const tq = outTimes[outIdx]!;
      if (tq === tNew) {
        states.set(yNew, outIdx * n);
      } else {
        if (!denseReady) {
          buildDense(fun, n, y, yNew, f, fNew, K, Fd, h, ytmp);
          denseReady = true;
        }
        const x = (tq - tOld) / h;
        const row = states.subarray(outIdx * n, (outIdx + 1) * n);
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let r = 6; r >= 0; r--) {
            acc += Fd[r]![i]!;
            acc *= (6 - r) % 2 === 0 ? x : 1 - x;
          }
          row[i] = y[i]! + acc;
        }
      }
      outIdx++;
    }
    t = tNew;
    const ty = y;
    y = yNew;
    yNew = ty;
    const tf = f;
    f = fNew;
    fNew = tf;
  }
  return result();
}

/** DOP853 dense-output coefficients for the step y → yNew of size h (three extra stages). */
function buildDense(
  fun: VectorField,
  n: number,
  y: Float64Array,
  yNew: Float64Array,
  f: Float64Array,
  fNew: Float64Array,
  K: Float64Array[],
  Fd: Float64Array[],
  h: number,
  ytmp: Float64Array,
): void {
  for (let s = N_STAGES + 1; s < N_STAGES_EXTENDED; s++) {
    stageState(A_SPARSE[s]!, K, y, h, ytmp, n);
    fun(ytmp, K[s]!);
  }
  for (let i = 0; i < n; i++) {
    const dy = yNew[i]! - y[i]!;
    Fd[0]![i] = dy;
    Fd[1]![i] = h * f[i]! - dy;
    Fd[2]![i] = 2 * dy - h * (fNew[i]! + f[i]!);
    for (let r = 0; r < 4; r++) {
      const { idx, coef } = D_SPARSE[r]!;
      let acc = 0;
      for (let q = 0; q < idx.length; q++) acc += coef[q]! * K[idx[q]!]![i]!;
      Fd[3 + r]![i] = h * acc;
    }
  }
}

// one shared buffer: nextAfter runs once per step and allocates nothing
const NEXT_F64 = new Float64Array(1);
const NEXT_U32 = new Uint32Array(NEXT_F64.buffer);
/** index of the low 32-bit word of a float64 in NEXT_U32 (platform endianness) */
const LO = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 0 : 1;
const HI = 1 - LO;

/** The float64 next to x in direction dir (x finite): its bit pattern ± 1 as a 64-bit integer. */
function nextAfter(x: number, dir: number): number {
  if (x === 0) return dir * Number.MIN_VALUE;
  NEXT_F64[0] = x;
  if ((x > 0) === dir > 0) {
    const lo = NEXT_U32[LO]!;
    if (lo === 0xffffffff) {
      NEXT_U32[LO] = 0;
      NEXT_U32[HI] = NEXT_U32[HI]! + 1;
    } else NEXT_U32[LO] = lo + 1;
  } else {
    const lo = NEXT_U32[LO]!;
    if (lo === 0) {
      NEXT_U32[LO] = 0xffffffff;
      NEXT_U32[HI] = NEXT_U32[HI]! - 1;
    } else NEXT_U32[LO] = lo - 1;
  }
  return NEXT_F64[0]!;
}

/** Convenience: the state of y' = F(y) at time `duration` from y0 (negative duration integrates backwards). */
export function flow(F: VectorField, y0: ArrayLike<number>, duration: number, opts: Dop853Options = {}): Float64Array {
  if (duration === 0) return Float64Array.from(y0);
  return dop853(F, y0, 0, duration, opts).y;
}

/**
 * The flow of y' = F(y) at the GD times t = kη for the given step indices (dense output of one DOP853 run):
 * row r of the result is y(steps[r]·η). Steps must be non-decreasing integers ≥ 0.
 */
export function statesAtSteps(F: VectorField, y0: ArrayLike<number>, eta: number, steps: readonly number[], opts: Dop853Options = {}): Float64Array {
  if (!Number.isFinite(eta) || eta <= 0) throw new InputError(`statesAtSteps: eta must be finite and > 0, got ${eta}`);
  for (let i = 0; i < steps.length; i++) {
    const k = steps[i]!;
    if (!Number.isInteger(k) || k < 0 || (i > 0 && k < steps[i - 1]!)) throw new InputError(`statesAtSteps: steps must be non-decreasing integers >= 0 (got ${k} at ${i})`);
  }
  if (steps.length === 0) return new Float64Array(0);
  return dop853(F, y0, 0, steps.map((k) => k * eta), opts).states;
}
