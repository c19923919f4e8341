import { subpathSource } from '../support/package-exports.ts';
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loss, gradient, hessian, parseExpr, sym, tanh, pow, sub, ONE } from '../../src/symbolic/index.ts';
import { compareDerivation, expectDerivation, DerivationMismatchError, goldenText } from '../../src/testing/index.ts';
import '../../src/testing/vitest.ts';

const L = loss('1/2*(w1*w2 - 1)^2', { params: ['w1', 'w2'] });
const g = gradient(L.expr, L.params);

describe('compareDerivation', () => {
  it('identical, equal after expansion, different', () => {
    expect(compareDerivation(g, g)).toMatchObject({ equal: true, components: 2, equalAfterExpansion: 0 });
    expect(compareDerivation(g, ['w2*(w1*w2 - 1)', 'w1*(w1*w2 - 1)']).equalAfterExpansion).toBe(0); // the same canonical objects
    const c = compareDerivation(g, ['w1*w2^2 - w2', 'w1^2*w2 - w1']);
    expect(c.equal).toBe(true);
    expect(c.equalAfterExpansion).toBe(2);
    const bad = compareDerivation(hessian(L.expr, L.params), [['w2^2', '2*w1*w2 - 1'], ['2*w1*w2 + 1', 'w1^2']], { label: 'H' });
    expect(bad.equal).toBe(false);
    expect(bad.mismatches).toHaveLength(1);
    expect(bad.mismatches[0]).toMatchObject({ index: '[2,1]', actual: '2*w1*w2 - 1', golden: '2*w1*w2 + 1', reason: 'the values differ' });
    expect(bad.mismatches[0]!.point).toBeDefined();
    expect(bad.message).toMatch(/^H: 1 of 4 components differs/);
    expect(bad.message).toMatch(/at w1 = [-0-9.e]+, w2 = [-0-9.e]+: derived -?[0-9.e-]+, golden/);
  });

  it('shape mismatch is reported as such', () => {
    expect(compareDerivation(g, 'w1').message).toMatch(/shape differs: the derivation gives a vector of 2, the golden value is a scalar/);
  });

  it('identities expand does not apply: reported, or accepted with numeric: true', () => {
    const x = sym('x');
    const a = sub(ONE, pow(tanh(x), 2));
    const b = parseExpr('4/(exp(x) + exp(-x))^2');
    const c = compareDerivation(a, b);
    expect(c.equal).toBe(false);
    expect(c.mismatches[0]!.reason).toMatch(/values agree/);
    expect(compareDerivation(a, b, { numeric: true }).equal).toBe(true);
  });

  it('expectDerivation throws DerivationMismatchError with the report', () => {
    expect(() => expectDerivation(g, ['w2*(w1*w2 - 1)', 'w1'], { label: 'g' })).toThrow(DerivationMismatchError);
    expect(() => expectDerivation(g, ['w2*(w1*w2 - 1)', 'w1*(w1*w2 - 1)'])).not.toThrow();
  });

  it('goldenText round-trips through JSON', () => {
    const H = hessian(L.expr, L.params);
    expect(H).toEqualDerivation(JSON.parse(JSON.stringify(goldenText(H))) as string[][]);
  });

  it('the matcher fails with the readable report', () => {
    let msg = '';
    try {
      expect(g).toEqualDerivation(['w2*(w1*w2 - 1)', 'w1*(w1*w2 + 1)']);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('component [2]: the values differ');
    expect(msg).toContain('derived: w1*(w1*w2 - 1)');
    expect(msg).toContain('golden:  w1*(w1*w2 + 1)');
    expect(g).not.toEqualDerivation(['w2', 'w1']);
  });
});


describe('docs/regression-tests.md', () => {
  it('its example runs (extracted from the document)', async () => {
    const doc = readFileSync(join(process.cwd(), 'docs/regression-tests.md'), 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    const dir = join(process.cwd(), 'test/derivations/.doc-example');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      for (const [i, code] of blocks.entries()) {
        // 'eomkit' and its subpaths resolve through package.json's "exports", as they will for a user
        const src = code.replace(/'eomkit(\/[^']*)?'/g, (_, sub: string | undefined) => `'${join(process.cwd(), subpathSource(sub))}'`);
        const file = join(dir, `block${i}.ts`);
        writeFileSync(file, src);
        await import(file);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
