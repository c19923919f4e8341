/**
 * How eomkit's side of P1/P2 (bench/eomkit/child.ts) is started: on the built package, as a user runs it.
 *
 * `dist` (the default): `node bench/.build/eomkit-child.mjs`, an esbuild bundle of the child and the bench
 * code it needs in which every import of `src/**.ts` is left external and pointed at the compiled module
 * `dist/**.js` (so the core is the one `import … from 'eomkit'` loads, one module instance, no TypeScript
 * loader in the process). `dist/` is rebuilt (`tsc -p tsconfig.build.json`, what `npm run build` runs) when
 * it is missing or older than some file under `src/`.
 * `src` (`EOMKIT_BENCH_CORE=src`, or when the build fails): `node --import tsx bench/eomkit/child.ts`, the
 * core compiled on load from `src/` by tsx; the tsx loader adds its own memory to the baseline.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BENCH_DIR, BUILD_DIR, runProcess } from '../lib.ts';

export interface EomkitLauncher {
  /** which copy of the core the child runs on */
  core: 'dist' | 'src';
  /** the command and the arguments before the child's own */
  cmd: string;
  prefix: string[];
  /** one line for the notes: how the child ran */
  how: string;
}

const ROOT = resolve(BENCH_DIR, '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const CHILD = join(BENCH_DIR, 'eomkit', 'child.ts');
const BUNDLE = join(BUILD_DIR, 'eomkit-child.mjs');

/** newest modification time (ms) of the files under dir with one of the suffixes; 0 when there are none */
function newestMtime(dir: string, suffixes: readonly string[]): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, suffixes));
    else if (suffixes.some((s) => entry.name.endsWith(s))) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** true when dist/ is missing or some source file is newer than every compiled module */
export function distIsStale(): boolean {
  if (!existsSync(join(DIST, 'index.js'))) return true;
  return newestMtime(SRC, ['.ts']) > newestMtime(DIST, ['.js']);
}

/** `src/<path>.ts` → the compiled `dist/<path>.js`, or undefined for a file outside src/ */
export function distModuleFor(absTsPath: string): string | undefined {
  const rel = relative(SRC, absTsPath);
  if (rel.startsWith('..') || !rel.endsWith('.ts')) return undefined;
  return join(DIST, rel.slice(0, -3) + '.js');
}

async function bundleChild(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [CHILD],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: BUNDLE,
    packages: 'external',
    logLevel: 'silent',
    plugins: [
      {
        name: 'core-from-dist',
        setup(b) {
          b.onResolve({ filter: /\.ts$/ }, (args) => {
            const target = distModuleFor(resolve(args.resolveDir, args.path));
            if (!target) return undefined;
            // relative to the bundle, with forward slashes (an ESM specifier)
            const spec = relative(dirname(BUNDLE), target).split(sep).join('/');
            return { path: spec.startsWith('.') ? spec : `./${spec}`, external: true };
          });
        },
      },
    ],
  });
}

let launcher: Promise<EomkitLauncher> | undefined;

function tsxLauncher(why: string): EomkitLauncher {
  return { core: 'src', cmd: process.execPath, prefix: ['--import', 'tsx', CHILD], how: `tsx on src/ (${why})` };
}

/** The launcher for this run of the harness (built once; later calls reuse it). */
export function eomkitLauncher(log: (line: string) => void): Promise<EomkitLauncher> {
  launcher ??= (async (): Promise<EomkitLauncher> => {
    if (process.env['EOMKIT_BENCH_CORE'] === 'src') return tsxLauncher('EOMKIT_BENCH_CORE=src');
    if (distIsStale()) {
      log('eomkit: dist/ is missing or older than src/: building it (tsc -p tsconfig.build.json) …');
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = await runProcess(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { timeoutS: 600 });
      if (r.code !== 0) {
        log(`eomkit: the build failed; running the child with tsx on src/ instead: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' | ')}`);
        return tsxLauncher('the build of dist/ failed');
      }
    }
    mkdirSync(BUILD_DIR, { recursive: true });
    try {
      await bundleChild();
    } catch (e) {
      log(`eomkit: bundling the child failed (${(e as Error).message.split('\n')[0]}); running it with tsx on src/`);
      return tsxLauncher('bundling failed');
    }
    return { core: 'dist', cmd: process.execPath, prefix: [BUNDLE], how: 'node on dist/' };
  })();
  return launcher;
}
