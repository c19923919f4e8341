/**
 * The HTML report of `eomkit validate --report DIR`: the setup, the log-log plot of the global error of
 * GF, EoM_1 … EoM_K against η (docs/theory/eom.md, "Discretization error": slopes 1, 2, …, K + 1), the
 * table of errors per η and flow, and the fitted against the expected orders; report.json holds the same
 * object as `--json`.
 */
import type { DerivationValidation } from '../theory/eom/verify.ts';
import { type ReportSection, type WrittenReport, commandOf, writeReport } from './html.ts';

export function validationSections(r: DerivationValidation, svg: string): ReportSection[] {
  const method = r.method === 'gd' ? 'gradient descent' : `heavy ball (β = ${r.beta})`;
  const inWindow = (f: number, j: number): boolean => {
    const w = r.window[f];
    return w !== null && w !== undefined && j >= w[0] && j <= w[1];
  };
  return [
    {
      heading: 'Setup',
      blocks: [
        {
          kind: 'table',
          columns: ['loss', 'from', 'method', 'time T', 'orders', 'measured in'],
          rows: [[r.loss, r.params.map((p, i) => `${p} = ${r.theta0[i]}`).join(', '), method, r.T, `1 … ${r.order + 1}`, r.observableName]],
        },
      ],
    },
    {
      heading: 'Global error against the learning rate',
      blocks: [
        { kind: 'svg', svg, caption: `Error at T = ${r.T} of each continuous flow against ${r.method === 'gd' ? 'GD' : 'heavy ball'}, log-log; the slopes are the orders.` },
        {
          kind: 'table',
          columns: ['flow', 'fitted order', 'expected', 'result', 'fit window (η)'],
          rows: r.names.map((name, f) => {
            const w = r.window[f];
            return [name, r.fittedSlope[f] ?? null, r.expectedSlope[f]!, r.pass[f] ? 'PASS' : 'FAIL', w ? `${r.eta[w[0]]!.toExponential(2)} … ${r.eta[w[1]]!.toExponential(2)}` : null];
          }),
          caption: 'PASS when |fitted − expected| ≤ 0.15.',
        },
      ],
    },
    {
      heading: 'Errors',
      blocks: [
        {
          kind: 'table',
          columns: ['η', 'steps', ...r.names, 'float64 floor'],
          rows: r.eta.map((eta, j) => [eta, r.steps[j]!, ...r.names.map((_, f) => `${Number.isFinite(r.errors[f]![j]!) ? r.errors[f]![j]!.toExponential(3) : String(r.errors[f]![j])}${inWindow(f, j) ? ' *' : ''}`), r.floor[j]!]),
          caption: '* marks the points of each fit window.',
        },
      ],
    },
    ...(r.notes.length ? [{ heading: 'Notes', blocks: r.notes.map((n) => ({ kind: 'text' as const, text: n })) }] : []),
  ];
}

export async function writeValidateReport(dir: string, formula: string, opts: object, r: DerivationValidation, svg: string, json: Record<string, unknown>): Promise<WrittenReport> {
  return writeReport(dir, {
    title: `Validation of the equation of motion: ${r.verdict === 'confirmed' ? 'every order confirmed' : r.verdict === 'disagrees' ? 'an order FAILED' : 'an order cannot be measured here'}`,
    summary: `L = ${formula}`,
    command: commandOf('validate', [formula], opts),
    sections: validationSections(r, svg),
    data: json,
  });
}
