/**
 * The HTML report of `eomkit derive --report DIR`: the loss, its gradient and Hessian, the counter terms
 * f_1 … f_K (docs/theory/eom.md, "Counter terms"), the modified loss ("Modified loss"), the local and
 * global error orders of each truncation ("Discretization error"), proved invariances, and the values at
 * the point of --at; report.json holds the same object as `--json`.
 */
import { type Expr, DEFAULT_PRINT_LIMIT, evaluate, matrixLatex, toLatex, vectorLatex } from '../symbolic/index.ts';
import type { DeriveOptions, DeriveResult } from '../cli/derive.ts';
import { type ReportBlock, type ReportSection, type WrittenReport, commandOf, writeReport } from './html.ts';

/** Formulas above this many tree nodes are not typeset (they stay in report.json as text). */
export const REPORT_TEX_NODES = 4000;

function size(es: readonly Expr[]): number {
  return es.reduce((a, e) => a + e.treeSize, 0);
}

function tooLarge(what: string, nodes: number): ReportBlock {
  return {
    kind: 'text',
    text: `${what}: an expression of ${nodes.toLocaleString('en-US')} tree nodes, too large to typeset usefully${nodes <= DEFAULT_PRINT_LIMIT ? ' (its text is in report.json)' : ''}.`,
  };
}

function etaTex(tex: string): string {
  return tex.replace(/η/g, '\\eta ');
}

export interface LocalErrorRow {
  flow: string;
  term: string;
  localOrder: number;
  globalOrder: number;
}

/** The report's sections for a derivation. */
export function deriveSections(r: DeriveResult, point: Record<string, number> | undefined, errors: readonly LocalErrorRow[], notes: readonly string[]): ReportSection[] {
  const names = r.loss.params.map((p) => p.name);
  const sections: ReportSection[] = [];
  const lossBlocks: ReportBlock[] = [{ kind: 'text', text: `Parameters θ = (${names.join(', ')})${r.loss.symbols.length ? `; symbolic hyper-parameters ${r.loss.symbols.map((s) => s.name).join(', ')}` : ''}.` }];
  lossBlocks.push(r.loss.expr.treeSize <= REPORT_TEX_NODES ? { kind: 'math', label: 'loss', tex: `L(\\theta) = ${toLatex(r.loss.expr, r.latexNames)}` } : tooLarge('L', r.loss.expr.treeSize));
  sections.push({ heading: 'Loss', blocks: lossBlocks });
  sections.push({
    heading: 'Gradient and Hessian',
    blocks: [
      size(r.gradient) <= REPORT_TEX_NODES ? { kind: 'math', label: 'gradient', tex: `\\nabla L = ${vectorLatex(r.gradient, r.latexNames)}` } : tooLarge('∇L', size(r.gradient)),
      size(r.hessian.flat()) <= REPORT_TEX_NODES ? { kind: 'math', label: 'Hessian', tex: `\\nabla^2 L = ${matrixLatex(r.hessian, r.latexNames)}` } : tooLarge('∇²L', size(r.hessian.flat())),
    ],
  });
  if (r.series.length) {
    const gd = r.seriesKind === 'gd';
    const blocks: ReportBlock[] = [
      {
        kind: 'text',
        text: gd
          ? `The modified equation of gradient descent θ̇ = f_1 + η f_2 + η² f_3 + … (docs/theory/eom.md), to order ${r.series.length}.`
          : `The heavy-ball modified equation on the slow manifold, θ̇ = F_0 + η F_1 + …, to order ${r.series.length - 1}.`,
      },
    ];
    for (const t of r.series) {
      const n = size(t.value);
      blocks.push(n <= REPORT_TEX_NODES ? { kind: 'math', label: t.name.replace('_', ''), tex: `${t.tex} = ${etaTex(vectorLatex(t.value, r.latexNames))}` } : tooLarge(t.name, n));
    }
    sections.push({ heading: gd ? 'Counter terms' : 'Heavy-ball modified equation', blocks });
  }
  if (r.modifiedLoss) {
    const blocks: ReportBlock[] = [];
    if (r.modifiedLoss.latex !== undefined && (r.potential === undefined || r.potential.treeSize <= REPORT_TEX_NODES)) blocks.push({ kind: 'math', label: 'modified loss', tex: r.modifiedLoss.latex });
    blocks.push({ kind: 'code', text: r.modifiedLoss.text });
    sections.push({ heading: 'Modified loss', blocks });
  }
  if (errors.length) {
    sections.push({
      heading: 'Discretization error',
      blocks: [
        {
          kind: 'table',
          columns: ['flow', 'leading local error', 'local order', 'global order (fixed time)'],
          rows: errors.map((e) => [e.flow, e.term, e.localOrder, e.globalOrder]),
          caption: 'One GD step minus the time-η flow of each truncation; the global error at a fixed time is one order lower.',
        },
      ],
    });
  }
  if (r.invariances?.length) {
    const blocks: ReportBlock[] = [];
    for (const inv of r.invariances) {
      blocks.push({ kind: 'text', text: `${inv.kind} invariance in (${inv.group.join(', ')}): ${inv.lines[0] ?? ''}` });
      for (const tex of inv.latex.filter((t) => t.length <= 2000)) blocks.push({ kind: 'math', tex: etaTex(tex) });
    }
    sections.push({ heading: 'Invariances', blocks });
  }
  if (point) {
    const num = (e: Expr): number => evaluate(e, point);
    const rows: Array<Array<string | number>> = [['L', '', num(r.loss.expr)]];
    names.forEach((p, i) => rows.push([`∂L/∂${p}`, p, num(r.gradient[i]!)]));
    for (const t of r.series) t.value.forEach((e, i) => rows.push([t.name, names[i]!, num(e)]));
    sections.push({
      heading: `Values at ${names.map((p) => `${p} = ${point[p]}`).join(', ')}`,
      blocks: [
        { kind: 'table', columns: ['quantity', 'component', 'value (float64)'], rows },
        { kind: 'table', columns: ['∇²L', ...names], rows: r.hessian.map((row, i) => [names[i]!, ...row.map(num)]) },
      ],
    });
  }
  if (notes.length) sections.push({ heading: 'Notes', blocks: notes.map((n) => ({ kind: 'text', text: n })) });
  return sections;
}

/** Write the derive report into dir (index.html + report.json). */
export async function writeDeriveReport(
  dir: string,
  formula: string,
  opts: DeriveOptions,
  r: DeriveResult,
  json: Record<string, unknown>,
  errors: readonly LocalErrorRow[],
): Promise<WrittenReport> {
  // --no-invariance is commander's negatable flag: `invariance` is true unless it was given
  const { params: _p, invariance, ...rest } = opts;
  const point = json['at'] !== undefined ? (json['at'] as { point: Record<string, number> }).point : undefined;
  return writeReport(dir, {
    title: `Equation of motion of ${r.loss.params.length === 1 ? 'a one-parameter' : `a ${r.loss.params.length}-parameter`} loss`,
    summary: `L = ${formula}`,
    command: commandOf('derive', [formula], { params: opts.params, ...rest, ...(invariance === false ? { noInvariance: true } : {}) }),
    sections: deriveSections(r, point, errors, r.notes),
    data: json,
  });
}
