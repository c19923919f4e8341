/** `eomkit series --order K`: the loss-independent counter-term series of GD as B-series trees. */
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { parseOrder } from './args.ts';
import { generalSeries } from '../theory/eom/series.ts';
import { treesOfOrder } from '../theory/bseries/index.ts';

export async function runSeries(opts: { order: string; latex?: boolean; json?: boolean }, io: CliIO): Promise<void> {
  const K = parseOrder(opts.order, 12);
  const s = generalSeries(K);
  const ks = Array.from({ length: K }, (_, i) => i + 1);
  if (opts.json) {
    const tex = opts.latex ? s.latex() : undefined;
    io.out(
      JSON.stringify(
        {
          order: K,
          terms: ks.map((k) => ({
            k,
            trees: s.terms[k - 1]!.length,
            f: s.text(k),
            loss: s.lossText(k),
            ...(tex ? { latex: { f: tex.f[k - 1], loss: tex.loss[k - 1] } } : {}),
          })),
          ...(tex ? { eom: tex.eom } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  const lines = ['Modified equation of gradient descent (explicit Euler): θ̇ = f_1 + η f_2 + η² f_3 + …, f = f_1 = −g'];
  for (const k of ks) {
    lines.push(`f_${k}  (${s.terms[k - 1]!.length} of the ${treesOfOrder(k).length} rooted trees with ${k} nodes have a non-zero coefficient)`);
    lines.push(`  f-notation:    ${s.text(k)}`);
    lines.push(`  loss notation: ${s.lossText(k)}`);
  }
  if (opts.latex) {
    const tex = s.latex();
    lines.push('LaTeX');
    ks.forEach((k) => lines.push(`  f_{${k}} = ${tex.f[k - 1]}`));
    ks.forEach((k) => lines.push(`  f_{${k}} = ${tex.loss[k - 1]}`));
    lines.push(`  ${tex.eom}`);
  }
  io.out(lines.join('\n'));
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('series')
    .description('the general (loss-independent) counter-term series of gradient descent as B-series trees')
    .requiredOption('-k, --order <K>', 'highest order K (1…12)')
    .option('--latex', 'print LaTeX')
    .option('--json', 'print one JSON object')
    .action(async (opts: { order: string; latex?: boolean; json?: boolean }) => {
      await runSeries(opts, ctx.io);
    });
}
