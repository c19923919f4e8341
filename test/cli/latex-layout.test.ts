/**
 * LaTeX as a paper wants it: long equations broken into rows of an aligned block (the rows are the
 * original equation cut at + / − / =, nothing else changed), a 2-parameter f₃ printed by `eomkit latex`
 * rendered in headless Chromium within an A4 text width at 10pt, the .tex document compiling without an
 * overfull line where pdflatex is installed, user LaTeX names and collisions made visible or refused.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import katex from 'katex';
import { main, type CliIO } from '../../src/cli/main.ts';
import { parseExpr, sym, add, mul, toLatex } from '../../src/symbolic/index.ts';
import { ENGINE_LATEX, symbolLatexNames } from '../../src/symbolic/latex.ts';
import { breakAlignedEquation, fixedDelimiters, latexWidth, topLevelPieces } from '../../src/symbolic/latex-layout.ts';
import { katexCss } from '../../src/report/html.ts';
import { CHROMIUM_ARGS, findChromium } from '../../src/numeric/tfjs/webgl.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
  const code = await main(args, io);
  return { code, out, err };
}

const strict = (tex: string): string => katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: 'error' });
const ARTIFACTS = join(process.cwd(), 'test/.artifacts');
const chromium = findChromium();
const hasPdflatex = spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;
const LOSS = '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5';

/** the rows joined back: the row breaks and alignment removed, fixed-size delimiters back to \left \right */
function unbroken(block: string): string {
  return block
    .replace(/ \\\\\n\s*&\\quad /g, ' ')
    .replace(/ \\\\\n\s*&= /g, ' = ')
    .replace(/ &= /, ' = ')
    .replace(/\\[bB]igl/g, '\\left')
    .replace(/\\[bB]igr/g, '\\right');
}

describe('line breaking', () => {
  it('splits only at top-level + − =, outside braces, \\left…\\right and environments', () => {
    expect(topLevelPieces('a + \\frac{b + c}{d} - \\left(e + f\\right) = g').map((p) => `${p.op}|${p.body}`)).toEqual(['|a', '+|\\frac{b + c}{d}', '-|\\left(e + f\\right)', '=|g']);
    expect(topLevelPieces('-a^{-1} + \\begin{pmatrix} x + y \\end{pmatrix}').map((p) => p.body)).toEqual(['-a^{-1}', '\\begin{pmatrix} x + y \\end{pmatrix}']);
    expect(topLevelPieces('\\left(e + f\\right)', true).map((p) => p.body)).toEqual(['\\left(e', 'f\\right)']);
    expect(fixedDelimiters('\\left(a \\left(\\frac{1}{2} + b\\right)\\right) \\left|c\\right|')).toBe('\\Bigl(a \\Bigl(\\frac{1}{2} + b\\Bigr)\\Bigr) \\bigl|c\\bigr|');
  });

  it('widths grow with the text, fractions count their wider part, scripts less', () => {
    expect(latexWidth('\\frac{a + b + c}{d}')).toBeLessThan(latexWidth('a + b + c + d'));
    expect(latexWidth('x^{2}')).toBeLessThan(latexWidth('x2'));
    expect(latexWidth('\\left(x\\right)')).toBeGreaterThan(latexWidth('x'));
  });

  it('breaks a long derived equation into rows within the width; the rows are the equation', () => {
    for (const f of ['(w1 + w2 + w3)^7', '(w1*w2 - 1)^4*sin(w1) + exp(w2)*(w1 + 2*w2)^5']) {
      const tex = `L &= ${toLatex(parseExpr(f).kind === 'add' ? parseExpr(f) : parseExpr(f))}`;
      const expanded = f.startsWith('(w1 + w2 + w3)') ? `L &= ${toLatex(parseExpr(f))}` : tex;
      for (const width of [20, 32, 50]) {
        const b = breakAlignedEquation(expanded, width);
        expect(unbroken(b)).toBe(expanded.replace(' &= ', ' = '));
        const rows = b.split(' \\\\\n  ');
        for (const r of rows.slice(1)) expect(r).toMatch(/^&(\\quad [+-] |= )/);
        strict(`\\begin{aligned}${b}\\end{aligned}`);
      }
    }
    // a short equation stays one row
    expect(breakAlignedEquation('L &= x + y', 32)).toBe('L &= x + y');
  });

  it('eomkit latex: every row of f3 fits the width estimate except a single unbreakable piece', async () => {
    const r = await run(['latex', LOSS, '--params', 'w1,w2', '--terms', 'f3', '--json', '--width', '30']);
    expect(r.code, r.err).toBe(0);
    const obj = JSON.parse(r.out) as { lines: Array<{ latex: string }>; aligned: string };
    // the general form f_3 = −⅓HHg − 1/12 ∇³L[g,g], then one equation per component
    expect(obj.lines.length).toBe(3);
    expect(obj.lines[0]!.latex).toBe('f_{3} &= -\\frac{1}{3} H H g - \\frac{1}{12} \\nabla^{3} L\\left[g, g\\right]');
    for (const l of obj.lines.slice(1)) {
      const rows = l.latex.split(' \\\\\n  ');
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) if (topLevelPieces(row.replace(/^&\\quad /, '').replace(/^.* &= /, ''), true).length > 1) expect(latexWidth(row)).toBeLessThan(30 * 1.5);
    }
    strict(obj.aligned);
  });
});

describe('LaTeX names', () => {
  it('user names print as chosen; names that would collide print as typed, upright', () => {
    expect(toLatex(parseExpr('lam*w^2'), { names: { lam: '\\lambda' } })).toBe('\\lambda w^{2}');
    expect(toLatex(parseExpr('lam*w^2'))).toBe('\\mathrm{lam} w^{2}');
    // a user eta, beta, sigma, theta is not the engine's η, β, σ (sigmoid), θ
    // by default a lone user `eta` is \eta; where the engine's symbols print nearby they are reserved
    expect(toLatex(parseExpr('eta*w'))).toBe('\\eta w');
    const user = toLatex(parseExpr('eta*w + beta + sigma*sigmoid(w) + theta'), { reserved: ENGINE_LATEX });
    for (const n of ['eta', 'beta', 'sigma', 'theta']) expect(user).toContain(`\\mathrm{${n}}`);
    expect(user).toContain('\\sigma\\left(w\\right)');
    expect(user).not.toMatch(/\\(eta|beta|theta)(?![A-Za-z])/);
    expect(toLatex(add(parseExpr('eta*w'), mul(sym('η'), parseExpr('w'))))).toContain('\\eta');
    expect(toLatex(add(parseExpr('eta*w'), mul(sym('η'), parseExpr('w'))))).toContain('\\mathrm{eta}');
    // w1 and w_1 would both be w_{1}
    expect(toLatex(parseExpr('w1 + w_1'))).toBe('\\mathrm{w1} + \\mathrm{w\\_1}');
    expect(symbolLatexNames(['w1', 'w2'])).toEqual(new Map([['w1', 'w_{1}'], ['w2', 'w_{2}']]));
  });

  it('a chosen name that collides is refused, naming both', () => {
    expect(() => toLatex(parseExpr('w1 + w_1'), { names: { w_1: 'w_{1}' } })).toThrow(/'w1' and 'w_1' would all print as w_\{1\}/);
    expect(() => toLatex(add(parseExpr('lam*w'), mul(sym('η'), parseExpr('w'))), { names: { lam: '\\eta' } })).toThrow(/would all print as \\eta/);
  });

  it('eomkit latex --tex', async () => {
    const r = await run(['latex', 'lam/2*w1^2 + w1*w2', '--params', 'w1,w2', '--symbols', 'lam', '--terms', 'loss,f2', '--tex', 'lam=\\lambda,w2=\\omega']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('\\lambda');
    expect(r.out).toContain('\\omega');
    expect(r.out).not.toContain('mathrm{lam}');
    strict(r.out.trim());
    const unknown = await run(['latex', 'w^2', '--params', 'w', '--tex', 'v=\\nu']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--tex: 'v' is not a parameter or symbol/);
    const clash = await run(['latex', 'w1*w2', '--params', 'w1,w2', '--tex', 'w2=w_{1}', '--terms', 'loss']);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/would all print as w_\{1\}/);
    const bad = await run(['latex', 'w^2', '--params', 'w', '--tex', 'w=\\frac{1']);
    expect(bad.code).toBe(2);
  });

  it('eomkit derive --latex --tex: the names reach the loss, gradient, Hessian, series and modified loss', async () => {
    const args = ['derive', 'lam/2*w1^2 + w1*w2', '--params', 'w1,w2', '--symbols', 'lam', '--order', '2', '--latex', '--tex', 'lam=\\lambda,w2=\\omega'];
    const text = await run(args);
    expect(text.code, text.err).toBe(0);
    const latexLines = text.out.slice(text.out.indexOf('\nLaTeX\n')).split('\n').slice(2).filter((l) => l.startsWith('  '));
    expect(latexLines.length).toBeGreaterThanOrEqual(6); // L, ∇L, ∇²L, L̃, f_1, f_2
    for (const l of latexLines) {
      expect(l, l).not.toMatch(/mathrm\{lam\}|\bw_\{2\}/);
      strict(l.trim());
    }
    expect(latexLines.filter((l) => l.includes('\\omega')).length).toBeGreaterThanOrEqual(5);
    const json = JSON.parse((await run([...args, '--json'])).out) as { latex: { loss: string; series: string[] }; modifiedLoss: { latex: string } };
    expect(json.latex.loss).toContain('\\lambda');
    expect(json.modifiedLoss.latex).toContain('\\omega');
    expect(json.latex.series.join(' ')).not.toMatch(/w_\{2\}/);
    // heavy-ball's modified loss takes the names too
    const hb = await run(['derive', 'w1^2*w2^2', '--params', 'w1,w2', '--momentum', '1/2', '--latex', '--tex', 'w1=\\alpha']);
    expect(hb.code, hb.err).toBe(0);
    expect(hb.out.match(/\\tilde\{L\}.*$/m)?.[0]).toContain('\\alpha');
    // a scale-invariant loss: the invariance dynamics print the group and the contractions with the names
    const inv = JSON.parse((await run(['derive', '(w1/sqrt(w1^2 + w2^2) - 1/2)^2', '--params', 'w1,w2', '--order', '2', '--latex', '--json', '--tex', 'w1=\\alpha,w2=\\beta_{2}'])).out) as {
      invariances: Array<{ kind: string; latex: string[] }>;
    };
    const scale = inv.invariances.find((i) => i.kind === 'scale')!;
    expect(scale.latex.join(' ')).toContain('\\{\\alpha, \\beta_{2}\\}');
    expect(scale.latex.join(' ')).not.toMatch(/w_\{[12]\}/);
    const unknown = await run(['derive', 'w^2', '--params', 'w', '--latex', '--tex', 'v=\\nu']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--tex: 'v' is not a parameter or symbol/);
  });

  it('eomkit latex: a user symbol eta beside the learning rate prints as typed', async () => {
    const r = await run(['latex', 'eta*w^2 + w^4', '--params', 'w', '--symbols', 'eta', '--terms', 'loss,f2,modified-loss']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('\\mathrm{eta}');
    // the learning rate is still \eta
    expect(r.out).toMatch(/\\frac\{\\eta\}\{4\}/);
    strict(r.out.trim());
  });

  it('a 1-D gradient is a scalar, not a 1×1 matrix; f_k prints its general form first', async () => {
    const r = await run(['latex', 'w^4/4', '--params', 'w', '--terms', 'gradient,hessian,f2,f3']);
    expect(r.out).not.toContain('pmatrix');
    expect(r.out).toContain('\\nabla L &= w^{3}');
    // g = w³, H = 3w², ∇³L = 6w: −½Hg = −3/2 w⁵; −⅓HHg − 1/12 ∇³L[g,g] = −3w⁷ − ½w⁷ = −7/2 w⁷
    expect(r.out).toContain('f_{2} &= -\\frac{1}{2} H g = -\\frac{3}{2} w^{5}');
    expect(r.out).toContain('= -\\frac{7}{2} w^{7}');
  });
});

/** 10pt at 96 dpi; an A4 article's text width at 10pt is 345pt ≈ 12.2 cm ≈ 460 px */
const TEXT_WIDTH_PX = 455;

describe.skipIf(!chromium)('f₃ of a 2-parameter loss in headless Chromium', () => {
  it('renders within an A4 text width at 10pt (lines broken), without a KaTeX error', async () => {
    const r = await run(['latex', LOSS, '--params', 'w1,w2', '--terms', 'f3', '--json']);
    expect(r.code, r.err).toBe(0);
    const obj = JSON.parse(r.out) as { lines: Array<{ latex: string }>; aligned: string };
    const html = katex.renderToString(obj.aligned, { displayMode: true, throwOnError: true, strict: 'error' });
    // the same equations unbroken are far wider: the breaking is what makes them fit
    const wide = obj.lines.map((l) => katex.renderToString(unbroken(l.latex), { displayMode: true, throwOnError: true })).join('');
    const css = await katexCss();
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${css}</style><style>body{margin:0;font-size:13.333px}.katex{font-size:1em}.box{display:inline-block}</style></head><body><div class="box" id="f3">${html}</div><div class="box" id="wide" style="white-space:nowrap">${wide}</div></body></html>`;
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'latex-f3.html');
    writeFileSync(file, page);
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    try {
      const p = await browser.newPage({ viewport: { width: 3000, height: 1200 } });
      await p.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
      await p.evaluate(() => document.fonts.ready.then(() => undefined));
      const widths = await p.evaluate(() => {
        const w = (id: string): number => Math.max(...Array.from(document.querySelectorAll(`#${id} .katex-html`), (e) => e.getBoundingClientRect().width));
        return { f3: w('f3'), wide: w('wide'), errors: document.querySelectorAll('.katex-error').length };
      });
      await (await p.$('#f3'))!.screenshot({ path: join(ARTIFACTS, 'latex-f3.png') });
      expect(widths.errors).toBe(0);
      expect(widths.f3).toBeGreaterThan(100);
      expect(widths.f3, `rendered width ${widths.f3.toFixed(0)} px`).toBeLessThanOrEqual(TEXT_WIDTH_PX);
      expect(widths.wide).toBeGreaterThan(2 * TEXT_WIDTH_PX);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe.skipIf(!hasPdflatex)('the .tex document', () => {
  it('with f₃ of a 2-parameter loss compiles with pdflatex without an overfull line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eomkit-layout-'));
    try {
      const file = join(dir, 'f3.tex');
      const r = await run(['latex', LOSS, '--params', 'w1,w2', '--terms', 'f2,f3,modified-loss', '--document', '--out', file]);
      expect(r.code, r.err).toBe(0);
      const c = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'f3.tex'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(c.status, c.stdout.slice(-2000)).toBe(0);
      const log = readFileSync(join(dir, 'f3.log'), 'utf8');
      expect(log.match(/Overfull \\hbox \((\d+\.\d+)pt/g) ?? [], 'overfull lines').toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
