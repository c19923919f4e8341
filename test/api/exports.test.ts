/**
 * The package root exports exactly the names documented in docs/api.md (an accidental export fails here),
 * src/index.ts lists them by name, no internal name is reachable from the root or a layer's index, and
 * every subpath in package.json's "exports" points at a file that exists.
 */
import { packageExports, sourceOf } from '../support/package-exports.ts';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');

interface Name {
  readonly name: string;
  readonly isType: boolean;
}

/** The names of docs/api.md's "The package root" section: `name` or `type Name`. */
function documentedRoot(): Name[] {
  const doc = read('docs/api.md');
  const start = doc.indexOf('## The package root');
  expect(start).toBeGreaterThan(0);
  const rest = doc.slice(start + 3);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/`(type )?([A-Za-z_$][\w$]*)`/g)].map((m) => ({ name: m[2]!, isType: m[1] !== undefined }));
}

/** The names of a module's `export { … } from '…'` blocks (and the `export *` it must not have). */
function exportBlocks(file: string): { names: Name[]; star: boolean } {
  const src = read(file);
  const names: Name[] = [];
  for (const m of src.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of m[2]!.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const isType = m[1] !== undefined || item.startsWith('type ');
      const name = item.replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)!.trim();
      names.push({ name, isType });
    }
  }
  return { names, star: /export\s*\*/.test(src) };
}

const key = (n: Name): string => `${n.isType ? 'type ' : ''}${n.name}`;
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** Names that are part of the machinery, never of the API. */
const INTERNAL = [
  'mulSorted',
  'mulUnits',
  'mulMonomials',
  'SumBuilder',
  'ProductBuilder',
  'clearExpandMemo',
  'chargeWork',
  'nodesCreated',
  'workDone',
  'internTableSize',
  'WORK_PER_NODE',
  'splitCoefficient',
  'compareExpr',
  'jvpByPartials',
  'applyFunction',
  'stableSigmoid',
  'stableSoftplus',
  'mix',
  'stringHash',
  'numberLiteral',
  'DEFAULT_PART_SIZE',
  'HB_U',
  'heavyBallRecursion',
  'importTf',
  'loadTf',
  'requiredImport',
];

const INDEXES = [
  'src/symbolic/index.ts',
  'src/codegen/index.ts',
  'src/numeric/index.ts',
  'src/numeric/tfjs/index.ts',
  'src/theory/bseries/index.ts',
  'src/theory/eom/index.ts',
  'src/theory/langevin/index.ts',
  'src/theory/networks/index.ts',
  'src/testing/index.ts',
];

describe('the public API of the package root', () => {
  const documented = documentedRoot();

  it('docs/api.md lists each name once, and src/index.ts exports exactly that list', () => {
    expect(documented.length).toBeGreaterThan(100);
    expect(new Set(documented.map((n) => n.name)).size).toBe(documented.length);
    const { names, star } = exportBlocks('src/index.ts');
    expect(star).toBe(false);
    expect(sorted(names.map(key))).toEqual(sorted(documented.map(key)));
  });

  it('the module’s runtime exports are the documented values, nothing more', async () => {
    const mod = (await import('../../src/index.ts')) as Record<string, unknown>;
    const values = documented.filter((n) => !n.isType).map((n) => n.name);
    expect(sorted(Object.keys(mod))).toEqual(sorted(values));
    for (const v of values) expect(mod[v], v).toBeDefined();
  });

  it('no internal name is reachable from the root', async () => {
    const mod = (await import('../../src/index.ts')) as Record<string, unknown>;
    for (const name of INTERNAL) {
      expect(Object.keys(mod), name).not.toContain(name);
      expect(documented.map((n) => n.name), name).not.toContain(name);
    }
  });

  it('what the README and docs import from the root is exported by it', () => {
    const exported = new Set(documented.map((n) => n.name));
    const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    let seen = 0;
    for (const f of files) {
      for (const m of read(f).matchAll(/import\s+\{([^}]*)\}\s+from\s+'(?:eomkit|\.\/src\/index\.ts)'/g)) {
        for (const raw of m[1]!.split(',')) {
          const name = raw.trim().replace(/^type\s+/, '');
          if (name === '') continue;
          seen++;
          expect(exported.has(name), `${f} imports ${name}`).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });
});

describe('the layer indexes (package subpaths)', () => {
  it('list their exports by name (no export *) and hide the internal names', async () => {
    for (const file of INDEXES) {
      const { names, star } = exportBlocks(file);
      expect(star, file).toBe(false);
      expect(names.length, file).toBeGreaterThan(0);
      for (const name of INTERNAL) {
        if (file === 'src/numeric/tfjs/index.ts' && (name === 'loadTf' || name === 'importTf')) continue; // the tfjs subpath is the loader's home
        expect(names.map((n) => n.name), `${file}: ${name}`).not.toContain(name);
      }
    }
    for (const file of INDEXES.filter((f) => !f.includes('tfjs'))) {
      const mod = (await import(join(root, file))) as Record<string, unknown>;
      for (const name of INTERNAL) expect(Object.keys(mod), `${file}: ${name}`).not.toContain(name);
    }
  });

  it('every subpath in package.json "exports" points at an existing file', () => {
    const exportsMap = packageExports();
    const sources: string[] = [];
    for (const [sub, target] of Object.entries(exportsMap)) {
      if (sub === './package.json') continue;
      expect(typeof target, `${sub} maps to { types, import }`).toBe('object');
      const t = target as { types: string; import: string };
      expect(sub.includes('*'), `${sub}: no wildcard subpaths`).toBe(false);
      expect(sourceOf(t.types), `${sub}: types and import come from one source`).toBe(sourceOf(t.import));
      const src = sourceOf(t.import);
      expect(existsSync(join(root, src)) && statSync(join(root, src)).isFile(), `${sub} → ${t.import} (from ${src})`).toBe(true);
      sources.push(src);
    }
    for (const file of INDEXES) expect(sources, file).toContain(file);
  });
});
