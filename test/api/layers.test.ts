/**
 * Imports flow one way (docs/design.md, "Layers and the direction of imports"):
 * errors, tf-loader → symbolic → codegen → numeric → theory (bseries → eom → langevin, networks) → cli and report →
 * index. A module never imports from a layer above its own.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** rank of each layer: a module may import only from layers of lower or equal rank */
const RANK: Array<[string, number]> = [
  ['errors.ts', 0],
  ['tf-loader.ts', 0],
  ['symbolic/', 1],
  ['codegen/', 2],
  ['numeric/', 3],
  ['testing/', 4],
  ['theory/bseries/', 4],
  ['theory/eom/', 5],
  ['theory/langevin/', 6],
  ['theory/networks/', 6],
  ['report/', 8], // the presentation layer beside the command (a report is built from a command's result)
  ['cli/', 8],
  ['index.ts', 9],
];

function rankOf(rel: string): number {
  const hit = RANK.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  if (!hit) throw new Error(`no layer for src/${rel}`);
  return hit[1];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the direction of imports', () => {
  it('no module imports from a layer above its own', () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const rel = relative(SRC, file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(file), m[1]!));
        if (target.startsWith('..')) continue;
        if (rankOf(target) > rankOf(rel)) violations.push(`src/${rel} imports src/${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the layer table covers every module', () => {
    for (const file of files(SRC)) expect(() => rankOf(relative(SRC, file))).not.toThrow();
  });
});
