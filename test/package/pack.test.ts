/**
 * The package as a user gets it: `npm pack`, install the tarball into a fresh project, then
 * (a) a plain Node `.mjs` consumer, (b) a TypeScript consumer under `tsc --noEmit` (strict, NodeNext),
 * (c) `npx eomkit derive …` from that project, and (d) a subpath import and the optional-peer error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = process.cwd();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work = '';
let app = '';

function run(cmd: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'eomkit-pack-'));
  const packed = run(npm, ['pack', '--pack-destination', work, '--silent'], root);
  expect(packed.status, packed.stderr).toBe(0);
  const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tgz).toBeDefined();
  app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  const inst = run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tgz!)], app);
  expect(inst.status, inst.stderr).toBe(0);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh project', () => {
  it('installs without TensorFlow.js (an optional peer dependency)', () => {
    const mods = readdirSync(join(app, 'node_modules'));
    expect(mods).toContain('eomkit');
    expect(mods).not.toContain('@tensorflow');
    expect(mods).not.toContain('tsx');
  });

  it('a plain Node .mjs consumer imports eomkit and its subpaths', () => {
    writeFileSync(
      join(app, 'consumer.mjs'),
      [
        "import { loss, gradient, toText, counterTerms } from 'eomkit';",
        "import { parseExpr } from 'eomkit/symbolic';",
        "import { compile } from 'eomkit/codegen';",
        "const L = loss('0.5*(w1*w2 - 1)^2', { params: ['w1', 'w2'] });",
        'console.log(gradient(L.expr, L.params).map((g) => toText(g)).join(" | "));',
        "console.log(toText(parseExpr('x^2 + 1')));",
        'const f = compile({ g: gradient(L.expr, L.params) }, L.params);',
        'const out = new Float64Array(2); f.fn(new Float64Array([2, 3]), out); console.log(Array.from(out).join(","));',
        'console.log(counterTerms(L, 2).f.length);',
      ].join('\n'),
    );
    const r = run(process.execPath, ['consumer.mjs'], app);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['w2*(w1*w2 - 1) | w1*(w1*w2 - 1)', 'x^2 + 1', '15,10', '2']);
  });

  it('a TypeScript consumer type-checks under strict NodeNext', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        "import { loss, gradient, counterTerms, type Loss, type Expr } from 'eomkit';",
        "import { InputError } from 'eomkit';",
        "const L: Loss = loss('w^4/4', { params: ['w'] });",
        'const g: readonly Expr[] = gradient(L.expr, L.params);',
        'const k: number = counterTerms(L, 3).f.length;',
        'const e: Error = new InputError("x");',
        'export { g, k, e };',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, typeRoots: [join(root, 'node_modules/@types')], types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    const r = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], app);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('npx eomkit derive answers from the installed package', () => {
    const r = run(npm, ['exec', '--no', '--', 'eomkit', 'derive', 'w^4/4', '--params', 'w', '--order', '2', '--json'], app);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.gradient).toEqual(["w^3"]);
    expect(j.series.terms[1].value).toEqual(["-3*w^5/2"]);
  });

  it('TensorFlow.js, an optional peer, is loaded on first use: without it, an InputError naming the package to install', () => {
    writeFileSync(
      join(app, 'tf.mjs'),
      [
        "import { loadTf, compileTf } from 'eomkit/numeric/tfjs';",
        "import { loss, gradient, InputError } from 'eomkit';",
        "const L = loss('w^2', { params: ['w'] });",
        'for (const attempt of [() => loadTf("cpu"), () => compileTf({ g: gradient(L.expr, L.params) }, L.params)]) {',
        '  try { await attempt(); console.log("loaded"); }',
        '  catch (e) { console.log(e instanceof InputError ? "InputError: " + e.message : "other: " + e); }',
        '}',
      ].join('\n'),
    );
    const r = run(process.execPath, ['tf.mjs'], app);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^InputError: .*npm install @tensorflow\/tfjs/);
  });

  it('bad input through the installed command: exit 2 and one line', () => {
    const r = run(join(app, 'node_modules/.bin/eomkit'), ['derive', 'w^', '--params', 'w'], app);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
