/**
 * The symbolic layer: exact rationals, hash-consed expressions, calculus, expansion, substitution and
 * evaluation, parsing, printing, losses. Explicit exports only: the builders, memo tables and hash-consing
 * internals of ./expr.ts and ./expand.ts are imported from their modules by the engine, never from here.
 */

// Exact rationals
export { Rational } from './rational.ts';

// Expressions: the node types, constructors, constants, elementary functions, inspection
export {
  type Expr,
  type Num,
  type Sym,
  type Add,
  type Mul,
  type Pow,
  type Call,
  type FnName,
  FUNCTION_NAMES,
  num,
  sym,
  ZERO,
  ONE,
  MINUS_ONE,
  TWO,
  HALF,
  add,
  sum,
  neg,
  sub,
  scale,
  mul,
  product,
  div,
  pow,
  sqrt,
  call,
  exp,
  log,
  sin,
  cos,
  tanh,
  sigmoid,
  softplus,
  log1p,
  expm1,
  sinh,
  cosh,
  atan,
  erf,
  erfc,
  gelu,
  abs,
  sgn,
  PI,
  constantSymbolValue,
  isNum,
  isZero,
  isExpr,
  dependsOn,
  freeSymbols,
  children,
  dagSize,
  withBudget,
  ExpressionSwellError,
} from './expr.ts';

// Calculus
export { diff, diffMany, gradient, hessian, derivativeTensor, jvp, directional, type TensorEntry } from './calculus.ts';

// Canonical form, substitution, evaluation
export { expand } from './expand.ts';
export { subs, evaluate, EvaluationError, type Env } from './transform.ts';

// Parsing and printing
export { parseExpr, FormulaError, RESERVED_NAMES, PARSER_FUNCTIONS, type ParseOptions } from './parse.ts';
export {
  defineFunction,
  getFunction,
  findFunction,
  isFunctionName,
  type FunctionDefinition,
  type ElementaryFunction,
  type FunctionCode,
  type FunctionLatex,
} from './functions/registry.ts';
export { erfFloat, erfcFloat, geluFloat } from './functions/builtins.ts';
export { memoWalk } from './walk.ts';
export { toText, PrintSizeError, DEFAULT_PRINT_LIMIT } from './print.ts';
export { toLatex, latexName, vectorLatex, matrixLatex, type LatexOptions } from './latex.ts';
export { toDisplayText, naturalOrder } from './display.ts';
export { symbolLatexNames, ENGINE_LATEX } from './latex.ts';
export { breakAlignedEquation, latexWidth, DEFAULT_LATEX_WIDTH } from './latex-layout.ts';

// Losses
export { loss, constantValue, requireLoss, type Loss, type LossOptions } from './loss.ts';
export { quadraticLoss, linearRegressionLoss, logisticRegressionLoss, mlpLoss, type Activation } from './builders.ts';
