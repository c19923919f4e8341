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

/** bundle a bench entry (TypeScript) into `bundle`, every import of src/**.ts pointed at dist/**.js */
async function bundleOntoDist(entry: string, bundle: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
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
            const spec = relative(dirname(bundle), target).split(sep).join('/');
            return { path: spec.startsWith('.') ? spec : `./${spec}`, external: true };
          });
        },
      },
    ],
  });
}

let distReady: Promise<string | undefined> | undefined;

/** dist/ up to date (rebuilt when stale, once per harness run): undefined, or why it is not usable */
function ensureDist(log: (line: string) => void): Promise<string | undefined> {
  distReady ??= (async (): Promise<string | undefined> => {
    if (!distIsStale()) return undefined;
    log('eomkit: dist/ is missing or older than src/: building it (tsc -p tsconfig.build.json) …');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await runProcess(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { timeoutS: 600 });
    if (r.code === 0) return undefined;
    log(`eomkit: the build failed: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' | ')}`);
    return 'the build of dist/ failed';
  })();
  return distReady;
}

function tsxLauncher(entry: string, why: string): EomkitLauncher {
  return { core: 'src', cmd: process.execPath, prefix: ['--import', 'tsx', entry], how: `tsx on src/ (${why})` };
}

const launchers = new Map<string, Promise<EomkitLauncher>>();

/**
 * A launcher for a bench entry file that runs eomkit (e.g. bench/eomkit/child.ts): node on an esbuild
 * bundle of it onto dist/ (bench/.build/<name>.mjs), or tsx on src/ with EOMKIT_BENCH_CORE=src or when
 * dist/ cannot be built. Built once per entry and harness run.
 */
export function distLauncher(entry: string, log: (line: string) => void): Promise<EomkitLauncher> {
  let l = launchers.get(entry);
  if (!l) {
    l = (async (): Promise<EomkitLauncher> => {
      if (process.env['EOMKIT_BENCH_CORE'] === 'src') return tsxLauncher(entry, 'EOMKIT_BENCH_CORE=src');
      const why = await ensureDist(log);
      if (why) return tsxLauncher(entry, why);
      mkdirSync(BUILD_DIR, { recursive: true });
      const bundle = join(BUILD_DIR, `${relative(BENCH_DIR, entry).replace(/\.ts$/, '').split(sep).join('-')}.mjs`);
      try {
        await bundleOntoDist(entry, bundle);
      } catch (e) {
        log(`eomkit: bundling ${relative(BENCH_DIR, entry)} failed (${(e as Error).message.split('\n')[0]}); running it with tsx on src/`);
        return tsxLauncher(entry, 'bundling failed');
      }
      return { core: 'dist', cmd: process.execPath, prefix: [bundle], how: 'node on dist/' };
    })();
    launchers.set(entry, l);
  }
  return l;
}

/** The launcher of eomkit's P1/P2 child (bench/eomkit/child.ts). */
export function eomkitLauncher(log: (line: string) => void): Promise<EomkitLauncher> {
  return distLauncher(CHILD, log);
}
