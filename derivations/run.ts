/**
 * `npm run derivations` — re-derive every catalogue entry (derivations/<name>/spec.json) and compare with
 * the committed outputs; exit 1 with a diff naming the entry and the term when anything changed.
 * `npm run derivations -- --update [names…]` writes the new outputs (the only way to accept a change).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_DIR, compareFiles, derive, entryNames, formatDifferences, readSpec, type Difference } from './lib.ts';

const args = process.argv.slice(2);
const update = args.includes('--update');
const only = args.filter((a) => !a.startsWith('--'));
const names = entryNames();
for (const n of only) if (!names.includes(n)) {
  console.error(`no catalogue entry '${n}' (entries: ${names.join(', ')})`);
  process.exit(2);
}
const all: Difference[] = [];
for (const name of only.length ? only : names) {
  const dir = join(CATALOGUE_DIR, name);
  const t0 = performance.now();
  const spec = readSpec(dir);
  if (spec.name !== name) throw new Error(`${dir}/spec.json: "name" is '${spec.name}', the directory is '${name}'`);
  const d = derive(spec);
  const diffs = compareFiles(name, d.files, dir);
  const ms = (performance.now() - t0).toFixed(0);
  if (diffs.length && update) {
    for (const ext of ['txt', 'tex', 'ts'] as const) writeFileSync(join(dir, `${name}.${ext}`), d.files[ext]);
    console.log(`${name}: updated (${diffs.length} difference${diffs.length === 1 ? '' : 's'}) in ${ms} ms`);
  } else {
    console.log(`${name}: ${diffs.length ? `${diffs.length} difference${diffs.length === 1 ? '' : 's'}` : 'unchanged'} (${ms} ms)`);
    all.push(...diffs);
  }
}
if (all.length) {
  console.error(`\n${formatDifferences(all)}`);
  process.exit(1);
}
