/**
 * Diffusion analysis of a user's own training run (docs/theory/langevin.md, "Anomalous diffusion"): read a
 * log, fit the exponent of Δ(k) the way the source does (least squares on log–log axes over a chosen window)
 * and put the linear theory's predictions from the logged spectra beside the measurement.
 *
 * Log schema (JSON, CSV or NumPy .npy):
 * - columns `step` (k, integers ≥ 0, increasing), `dist2` (‖θ_k − θ_0‖²), `step2` (‖θ_{k+1} − θ_k‖²);
 * - hyper-parameters `eta`, `beta` (default 0), `batchSize`, `weightDecay` (default 0);
 * - the final top Hessian eigenvalues `hessianEigenvalues` and the gradient-noise covariance along them,
 *   `noiseSpectrum` (σ_i = u_iᵀΣu_i, per example: the minibatch noise is Σ/S), and/or `noiseTrace` (tr Σ).
 * JSON: { "step": […], "dist2": […], "step2": […], "eta": …, … } or { "rows": [{ "step", "dist2", "step2" }, …], … }.
 * CSV: a header line naming the columns (any order, extra columns ignored), then one row per step; metadata
 * in comment lines `# eta = 0.1`, `# hessianEigenvalues = 1.2, 0.3`.
 * .npy: a 2-D float64/float32 array with the three columns step, dist2, step2 in that order (metadata from
 * the caller, e.g. the command's flags).
 * Metadata given by the caller overrides the file's.
 */
import { InputError } from '../../errors.ts';
import { readNpy } from '../../numeric/npy.ts';
import { type DiffusionHyper, type ExponentFit, continuousModeDist2, discreteModeDiffusion, fitExponent } from './diffusion.ts';

export interface DiffusionLogMeta {
  eta?: number;
  beta?: number;
  batchSize?: number;
  weightDecay?: number;
  hessianEigenvalues?: number[];
  noiseSpectrum?: number[];
  noiseTrace?: number;
}

export interface DiffusionLog {
  step: number[];
  dist2: number[];
  step2: number[];
  meta: DiffusionLogMeta;
}

const COLUMNS = ['step', 'dist2', 'step2'] as const;
const META_NUMBERS = ['eta', 'beta', 'batchSize', 'weightDecay', 'noiseTrace'] as const;
const META_LISTS = ['hessianEigenvalues', 'noiseSpectrum'] as const;

function checkColumns(log: DiffusionLog, source: string): DiffusionLog {
  const n = log.step.length;
  for (const c of COLUMNS) {
    if (log[c].length !== n) throw new InputError(`${source}: column '${c}' has ${log[c].length} values, column 'step' has ${n}`);
    log[c].forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${source}: column '${c}', row ${i}: not a finite number (${String(v)})`);
    });
  }
  log.step.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0) throw new InputError(`${source}: column 'step', row ${i}: ${k} is not an integer ≥ 0`);
    if (i > 0 && k <= log.step[i - 1]!) throw new InputError(`${source}: column 'step', row ${i}: steps must increase (${log.step[i - 1]} then ${k})`);
  });
  for (const c of ['dist2', 'step2'] as const)
    log[c].forEach((v, i) => {
      if (v < 0) throw new InputError(`${source}: column '${c}', row ${i}: a squared norm cannot be negative (${v})`);
    });
  if (n === 0) throw new InputError(`${source}: the log has no rows`);
  return log;
}

function numberList(v: unknown, key: string, source: string): number[] {
  const arr = typeof v === 'string' ? v.split(/[,\s]+/).filter((s) => s !== '').map(Number) : v;
  if (!Array.isArray(arr) || arr.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new InputError(`${source}: '${key}' must be a list of finite numbers`);
  return arr as number[];
}

function metaFrom(obj: Record<string, unknown>, source: string): DiffusionLogMeta {
  const meta: DiffusionLogMeta = {};
  for (const k of META_NUMBERS)
    if (obj[k] !== undefined) {
      const v = typeof obj[k] === 'string' ? Number(obj[k]) : obj[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${source}: '${k}' must be a finite number, got ${String(obj[k])}`);
      meta[k] = v;
    }
  for (const k of META_LISTS) if (obj[k] !== undefined) meta[k] = numberList(obj[k], k, source);
  return meta;
}

/** Parse a JSON log (see the module comment for the schema). */
export function parseJsonLog(text: string, source = 'log'): DiffusionLog {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InputError(`${source}: expected a JSON object with columns step, dist2, step2`);
  const o = obj as Record<string, unknown>;
  const cols: Record<string, number[]> = {};
  if (Array.isArray(o['rows'])) {
    const rows = o['rows'] as unknown[];
    for (const c of COLUMNS)
      cols[c] = rows.map((r, i) => {
        if (r === null || typeof r !== 'object' || !(c in (r as object))) throw new InputError(`${source}: row ${i} has no '${c}'`);
        return (r as Record<string, unknown>)[c] as number;
      });
  } else
    for (const c of COLUMNS) {
      if (!Array.isArray(o[c])) throw new InputError(`${source}: missing column '${c}' (an array of numbers)`);
      cols[c] = o[c] as number[];
    }
  return checkColumns({ step: cols['step']!, dist2: cols['dist2']!, step2: cols['step2']!, meta: metaFrom(o, source) }, source);
}

/** Parse a CSV log: header line, comma-separated rows, `# key = value` metadata lines. */
export function parseCsvLog(text: string, source = 'log'): DiffusionLog {
  const metaObj: Record<string, unknown> = {};
  const lines: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const t = l.trim();
    if (t === '') return;
    if (t.startsWith('#')) {
      const m = /^#\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(.*)$/.exec(t);
      if (m) metaObj[m[1]!] = m[2]!.trim();
      return;
    }
    lines.push({ text: t, line: i + 1 });
  });
  if (lines.length === 0) throw new InputError(`${source}: no header line`);
  const header = lines[0]!.text.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  const idx: Record<string, number> = {};
  for (const c of COLUMNS) {
    const j = header.indexOf(c);
    if (j < 0) throw new InputError(`${source}: missing column '${c}' in the header (${header.join(', ')})`);
    idx[c] = j;
  }
  const cols: Record<string, number[]> = { step: [], dist2: [], step2: [] };
  for (const { text: t, line } of lines.slice(1)) {
    const cells = t.split(',');
    for (const c of COLUMNS) {
      const cell = cells[idx[c]!];
      const v = cell === undefined || cell.trim() === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) throw new InputError(`${source}: line ${line}, column '${c}': not a finite number (${cell === undefined ? 'missing' : JSON.stringify(cell.trim())})`);
      cols[c]!.push(v);
    }
  }
  return checkColumns({ step: cols['step']!, dist2: cols['dist2']!, step2: cols['step2']!, meta: metaFrom(metaObj, source) }, source);
}

/** Parse a .npy log: a 2-D array whose columns are step, dist2, step2. */
export function parseNpyLog(bytes: Uint8Array, source = 'log'): DiffusionLog {
  const a = readNpy(bytes, source);
  if (a.shape.length !== 2 || a.shape[1] !== 3) throw new InputError(`${source}: expected a 2-D array with 3 columns (step, dist2, step2), got shape (${a.shape.join(', ')})`);
  const n = a.shape[0]!;
  const col = (j: number): number[] => Array.from({ length: n }, (_, i) => a.data[i * 3 + j]!);
  return checkColumns({ step: col(0), dist2: col(1), step2: col(2), meta: {} }, source);
}

/** Read a log file by its extension (.json, .csv, .npy). */
export async function readDiffusionLog(path: string): Promise<DiffusionLog> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputError(`cannot read log ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return parseNpyLog(new Uint8Array(bytes), path);
  if (lower.endsWith('.csv')) return parseCsvLog(bytes.toString('utf8'), path);
  if (lower.endsWith('.json')) return parseJsonLog(bytes.toString('utf8'), path);
  throw new InputError(`log ${path}: unknown extension (use .json, .csv or .npy)`);
}

export interface LogAnalysis {
  /** the fitted exponent of the measured Δ(k) over the window */
  fit: ExponentFit;
  window: { kMin: number; kMax: number };
  hyper: Required<DiffusionHyper>;
  /** rows k of the log that are in the window */
  steps: number[];
  measured: { dist2: number[]; step2: number[] };
  /** the linear theory from the logged spectra, stationary, summed over the logged modes */
  predicted: { discrete: number[]; continuous: number[]; exponentDiscrete: number; exponentContinuous: number } | null;
  /** η² tr Σ/(S(1−β²)) when the noise trace (or spectrum) is known */
  stepSizeLaw: number | null;
  /** mean measured δ(k) over the window */
  meanStep2: number;
  /** modes used (λ_i, σ_i) */
  modes: { hessian: number; noise: number }[];
  notes: string[];
}

/**
 * Fit and predict. `window` defaults to the whole log (k > 0). Predictions need the hyper-parameters, the
 * Hessian eigenvalues and the noise along them (spectrum, or the trace spread as Σ ≈ σ²H over the logged
 * eigenvalues — a note says so).
 */
export function analyzeDiffusionLog(log: DiffusionLog, opts: { kMin?: number; kMax?: number; meta?: DiffusionLogMeta; source?: string } = {}): LogAnalysis {
  const source = opts.source ?? 'log';
  const meta: DiffusionLogMeta = { ...log.meta, ...Object.fromEntries(Object.entries(opts.meta ?? {}).filter(([, v]) => v !== undefined)) };
  const first = log.step[0]!;
  const last = log.step[log.step.length - 1]!;
  const kMin = opts.kMin ?? Math.max(1, first);
  const kMax = opts.kMax ?? last;
  if (!(Number.isFinite(kMin) && Number.isFinite(kMax)) || kMin > kMax) throw new InputError(`${source}: window [${kMin}, ${kMax}] is empty`);
  if (kMax < first || kMin > last) throw new InputError(`${source}: window [${kMin}, ${kMax}] lies outside the logged steps [${first}, ${last}]`);
  const inWin = log.step.map((k, i) => (k >= kMin && k <= kMax ? i : -1)).filter((i) => i >= 0);
  const fit = fitExponent(log.step, log.dist2, { kMin, kMax }, source);
  const notes: string[] = [];
  const steps = inWin.map((i) => log.step[i]!);
  const measured = { dist2: inWin.map((i) => log.dist2[i]!), step2: inWin.map((i) => log.step2[i]!) };
  const meanStep2 = measured.step2.reduce((a, b) => a + b, 0) / Math.max(1, measured.step2.length);
  const haveHyper = meta.eta !== undefined && meta.batchSize !== undefined;
  if (!haveHyper) notes.push('no eta / batchSize: predictions skipped (give them in the log or as options)');
  const eta = meta.eta ?? NaN;
  const beta = meta.beta ?? 0;
  const S = meta.batchSize ?? NaN;
  const lam = meta.weightDecay ?? 0;
  if (haveHyper) {
    if (!(eta > 0)) throw new InputError(`${source}: eta must be > 0, got ${eta}`);
    if (!(beta >= 0 && beta < 1)) throw new InputError(`${source}: beta must lie in [0, 1), got ${beta}`);
    if (!(S > 0)) throw new InputError(`${source}: batchSize must be > 0, got ${S}`);
    if (!(lam >= 0)) throw new InputError(`${source}: weightDecay must be ≥ 0, got ${lam}`);
  }
  const hyper = { eta, beta, batchSize: S, weightDecay: lam };
  const eig = meta.hessianEigenvalues;
  let modes: { hessian: number; noise: number }[] = [];
  if (eig && meta.noiseSpectrum) {
    if (meta.noiseSpectrum.length !== eig.length) throw new InputError(`${source}: noiseSpectrum has ${meta.noiseSpectrum.length} values, hessianEigenvalues ${eig.length}`);
    modes = eig.map((l, i) => ({ hessian: l, noise: meta.noiseSpectrum![i]! }));
  } else if (eig && meta.noiseTrace !== undefined) {
    const trH = eig.reduce((a, b) => a + b, 0);
    if (!(trH > 0)) throw new InputError(`${source}: the logged Hessian eigenvalues must have a positive sum to spread the noise trace`);
    modes = eig.map((l) => ({ hessian: l, noise: (meta.noiseTrace! * l) / trH }));
    notes.push('noise spectrum not logged: tr Σ spread over the logged eigenvalues as Σ ≈ σ²H (label-noise model)');
  } else if (eig) notes.push('no noiseSpectrum or noiseTrace: Δ(k) predictions skipped');
  else notes.push('no hessianEigenvalues: Δ(k) predictions skipped');
  let predicted: LogAnalysis['predicted'] = null;
  if (haveHyper && modes.length) {
    const usable = modes.filter((md) => md.hessian + lam > 0);
    if (usable.length < modes.length) notes.push(`${modes.length - usable.length} logged mode(s) with λ_i + λ ≤ 0 have no stationary state and were left out`);
  }
  if (haveHyper && modes.some((md) => md.hessian + lam > 0)) {
    const usable = modes.filter((md) => md.hessian + lam > 0);
    const disc = steps.map((k) => usable.reduce((s, md) => s + discreteModeDiffusion(md, hyper, k).dist2, 0));
    const cont = steps.map((k) => usable.reduce((s, md) => s + continuousModeDist2(md, hyper, k), 0));
    predicted = {
      discrete: disc,
      continuous: cont,
      exponentDiscrete: fitExponent(steps, disc, { kMin, kMax }, source).exponent,
      exponentContinuous: fitExponent(steps, cont, { kMin, kMax }, source).exponent,
    };
    notes.push('predictions: the linear theory from stationarity, summed over the logged modes only (unlogged modes add to Δ)');
  }
  let trace: number | undefined = meta.noiseTrace;
  if (trace === undefined && meta.noiseSpectrum) {
    trace = meta.noiseSpectrum.reduce((a, b) => a + b, 0);
    notes.push('step-size law from the sum of the logged noise spectrum (a lower bound on tr Σ)');
  }
  const stepSizeLaw = haveHyper && trace !== undefined ? (eta * eta * trace) / (S * (1 - beta * beta)) : null;
  return { fit, window: { kMin, kMax }, hyper, steps, measured, predicted, stepSizeLaw, meanStep2, modes, notes };
}

/** Side-by-side text table of a log analysis. */
export function formatLogAnalysis(a: LogAnalysis): string {
  const f = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '—' : x.toPrecision(5));
  const lines = [`${'step'.padStart(8)} ${'dist2'.padStart(12)} ${'pred.discr'.padStart(12)} ${'pred.cont'.padStart(12)} ${'step2'.padStart(12)}`];
  a.steps.forEach((k, i) =>
    lines.push(`${String(k).padStart(8)} ${f(a.measured.dist2[i]).padStart(12)} ${f(a.predicted?.discrete[i]).padStart(12)} ${f(a.predicted?.continuous[i]).padStart(12)} ${f(a.measured.step2[i]).padStart(12)}`),
  );
  lines.push(`exponent  measured ${a.fit.exponent.toFixed(4)} ± ${a.fit.stderr.toFixed(4)} (least squares on log–log over k ∈ [${a.window.kMin}, ${a.window.kMax}], ${a.fit.points} points)`);
  if (a.predicted) lines.push(`exponent  predicted ${a.predicted.exponentDiscrete.toFixed(4)} (exact discrete), ${a.predicted.exponentContinuous.toFixed(4)} (continuous)`);
  lines.push(`step size mean δ ${f(a.meanStep2)}${a.stepSizeLaw !== null ? `, law η² tr Σ/(S(1−β²)) = ${f(a.stepSizeLaw)}` : ''}`);
  for (const n of a.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
