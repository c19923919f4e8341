/**
 * Every ```ts block of README.md and docs/*.md is executed. A `console.log(…)` line with a
 * trailing `// expected` comment must print exactly that text, so the docs cannot rot.
 * Blocks marked ```ts no-run are skipped.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(__dirname, '../..');
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  file: string;
  index: number;
  code: string;
  expected: string[];
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Block[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  let index = 0;
  while ((m = re.exec(text))) {
    const code = m[1]!;
    const expected: string[] = [];
    for (const line of code.split('\n')) {
      const c = /console\.log\(.*\);\s*\/\/\s?(.*)$/.exec(line);
      if (c) expected.push(c[1]!.trimEnd());
    }
    out.push({ file, index: index++, code, expected });
  }
  return out;
}

const all = docs.flatMap(blocksOf);
const tmp = join(root, 'test', '.docs-tmp');

describe('documentation examples run', () => {
  it('there are examples to run', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
  });
  it('examples import the package by its public names, as users do (never from src/)', () => {
    for (const b of all) expect(b.code, `${b.file} #${b.index + 1}`).not.toMatch(/from '(\.\.?\/)+src\//);
  });
  it.each(all.map((b) => [`${b.file} #${b.index + 1}`, b] as const))('%s', async (_name, block) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `${block.file.replace(/[^A-Za-z0-9]/g, '_')}_${block.index}.ts`);
    // imports written from the repository root ('./src/…') resolve from the temp folder
    const code = block.code.replace(/from '\.\/src\//g, "from '../../src/").replace(/from '\.\.\/src\//g, "from '../../src/");
    const logged: string[] = [];
    (globalThis as Record<string, unknown>)['__docLog'] = (...xs: unknown[]) => logged.push(xs.map(String).join(' '));
    writeFileSync(file, code.replace(/console\.log\(/g, '(globalThis as any).__docLog('));
    try {
      await import(pathToFileURL(file).href);
    } finally {
      rmSync(file, { force: true });
    }
    const withExpectation = logged.slice(0, block.expected.length);
    // only lines that carry an expected comment are compared, in order
    let j = 0;
    for (const line of block.code.split('\n')) {
      if (!/console\.log\(/.test(line)) continue;
      const c = /console\.log\(.*\);\s*\/\/\s?(.*)$/.exec(line);
      if (c) expect(logged[j]).toBe(c[1]!.trimEnd());
      j++;
    }
    expect(withExpectation.length).toBe(block.expected.length);
  });
});
