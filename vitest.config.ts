import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('./src/', import.meta.url));

export default defineConfig({
  // Docs and tests import the package by its name, as users do ('eomkit', 'eomkit/symbolic', …): under
  // vitest these names resolve to the TypeScript sources; the packed package maps them to dist/ (exports).
  resolve: {
    alias: [
      { find: /^eomkit$/, replacement: `${src}index.ts` },
      { find: /^eomkit\/(.+)$/, replacement: `${src}$1` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // the weak hash-cons table is tested with explicit collections
    execArgv: ['--expose-gc'],
  },
});
