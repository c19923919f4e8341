/**
 * `npm run playground:build`: bundle playground/main.ts (the engine, KaTeX, vega-lite, vega) for the browser
 * into playground/dist/ with esbuild, beside index.html and KaTeX's stylesheet and fonts.
 */
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLAYGROUND_DIR = dirname(fileURLToPath(import.meta.url));

export interface PlaygroundBuild {
  outDir: string;
  /** imports left out of the bundle (esbuild's metafile): path and kind ('import-statement', 'dynamic-import', …) */
  external: Array<{ path: string; kind: string }>;
}

/** Build the page into outDir (default playground/dist). */
export async function buildPlayground(outDir = join(PLAYGROUND_DIR, 'dist')): Promise<PlaygroundBuild> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    metafile: true,
    entryPoints: [join(PLAYGROUND_DIR, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    outfile: join(outDir, 'main.js'),
    // reachable only behind a flag the page never sets (the CLI's progress bar): left as dynamic imports
    // that the page never executes; the test checks the bundle has no other Node import
    external: ['cli-progress', 'node:*'],
    logLevel: 'warning',
  });
  copyFileSync(join(PLAYGROUND_DIR, 'index.html'), join(outDir, 'index.html'));
  const katexDist = dirname(createRequire(import.meta.url).resolve('katex/dist/katex.min.css'));
  mkdirSync(join(outDir, 'katex'), { recursive: true });
  copyFileSync(join(katexDist, 'katex.min.css'), join(outDir, 'katex', 'katex.min.css'));
  cpSync(join(katexDist, 'fonts'), join(outDir, 'katex', 'fonts'), { recursive: true });
  const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => ({ path: i.path, kind: i.kind })));
  return { outDir, external };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outDir } = await buildPlayground();
  console.log(`playground built into ${outDir}`);
}
