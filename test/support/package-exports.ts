/**
 * package.json's "exports" as the tests see them: each public subpath maps to built files in dist/
 * ({ types, import }); `sourceOf` gives the TypeScript source each built file comes from (src/X.ts for
 * dist/X.js), so tests can check the map without a build and import the sources by the public name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ExportTarget = string | { types: string; import: string };

export const root = join(import.meta.dirname, '..', '..');

export function packageExports(): Record<string, ExportTarget> {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, ExportTarget> }).exports;
}

/** './dist/a/b.js' → 'src/a/b.ts' (the source the build compiles to that file). */
export function sourceOf(distFile: string): string {
  const m = /^\.\/dist\/(.+)\.(js|d\.ts)$/.exec(distFile);
  if (!m) throw new Error(`not a file under dist/: ${distFile}`);
  return `src/${m[1]}.ts`;
}

/** The source file behind 'eomkit' + sub (sub = '' or '/testing', …), through package.json's "exports". */
export function subpathSource(sub: string | undefined): string {
  const target = packageExports()[`.${sub ?? ''}`];
  if (target === undefined) throw new Error(`package.json exports no 'eomkit${sub ?? ''}'`);
  if (typeof target === 'string') throw new Error(`'eomkit${sub ?? ''}' maps to a plain file, expected { types, import }`);
  return sourceOf(target.import);
}
