import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import katex from 'katex';
import { evaluate } from '../../src/symbolic/index.ts';
import { compile, flattenOutputs } from '../../src/codegen/index.ts';
import { CATALOGUE_DIR, checkPoints, compareFiles, derive, entryNames, formatDifferences, readSpec } from '../../derivations/lib.ts';

const SEED_ENTRIES = ['chain-4', 'linreg-2d', 'logistic-2pt', 'p3-network', 'quartic', 'softmax-layer', 'weightnorm-unit'];

describe('derivation catalogue', () => {
  it('holds the seed entries', () => {
    for (const e of SEED_ENTRIES) expect(entryNames()).toContain(e);
  });

  for (const name of entryNames()) {
    it(`${name}: re-derived outputs equal the committed .txt, .tex and .ts`, () => {
      const dir = join(CATALOGUE_DIR, name);
      const d = derive(readSpec(dir));
      const diffs = compareFiles(name, d.files, dir);
      if (diffs.length) throw new Error(formatDifferences(diffs));
    });
  }

  it('the committed modules compute what the derivation says (at the check points)', async () => {
    for (const name of entryNames()) {
      const dir = join(CATALOGUE_DIR, name);
      const d = derive(readSpec(dir));
      const mod = (await import(join(dir, `${name}.ts`))) as Record<string, unknown>;
      const fnName = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      const fn = mod[fnName] as (t: Float64Array, o: Float64Array, h?: ArrayLike<number>) => void;
      const layout = mod[`${fnName}Layout`] as { outputSize: number };
      const { exprs } = flattenOutputs(d.outputs);
      expect(layout.outputSize).toBe(exprs.length);
      const out = new Float64Array(layout.outputSize);
      for (const p of checkPoints(d.loss.params, d.hyper)) {
        fn(Float64Array.from(d.loss.params, (s) => p[s.name]!), out, d.hyper.map((h) => p[h.name]!));
        const ref = exprs.map((e) => evaluate(e, p));
        const big = Math.max(...ref.map(Math.abs));
        ref.forEach((r, i) => {
          if (!(Math.abs(out[i]! - r) <= 1e-12 * Math.max(Math.abs(r), 1e-3 * big))) throw new Error(`${name}: component ${i}: module ${out[i]} vs evaluate ${r}`);
        });
      }
      // and the in-memory function is the same code
      const c = compile(d.outputs, d.loss.params, { hyper: d.hyper });
      expect(c.outputSize).toBe(layout.outputSize);
    }
  });

  it('every LaTeX line renders with KaTeX (strict)', () => {
    for (const name of entryNames()) {
      const tex = readFileSync(join(CATALOGUE_DIR, name, `${name}.tex`), 'utf8');
      for (const line of tex.split('\n')) {
        if (!line || line.startsWith('%')) continue;
        katex.renderToString(line.replace(/\s*\\\\$/, ''), { throwOnError: true, strict: 'error' });
      }
    }
  });

  it('an edited spec (without --update) fails with a diff naming the entry and the term', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'eomkit-catalogue-'));
    try {
      cpSync(join(CATALOGUE_DIR, 'quartic'), join(tmp, 'quartic'), { recursive: true });
      const specFile = join(tmp, 'quartic', 'spec.json');
      const spec = JSON.parse(readFileSync(specFile, 'utf8'));
      spec.loss.formula = '1/2*(w1*w2 - 2)^2';
      writeFileSync(specFile, JSON.stringify(spec));
      const d = derive(readSpec(join(tmp, 'quartic')));
      const diffs = compareFiles('quartic', d.files, join(tmp, 'quartic'));
      const report = formatDifferences(diffs);
      expect(report).toContain("derivation 'quartic' changed");
      expect(report).toContain('derivations/quartic/quartic.txt: g[1]');
      expect(report).toMatch(/committed: = w1\*w2\^2 - w2\n\s+derived:\s+= w1\*w2\^2 - 2\*w2/);
      expect(report).toMatch(/at w1 = .*: derived .*, committed /);
      expect(report).toContain('--update');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
