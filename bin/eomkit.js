#!/usr/bin/env node
// The `eomkit` command: runs the built JavaScript in dist/ (npm ci / npm install build it through
// the `prepare` / `prepack` scripts; `npm run build` rebuilds it after a change to src/).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('eomkit: the package is not built (dist/cli/main.js is missing); run `npm run build` in the package folder\n');
  process.exit(1);
}
// `eomkit … | head` closes the pipe early: that is not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
