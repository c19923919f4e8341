/** The symbolic layer: expressions, calculus, expansion, parsing, printing, losses. */
export { Rational } from './rational.ts';
export * from './expr.ts';
export * from './calculus.ts';
export { expand, mulMonomials, clearExpandMemo } from './expand.ts';
export { subs, evaluate, EvaluationError, applyFunction, stableSigmoid, stableSoftplus, type Env } from './transform.ts';
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
export { loss, InputError, constantValue, type Loss, type LossOptions } from './loss.ts';
export { quadraticLoss, linearRegressionLoss, logisticRegressionLoss, mlpLoss, type Activation } from './builders.ts';
