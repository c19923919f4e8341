/**
 * `npm start`: the built-in example. A small non-quadratic loss, its gradient,
 * Hessian and their LaTeX, then the first counter terms of the GD equation of
 * motion and their values at a point; and the HTML report of all of it (rendered formulas, tables) in
 * ./eomkit-demo-report/ (--report DIR elsewhere, --no-report for none).
 */
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { runDerive } from './derive.ts';

export const DEMO_LOSS = '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5';
export const DEMO_POINT = 'w1=1.3,w2=-0.4';

/** Where `npm start` writes the demo's report (relative to the working directory). */
export const DEMO_REPORT_DIR = 'eomkit-demo-report';

export async function runDemo(io: CliIO, report: string | false = DEMO_REPORT_DIR): Promise<void> {
  io.out('eomkit demo: the loss of benchmark task P4 (a non-quadratic 2-parameter loss)\n');
  await runDerive(DEMO_LOSS, { params: 'w1,w2', order: '3', latex: true, at: DEMO_POINT, ...(report !== false ? { report } : {}) }, io);
  if (report !== false) io.out(`\nThe report of this example (formulas rendered, tables, report.json): open ${report}/index.html in a browser.`);
  io.out('\nTry: npx eomkit derive "<loss>" --params w1,w2 --order 3 --at w1=0.3,w2=-1.2   (npx eomkit --help)');
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('the built-in example: a small non-quadratic loss, its gradient, Hessian, counter terms and their LaTeX')
    .option('--report <dir>', `where to write the HTML report (default ${DEMO_REPORT_DIR})`)
    .option('--no-report', 'write no report')
    .action(async (opts: { report: string | boolean }) => {
      await runDemo(ctx.io, opts.report === true || opts.report === undefined ? DEMO_REPORT_DIR : opts.report);
    });
}
