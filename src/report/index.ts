/**
 * Reports (`eomkit/report`): the self-contained HTML page of a command's result. Node-only (it writes
 * files and reads KaTeX's fonts), hence not re-exported from the main entry point.
 */
export {
  writeReport,
  renderReport,
  katexCss,
  commandLine,
  commandOf,
  escapeHtml,
  formatCell,
  eomkitVersion,
  type ReportBlock,
  type ReportSection,
  type ReportSpec,
  type RenderedReport,
  type WrittenReport,
} from './html.ts';
export { deriveSections, writeDeriveReport, REPORT_TEX_NODES } from './derive.ts';
export { validationSections, writeValidateReport } from './validate.ts';
export { stationarySections, writeStationaryReport, numberLatex, squareMatrixLatex } from './stationary.ts';
export { predictionSections, logSections, writeDiffusionReport, type DiffusionPredictionJson, type DiffusionLogJson } from './diffusion.ts';
