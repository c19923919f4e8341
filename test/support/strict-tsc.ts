/**
 * Type-checks generated TypeScript the way a strict user project would: a tsconfig with every strict option
 * (noUncheckedIndexedAccess, exactOptionalPropertyTypes, noUnused*), `tsc -p dir`, and tsc's own diagnostics
 * in the thrown error. The generated-code tests (codegen modules, Taylor-route modules) share it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STRICT_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  lib: ['ES2022', 'DOM'],
  types: [],
} as const;

/** Write dir/tsconfig.json for `files` (relative to dir) and run tsc on it; throws with tsc's output. */
export function strictTypeCheck(dir: string, files: readonly string[]): void {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: STRICT_COMPILER_OPTIONS, files }));
  try {
    execFileSync(process.execPath, [join(process.cwd(), 'node_modules/typescript/bin/tsc'), '-p', dir], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stdout?: Buffer; message: string };
    throw new Error(`tsc failed: ${err.stdout?.toString() ?? err.message}`);
  }
}
