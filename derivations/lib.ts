/**
 * The derivation catalogue: each entry is a directory derivations/<name>/ with a spec.json and, beside it,
 * its committed outputs: <name>.txt (canonical text, one line per output component), <name>.tex (LaTeX) and
 * <name>.ts (the generated TypeScript module). `npm run derivations` re-derives every entry and compares;
 * `npm run derivations -- --update` is the only way to write a changed output.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Expr,
  type Loss,
  type Sym,
  evaluate,
  expand,
  gradient,
  hessian,
  latexName,
  linearRegressionLoss,
  logisticRegressionLoss,
  loss,
  mlpLoss,
  parseExpr,
  quadraticLoss,
  toLatex,
  toText,
  withBudget,
  type Activation,
} from '../src/symbolic/index.ts';
import { counterTerms } from '../src/theory/eom/index.ts';
import { type LinearHyper, type NoiseSpec, langevinModel, perExampleLosses, stationaryForLoss } from '../src/theory/langevin/index.ts';
import { type OutputValue, emitModule, separatingPoint } from '../src/codegen/index.ts';

export const CATALOGUE_DIR = dirname(fileURLToPath(import.meta.url));

export interface Spec {
  /** directory name and file stem: lower-case letters, digits, '-' */
  name: string;
  /** one line: what the entry is */
  title: string;
  description?: string;
  /** a formula … */
  loss?: { formula: string; params: string[]; constants?: Record<string, number | string>; symbols?: string[] };
  /** … or a builder of src/symbolic/builders.ts */
  builder?:
    | { kind: 'mlp'; sizes: number[]; activation?: Activation; X: number[][]; Y: number[][] | number[]; half?: boolean }
    | { kind: 'logistic'; X: number[][]; y: number[]; intercept?: boolean }
    | { kind: 'linear'; X: number[][]; y: number[]; intercept?: boolean }
    | { kind: 'quadratic'; A: number[][]; b?: number[] };
  derive: {
    loss?: boolean;
    gradient?: boolean;
    hessian?: boolean;
    /** counter terms f1..fK (src/theory/eom counterTerms) */
    counterTerms?: number;
    /** the EoM field f1 + η f2 + … + η^j f_{j+1} with η a hyper-parameter of the generated code (needs counterTerms ≥ j+1) */
    field?: number;
    /**
     * SGD's continuous (Langevin) model with these numeric settings: outputs Σ(θ), the phase-space A(θ) and D(θ),
     * the momentum modified loss; and the stationary covariances (continuous and exact discrete) at the minimum
     * (or at `at`). Noise 'per-example' takes the per-example losses of a linear/logistic builder's rows.
     */
    langevin?: LinearHyper & {
      noise: { kind: 'matrix'; sigma: (number | string)[][] } | { kind: 'hessian'; scale: number | string } | { kind: 'isotropic'; variance: number | string } | { kind: 'per-example' };
      at?: Record<string, number>;
    };
  };
}

export interface DerivedEntry {
  spec: Spec;
  loss: Loss;
  outputs: Array<{ name: string; value: OutputValue }>;
  hyper: Sym[];
  files: { txt: string; tex: string; ts: string };
}

/** Components whose canonical form is larger than this (tree nodes) are recorded by value, not as text. */
export const TEXT_LIMIT = 6000;
/** Components up to this size (tree nodes) are stored expanded (a form independent of the derivation route). */
export const EXPAND_LIMIT = 3000;
/** Components larger than this (tree nodes) are left out of the LaTeX file (a comment says so). */
export const TEX_LIMIT = 2500;
/** significant digits of recorded values */
const DIGITS = 12;

export function lossOf(spec: Spec): Loss {
  if (spec.loss) return loss(spec.loss.formula, { params: spec.loss.params, constants: spec.loss.constants, symbols: spec.loss.symbols });
  const b = spec.builder;
  if (!b) throw new Error(`${spec.name}: the spec needs "loss" or "builder"`);
  switch (b.kind) {
    case 'mlp':
      return mlpLoss(b);
    case 'logistic':
      return logisticRegressionLoss(b.X, b.y, { intercept: b.intercept });
    case 'linear':
      return linearRegressionLoss(b.X, b.y, { intercept: b.intercept });
    case 'quadratic':
      return quadraticLoss(b.A, b.b);
  }
}

export function readSpec(dir: string): Spec {
  const file = join(dir, 'spec.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  if (!spec.name || !/^[a-z0-9-]+$/.test(spec.name)) throw new Error(`${file}: "name" must be lower-case letters, digits and '-'`);
  return spec;
}

/** Names of the catalogue entries (directories with a spec.json), sorted. */
export function entryNames(root = CATALOGUE_DIR): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'spec.json')))
    .map((d) => d.name)
    .sort();
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Deterministic check points: coordinates with 4 significant digits in (−1, 1), hyper-parameters in (0, ½). */
export function checkPoints(params: readonly Sym[], symbols: readonly Sym[], count = 3): Array<Record<string, number>> {
  let s = 20240601;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: count }, () => {
    const p: Record<string, number> = {};
    for (const x of params) p[x.name] = Number((next() * 1.6 - 0.8).toPrecision(4));
    for (const x of symbols) p[x.name] = Number((next() * 0.5).toPrecision(4));
    return p;
  });
}

interface Component {
  key: string;
  latexKey: string;
  expr: Expr;
}

function components(outputs: DerivedEntry['outputs']): Component[] {
  const out: Component[] = [];
  for (const { name, value } of outputs) {
    const tex = name.replace(/^f(\d+)$/, 'f^{($1)}').replace(/^L$/, 'L').replace(/^F(\d+)$/, 'F^{($1)}');
    if (!Array.isArray(value)) out.push({ key: name, latexKey: tex, expr: value as Expr });
    else if (value.length && Array.isArray(value[0])) {
      (value as Expr[][]).forEach((row, i) => row.forEach((e, j) => out.push({ key: `${name}[${i + 1},${j + 1}]`, latexKey: `${tex}_{${i + 1},${j + 1}}`, expr: e })));
    } else (value as Expr[]).forEach((e, i) => out.push({ key: `${name}[${i + 1}]`, latexKey: `${tex}_{${i + 1}}`, expr: e }));
  }
  return out;
}

/** The form a component is recorded in: expanded text, text, or (too large) its values at the check points. */
function recorded(e: Expr, points: Array<Record<string, number>>): { text?: string; form?: Expr; values?: number[] } {
  if (e.treeSize <= EXPAND_LIMIT) {
    const x = withBudget(5_000_000, 'expanding a catalogue entry', () => expand(e));
    if (x.treeSize <= TEXT_LIMIT) return { text: toText(x), form: x };
  }
  if (e.treeSize <= TEXT_LIMIT) return { text: toText(e), form: e };
  return { values: points.map((p) => Number(evaluate(e, p).toPrecision(DIGITS))) };
}

export function derive(spec: Spec): DerivedEntry {
  const L = lossOf(spec);
  const d = spec.derive;
  const outputs: DerivedEntry['outputs'] = [];
  const hyper: Sym[] = [...L.symbols];
  if (d.loss) outputs.push({ name: 'L', value: L.expr });
  if (d.gradient) outputs.push({ name: 'g', value: gradient(L.expr, L.params) });
  if (d.hessian) outputs.push({ name: 'H', value: hessian(L.expr, L.params) });
  if (d.counterTerms) {
    const s = counterTerms(L, d.counterTerms);
    s.f.forEach((fk, k) => outputs.push({ name: `f${k + 1}`, value: fk }));
    if (d.field !== undefined) {
      outputs.push({ name: `F${d.field}`, value: s.field(d.field) });
      hyper.push(s.eta);
    }
  }
  const stationaryLines = d.langevin ? langevinOutputs(spec, L, outputs) : undefined;
  const points = checkPoints(L.params, hyper);
  const comps = components(outputs);
  const what = [
    d.loss && 'L',
    d.gradient && 'g = ∇L',
    d.hessian && 'H = ∇²L',
    d.counterTerms && `counter terms f1..f${d.counterTerms}`,
    d.field !== undefined && `EoM field F${d.field} = f1 + η f2 + … (η = hyper[${hyper.length - 1}])`,
    d.langevin && 'SGD noise Σ, Langevin phase-space A and D, momentum modified loss Lmod, stationary covariances',
  ]
    .filter(Boolean)
    .join(', ');
  const header = [
    `${spec.name}: ${spec.title}`,
    `loss: ${toText(L.expr)}`,
    `parameters: ${L.params.map((p) => p.name).join(', ')}${hyper.length ? `; hyper-parameters: ${hyper.map((h) => h.name).join(', ')}` : ''}`,
    `derived: ${what}`,
  ];
  const txt: string[] = header.map((h) => `# ${h}`);
  txt.push(`# components larger than ${TEXT_LIMIT} tree nodes are recorded by their values (${DIGITS} digits) at the check points:`);
  points.forEach((p, i) => txt.push(`#   point ${i + 1}: ${Object.entries(p).map(([k, v]) => `${k} = ${v}`).join(', ')}`));
  const tex: string[] = header.map((h) => `% ${h}`);
  for (const c of comps) {
    const r = recorded(c.expr, points);
    if (r.text !== undefined) {
      txt.push(`${c.key} = ${r.text}`);
      if (r.form!.treeSize <= TEX_LIMIT) tex.push(`${c.latexKey} = ${toLatex(r.form!)} \\\\`);
      else tex.push(`% ${c.latexKey}: ${r.form!.treeSize} tree nodes, too large for a useful LaTeX line (its text is in ${spec.name}.txt)`);
    } else {
      txt.push(`${c.key} ≈ ${r.values!.join(', ')}`);
      tex.push(`% ${c.latexKey}: too large to print (values at the check points: ${r.values!.join(', ')})`);
    }
  }
  if (stationaryLines) {
    txt.push(...stationaryLines.txt);
    tex.push(...stationaryLines.tex);
  }
  const ts = emitModule(outputs, L.params, {
    name: camel(spec.name),
    hyper,
    derivation: [`Derivation catalogue entry '${spec.name}' (derivations/${spec.name}/spec.json): ${spec.title}.`, `Loss: ${clipLine(toText(L.expr), 300)}`, `Derived: ${what}.`, 'Regenerate with `npm run derivations -- --update`.'].join('\n'),
  });
  return { spec, loss: L, outputs, hyper, files: { txt: `${txt.join('\n')}\n`, tex: `${tex.join('\n')}\n`, ts } };
}

/** significant digits of recorded float64 stationary covariances */
const STATIONARY_DIGITS = 10;

/** Langevin outputs (added to `outputs`) and the stationary-state lines of the .txt/.tex files. */
function langevinOutputs(spec: Spec, L: Loss, outputs: DerivedEntry['outputs']): { txt: string[]; tex: string[] } {
  const cfg = spec.derive.langevin!;
  const { noise: noiseCfg, at, ...hyper } = cfg;
  let noise: NoiseSpec;
  if (noiseCfg.kind === 'per-example') {
    const b = spec.builder;
    if (!b || (b.kind !== 'linear' && b.kind !== 'logistic') || b.intercept) throw new Error(`${spec.name}: per-example noise needs a linear or logistic builder without intercept`);
    const rows = b.X.map((x, i) => [...x, b.y[i]!]);
    noise = { kind: 'per-example', losses: perExampleLosses(b.kind, rows, { params: L.params.map((p) => p.name) }).losses };
  } else noise = noiseCfg;
  const model = langevinModel(L, hyper, noise);
  outputs.push({ name: 'Sigma', value: model.sigma.map((r) => [...r]) });
  outputs.push({ name: 'A', value: model.A.map((r) => [...r]) });
  outputs.push({ name: 'D', value: model.diffusion.map((r) => [...r]) });
  outputs.push({ name: 'Lmod', value: model.modifiedLoss });
  const r = stationaryForLoss(L, hyper, noise, at ? { at } : {});
  const s = r.stationary;
  const p = s.p;
  const num = (x: number): string => String(Number(x.toPrecision(STATIONARY_DIGITS)));
  const txt: string[] = [`# stationary state of SGD (η = ${s.hyper.eta}, β = ${s.hyper.beta}, S = ${s.hyper.batchSize}, λ = ${s.hyper.weightDecay}) at θ* = (${Array.from(r.point, num).join(', ')}), ${s.exact ? 'exact rationals' : `float64, ${STATIONARY_DIGITS} digits`}:`];
  const block = (name: string, M: Float64Array, exactM?: string[][]): void => {
    for (let i = 0; i < p; i++)
      for (let j = i; j < p; j++) txt.push(exactM ? `${name}[${i + 1},${j + 1}] = ${exactM[i]![j]}` : `${name}[${i + 1},${j + 1}] ≈ ${num(M[i * p + j]!)}`);
  };
  const sub = (M: string[][] | undefined, r0: number, c0: number): string[][] | undefined => M?.slice(r0, r0 + p).map((row) => row.slice(c0, c0 + p));
  const cExact = s.continuous.rational?.C.map((row) => row.map(String));
  const xExact = s.discrete.rational?.X.map((row) => row.map(String));
  block('stationary.Ctheta_cont', s.continuous.thetaTheta, sub(cExact, 0, 0));
  block('stationary.Cv_cont', s.continuous.vv, sub(cExact, p, p));
  block('stationary.Ctheta_disc', s.discrete.thetaTheta, sub(xExact, 0, 0));
  txt.push(`stationary.gap_trace_ratio ≈ ${num(s.gap.thetaTraceRatio)}`);
  s.modes.forEach((m, i) => txt.push(`stationary.mode[${i + 1}] ≈ λ ${num(m.hessianEigenvalue)}, ω ${num(m.omega)}, γ ${num(m.gamma)}, ${m.underdamped ? 'underdamped' : 'overdamped'}`));
  const pm = (M: Float64Array): string => `\\begin{pmatrix} ${Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => num(M[i * p + j]!)).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
  const tex = [
    `% stationary covariances at θ* (continuous Langevin model and exact discrete recursion)`,
    `C_{\\theta\\theta}^{\\mathrm{cont}} = ${pm(s.continuous.thetaTheta)} \\\\`,
    `C_{\\theta\\theta}^{\\mathrm{disc}} = ${pm(s.discrete.thetaTheta)} \\\\`,
  ];
  return { txt, tex };
}

function clipLine(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

export interface Difference {
  entry: string;
  file: string;
  /** the output component (e.g. "f2[3]") or line that differs */
  term: string;
  expected: string;
  actual: string;
  /** where the two values differ, for expression terms */
  detail?: string;
}

function clip(s: string, n = 240): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`;
}

function txtTerms(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const k = line.search(/ (=|≈) /);
    if (k < 0) m.set(line, '');
    else m.set(line.slice(0, k), line.slice(k + 1));
  }
  return m;
}

/** Differences between the freshly derived files and the committed ones. */
export function compareFiles(entry: string, fresh: DerivedEntry['files'], dir: string): Difference[] {
  const diffs: Difference[] = [];
  for (const ext of ['txt', 'tex', 'ts'] as const) {
    const file = join(dir, `${entry}.${ext}`);
    const rel = `derivations/${entry}/${entry}.${ext}`;
    if (!existsSync(file)) {
      diffs.push({ entry, file: rel, term: '(whole file)', expected: '(missing)', actual: `${fresh[ext].length} characters` });
      continue;
    }
    const old = readFileSync(file, 'utf8');
    if (old === fresh[ext]) continue;
    if (ext === 'txt') {
      const a = txtTerms(old);
      const b = txtTerms(fresh.txt);
      for (const [k, v] of b) {
        const o = a.get(k);
        if (o === v) continue;
        const d: Difference = { entry, file: rel, term: k, expected: o === undefined ? '(absent)' : clip(o), actual: clip(v) };
        if (o !== undefined && o.startsWith('= ') && v.startsWith('= ')) {
          try {
            const sep = separatingPoint(parseExpr(v.slice(2)), parseExpr(o.slice(2)));
            if (sep) d.detail = `at ${Object.entries(sep.point).map(([x, y]) => `${x} = ${y}`).join(', ')}: derived ${sep.a}, committed ${sep.b}`;
            else d.detail = 'the values agree at the points tried: the form changed, not the function';
          } catch {
            /* unparsable committed text: the diff says enough */
          }
        }
        diffs.push(d);
      }
      for (const k of a.keys()) if (!b.has(k)) diffs.push({ entry, file: rel, term: k, expected: clip(a.get(k)!), actual: '(absent)' });
      const ha = old.split('\n').filter((l) => l.startsWith('#'));
      const hb = fresh.txt.split('\n').filter((l) => l.startsWith('#'));
      ha.forEach((l, i) => l !== hb[i] && diffs.push({ entry, file: rel, term: `header line ${i + 1}`, expected: clip(l), actual: clip(hb[i] ?? '(absent)') }));
      if (diffs.filter((d) => d.file === rel).length === 0) diffs.push({ entry, file: rel, term: '(layout)', expected: 'committed file', actual: 'differs in order or spacing' });
    } else {
      const a = old.split('\n');
      const b = fresh[ext].split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      const k = i < 0 ? a.length : i;
      diffs.push({ entry, file: rel, term: `line ${k + 1}${ext === 'tex' ? termOfTexLine(b[k] ?? a[k] ?? '') : ''}`, expected: clip(a[k] ?? '(end of file)'), actual: clip(b[k] ?? '(end of file)') });
    }
  }
  return diffs;
}

function termOfTexLine(l: string): string {
  const m = /^%? ?([^=:]+?)\s*(=|:)/.exec(l);
  return m ? ` (${m[1]})` : '';
}

export function formatDifferences(diffs: readonly Difference[]): string {
  const out: string[] = [];
  const byEntry = new Map<string, Difference[]>();
  for (const d of diffs) byEntry.set(d.entry, [...(byEntry.get(d.entry) ?? []), d]);
  for (const [entry, ds] of byEntry) {
    out.push(`derivation '${entry}' changed (${ds.length} difference${ds.length === 1 ? '' : 's'}):`);
    for (const d of ds.slice(0, 12)) {
      out.push(`  ${d.file}: ${d.term}`);
      out.push(`    committed: ${d.expected}`);
      out.push(`    derived:   ${d.actual}`);
      if (d.detail) out.push(`    ${d.detail}`);
    }
    if (ds.length > 12) out.push(`  … and ${ds.length - 12} more`);
  }
  if (out.length) out.push('If the change is intended, accept it with `npm run derivations -- --update` and commit the files.');
  return out.join('\n');
}

export { latexName };
