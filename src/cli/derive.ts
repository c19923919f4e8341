/** `eomkit derive`: gradient, Hessian and (with --order) the EoM counter terms of a loss. */
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { parseAssignments, parseBeta, parseNames, parseOrder, parsePoint, parseTexNames } from './args.ts';
import { ENGINE_LATEX, type Expr, type LatexOptions, type Loss, DEFAULT_PRINT_LIMIT, evaluate, expand, gradient, hessian, loss, matrixLatex, toLatex, toText, vectorLatex, withBudget } from '../symbolic/index.ts';
import { type StageProgress, stageProgress } from './progress.ts';

export interface DeriveOptions {
  params: string;
  constants?: string;
  symbols?: string;
  at?: string;
  order?: string;
  momentum?: string;
  expanded?: boolean;
  full?: boolean;
  latex?: boolean;
  /** user LaTeX for parameter and symbol names in every LaTeX output (--latex, --report), e.g. "lam=\\lambda" */
  tex?: string;
  json?: boolean;
  /** false (--no-invariance): skip the invariance analysis (it runs under its own budget otherwise) */
  invariance?: boolean;
  /** write an HTML report (KaTeX formulas, tables) and the JSON result into this directory */
  report?: string;
}

export interface DerivedTerm {
  /** e.g. "f_2" */
  name: string;
  /** LaTeX of the name */
  tex: string;
  value: Expr[];
}

export interface DeriveResult {
  loss: Loss;
  gradient: Expr[];
  hessian: Expr[][];
  /** counter terms f_1…f_K (GD), or F_0…F_{K−1} (heavy-ball) */
  series: DerivedTerm[];
  seriesKind?: 'gd' | 'heavy-ball';
  modifiedLoss?: { exists: boolean; text: string; latex?: string };
  /** proved invariances (all parameters as one group) and the dynamics of their invariant quantities */
  invariances?: Array<{ kind: string; group: string[]; lines: string[]; latex: string[] }>;
  /** what could not be derived within its budget */
  notes: string[];
  /** GD: the modified loss L̃ is known through η^potentialOrder */
  potentialOrder?: number;
  potential?: Expr;
  /** how names print in LaTeX: the user's --tex names, with the engine's own symbols (η, β) reserved */
  latexNames: LatexOptions;
}

export async function derive(formula: string, opts: DeriveOptions): Promise<DeriveResult> {
  const params = parseNames(opts.params, 'params');
  const symbols = parseNames(opts.symbols, 'symbols');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  const L = loss(formula, { params, symbols, constants });
  const latexNames: LatexOptions = { names: parseTexNames(opts.tex, [...params, ...symbols]), reserved: ENGINE_LATEX };
  // on a terminal, a bar over the phases: gradient and Hessian, the series, the invariances, the modified loss
  const progress = await stageProgress('derive', opts.order !== undefined || opts.momentum !== undefined ? 4 : 1);
  try {
    return await derivePhases(L, opts, progress, latexNames);
  } finally {
    progress.stop();
  }
}

async function derivePhases(L: Loss, opts: DeriveOptions, progress: StageProgress, latexNames: LatexOptions): Promise<DeriveResult> {
  progress.stage('gradient and Hessian');
  const g = gradient(L.expr, L.params);
  const H = hessian(L.expr, L.params);
  const result: DeriveResult = { loss: L, gradient: g, hessian: H, series: [], notes: [], latexNames };
  const beta = parseBeta(opts.momentum);
  if (opts.order !== undefined || beta !== undefined) {
    const K = parseOrder(opts.order, 10, 2);
    if (beta !== undefined) {
      progress.stage(`the heavy-ball series to order ${K}`);
      const { heavyBallSeries } = await import('../theory/eom/momentum.ts');
      const hb = heavyBallSeries(L, K, { beta: String(beta), expanded: opts.expanded });
      result.seriesKind = 'heavy-ball';
      result.series = hb.F.map((v: Expr[], k: number) => ({ name: `F_${k}`, tex: `F_{${k}}`, value: v }));
      progress.stage('the modified loss');
      const { heavyBallModifiedLoss } = await import('../theory/eom/momentum.ts');
      const m = heavyBallModifiedLoss(L, { beta: String(beta) });
      result.modifiedLoss = { exists: true, text: `${toText(m.potential)}   (to first order in η; (1−β)θ̇ = −∇ of it)`, latex: m.latex(latexNames) };
    } else {
      progress.stage(`the counter terms f_1…f_${K}`);
      const { counterTerms, modifiedLoss } = await import('../theory/eom/index.ts');
      const s = counterTerms(L, K, { expanded: opts.expanded });
      result.seriesKind = 'gd';
      result.series = s.f.map((v: Expr[], k: number) => ({ name: `f_${k + 1}`, tex: `f_{${k + 1}}`, value: v }));
      // the analyses below can swell far more than the series itself (Jacobians of f_K, proofs by
      // expansion): each runs under its own budget and, past it, becomes a note instead of a failure
      progress.stage('the invariance analysis');
      if (opts.invariance !== false) result.invariances = await optional('the invariance analysis', result.notes, () => invarianceSummary(L, K, s.f, latexNames));
      progress.stage('the modified loss');
      if (K >= 2) {
        await optional('the modified loss', result.notes, async () => {
          const m = modifiedLoss(L, K, { series: s, maxNodes: ANALYSIS_BUDGET });
          result.modifiedLoss = { exists: m.isGradient, text: m.summary(), latex: m.latex(latexNames) };
          result.potentialOrder = m.potentialOrder;
          result.potential = m.potential;
        });
      }
    }
  }
  if (opts.expanded) {
    result.gradient = g.map(expand);
    result.hessian = H.map((r) => r.map(expand));
  }
  return result;
}

/**
 * The leading local error of each truncation (eom.md, "Discretization error"): for GD, EoM_j misses one
 * step by η^{j+2} f_{j+2} (global O(η^{j+1})); for heavy-ball, the flow truncated after F_j misses by
 * η^{j+2} F_{j+1} times (1−β)^{-1}-type factors, with the same orders.
 */
function localErrors(r: DeriveResult): Array<{ flow: string; term: string; localOrder: number; globalOrder: number }> {
  const out: Array<{ flow: string; term: string; localOrder: number; globalOrder: number }> = [];
  const gd = r.seriesKind === 'gd';
  for (let j = 0; j + 1 < r.series.length; j++) {
    const next = r.series[j + 1]!;
    out.push({
      flow: gd ? (j === 0 ? 'GF (EoM_0)' : `EoM_${j}`) : j === 0 ? 'MF_0 (θ̇ = F_0)' : `MF_${j} (θ̇ = F_0 + … + η^${j} F_${j})`,
      term: gd ? `η^${j + 2} ${next.name}` : `∝ η^${j + 2} ${next.name}`,
      localOrder: j + 2,
      globalOrder: j + 1,
    });
  }
  return out;
}

/**
 * Scale / translation invariance of the loss on all its parameters (proved symbolically, eom.md
 * "Scale- and translation-invariant layers"), and for each proved one the change of ‖θ‖² (and Σθ) over one
 * GD step, under gradient flow and under the EoM, reduced with the invariance identities.
 */
/** Budget (new nodes; 4× as many term products) of each optional analysis of `derive`. */
const ANALYSIS_BUDGET = 300_000;

async function optional<T>(what: string, notes: string[], f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withBudget(ANALYSIS_BUDGET, what, f);
  } catch (e) {
    if ((e as Error).name !== 'ExpressionSwellError' && (e as Error).name !== 'PrintSizeError') throw e;
    notes.push(`${what} was skipped: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

async function invarianceSummary(L: Loss, K: number, f: Expr[][], latexNames: LatexOptions): Promise<DeriveResult['invariances']> {
  const { detectInvariances, invariantDynamics } = await import('../theory/eom/invariance.ts');
  const report = detectInvariances(L);
  const out: NonNullable<DeriveResult['invariances']> = [];
  for (const r of report.results) {
    if (!r.invariant) continue;
    const d = invariantDynamics(L, { kind: r.kind, group: r.group }, { K, f });
    // the identities and the dynamics in loss notation (LaTeX); the long concrete contractions θ·f_k stay
    // in the JSON output (--json --latex)
    const tex = d.latex(latexNames);
    const lines = [r.statement, ...tex.filter((t) => t.length <= 400 && !t.startsWith('[\\eta'))];
    out.push({ kind: r.kind, group: r.group.map((p) => p.name), lines, latex: tex });
  }
  return out;
}

/** Longer formulas are summarised in the human-readable output unless --full is given. */
const MAX_INLINE = 400;
/** Expressions larger than this (as trees) are not even printed to measure them. */
const MAX_INLINE_NODES = 200;
/** tree nodes of series formulas past which --json prints only the short ones (about 10 MB of text) */
const JSON_SERIES_BUDGET = 2_000_000;

/** The text of e, or a one-line summary when it is long (or too large to print at all). */
function shownText(e: Expr, full?: boolean): string {
  if (e.treeSize > DEFAULT_PRINT_LIMIT) return `(a tree of ${e.treeSize.toExponential(2)} nodes: too large to print as a formula; --at evaluates it)`;
  if (!full && e.treeSize > MAX_INLINE_NODES * 4) return `(a tree of ${e.treeSize.toLocaleString('en-US')} nodes: --full prints it, --json gives it)`;
  const text = toText(e);
  return full || text.length <= MAX_INLINE ? text : `(${text.length.toLocaleString('en-US')} characters: --full prints it, --json gives it)`;
}


export async function runDerive(formula: string, opts: DeriveOptions, io: CliIO): Promise<void> {
  const r = await derive(formula, opts);
  const names = r.loss.params.map((p) => p.name);
  // --at gives every parameter a value, and every symbol (--symbols) too
  const point = opts.at !== undefined ? parsePoint(opts.at, [...names, ...r.loss.symbols.map((s) => s.name)]) : undefined;
  const num = (e: Expr): number => evaluate(e, point!);
  let reportPage: string | undefined;
  if (opts.json || opts.report !== undefined) {
    const obj: Record<string, unknown> = {
      loss: toText(r.loss.expr),
      params: names,
      gradient: r.gradient.map((e) => toText(e)),
      hessian: r.hessian.map((row) => row.map((e) => toText(e))),
    };
    // an output too large to be useful (f_3 of a 50-parameter chain: 305 MB) is summarised unless --full
    const seriesNodes = r.series.reduce((acc, t) => acc + t.value.reduce((a2, e) => a2 + Math.min(e.treeSize, DEFAULT_PRINT_LIMIT), 0), 0);
    const summarise = !opts.full && seriesNodes > JSON_SERIES_BUDGET;
    if (r.series.length) {
      obj['series'] = {
        kind: r.seriesKind,
        terms: r.series.map((t) => {
          const shown = (e: Expr): boolean => e.treeSize <= DEFAULT_PRINT_LIMIT && (!summarise || e.treeSize <= MAX_INLINE_NODES);
          return {
            name: t.name,
            value: t.value.map((e) => (shown(e) ? toText(e) : null)),
            ...(t.value.some((e) => e.treeSize > DEFAULT_PRINT_LIMIT)
              ? { note: 'null: too large to print as a formula (see "at" for values)' }
              : t.value.some((e) => !shown(e))
                ? { note: `null: the series would print ${seriesNodes.toExponential(2)} nodes of formulas, past the JSON budget of ${JSON_SERIES_BUDGET.toLocaleString('en-US')}; --full writes every formula in full, --at gives values` }
                : {}),
          };
        }),
      };
      obj['localErrors'] = localErrors(r);
    }
    if (r.invariances?.length) obj['invariances'] = r.invariances.map((i) => ({ kind: i.kind, group: i.group, dynamics: i.lines, ...(opts.latex ? { latex: i.latex } : {}) }));
    if (r.modifiedLoss) {
      obj['modifiedLoss'] = {
        isGradient: r.modifiedLoss.exists,
        summary: r.modifiedLoss.text,
        ...(r.potential ? { potential: toText(r.potential), knownThroughOrder: r.potentialOrder } : {}),
        ...(opts.latex ? { latex: r.modifiedLoss.latex } : {}),
      };
    }
    if (opts.latex) {
      obj['latex'] = {
        loss: toLatex(r.loss.expr, r.latexNames),
        gradient: vectorLatex(r.gradient, r.latexNames),
        hessian: matrixLatex(r.hessian, r.latexNames),
        series: r.series.map((t) => (t.value.some((e) => e.treeSize > DEFAULT_PRINT_LIMIT) ? null : vectorLatex(t.value, r.latexNames))),
      };
    }
    if (r.notes.length) obj['notes'] = r.notes;
    if (point) {
      obj['at'] = {
        point,
        loss: num(r.loss.expr),
        gradient: r.gradient.map(num),
        hessian: r.hessian.map((row) => row.map(num)),
        series: r.series.map((t) => t.value.map(num)),
      };
    }
    if (opts.report !== undefined) {
      const { writeDeriveReport } = await import('../report/derive.ts');
      reportPage = (await writeDeriveReport(opts.report, formula, opts, r, obj, localErrors(r))).page;
    }
    if (opts.json) {
      io.out(JSON.stringify(obj, null, 2));
      return;
    }
  }
  const lines: string[] = [];
  lines.push(`loss      L = ${toText(r.loss.expr)}`);
  lines.push(`params    ${names.join(', ')}`);
  lines.push('gradient  ∇L =');
  r.gradient.forEach((e, i) => lines.push(`  ∂L/∂${names[i]} = ${toText(e)}`));
  lines.push('Hessian   ∇²L =');
  for (let i = 0; i < names.length; i++)
    for (let j = i; j < names.length; j++) lines.push(`  ∂²L/∂${names[i]}∂${names[j]} = ${toText(r.hessian[i]![j]!)}`);
  if (r.series.length) {
    lines.push(r.seriesKind === 'gd' ? 'counter-term series (EoM: θ̇ = f_1 + η f_2 + η² f_3 + …, f_1 = −∇L)' : 'heavy-ball modified equation on the slow manifold (θ̇ = F_0 + η F_1 + η² F_2 + …)');
    const general = r.seriesKind === 'gd' ? (await import('../theory/eom/series.ts')).generalSeries(r.series.length) : undefined;
    r.series.forEach((t, k) => {
      if (general) lines.push(`  ${t.name} = ${general.lossText(k + 1)}`);
      t.value.forEach((e, i) => lines.push(`    ${t.name}[${names[i]}] = ${shownText(e, opts.full)}`));
    });
  }
  if (r.series.length) {
    lines.push('discretization error (local = one step, global = at fixed time t = nη)');
    for (const e of localErrors(r)) lines.push(`  ${e.flow}: local error ${e.term}, O(η^${e.localOrder}) per step; global O(η^${e.globalOrder})`);
  }
  for (const inv of r.invariances ?? []) {
    lines.push(`${inv.kind} invariance in (${inv.group.join(', ')}), proved symbolically`);
    for (const l of inv.lines) lines.push(`  ${l.length > 4 * MAX_INLINE && !opts.full ? l.slice(0, 4 * MAX_INLINE) + '… (--full prints it)' : l}`);
  }
  if (r.modifiedLoss) {
    lines.push(r.seriesKind === 'gd' ? 'modified loss (is the truncated field a gradient, order by order?)' : 'modified loss of heavy-ball');
    for (const l of r.modifiedLoss.text.split('\n')) lines.push(`  ${l.length > 4 * MAX_INLINE && !opts.full ? l.slice(0, 4 * MAX_INLINE) + '… (--full prints it)' : l}`);
    if (r.potential && r.seriesKind === 'gd') lines.push(`  L̃ = ${shownText(r.potential, opts.full)} + O(η^${(r.potentialOrder ?? 0) + 1})`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (opts.latex) {
    lines.push('LaTeX');
    lines.push(`  L = ${toLatex(r.loss.expr, r.latexNames)}`);
    lines.push(`  \\nabla L = ${vectorLatex(r.gradient, r.latexNames)}`);
    lines.push(`  \\nabla^2 L = ${matrixLatex(r.hessian, r.latexNames)}`);
    if (r.modifiedLoss?.latex) lines.push(`  ${r.modifiedLoss.latex}`);
    for (const t of r.series) {
      const size = t.value.reduce((a, e) => a + e.treeSize, 0);
      const printable = size <= DEFAULT_PRINT_LIMIT && (opts.full || size <= MAX_INLINE_NODES);
      lines.push(`  ${t.tex} = ${printable ? vectorLatex(t.value, r.latexNames) : `(a tree of ${size.toExponential(2)} nodes${size <= DEFAULT_PRINT_LIMIT ? ': --full prints it' : ': too large to print as a formula; the compiled function and --at evaluate it'})`}`);
    }
  }
  if (point) {
    const fmt = (x: number): string => x.toPrecision(12).replace(/\.?0+(e|$)/, '$1');
    lines.push(`at ${Object.entries(point).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    lines.push(`  L = ${fmt(num(r.loss.expr))}`);
    lines.push(`  ∇L = [${r.gradient.map((e) => fmt(num(e))).join(', ')}]`);
    lines.push(`  ∇²L = [${r.hessian.map((row) => `[${row.map((e) => fmt(num(e))).join(', ')}]`).join(', ')}]`);
    for (const t of r.series) lines.push(`  ${t.name} = [${t.value.map((e) => fmt(num(e))).join(', ')}]`);
  }
  if (reportPage !== undefined) lines.push(`report    ${reportPage}`);
  io.out(lines.join('\n'));
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('derive')
    .description('gradient and Hessian of a loss (and with --order K, the counter terms f_1…f_K of the GD equation of motion)')
    .argument('<loss>', 'the loss formula, e.g. "0.5*(w1*w2 - 1)^2"')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names, e.g. w1,w2')
    .option('-c, --constants <list>', 'named constants, e.g. x=2,y=1/3 (kept exact)')
    .option('-s, --symbols <names>', 'symbolic hyper-parameters kept as symbols, e.g. lam')
    .option('--at <point>', 'evaluate everything at a point: every parameter and symbol, e.g. w1=0.3,w2=-1/3,lam=0.1 (float64)')
    .option('-k, --order <K>', 'K: derive the counter terms f_1…f_K of the EoM (1…10)')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1): the modified equation on the slow manifold')
    .option('--expanded', 'print the canonical expanded form instead of the compact one')
    .option('--full', 'print every formula in full (long ones are otherwise summarised)')
    .option('--no-invariance', 'skip the scale/translation invariance analysis (it runs with --order, under a budget: past it, a note says it was skipped)')
    .option('--latex', 'print LaTeX')
    .option('--tex <names>', 'LaTeX for parameter and symbol names in --latex and --report output, e.g. lam=\\lambda,w1=\\omega_1')
    .option('--json', 'print one JSON object')
    .option('--report <dir>', 'write an HTML report (rendered formulas, tables) and report.json into a directory')
    .action(async (formula: string, opts: DeriveOptions) => {
      await runDerive(formula, opts, ctx.io);
    });
}
