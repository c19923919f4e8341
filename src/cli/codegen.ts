/**
 * `eomkit codegen "<loss>" --params … [--order K] [--terms gradient,hessian,f1,f2,…] [--target ts|js|tfjs] [--out file]`
 *
 * The generated module of chosen derived terms of a loss — the same code the derivation catalogue commits
 * (`emitModule`, derivations/) — so that a user vendors the fast functions without eomkit at run time:
 *
 *   ts    a typed TypeScript module: `name(theta, out, hyper?)` on Float64Array plus `nameLayout` (float64);
 *   js    the same function as an ES module without types (float64);
 *   tfjs  a batched TensorFlow.js function `name(tf, x, hyper?)`, x: [batch, n] → [batch, outputSize] (float32).
 *
 * Output names in the buffer: L, g, H, f1 … fK, F<j> (the EoM field f_1 + η f_2 + … + η^j f_{j+1}) and
 * Ltilde (the modified loss); η is a hyper-parameter after the loss's own symbols.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { parseAssignments, parseNames } from './args.ts';
import { UsageError } from './errors.ts';
import { type TermSpec, parseTerms, resolveOrder } from './terms.ts';
import { type Loss, type Sym, gradient, hessian, loss, toText } from '../symbolic/index.ts';
import type { OutputValue, Program, ProgramBlockRef, SeriesFieldRef } from '../codegen/index.ts';
import type { CounterTermsCode, EomSeries } from '../theory/eom/index.ts';

export interface CodegenOptions {
  params: string;
  constants?: string;
  symbols?: string;
  order?: string;
  terms?: string;
  target?: string;
  out?: string;
  name?: string;
  json?: boolean;
  route?: string;
}

export const CODEGEN_ROUTES = ['auto', 'symbolic', 'taylor'] as const;
export type CodegenRoute = (typeof CODEGEN_ROUTES)[number];

export function parseRoute(text: string | undefined): CodegenRoute {
  const r = text ?? 'auto';
  if (!(CODEGEN_ROUTES as readonly string[]).includes(r)) throw new UsageError(`--route must be one of ${CODEGEN_ROUTES.join(', ')}, got "${r}"`);
  return r as CodegenRoute;
}

export const CODEGEN_TARGETS = ['ts', 'js', 'tfjs'] as const;
export type CodegenTarget = (typeof CODEGEN_TARGETS)[number];

export interface GeneratedModule {
  target: CodegenTarget;
  /** the exported function's name */
  name: string;
  source: string;
  outputs: Array<{ name: string; offset: number; shape: number[] }>;
  outputSize: number;
  params: string[];
  hyper: string[];
  order: number;
  /** how the counter terms f_k (and fields) were compiled: null when none was asked for */
  route: 'symbolic' | 'taylor' | null;
  /** why that route (one sentence), null with route */
  routeReason: string | null;
}

/** Default function name: the --out file's stem in camelCase, or "derived". */
export function functionName(opts: Pick<CodegenOptions, 'name' | 'out'>): string {
  if (opts.name !== undefined) {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(opts.name)) throw new UsageError(`--name: "${opts.name}" is not a JavaScript identifier`);
    return opts.name;
  }
  if (opts.out === undefined) return 'derived';
  const stem = basename(opts.out).replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  const camel = stem.replace(/[-_.\s]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9_$]/g, '');
  return /^[A-Za-z_$]/.test(camel) ? camel : `derived${camel ? `_${camel}` : ''}`;
}

export function parseTarget(text: string | undefined): CodegenTarget {
  const t = text ?? 'ts';
  if (!(CODEGEN_TARGETS as readonly string[]).includes(t)) throw new UsageError(`--target must be one of ${CODEGEN_TARGETS.join(', ')}, got "${t}"`);
  return t as CodegenTarget;
}

function lossOf(formula: string, opts: CodegenOptions): Loss {
  const params = parseNames(opts.params, 'params');
  if (params.length === 0) throw new UsageError('--params: give at least one parameter name');
  const symbols = parseNames(opts.symbols, 'symbols');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  return loss(formula, { params, symbols, constants });
}

/** The named outputs of the chosen terms, in the order given, and the hyper-parameters they use. */
async function termOutputs(
  L: Loss,
  terms: readonly TermSpec[],
  K: number,
  given?: EomSeries,
): Promise<{ outputs: Array<{ name: string; value: OutputValue }>; hyper: Sym[]; notes: string[] }> {
  const outputs: Array<{ name: string; value: OutputValue }> = [];
  const notes: string[] = [];
  const hyper: Sym[] = [...L.symbols];
  const { counterTerms, modifiedLoss, ETA } = await import('../theory/eom/index.ts');
  const needsSeries = terms.some((t) => t.kind === 'f' || t.kind === 'field' || t.kind === 'modified-loss');
  const series = given ?? (K > 0 && needsSeries ? counterTerms(L, K) : undefined);
  const useEta = (): void => {
    if (!hyper.includes(ETA)) hyper.push(ETA);
  };
  for (const t of terms) {
    switch (t.kind) {
      case 'loss':
        outputs.push({ name: 'L', value: L.expr });
        break;
      case 'gradient':
        outputs.push({ name: 'g', value: gradient(L.expr, L.params) });
        break;
      case 'hessian':
        outputs.push({ name: 'H', value: hessian(L.expr, L.params) });
        break;
      case 'f':
        outputs.push({ name: `f${t.k}`, value: series!.f[t.k - 1]! });
        break;
      case 'field':
        outputs.push({ name: `F${t.j}`, value: series!.field(t.j) });
        useEta();
        break;
      case 'modified-loss': {
        const m = modifiedLoss(L, K, { series });
        if (m.potentialOrder < 0) throw new UsageError('--terms modified-loss: no potential was found for f_1 (is the loss scalar-valued?)');
        outputs.push({ name: 'Ltilde', value: m.potential });
        notes.push(`Ltilde: the modified loss through η^${m.potentialOrder} (an O(η^${m.potentialOrder + 1}) truncation${m.potentialOrder + 1 < K ? `; f_${m.potentialOrder + 2} has no potential found` : ''}).`);
        useEta();
        break;
      }
      default:
        throw new UsageError(`--terms: '${t.kind}' has no numeric value to generate code for`);
    }
  }
  return { outputs, hyper, notes };
}

/** Derive the chosen terms and emit the module of the chosen target. */
export async function generateModule(formula: string, opts: CodegenOptions): Promise<GeneratedModule> {
  const target = parseTarget(opts.target);
  const name = functionName(opts);
  const L = lossOf(formula, opts);
  const defaultTerms = opts.order !== undefined ? `gradient,${Array.from({ length: Number(opts.order) || 0 }, (_, i) => `f${i + 1}`).join(',')}` : 'loss,gradient,hessian';
  const terms = parseTerms(opts.terms ?? defaultTerms.replace(/,$/, ''), ['loss', 'gradient', 'hessian', 'f', 'field', 'modified-loss']);
  const K = resolveOrder(terms, opts.order);
  const route = parseRoute(opts.route);
  const { program, hyper, notes, code } = await termProgram(L, terms, K, route);
  const codegen = await import('../codegen/index.ts');
  const outputs = program.blocks.map((b) => ({ name: b.name }));
  const derivation = [
    `Loss: ${clip(toText(L.expr), 300)}`,
    `Terms: ${outputs.map((o) => o.name).join(', ')}${K ? ` (counter-term series to order ${K})` : ''}.`,
    ...(code ? [`Counter terms by the ${code.route} route: ${code.reason}.`] : []),
    ...notes,
    `Command: eomkit codegen ${JSON.stringify(formula)} --params ${L.params.map((p) => p.name).join(',')}${opts.terms ? ` --terms ${opts.terms}` : ''}${opts.order ? ` --order ${opts.order}` : ''} --target ${target}${opts.route ? ` --route ${opts.route}` : ''}`,
  ].join('\n');
  const copts = { name, hyper, derivation, program };
  const source =
    target === 'ts' ? codegen.emitModule({}, L.params, copts) : target === 'js' ? codegen.emitJsModule({}, L.params, copts) : codegen.emitTfjsModule({}, L.params, copts);
  return {
    target,
    name,
    source,
    outputs: program.blocks.map((b) => ({ name: b.name, offset: b.offset, shape: [...b.shape] })),
    outputSize: program.outputs.length,
    params: L.params.map((p) => p.name),
    hyper: hyper.map((h) => h.name),
    order: K,
    route: code?.route ?? null,
    routeReason: code?.reason ?? null,
  };
}

/**
 * The program of the chosen terms. The counter terms f_k and the fields come from `counterTermsCode` (the
 * cheaper of the symbolic and the Taylor route, or the one asked for by --route); on the Taylor route they
 * are joined with the other terms' lowered program into one program (nodes shared).
 */
async function termProgram(
  L: Loss,
  terms: readonly TermSpec[],
  K: number,
  route: CodegenRoute,
): Promise<{ program: Program; hyper: Sym[]; notes: string[]; code?: CounterTermsCode }> {
  const codegen = await import('../codegen/index.ts');
  const { counterTermsCode, ETA } = await import('../theory/eom/index.ts');
  const usesF = terms.some((t) => t.kind === 'f' || t.kind === 'field');
  const needsSeries = terms.some((t) => t.kind === 'modified-loss');
  if (needsSeries && route === 'taylor') throw new UsageError('--route taylor: the modified loss needs the symbolic counter terms; use --route symbolic or auto');
  let code: CounterTermsCode | undefined;
  if (usesF) code = needsSeries ? undefined : counterTermsCode(L, K, { route, hyper: L.symbols });
  if (code?.route !== 'taylor') {
    const { outputs, hyper, notes } = await termOutputs(L, terms, K, code?.series);
    const program = codegen.lower(outputs, L.params, hyper);
    return { program, hyper, notes, code: code ?? (usesF ? { route: 'symbolic', reason: 'the modified loss needs the symbolic counter terms', program, taylorOps: null, symbolicOps: null } : undefined) };
  }
  const others = terms.filter((t) => t.kind !== 'f' && t.kind !== 'field');
  const { outputs, hyper, notes } = await termOutputs(L, others, K);
  if (terms.some((t) => t.kind === 'field') && !hyper.includes(ETA)) hyper.push(ETA);
  const rest = codegen.lower(outputs, L.params, hyper);
  const refs: Array<ProgramBlockRef | SeriesFieldRef> = [];
  let i = 0;
  for (const t of terms) {
    if (t.kind === 'f') refs.push({ name: `f${t.k}`, program: code.program, block: `f${t.k}` });
    else if (t.kind === 'field') refs.push({ name: `F${t.j}`, program: code.program, eta: ETA, order: t.j });
    else {
      refs.push({ name: outputs[i]!.name, program: rest, block: outputs[i]!.name });
      i++;
    }
  }
  return { program: codegen.joinPrograms(refs, L.params, hyper), hyper, notes, code };
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

export async function runCodegen(formula: string, opts: CodegenOptions, io: CliIO): Promise<void> {
  if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out needs a file name');
  const m = await generateModule(formula, opts);
  if (opts.out !== undefined) {
    try {
      await writeFile(opts.out, m.source);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${opts.out}: ${(e as Error).message}`);
    }
  }
  if (opts.json) {
    const { source, ...rest } = m;
    io.out(JSON.stringify({ ...rest, ...(opts.out !== undefined ? { file: opts.out } : { source }) }, null, 2));
    return;
  }
  if (opts.out === undefined) {
    io.out(m.source);
    return;
  }
  io.out(`wrote ${opts.out}: ${m.target} module, function ${m.name}(${m.target === 'tfjs' ? 'tf, x' : 'theta, out'}${m.hyper.length ? ', hyper' : ''}), ${m.outputSize} outputs (${m.outputs.map((o) => o.name).join(', ')})${m.route ? `; counter terms by the ${m.route} route` : ''}`);
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('codegen')
    .description('generate a stand-alone TypeScript / JavaScript / TensorFlow.js module computing chosen derived terms of a loss')
    .argument('<loss>', 'the loss formula')
    .requiredOption('-p, --params <names>', 'comma-separated parameter names')
    .option('-c, --constants <list>', 'named constants, e.g. x=2,y=1/3 (kept exact)')
    .option('-s, --symbols <names>', 'symbolic hyper-parameters (become hyper[…] of the generated function)')
    .option('-k, --order <K>', 'order of the counter-term series (default: what --terms needs)')
    .option('--terms <list>', 'loss, gradient, hessian, f1, f2, …, field0, field1, …, modified-loss (default: gradient and f1…fK with --order, else loss,gradient,hessian)')
    .option('--target <target>', 'ts (default), js or tfjs')
    .option('-o, --out <file>', 'write the module to a file (default: print it)')
    .option('--name <identifier>', 'name of the generated function (default: from --out, else "derived")')
    .option('--route <route>', 'how the counter terms are compiled: auto (default: the smaller program), symbolic (counterTerms) or taylor (Taylor-mode passes over ∇L, K ≤ 4)')
    .option('--json', 'print one JSON object (the layout, the route, and the source when there is no --out)')
    .action(async (formula: string, opts: CodegenOptions) => {
      await runCodegen(formula, opts, ctx.io);
    });
}
