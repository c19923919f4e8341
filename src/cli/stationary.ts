/**
 * `eomkit stationary`: the stationary state of SGD with momentum near a minimum, in the continuous Langevin
 * model and in the exact discrete recursion, side by side (docs/theory/langevin.md).
 *
 *   eomkit stationary --hessian "[[2,0],[0,0.5]]" --noise "[[1,0.2],[0.2,1]]" --lr 0.1 --momentum 0.9 --batch 8
 *   eomkit stationary "0.5*(w1^2 + 3*w2^2)" --params w1,w2 --noise-scale 0.5 --lr 0.05
 *   eomkit stationary logistic --data rows.csv --lr 0.5 --batch 4 --weight-decay 0.01 --json
 *
 * Input: either matrices (--hessian, with --noise Σ or --noise-scale σ² for Σ = σ²H), or a loss: a formula
 * with --params (noise from --noise or --noise-scale), or with --data a per-example loss ('linear',
 * 'logistic', or a formula in the parameters and the columns x1 … xd, y) whose rows give Σ from per-example
 * gradients. The loss is analysed at --at, or at the minimum of L + λ/2‖θ‖² found from --from (default 0).
 * Output: continuous and discrete covariances, U, Q, per-mode frequencies and damping, the gap; --json one
 * object, --latex the SDE and covariances. Bad input is a one-line error with exit status 2.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { CliContext, CliIO } from './context.ts';
import { parseAssignments, parseNames, parsePoint } from './args.ts';
import { UsageError } from './errors.ts';
import type { LinearStationary, NoiseSpec, LinearHyper } from '../theory/langevin/index.ts';

export interface StationaryOptions {
  params?: string;
  constants?: string;
  data?: string;
  hessian?: string;
  noise?: string;
  noiseScale?: string;
  lr: string;
  momentum?: string;
  batch?: string;
  weightDecay?: string;
  nData?: string;
  withoutReplacement?: boolean;
  at?: string;
  from?: string;
  exact?: string;
  latex?: boolean;
  json?: boolean;
  /** write an HTML report (formulas, tables, a plot) and the JSON result into this directory */
  report?: string;
}

/** Add the `stationary` command to the program. */
/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  const io = ctx.io;
  program
    .command('stationary')
    .description('stationary covariance of SGD with momentum near a minimum: the continuous Langevin model and the exact discrete recursion, side by side')
    .argument('[loss]', "a loss formula (with --params), or with --data a per-example loss: 'linear', 'logistic' or a formula in the parameters and x1…xd, y")
    .option('-p, --params <names>', 'comma-separated parameter names (default w1…wd with --data)')
    .option('-c, --constants <list>', 'named constants, e.g. a=2,b=1/3 (kept exact)')
    .option('--data <file>', 'data rows x1,…,xd,y as CSV (optional header) or JSON ([[…]] or {"X": [[…]], "y": […]}): Σ from per-example gradients')
    .option('--hessian <matrix>', 'the Hessian H as a matrix, e.g. "[[2,0],[0,0.5]]" (fractions like 1/3 allowed)')
    .option('--noise <matrix>', 'the per-example gradient-noise covariance Σ as a matrix')
    .option('--noise-scale <s2>', 'Σ = σ² H (label noise near a minimum)')
    .requiredOption('--lr <eta>', 'learning rate η > 0')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1) (default 0)')
    .option('--batch <S>', 'batch size S > 0 (default 1)')
    .option('--weight-decay <lambda>', 'weight decay λ ≥ 0 (default 0)')
    .option('--n-data <N>', 'number of examples N (the rows of --data by default)')
    .option('--without-replacement', 'batches drawn without replacement: noise factor (N − S)/(S(N − 1)) instead of 1/S')
    .option('--at <point>', 'analyse the loss at this point (a minimum), e.g. w1=0.3,w2=-1')
    .option('--from <point>', 'find the minimum of L + λ/2‖θ‖² from this point (default: the origin)')
    .option('--exact <mode>', "exact rationals: 'auto' (default: up to 3 parameters with short rational inputs), 'always', 'never'")
    .option('--latex', 'print the SDE and the covariances as LaTeX')
    .option('--json', 'print one JSON object')
    .option('--report <dir>', 'write an HTML report (rendered formulas, tables, a plot) and report.json into a directory')
    .action(async (formula: string | undefined, opts: StationaryOptions) => {
      await runStationary(formula, opts, io);
    });
}

/** A matrix argument: JSON rows of numbers, fractions like 1/3 allowed without quotes. */
export function parseMatrixArg(text: string, what: string): (number | string)[][] {
  if (!/^[\s[\]0-9.,eE+\-/]*$/.test(text)) throw new UsageError(`--${what}: expected a matrix of numbers like "[[2,0],[0,0.5]]", got "${text}"`);
  const quoted = text.replace(/(-?[0-9.]+(?:[eE][+-]?\d+)?\s*\/\s*[0-9.]+(?:[eE][+-]?\d+)?)/g, '"$1"');
  let m: unknown;
  try {
    m = JSON.parse(quoted);
  } catch {
    throw new UsageError(`--${what}: "${text}" is not a matrix (write rows as [[a,b],[c,d]])`);
  }
  if (!Array.isArray(m) || m.length === 0 || !m.every((r) => Array.isArray(r))) throw new UsageError(`--${what}: expected a non-empty list of rows like [[a,b],[c,d]]`);
  return m as (number | string)[][];
}

function parseNumber(text: string | undefined, what: string, dflt: number | string): number | string {
  if (text === undefined) return dflt;
  const t = text.trim();
  if (/^[+-]?[0-9.]+(?:[eE][+-]?\d+)?\s*\/\s*[0-9.]+(?:[eE][+-]?\d+)?$/.test(t)) return t;
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) throw new UsageError(`--${what} must be a number, got "${text}"`);
  return v;
}

/** Data rows from a CSV (optional header of column names) or JSON file. */
export function readDataRows(file: string): { rows: number[][]; columns?: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--data: cannot read ${file}: ${(e as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`--data: ${file} is not valid JSON (${(e as Error).message})`);
    }
    if (Array.isArray(obj)) return { rows: obj as number[][] };
    const o = obj as { X?: unknown; y?: unknown };
    if (Array.isArray(o.X) && Array.isArray(o.y) && o.X.length === o.y.length)
      return { rows: (o.X as unknown[]).map((r, i) => [...(Array.isArray(r) ? (r as number[]) : [r as number]), (o.y as number[])[i]!]) };
    throw new UsageError(`--data: JSON must be a list of rows [[x1,…,xd,y],…] or {"X": [[…]], "y": […]} of equal lengths`);
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length === 0) throw new UsageError(`--data: ${file} has no rows`);
  const split = (l: string): string[] => l.split(/[,;\t ]+/).map((s) => s.trim()).filter((s) => s !== '');
  let columns: string[] | undefined;
  const first = split(lines[0]!);
  if (first.some((c) => !Number.isFinite(Number(c)))) {
    if (!first.every((c) => /^[A-Za-z_][A-Za-z_0-9]*$/.test(c))) throw new UsageError(`--data: the header "${lines[0]}" must be column names (letters, digits, _)`);
    columns = first;
    lines.shift();
  }
  const rows = lines.map((l, i) =>
    split(l).map((c) => {
      const v = Number(c);
      if (!Number.isFinite(v)) throw new UsageError(`--data: row ${i + 1}: "${c}" is not a number`);
      return v;
    }),
  );
  return { rows, columns };
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(6))) : x.toExponential(4));

/** Largest matrix printed in full by the text output (larger ones are summarised; --json has them all). */
const TEXT_MATRIX_MAX = 6;

function matText(M: Float64Array, n: number): string {
  if (n > TEXT_MATRIX_MAX) {
    let tr = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const d = M[i * n + i]!;
      tr += d;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    return `(${n}×${n}: trace ${fmt(tr)}, diagonal in [${fmt(lo)}, ${fmt(hi)}]; --json prints it)`;
  }
  return '[' + Array.from({ length: n }, (_, i) => '[' + Array.from(M.subarray(i * n, (i + 1) * n), fmt).join(', ') + ']').join(', ') + ']';
}

function matRows(M: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(M.subarray(i * n, (i + 1) * n)));
}

function matLatex(M: Float64Array, n: number): string {
  const tex = (x: number): string => {
    const s = fmt(x);
    const m = /^(-?[0-9.]+)e([+-]\d+)$/.exec(s);
    return m ? `${m[1]}\\times 10^{${Number(m[2])}}` : s;
  };
  return `\\begin{pmatrix} ${Array.from({ length: n }, (_, i) => Array.from(M.subarray(i * n, (i + 1) * n), tex).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
}

export async function runStationary(formula: string | undefined, opts: StationaryOptions, io: CliIO): Promise<void> {
  const { linearStationary, stationaryForLoss, perExampleLosses } = await import('../theory/langevin/index.ts');
  const { loss } = await import('../symbolic/index.ts');
  const exact = (opts.exact ?? 'auto') as 'auto' | 'always' | 'never';
  if (!['auto', 'always', 'never'].includes(exact)) throw new UsageError(`--exact must be auto, always or never, got "${opts.exact}"`);
  if (opts.json && opts.latex) throw new UsageError('give either --json or --latex, not both');
  if (opts.report !== undefined && opts.report.trim() === '') throw new UsageError('--report needs a directory name');
  if (opts.noise !== undefined && opts.noiseScale !== undefined) throw new UsageError('give either --noise (Σ) or --noise-scale (Σ = σ²H), not both');
  if (opts.at !== undefined && opts.from !== undefined) throw new UsageError('give either --at (analyse there) or --from (search the minimum from there), not both');
  let nData = opts.nData === undefined ? undefined : Number(opts.nData);
  if (nData !== undefined && (!Number.isInteger(nData) || nData < 1)) throw new UsageError(`--n-data must be a positive integer, got "${opts.nData}"`);
  const hyperBase = {
    eta: parseNumber(opts.lr, 'lr', 0),
    beta: parseNumber(opts.momentum, 'momentum', 0),
    batchSize: parseNumber(opts.batch, 'batch', 1),
    weightDecay: parseNumber(opts.weightDecay, 'weight-decay', 0),
    sampling: opts.withoutReplacement ? ('without-replacement' as const) : ('with-replacement' as const),
  };
  let result: LinearStationary;
  let header: Record<string, unknown> = {};
  let sde: string | undefined;
  let params: string[];
  if (opts.hessian !== undefined) {
    if (formula !== undefined || opts.data !== undefined) throw new UsageError('give either --hessian (a quadratic) or a loss, not both');
    if (opts.at !== undefined || opts.from !== undefined) throw new UsageError('--at/--from need a loss; with --hessian the quadratic is analysed at its minimum');
    const H = parseMatrixArg(opts.hessian, 'hessian');
    let Sigma: (number | string)[][];
    if (opts.noise !== undefined) Sigma = parseMatrixArg(opts.noise, 'noise');
    else if (opts.noiseScale !== undefined) {
      const s2 = parseNumber(opts.noiseScale, 'noise-scale', 1);
      const { rationalOf } = await import('../theory/langevin/exact.ts');
      const r = rationalOf(s2, '--noise-scale');
      if (r.isNegative()) throw new UsageError(`--noise-scale must be ≥ 0, got "${opts.noiseScale}"`);
      Sigma = H.map((row, i) => {
        if (!Array.isArray(row)) throw new UsageError(`--hessian row ${i} is not a list`);
        return row.map((h, j) => rationalOf(h, `H[${i}][${j}]`).mul(r).toString());
      });
    } else throw new UsageError('give the noise: --noise "[[…]]" (Σ) or --noise-scale σ² (Σ = σ²H)');
    const hyper: LinearHyper = { ...hyperBase, ...(nData !== undefined ? { nData } : {}) };
    result = linearStationary(H, Sigma, hyper, { exact });
    params = H.map((_, i) => `θ${i + 1}`);
  } else {
    if (formula === undefined) throw new UsageError('give a loss (formula, or with --data: linear, logistic or a per-example formula) or --hessian');
    const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
    let L: import('../symbolic/index.ts').Loss;
    let noise: NoiseSpec;
    if (opts.data !== undefined) {
      if (opts.noise !== undefined || opts.noiseScale !== undefined) throw new UsageError('with --data the noise comes from the per-example gradients: drop --noise/--noise-scale');
      if (Object.keys(constants).length) throw new UsageError('--constants are not supported with --data (put numbers in the per-example formula)');
      const { rows, columns } = readDataRows(opts.data);
      const names = parseNames(opts.params, 'params');
      const ex = perExampleLosses(formula, rows, { ...(names.length ? { params: names } : {}), ...(columns ? { columns } : {}) });
      L = ex.loss;
      noise = { kind: 'per-example', losses: ex.losses };
      if (nData === undefined) nData = rows.length;
      else if (nData !== rows.length) throw new UsageError(`--n-data ${nData} differs from the ${rows.length} rows of ${opts.data}`);
    } else {
      const names = parseNames(opts.params, 'params');
      if (names.length === 0) throw new UsageError('--params: give the parameter names of the loss');
      L = loss(formula, { params: names, constants });
      if (opts.noise !== undefined) noise = { kind: 'matrix', sigma: parseMatrixArg(opts.noise, 'noise') };
      else if (opts.noiseScale !== undefined) noise = { kind: 'hessian', scale: parseNumber(opts.noiseScale, 'noise-scale', 1) };
      else throw new UsageError('give the noise: --noise "[[…]]" (Σ), --noise-scale σ² (Σ = σ²H), or per-example losses with --data');
    }
    params = L.params.map((p) => p.name);
    const hyper: LinearHyper = { ...hyperBase, ...(nData !== undefined ? { nData } : {}) };
    const r = stationaryForLoss(L, hyper, noise, {
      exact,
      ...(opts.at !== undefined ? { at: parsePoint(opts.at, params, 'at') } : {}),
      ...(opts.from !== undefined ? { from: parsePoint(opts.from, params, 'from') } : {}),
    });
    result = r.stationary;
    header = {
      loss: L.formula.length > 200 ? L.formula.slice(0, 199) + '…' : L.formula,
      point: Object.fromEntries(params.map((p, i) => [p, r.point[i]!])),
      gradientNorm: r.gradientNorm,
      minimumSearch: opts.at === undefined ? { iterations: r.iterations } : undefined,
    };
    if (opts.latex || opts.report !== undefined) sde = r.model.sdeLatex();
  }
  let reportPage: string | undefined;
  if (opts.report !== undefined) {
    const { writeStationaryReport } = await import('../report/stationary.ts');
    reportPage = (await writeStationaryReport(opts.report, formula, opts, result, params, header, sde, toJson(result, params, header))).page;
  }
  if (opts.json) io.out(JSON.stringify(toJson(result, params, header), null, 2));
  else if (opts.latex) io.out(toLatexReport(result, sde));
  else io.out(toText(result, params, header) + (reportPage !== undefined ? `\nreport      ${reportPage}` : ''));
}

function toJson(r: LinearStationary, params: string[], header: Record<string, unknown>): unknown {
  const p = r.p, n2 = 2 * p;
  const c = r.continuous, d = r.discrete;
  return {
    ...header,
    params,
    hyper: r.hyper,
    exact: r.exact,
    H: matRows(r.H, p),
    Sigma: matRows(r.Sigma, p),
    commuting: r.commuting,
    stabilityLimit: r.stabilityLimit,
    modes: r.modes,
    continuous: {
      A: matRows(c.A, n2),
      D: matRows(c.D, n2),
      C: matRows(c.C, n2),
      thetaTheta: matRows(c.thetaTheta, p),
      thetaV: matRows(c.thetaV, p),
      vv: matRows(c.vv, p),
      U: c.U ? matRows(c.U, n2) : null,
      Q: matRows(c.Q, n2),
      antisymmetryError: c.antisymmetryError,
      relResidual: c.relResidual,
      traceVV: c.traceVV,
      traceVVPredicted: c.traceVVPredicted,
      ...(c.closedForm ? { closedForm: { thetaTheta: matRows(c.closedForm.thetaTheta, p), vv: matRows(c.closedForm.vv, p) } } : {}),
      ...(c.rational ? { exactC: c.rational.C.map((row) => row.map(String)), exactQ: c.rational.Q.map((row) => row.map(String)) } : {}),
    },
    discrete: {
      M: matRows(d.M, n2),
      X: matRows(d.X, n2),
      thetaTheta: matRows(d.thetaTheta, p),
      thetaV: matRows(d.thetaV, p),
      vv: matRows(d.vv, p),
      relResidual: d.relResidual,
      ...(d.closedForm ? { closedForm: { thetaTheta: matRows(d.closedForm.thetaTheta, p), vv: matRows(d.closedForm.vv, p) } } : {}),
      ...(d.rational ? { exactX: d.rational.X.map((row) => row.map(String)) } : {}),
    },
    gap: r.gap,
  };
}

function toText(r: LinearStationary, params: string[], header: Record<string, unknown>): string {
  const p = r.p, n2 = 2 * p;
  const h = r.hyper;
  const lines: string[] = [];
  lines.push(`SGD stationary state   η = ${fmt(h.eta)}, β = ${fmt(h.beta)}, S = ${fmt(h.batchSize)}, λ = ${fmt(h.weightDecay)}, noise factor c = ${fmt(h.noiseFactor)}`);
  if (header['loss'] !== undefined) {
    const pt = header['point'] as Record<string, number>;
    lines.push(`loss        ${String(header['loss'])}`);
    lines.push(`point       ${params.map((q) => `${q} = ${fmt(pt[q]!)}`).join(', ')}   ‖∇(L + λ/2‖θ‖²)‖ = ${(header['gradientNorm'] as number).toExponential(2)}`);
  }
  lines.push(`H           ${matText(r.H, p)}`);
  lines.push(`Σ           ${matText(r.Sigma, p)}   [H, Σ] ${r.commuting ? '= 0 (commuting)' : '≠ 0 (not commuting)'}`);
  lines.push(`arithmetic  ${r.exact ? 'exact rationals' : 'float64'}`);
  lines.push('modes       λ_i (of H)   ω_i          γ            ζ = γ/ω      regime        decay/step cont.  |z| disc.   gap 1/(1−ηq/(2(1+β)))');
  const shownModes = r.modes.length <= 12 ? r.modes : [...r.modes.slice(0, 5), undefined, ...r.modes.slice(-5)];
  for (const m of shownModes)
    lines.push(
      m === undefined
        ? `            … ${r.modes.length - 10} more modes (--json lists all)`
        :
        `            ${[m.hessianEigenvalue, m.omega, m.gamma, m.dampingRatio].map((x) => fmt(x).padEnd(12)).join(' ')} ${(m.underdamped ? 'underdamped' : 'overdamped').padEnd(13)} ${fmt(m.continuousStep.decay).padEnd(17)} ${fmt(m.discreteStep.modulus).padEnd(11)} ${fmt(m.gapFactor)}`,
    );
  lines.push(`continuous  C_θθ = ${matText(r.continuous.thetaTheta, p)}`);
  lines.push(`            C_θv = ${matText(r.continuous.thetaV, p)}`);
  lines.push(`            C_vv = ${matText(r.continuous.vv, p)}   tr C_vv = ${fmt(r.continuous.traceVV)} (tr Σ c/(1−β²) = ${fmt(r.continuous.traceVVPredicted)})`);
  if (r.continuous.U) lines.push(`            U = C⁻¹ = ${matText(r.continuous.U, n2)}`);
  else lines.push('            U: C is singular (the noise does not reach every direction)');
  lines.push(`            Q = AC − D = ${matText(r.continuous.Q, n2)}   (antisymmetric${r.continuous.antisymmetryError === 0 ? ' exactly' : ` to ${r.continuous.antisymmetryError.toExponential(1)}`})`);
  lines.push(`discrete    C_θθ = ${matText(r.discrete.thetaTheta, p)}`);
  lines.push(`            C_vv = ${matText(r.discrete.vv, p)}   (v_k = (θ_k − θ_{k−1})/η)`);
  lines.push(`gap         tr C_θθ discrete/continuous = ${fmt(r.gap.thetaTraceRatio)}, ‖ΔC_θθ‖/‖C_θθ‖ = ${fmt(r.gap.thetaRelDiff)}, tr C_vv ratio = ${fmt(r.gap.vvTraceRatio)}`);
  lines.push(`stability   η < 2(1+β)/q_max = ${fmt(r.stabilityLimit)}`);
  return lines.join('\n');
}

function toLatexReport(r: LinearStationary, sde: string | undefined): string {
  const p = r.p, n2 = 2 * p;
  const out: string[] = [];
  out.push(sde ?? `dx = -${matLatex(r.continuous.A, n2)}\\,x\\,dt + \\sqrt{2\\,${matLatex(r.continuous.D, n2)}}\\,dW_t`);
  out.push(`C_{\\theta\\theta}^{\\mathrm{cont}} = ${matLatex(r.continuous.thetaTheta, p)}`);
  out.push(`C_{vv}^{\\mathrm{cont}} = ${matLatex(r.continuous.vv, p)}`);
  out.push(`C_{\\theta\\theta}^{\\mathrm{disc}} = ${matLatex(r.discrete.thetaTheta, p)}`);
  out.push(`Q = ${matLatex(r.continuous.Q, n2)}`);
  return out.join('\n');
}
