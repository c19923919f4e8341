import { runCli } from '../support/cli.ts';
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import katex from 'katex';
import { alignAtEquals, alignedBlock, latexText } from '../../src/cli/latex.ts';

const run = runCli;

/** KaTeX in strict mode: any non-standard construct or parse error throws. */
function katexStrict(tex: string): void {
  katex.renderToString(tex, { displayMode: true, strict: 'error', throwOnError: true });
}

/** `&` outside braces and environments (matrix column separators do not count). */
function topLevelAmpersands(line: string): number {
  let depth = 0;
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      if (line.startsWith('\\begin{', i)) depth++;
      else if (line.startsWith('\\end{', i)) depth--;
      i++;
    } else if (line[i] === '{') depth++;
    else if (line[i] === '}') depth--;
    else if (line[i] === '&' && depth === 0) n++;
  }
  return n;
}

const hasPdflatex = spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;

describe('eomkit latex', () => {
  it('alignAtEquals puts & before the first top-level =', () => {
    expect(alignAtEquals('L = x')).toBe('L &= x');
    expect(alignAtEquals('f_{k=1} = \\frac{a=b}{c} = d')).toBe('f_{k=1} &= \\frac{a=b}{c} = d');
    expect(alignAtEquals('\\begin{pmatrix} x = 1 \\end{pmatrix} = y')).toBe('\\begin{pmatrix} x = 1 \\end{pmatrix} &= y');
    expect(alignAtEquals('\\{ a \\} = b')).toBe('\\{ a \\} &= b');
    expect(alignedBlock(['a &= 1', 'b &= 2'])).toBe('\\begin{aligned}\n  a &= 1 \\\\\n  b &= 2\n\\end{aligned}');
    expect(latexText('a_b & 50% {x}^2')).toBe('a\\_b \\& 50\\% \\{x\\}\\^{}2');
  });

  it('every line and the whole block are KaTeX-strict valid, one aligned equation per line', async () => {
    const r = await run(['latex', 'lam/2*w1^2 + w1*w2^3/3 + sin(w2)*exp(w1)/2', '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'loss,gradient,hessian,f2,f3,field2,modified-loss,error,eom', '--json']);
    expect(r.code, r.err).toBe(0);
    const obj = JSON.parse(r.out) as { order: number; lines: Array<{ term: string; latex: string }>; aligned: string };
    expect(obj.order).toBe(3);
    // error: one line per truncation GF, EoM_1 (K = 3); a vector too wide for a column matrix gives one
    // line per component (gradient, f2, f3, field2 here: two parameters)
    const terms = obj.lines.map((l) => l.term).filter((t, i, a) => i === 0 || a[i - 1] !== t || t === 'error');
    expect(terms).toEqual(['loss', 'gradient', 'hessian', 'f2', 'f3', 'field2', 'modified-loss', 'error', 'error', 'eom']);
    for (const l of obj.lines) {
      // one equation per line: its first row aligned at its =, the continuation rows (long sums broken)
      // starting &\quad (after + or −) or &= (after =)
      const rows = l.latex.split(' \\\\\n  ');
      expect(topLevelAmpersands(rows[0]!), rows[0]!.slice(0, 80)).toBe(1);
      expect(rows[0]).toMatch(/ &= /);
      for (const r of rows.slice(1)) expect(r).toMatch(/^&(\\quad [+-] |= )/);
      katexStrict(`\\begin{aligned}${l.latex}\\end{aligned}`);
    }
    expect(obj.lines.find((l) => l.term === 'f2')!.latex).toMatch(/^(f_\{2\}|\\left\(f_\{2\}\\right\)_\{1\}) &=/);
    expect(obj.lines.find((l) => l.term === 'modified-loss')!.latex.startsWith('\\tilde{L} &=')).toBe(true);
    katexStrict(obj.aligned);
    // the block is the lines, one row per line of text
    expect(obj.aligned.split('\n')).toHaveLength(obj.lines.reduce((n, l) => n + l.latex.split('\n').length, 0) + 2);
    // the internal η never leaks into LaTeX
    expect(obj.aligned).not.toContain('η');
    // the plain output is the block itself
    const plain = await run(['latex', 'lam/2*w1^2 + w1*w2^3/3 + sin(w2)*exp(w1)/2', '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'loss,gradient,hessian,f2,f3,field2,modified-loss,error,eom']);
    expect(plain.out.trim()).toBe(obj.aligned);
  });

  it.skipIf(!hasPdflatex)('--document compiles with pdflatex', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eomkit-latex-'));
    try {
      const file = join(dir, 'eom.tex');
      const r = await run(['latex', '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + sin(w2)/5', '--params', 'w1,w2', '--terms', 'loss,f2,modified-loss,error', '--order', '3', '--document', '--out', file]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('complete document');
      execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'eom.tex'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
      expect(existsSync(join(dir, 'eom.pdf'))).toBe(true);
      expect(readFileSync(join(dir, 'eom.log'), 'utf8')).not.toMatch(/^! /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('the document skeleton is KaTeX-valid inside and names the loss (checked without pdflatex)', async () => {
    const r = await run(['latex', 'w^4/4', '--params', 'w', '--terms', 'f2', '--document']);
    expect(r.code).toBe(0);
    const doc = r.out;
    expect(doc).toMatch(/^% Generated by eomkit latex/);
    expect(doc).toContain('\\documentclass[10pt]{article}');
    expect(doc).toContain('\\usepackage{amsmath,amssymb}');
    expect(doc.trim().endsWith('\\end{document}')).toBe(true);
    const display = [...doc.matchAll(/\\\[([\s\S]*?)\\\]/g)].map((m) => m[1]!);
    expect(display).toHaveLength(2);
    display.forEach(katexStrict);
  });

  it('bad input: one line, exit 2', async () => {
    for (const [args, msg] of [
      [['--terms', 'f2,bogus'], /unknown term 'bogus'/],
      [['--terms', 'f4', '--order', '3'], /too low/],
      [['--order', '11'], /from 1 to 10/],
      [['--out', ''], /--out needs a file name/],
    ] as const) {
      const r = await run(['latex', 'w^4/4', '--params', 'w', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});
