/** Parsing of the command line's small languages: name lists, points, constants, numbers. */
import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/** Names that would break plain-object look-ups or JSON output; refused everywhere a name is given. */
const UNSAFE_NAMES = new Set(['__proto__', 'prototype', 'constructor']);

export function parseNames(text: string | undefined, what: string): string[] {
  if (text === undefined || text.trim() === '') return [];
  const names = text.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (n === '') throw new UsageError(`empty name in --${what} "${text}"`);
    if (UNSAFE_NAMES.has(n)) throw new UsageError(`--${what}: '${n}' cannot be used as a name`);
    if (seen.has(n)) throw new UsageError(`--${what}: '${n}' is given twice`);
    seen.add(n);
  }
  return names;
}

/** "a=1,b=-2.5,c=1/3" → [['a','1'], …]: each name once (values kept as text, for exact constants). */
export function parseAssignments(text: string, what: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(\S.*?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--${what}: expected name=value, got "${part.trim()}"`);
    const name = m[1]!;
    if (UNSAFE_NAMES.has(name)) throw new UsageError(`--${what}: '${name}' cannot be used as a name`);
    if (seen.has(name)) throw new UsageError(`--${what}: '${name}' is given twice`);
    seen.add(name);
    out.push([name, m[2]!]);
  }
  return out;
}

/**
 * A real number as the command line accepts it: a decimal (1.5, -2e-3) or a fraction of two decimals (1/3,
 * -2/7). Returns NaN for anything else.
 */
export function parseNumber(text: string): number {
  const t = text.trim();
  const dec = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
  if (dec.test(t)) return Number(t);
  const slash = t.indexOf('/');
  if (slash > 0) {
    const p = t.slice(0, slash);
    const q = t.slice(slash + 1);
    if (dec.test(p) && dec.test(q)) return Number(p) / Number(q);
  }
  return NaN;
}

/**
 * Values for names, e.g. "w1=0.3,w2=-1/3,lam=0.1": every name of `required` must get a finite value; names of
 * `optional` may. Decimals and fractions are accepted; each name at most once.
 */
export function parsePoint(text: string, required: readonly string[], what = 'at', optional: readonly string[] = []): Record<string, number> {
  const point: Record<string, number> = Object.create(null) as Record<string, number>;
  const known = [...required, ...optional];
  for (const [name, value] of parseAssignments(text, what)) {
    if (!known.includes(name)) {
      const kinds = optional.length ? `parameters and symbols: ${known.join(', ')}` : `parameters: ${required.join(', ')}`;
      throw new UsageError(`--${what}: '${name}' is not a ${optional.length ? 'parameter or symbol' : 'parameter'} (${kinds})`);
    }
    const v = parseNumber(value);
    if (!Number.isFinite(v)) throw new UsageError(`--${what}: ${name}=${value} is not a finite number (write a decimal or a fraction such as 1/3)`);
    point[name] = v;
  }
  const missing = required.filter((p) => !(p in point));
  if (missing.length) throw new UsageError(`--${what}: no value for ${missing.join(', ')}`);
  return point;
}

export function parseOrder(text: string | undefined, max: number, dflt?: number): number {
  if (text === undefined) {
    if (dflt === undefined) throw new UsageError('--order is required');
    return dflt;
  }
  const k = Number(text);
  if (!Number.isInteger(k) || k < 1 || k > max) throw new UsageError(`--order must be an integer from 1 to ${max}, got "${text}"`);
  return k;
}

export function parseBeta(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const b = parseNumber(text);
  if (!Number.isFinite(b) || b < 0 || b >= 1) throw new UsageError(`--momentum must be a number in [0, 1), got "${text}"`);
  return b;
}

/**
 * A formula that starts with '-' ("-log(w)", "-w^2/2") would be read as an option. Before commander parses the
 * arguments, every token that starts with a single '-', is not an option the command declares, and does not
 * stand where an option's value is expected, is moved behind '--', where commander takes it as the operand.
 */
export function protectNegativeOperands(program: Command, argv: readonly string[]): string[] {
  const sub = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0] ?? ''));
  if (!sub) return [...argv];
  const opts = [...sub.options, ...program.options];
  const find = (tok: string) => opts.find((o) => o.short === tok || o.long === tok || (o.long !== undefined && tok.startsWith(o.long + '=')));
  const kept: string[] = [argv[0]!];
  const moved: string[] = [];
  let rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    const o = find(tok);
    if (o) {
      kept.push(tok);
      if ((o.required || o.optional) && !tok.includes('=') && i + 1 < argv.length) kept.push(argv[++i]!);
      continue;
    }
    if (tok.length > 1 && tok.startsWith('-') && !tok.startsWith('--')) moved.push(tok);
    else kept.push(tok);
  }
  return moved.length || rest.length ? [...kept, '--', ...moved, ...rest] : kept;
}

/** `--tex lam=\lambda,mu2=\mu_2` → { lam: '\\lambda', mu2: '\\mu_2' }; the names must be the loss's. */
export function parseTexNames(text: string | undefined, known: readonly string[]): Record<string, string> {
  if (text === undefined) return {};
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--tex: expected name=LaTeX pairs like lam=\\lambda, got "${part}"`);
    if (!known.includes(m[1]!)) throw new UsageError(`--tex: '${m[1]}' is not a parameter or symbol of the loss (${known.join(', ')})`);
    let depth = 0;
    for (const c of m[2]!) if ((depth += c === '{' ? 1 : c === '}' ? -1 : 0) < 0) break;
    if (depth !== 0 || /[&%#$]/.test(m[2]!)) throw new UsageError(`--tex: the LaTeX of '${m[1]}' ("${m[2]}") must have balanced braces and no & % # $`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
