/**
 * The playground page (playground/index.html), bundled for the browser by `npm run playground:build`.
 * Everything runs in the page: the exact derivation (src/symbolic, src/theory/eom), KaTeX for the
 * formulas, the compiled numeric layer for the validation sweep and vega-lite / vega for its plot.
 *
 * State for tests and scripts: `document.body.dataset.state` is 'busy', 'ready' (terms rendered) or
 * 'error' (the message is in #error, the formula's position in #error's data-position); the plot
 * container's data-state is 'done' once the validation plot is drawn. Each value cell carries its full
 * float64 value in data-value.
 */
import katex from 'katex';
import * as vegaLite from 'vega-lite';
import * as vega from 'vega';
import { type Expr, type Loss, FormulaError, evaluate, gradient, loss, toLatex, vectorLatex, withBudget } from '../src/symbolic/index.ts';
import { counterTerms, etaLatex, modifiedLoss } from '../src/theory/eom/index.ts';
import { validateDerivation } from '../src/theory/eom/verify.ts';
import { validationPlotSpec } from '../src/numeric/plot.ts';

export const DEFAULT_INPUT = {
  loss: '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5',
  params: 'w1, w2',
  point: 'w1=1.3, w2=-0.4',
};

/** Formulas larger than this (tree nodes) are summarised instead of typeset. */
const TEX_NODES = 4000;
/** New expression nodes the derivation may create before the page says so instead of freezing. */
const DERIVATION_BUDGET = 500_000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function names(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** "w1=1.3, w2=-0.4" → point; every parameter needs a finite value. */
function parsePoint(text: string, params: readonly string[]): Record<string, number> {
  const point: Record<string, number> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`point: expected name=value, got "${part.trim()}"`);
    if (!params.includes(m[1]!)) throw new Error(`point: '${m[1]}' is not a parameter (parameters: ${params.join(', ')})`);
    const v = Number(m[2]);
    if (!Number.isFinite(v)) throw new Error(`point: ${m[1]}=${m[2]} is not a finite number`);
    point[m[1]!] = v;
  }
  const missing = params.filter((p) => !(p in point));
  if (missing.length) throw new Error(`point: no value for ${missing.join(', ')}`);
  return point;
}

function render(tex: string): string {
  return katex.renderToString(tex, { displayMode: true, throwOnError: false, output: 'html' });
}

function formula(label: string, tex: string, nodes: number): string {
  const body = nodes <= TEX_NODES ? render(tex) : `<span class="muted">an expression of ${nodes.toLocaleString('en-US')} tree nodes: too large to typeset</span>`;
  return `<div class="formula" data-term="${label}"><div class="label">${label}</div>${body}</div>`;
}

const size = (v: readonly Expr[]): number => v.reduce((a, e) => a + e.treeSize, 0);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function showError(e: unknown, formulaText: string): void {
  const el = $('error');
  document.body.dataset.state = 'error';
  $('status').textContent = 'the terms below are those of the last valid input';
  $('loss').setAttribute('aria-invalid', String(e instanceof FormulaError));
  if (e instanceof FormulaError) {
    // the problem, the formula, and a caret under the position (one typed character per column)
    el.dataset.position = String(e.position);
    el.textContent = `${e.problem} at position ${e.position + 1}\n${formulaText}\n${' '.repeat(Math.max(0, e.position))}^`;
  } else {
    delete el.dataset.position;
    el.textContent = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
}

let generation = 0;

/** Derive and show everything for the current inputs; a newer call supersedes an older one. */
export async function update(): Promise<void> {
  const gen = ++generation;
  const formulaText = $<HTMLInputElement>('loss').value;
  const params = names($<HTMLInputElement>('params').value);
  const K = Number($<HTMLSelectElement>('order').value);
  document.body.dataset.state = 'busy';
  let L: Loss;
  let point: Record<string, number>;
  try {
    if (params.length === 0) throw new Error('parameters: give at least one name, e.g. w1, w2');
    L = loss(formulaText, { params });
    point = parsePoint($<HTMLInputElement>('point').value, params);
    const g = gradient(L.expr, L.params);
    const s = withBudget(DERIVATION_BUDGET, `the counter terms to order ${K}`, () => counterTerms(L, K));
    const parts: string[] = [formula('L', `L = ${toLatex(L.expr)}`, L.expr.treeSize), formula('∇L', `\\nabla L = ${vectorLatex(g)}`, size(g))];
    s.f.forEach((fk, k) => parts.push(formula(`f${k + 1}`, `f_{${k + 1}} = ${vectorLatex(fk)}`, size(fk))));
    if (K >= 2) {
      const m = withBudget(DERIVATION_BUDGET, 'the modified loss', () => modifiedLoss(L, K, { series: s }));
      parts.push(m.potential.treeSize <= TEX_NODES ? formula('L̃', m.latex(), m.potential.treeSize) : formula('L̃', '', m.potential.treeSize));
      if (!m.isGradient) parts.push(`<p class="muted">${escapeHtml(m.summary().split('\n').find((l) => l.includes('not a gradient')) ?? '')}</p>`);
    }
    $('terms').innerHTML = parts.join('\n');
    const rows: string[] = [];
    const cell = (term: string, i: number, v: number): string => `<td data-term="${term}" data-index="${i}" data-value="${v}">${Number(v.toPrecision(10))}</td>`;
    rows.push(`<tr><th>L</th>${cell('L', 0, evaluate(L.expr, point))}</tr>`);
    rows.push(`<tr><th>∇L</th>${g.map((e, i) => cell('g', i, evaluate(e, point))).join('')}</tr>`);
    s.f.forEach((fk, k) => rows.push(`<tr><th>f${k + 1}</th>${fk.map((e, i) => cell(`f${k + 1}`, i, evaluate(e, point))).join('')}</tr>`));
    $('values').innerHTML = `<table><thead><tr><th></th>${params.map((p) => `<th>${escapeHtml(p)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
    $('error').textContent = '';
    $('loss').removeAttribute('aria-invalid');
    delete $('error').dataset.position;
    document.body.dataset.loss = formulaText;
    document.body.dataset.state = 'ready';
    $('status').textContent = `derived f_1 … f_${K} exactly`;
  } catch (e) {
    showError(e, formulaText);
    return;
  }
  // the validation sweep: after the terms are on screen, and only if no newer input arrived
  const plot = $('plot');
  plot.dataset.state = 'busy';
  await new Promise((r) => setTimeout(r, 0));
  if (gen !== generation) return;
  try {
    const order = Math.max(1, Math.min(K - 1, 3));
    const r = await validateDerivation(L, { order, from: point, T: 1 });
    if (gen !== generation) return;
    const spec = validationPlotSpec(r, { title: `GD against GF, EoM_1 … EoM_${order}`, width: 460, height: 320 });
    const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'svg', container: plot, hover: false });
    await view.runAsync();
    if (gen !== generation) return;
    $('slopes').innerHTML = `<table><thead><tr><th>flow</th><th>fitted order</th><th>expected</th><th></th></tr></thead><tbody>${r.names
      .map((n, i) => `<tr><td>${n}</td><td>${r.fittedSlope[i] === null ? '—' : r.fittedSlope[i]!.toFixed(3)}</td><td>${r.expectedSlope[i]}</td><td>${r.pass[i] ? 'PASS' : 'FAIL'}</td></tr>`)
      .join('')}</tbody></table>`;
    plot.dataset.state = 'done';
  } catch (e) {
    plot.dataset.state = 'error';
    $('slopes').textContent = `validation: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (t !== undefined) clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

function start(): void {
  const params = new URLSearchParams(location.search);
  $<HTMLInputElement>('loss').value = params.get('loss') ?? DEFAULT_INPUT.loss;
  $<HTMLInputElement>('params').value = params.get('params') ?? DEFAULT_INPUT.params;
  $<HTMLInputElement>('point').value = params.get('point') ?? DEFAULT_INPUT.point;
  const later = debounce(() => void update(), 200);
  for (const id of ['loss', 'params', 'point']) $(id).addEventListener('input', later);
  $('order').addEventListener('change', () => void update());
  void update();
}

start();
