/**
 * `eomkit latex "<loss>" --params … [--terms f2,f3,modified-loss,error] [--order K] [--document] [--out file.tex]`
 *
 * The LaTeX of chosen derived terms as one `aligned` block, one equation per line aligned at its `=`,
 * ready to paste inside `\[ … \]` or an `equation`; with --document a complete article that compiles with
 * pdflatex (amsmath only). Terms: loss, gradient, hessian, f1 … fK, field0 …, modified-loss, error (the
 * leading local error of GF, EoM_1, …, EoM_{K−2}), eom (the equation of motion θ̇ = …).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { parseAssignments, parseNames, parseTexNames } from './args.ts';
import { UsageError } from './errors.ts';
import { type TermSpec, parseTerms, resolveOrder } from './terms.ts';
import { ENGINE_LATEX, type Expr, type Loss, gradient, hessian, loss, matrixLatex, toLatex, toText, vectorLatex } from '../symbolic/index.ts';
import { DEFAULT_LATEX_WIDTH, breakAlignedEquation, latexWidth } from '../symbolic/latex-layout.ts';

export interface LatexOptions {
  params: string;
  constants?: string;
  symbols?: string;
  order?: string;
  terms?: string;
  document?: boolean;
  out?: string;
  json?: boolean;
  /** user LaTeX names, e.g. "lam=\\lambda,w_1=\\omega" */
  tex?: string;
  /** the width at which long equations break, in ems (default DEFAULT_LATEX_WIDTH) */
  width?: string;
}

/**
 * `lhs = v` for a vector: a scalar when v has one entry, a column matrix when it fits the width, else one
 * equation per component, (lhs)_i = v_i, each broken at the width later.
 */
function vectorEquations(lhs: string, v: readonly Expr[], tex: { names: Record<string, string> }, width: number, wrap: (s: string) => string = (x) => x): string[] {
  const whole = `${lhs} = ${wrap(vectorLatex(v, tex))}`;
  if (v.length === 1 || latexWidth(whole) <= width) return [whole];
  return v.map((e, i) => `\\left(${lhs}\\right)_{${i + 1}} = ${wrap(toLatex(e, tex))}`);
}

export interface LatexLine {
  /** the --terms entry this line comes from */
  term: string;
  /** one equation, with `&` before its first top-level `=` */
  latex: string;
}

export interface LatexResult {
  loss: Loss;
  order: number;
  lines: LatexLine[];
  /** \begin{aligned} … \end{aligned} */
  aligned: string;
}

/**
 * `lhs = rhs …` → `lhs &= rhs …`: the alignment point goes before the first `=` outside every brace group
 * and environment (an `=` inside a matrix or a subscript is not the equation's).
 */
export function alignAtEquals(tex: string): string {
  let depth = 0;
  for (let i = 0; i < tex.length; i++) {
    const c = tex[i]!;
    if (c === '\\') {
      if (tex.startsWith('\\begin{', i)) depth++;
      else if (tex.startsWith('\\end{', i)) depth--;
      i++; // skip the escaped character (\{, \\, …)
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '=' && depth === 0) return `${tex.slice(0, i).trimEnd()} &= ${tex.slice(i + 1).trimStart()}`;
  }
  return `&${tex}`;
}

/** The \begin{aligned} block of the lines (already aligned). */
export function alignedBlock(lines: readonly string[]): string {
  return `\\begin{aligned}\n${lines.map((l, i) => `  ${l}${i + 1 < lines.length ? ' \\\\' : ''}`).join('\n')}\n\\end{aligned}`;
}

function termName(t: TermSpec): string {
  return t.kind === 'f' ? `f${t.k}` : t.kind === 'field' ? `field${t.j}` : t.kind;
}

/** The equations of each chosen term (unaligned); `error` gives one line per truncation. */
async function termEquations(L: Loss, terms: readonly TermSpec[], K: number, names: Record<string, string>, width: number): Promise<LatexLine[]> {
  // the engine's η, β, θ, σ print beside the loss: a user name printing like one of them is shown as typed
  const tex = { names, reserved: ENGINE_LATEX };
  const { counterTerms, modifiedLoss, discretizationError, etaLatex } = await import('../theory/eom/index.ts');
  const series = K > 0 ? counterTerms(L, K) : undefined;
  const out: LatexLine[] = [];
  for (const t of terms) {
    const term = termName(t);
    switch (t.kind) {
      case 'loss':
        out.push({ term, latex: `L = ${toLatex(L.expr, tex)}` });
        break;
      case 'gradient':
        for (const latex of vectorEquations('\\nabla L', gradient(L.expr, L.params), tex, width)) out.push({ term, latex });
        break;
      case 'hessian':
        out.push({ term, latex: `\\nabla^2 L = ${L.params.length === 1 ? toLatex(hessian(L.expr, L.params)[0]![0]!, tex) : matrixLatex(hessian(L.expr, L.params), tex)}` });
        break;
      case 'f': {
        // the general form first (g = ∇L, H = ∇²L: f_2 = −½Hg), then this loss's instance
        const general = `f_{${t.k}} = ${series!.general.latex().loss[t.k - 1]!}`;
        const instance = vectorEquations(`f_{${t.k}}`, series!.f[t.k - 1]!, tex, width);
        if (instance.length === 1) out.push({ term, latex: `${general} = ${instance[0]!.slice(`f_{${t.k}} = `.length)}` });
        else for (const latex of [general, ...instance]) out.push({ term, latex });
        break;
      }
      case 'field':
        for (const latex of vectorEquations('\\dot{\\theta}', series!.field(t.j), tex, width, (x) => `${etaLatex(x)}${t.j === 0 ? '' : ` + O\\left(\\eta^{${t.j + 1}}\\right)`}`)) out.push({ term, latex });
        break;
      case 'modified-loss':
        out.push({ term, latex: modifiedLoss(L, K, { series }).latex(tex) });
        break;
      case 'error':
        for (let j = 0; j + 2 <= K; j++) out.push({ term, latex: discretizationError(L, j, { series }).latex(tex) });
        break;
      case 'eom':
        out.push({ term, latex: series!.latex().eom });
        break;
    }
  }
  return out;
}

export async function latexOf(formula: string, opts: LatexOptions): Promise<LatexResult> {
  const params = parseNames(opts.params, 'params');
  if (params.length === 0) throw new UsageError('--params: give at least one parameter name');
  const symbols = parseNames(opts.symbols, 'symbols');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  const L = loss(formula, { params, symbols, constants });
  const terms = parseTerms(opts.terms ?? 'f2,f3,modified-loss,error', ['loss', 'gradient', 'hessian', 'f', 'field', 'modified-loss', 'error', 'eom']);
  const K = resolveOrder(terms, opts.order);
  const names = parseTexNames(opts.tex, [...params, ...symbols]);
  const width = opts.width === undefined ? DEFAULT_LATEX_WIDTH : Number(opts.width);
  if (!Number.isFinite(width) || width < 5) throw new UsageError(`--width must be a number of ems ≥ 5, got "${opts.width}"`);
  const lines = (await termEquations(L, terms, K, names, width)).map((l) => ({ term: l.term, latex: breakAlignedEquation(alignAtEquals(l.latex), width) }));
  return { loss: L, order: K, lines, aligned: alignedBlock(lines.map((l) => l.latex)) };
}

/** Escape text for a LaTeX paragraph (the loss formula as typed, parameter names). */
export function latexText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '^' ? '\\^{}' : c === '~' ? '\\~{}' : `\\${c}`));
}

/** A complete article (amsmath) with the loss and the block; compiles with pdflatex. */
export function latexDocument(r: LatexResult): string {
  return [
    '% Generated by eomkit latex. Long equations are broken into rows at + and - (--width, in ems);',
    '% a row that still overflows can be narrowed with a smaller --width or fewer --terms.',
    '\\documentclass[10pt]{article}',
    '\\usepackage{amsmath,amssymb}',
    '\\allowdisplaybreaks',
    '\\begin{document}',
    `\\noindent Loss over $(${r.loss.params.map((p) => toLatex(p)).join(', ')})$:`,
    `\\[ L = ${toLatex(r.loss.expr)} \\]`,
    r.order > 0 ? `Counter terms of the gradient-descent equation of motion to order ${r.order} (generated by eomkit).` : 'Generated by eomkit.',
    '\\[',
    r.aligned,
    '\\]',
    '\\end{document}',
    '',
  ].join('\n');
}

export async function runLatex(formula: string, opts: LatexOptions, io: CliIO): Promise<void> {
  if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out needs a file name');
  const r = await latexOf(formula, opts);
  const text = opts.document ? latexDocument(r) : r.aligned;
  if (opts.out !== undefined) {
    try {
      await writeFile(opts.out, text.endsWith('\n') ? text : `${text}\n`);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${opts.out}: ${(e as Error).message}`);
    }
  }
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          loss: toText(r.loss.expr),
          params: r.loss.params.map((p) => p.name),
          order: r.order,
          lines: r.lines,
          aligned: r.aligned,
          ...(opts.document ? { document: text } : {}),
          ...(opts.out !== undefined ? { file: opts.out } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  io.out(opts.out !== undefined ? `wrote ${opts.out}: ${r.lines.length} equation${r.lines.length === 1 ? '' : 's'}${opts.document ? ' in a complete document' : ' in an aligned block'}` : text);
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('latex')
    .description('the LaTeX of chosen derived terms of a loss as one aligned block (or, with --document, a complete .tex file)')
    .argument('<loss>', 'the loss formula')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names')
    .option('-c, --constants <list>', 'named constants, e.g. x=2,y=1/3 (kept exact)')
    .option('-s, --symbols <names>', 'symbolic hyper-parameters kept as symbols')
    .option('-k, --order <K>', 'order of the counter-term series (default: what --terms needs)')
    .option('--terms <list>', 'loss, gradient, hessian, f1, f2, …, field0, …, modified-loss, error, eom (default f2,f3,modified-loss,error)')
    .option('--document', 'a complete LaTeX document (article, amsmath) instead of the block')
    .option('-o, --out <file>', 'write to a file (default: print)')
    .option('--json', 'print one JSON object')
    .option('--tex <list>', 'LaTeX names for parameters and symbols, e.g. lam=\\lambda,w1=\\omega_1')
    .option('--width <ems>', `break equations wider than this many ems at top-level + and − (default ${DEFAULT_LATEX_WIDTH}, about an A4 text width at 10pt)`)
    .action(async (formula: string, opts: LatexOptions) => {
      await runLatex(formula, opts, ctx.io);
    });
}
