/**
 * Task S — start-up: the first answer of the built command, `eomkit derive "w^4/4" --params w`, measured as a
 * whole process (node start, imports, parse, derivation, output), against `python3 -c "import sympy"` (what a
 * SymPy script pays before its first line of work). The two are alternated round by round; the row reports
 * the median time and the median of per-round ratios. Goal: under 0.25 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchRow, TaskOptions } from './types.ts';

const ROUNDS = 15;

function timeProcess(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr ?? '').split('\n')[0]}`);
  return dt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runStartup(opts: TaskOptions): Promise<BenchRow[]> {
  if (!existsSync('dist/cli/main.js')) {
    opts.log('S: building dist/ first (npm run build)');
    const b = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed: ${b.stderr}`);
  }
  const eomkit = (): number => timeProcess(process.execPath, ['bin/eomkit.js', 'derive', 'w^4/4', '--params', 'w']);
  const hasSympy = spawnSync('python3', ['-c', 'import sympy'], { encoding: 'utf8' }).status === 0;
  if (!hasSympy) opts.log('S: python3 with sympy not found; the SymPy import row is skipped');
  const sympy = (): number => timeProcess('python3', ['-c', 'import sympy']);
  eomkit();
  if (hasSympy) sympy();
  const te: number[] = [];
  const ts: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = eomkit();
    te.push(a);
    if (hasSympy) {
      const b = sympy();
      ts.push(b);
      ratios.push(a / b);
    }
  }
  const rows: BenchRow[] = [
    {
      task: 'S',
      tool: 'eomkit',
      seconds: median(te),
      size: 'first answer',
      note: `eomkit derive "w^4/4" --params w, whole process, median of ${ROUNDS}${hasSympy ? `; median per-round ratio to SymPy's import ${median(ratios).toFixed(2)}` : ''}; goal < 0.25 s`,
    },
  ];
  if (hasSympy) rows.push({ task: 'S', tool: 'sympy', seconds: median(ts), size: 'import only', note: 'python3 -c "import sympy", whole process' });
  return rows;
}
