/** Parsing of the command line's small languages: name lists, points, constants. */
import { UsageError } from './errors.ts';

export function parseNames(text: string | undefined, what: string): string[] {
  if (text === undefined || text.trim() === '') return [];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) if (n === '') throw new UsageError(`empty name in --${what} "${text}"`);
  return names;
}

/** "a=1,b=-2.5" → { a: 1, b: -2.5 } (strings kept for exact constants like 1/3). */
export function parseAssignments(text: string, what: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(\S.*?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--${what}: expected name=value, got "${part.trim()}"`);
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/** A point: every parameter must get a finite float value. */
export function parsePoint(text: string, params: readonly string[], what = 'at'): Record<string, number> {
  const point: Record<string, number> = {};
  for (const [name, value] of parseAssignments(text, what)) {
    if (!params.includes(name)) throw new UsageError(`--${what}: '${name}' is not a parameter (parameters: ${params.join(', ')})`);
    const v = Number(value);
    if (!Number.isFinite(v) || value.trim() === '') throw new UsageError(`--${what}: ${name}=${value} is not a finite number`);
    point[name] = v;
  }
  const missing = params.filter((p) => !(p in point));
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
  const b = Number(text);
  if (!Number.isFinite(b) || b < 0 || b >= 1) throw new UsageError(`--momentum must be a number in [0, 1), got "${text}"`);
  return b;
}
