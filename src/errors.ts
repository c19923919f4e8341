/**
 * The one error model of eomkit: every layer throws one of these classes, and the command line maps them
 * by class (never by name or message) to exit codes.
 *
 *   EomkitError                    base: anything eomkit throws on purpose
 *   ├─ InputError                  the caller's fault (bad argument, value out of range, wrong shape): exit 2
 *   │   └─ FormulaError            (symbolic/parse.ts) a formula that cannot be read, with its position
 *   ├─ BudgetError                 work or output past a budget; names the budget and how to raise it: exit 2
 *   │   ├─ ExpressionSwellError    (symbolic/expr.ts) node / term-product budget of the core
 *   │   └─ PrintSizeError          (symbolic/print.ts) a tree too large to print
 *   ├─ NotMeasurableError          a check that cannot be carried out here (degenerate case): exit 4
 *   └─ InternalError               a bug: exit 1, the stack with --debug
 *
 * Errors that describe a domain problem (EvaluationError: NaN or ±∞ at a point) are input errors: the
 * point or the formula the user gave is outside the domain.
 */

/** Base class of every error eomkit throws deliberately. */
export class EomkitError extends Error {
  /** exit status the command line uses for this class */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid input: a name, value, shape or option the caller gave. Exit status 2. */
export class InputError extends EomkitError {
  override readonly exitCode: number = 2;
}

/** Work or output that would grow past a budget; the message names the budget and how to raise it. Exit status 2. */
export class BudgetError extends EomkitError {
  override readonly exitCode: number = 2;
}

/** A verification that cannot be carried out for this input (e.g. the gradient vanishes at the start). Exit status 4. */
export class NotMeasurableError extends EomkitError {
  override readonly exitCode: number = 4;
}

/** A condition that should never happen: a bug in eomkit. Exit status 1. */
export class InternalError extends EomkitError {}

/** True for errors whose message is meant for the user (input or budget), false for bugs. */
export function isUserError(e: unknown): e is EomkitError {
  return e instanceof EomkitError && !(e instanceof InternalError);
}

/**
 * Argument checks shared by the public functions: each throws an InputError naming the argument.
 */
export function requirePositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${name} must be a positive finite number (got ${describe(value)})`);
  }
  return value;
}

export function requireFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(`${name} must be a finite number (got ${describe(value)})`);
  return value;
}

export function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}…${max}`;
    throw new InputError(`${name} must be an integer ${range} (got ${describe(value)})`);
  }
  return value;
}

/** Short description of a value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  return 'an object';
}
