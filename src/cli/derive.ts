/** `eomkit derive`: gradient, Hessian and (with --order) the EoM counter terms of a loss. */
import type { CliIO, DeriveOptions } from './main.ts';
import { parseAssignments, parseBeta, parseNames, parseOrder, parsePoint } from './args.ts';
import { type Expr, type Loss, evaluate, expand, gradient, hessian, loss, matrixLatex, toLatex, toText, vectorLatex } from '../symbolic/index.ts';

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
}

export async function derive(formula: string, opts: DeriveOptions): Promise<DeriveResult> {
  const params = parseNames(opts.params, 'params');
  const symbols = parseNames(opts.symbols, 'symbols');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  const L = loss(formula, { params, symbols, constants });
  const g = gradient(L.expr, L.params);
  const H = hessian(L.expr, L.params);
  const result: DeriveResult = { loss: L, gradient: g, hessian: H, series: [] };
  const beta = parseBeta(opts.momentum);
  if (opts.order !== undefined || beta !== undefined) {
    const K = parseOrder(opts.order, 10, 2);
    if (beta !== undefined) {
      const { heavyBallSeries } = await import('../theory/eom/momentum.ts');
      const hb = heavyBallSeries(L, K, { beta: String(beta), expanded: opts.expanded });
      result.seriesKind = 'heavy-ball';
      result.series = hb.F.map((v: Expr[], k: number) => ({ name: `F_${k}`, tex: `F_{${k}}`, value: v }));
    } else {
      const { counterTerms } = await import('../theory/eom/index.ts');
      const s = counterTerms(L, K, { expanded: opts.expanded });
      result.seriesKind = 'gd';
      result.series = s.f.map((v: Expr[], k: number) => ({ name: `f_${k + 1}`, tex: `f_{${k + 1}}`, value: v }));
    }
  }
  if (opts.expanded) {
    result.gradient = g.map(expand);
    result.hessian = H.map((r) => r.map(expand));
  }
  return result;
}

/** Longer formulas are summarised in the human-readable output unless --full is given. */
const MAX_INLINE = 400;

export async function runDerive(formula: string, opts: DeriveOptions, io: CliIO): Promise<void> {
  const r = await derive(formula, opts);
  const names = r.loss.params.map((p) => p.name);
  const point = opts.at !== undefined ? parsePoint(opts.at, names) : undefined;
  const num = (e: Expr): number => evaluate(e, point!);
  if (opts.json) {
    const obj: Record<string, unknown> = {
      loss: toText(r.loss.expr),
      params: names,
      gradient: r.gradient.map((e) => toText(e)),
      hessian: r.hessian.map((row) => row.map((e) => toText(e))),
    };
    if (r.series.length) obj['series'] = { kind: r.seriesKind, terms: r.series.map((t) => ({ name: t.name, value: t.value.map((e) => toText(e)) })) };
    if (opts.latex) {
      obj['latex'] = {
        loss: toLatex(r.loss.expr),
        gradient: vectorLatex(r.gradient),
        hessian: matrixLatex(r.hessian),
        series: r.series.map((t) => vectorLatex(t.value)),
      };
    }
    if (point) {
      obj['at'] = {
        point,
        loss: num(r.loss.expr),
        gradient: r.gradient.map(num),
        hessian: r.hessian.map((row) => row.map(num)),
        series: r.series.map((t) => t.value.map(num)),
      };
    }
    io.out(JSON.stringify(obj, null, 2));
    return;
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
      t.value.forEach((e, i) => {
        const text = toText(e);
        const shown = opts.full || text.length <= MAX_INLINE ? text : `(${text.length.toLocaleString('en-US')} characters: --full prints it, --json gives it)`;
        lines.push(`    ${t.name}[${names[i]}] = ${shown}`);
      });
    });
  }
  if (opts.latex) {
    lines.push('LaTeX');
    lines.push(`  L = ${toLatex(r.loss.expr)}`);
    lines.push(`  \\nabla L = ${vectorLatex(r.gradient)}`);
    lines.push(`  \\nabla^2 L = ${matrixLatex(r.hessian)}`);
    for (const t of r.series) {
      const tex = vectorLatex(t.value);
      lines.push(`  ${t.tex} = ${opts.full || tex.length <= 4 * MAX_INLINE ? tex : `(${tex.length.toLocaleString('en-US')} characters: --full prints it)`}`);
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
  io.out(lines.join('\n'));
}
