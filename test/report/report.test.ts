import { runCli } from '../support/cli.ts';
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, commandOf, escapeHtml, formatCell, katexCss, renderReport } from '../../src/report/html.ts';
import { REPORT_TEX_NODES, deriveSections } from '../../src/report/derive.ts';
import { derive } from '../../src/cli/derive.ts';
import { chromium, inspectReport, type PageFacts } from '../support/report-page.ts';

const run = runCli;

const ARTIFACTS = join(process.cwd(), 'test/.artifacts');
const LOSS = '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5';

async function inspect(page: string, screenshot: string): Promise<PageFacts> {
  const facts = await inspectReport(page, screenshot);
  // the KaTeX fonts are inlined: every one the page uses has loaded (none fell back)
  expect(facts.fontsOk).toBe(true);
  return facts;
}

describe('report writer', () => {
  it('counts the formulas KaTeX cannot render, escapes text, inlines the fonts', async () => {
    const r = await renderReport({
      title: 'a <test>',
      command: 'eomkit x',
      version: '9.9.9',
      sections: [{ heading: 'S', blocks: [{ kind: 'math', tex: 'x^2' }, { kind: 'math', tex: '\\frac{1}{' }, { kind: 'text', text: '<b>' }, { kind: 'table', columns: ['a'], rows: [[null], [1.5e-9], [true]] }] }],
    });
    expect(r.formulas).toBe(2);
    expect(r.katexErrors).toBe(1);
    expect(r.html).toContain('<h1>a &lt;test&gt;</h1>');
    expect(r.html).toContain('<p>&lt;b&gt;</p>');
    expect(r.html).toContain('eomkit 9.9.9');
    expect(r.html).toContain('<td>—</td><');
    expect(r.html).toContain('<td>1.500e-9</td>');
    const css = await katexCss();
    expect(css).not.toMatch(/url\(fonts\//);
    expect(css.match(/data:font\/woff2;base64,/g)!.length).toBeGreaterThanOrEqual(19);
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
    expect(formatCell(0.25)).toBe('0.25');
    expect(commandLine(['eomkit', 'derive', 'w^2 + 1', "it's"])).toBe(`eomkit derive 'w^2 + 1' 'it'\\''s'`);
    expect(commandOf('derive', ['w^2'], { params: 'w', order: '2', latex: true, json: false, momentum: undefined })).toBe("eomkit derive 'w^2' --params w --order 2 --latex");
  });
});

describe('derive report sections', () => {
  it('typesets the terms up to REPORT_TEX_NODES and summarises larger ones', async () => {
    const r = await derive('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + sin(w2)/5', { params: 'w1,w2', order: '4' });
    const sizes = r.series.map((t) => t.value.reduce((a, e) => a + e.treeSize, 0));
    const series = deriveSections(r, undefined, [], [])!.find((s) => s.heading === 'Counter terms')!;
    const blocks = series.blocks.slice(1);
    expect(blocks).toHaveLength(4);
    blocks.forEach((b, k) => {
      if (sizes[k]! <= REPORT_TEX_NODES) expect(b.kind).toBe('math');
      else expect(b.kind === 'text' && b.text.startsWith(`f_${k + 1}: an expression of`)).toBe(true);
    });
    // this loss has both kinds at order 4 (f_4 is past the limit)
    expect(sizes.some((n) => n > REPORT_TEX_NODES) && sizes.some((n) => n <= REPORT_TEX_NODES)).toBe(true);
  });
});

describe('reports of other derivations render without a KaTeX error', () => {
  it.each([
    ['heavy ball', ['w^4/4 + w^2/2', '--params', 'w', '--order', '3', '--momentum', '0.6']],
    ['a scale-invariant loss (invariance identities)', ['(w1/sqrt(w1^2 + w2^2) - 3/5)^2', '--params', 'w1,w2', '--order', '2']],
    ['symbols and constants', ['lam/2*w^2 + c*w^3', '--params', 'w', '--symbols', 'lam', '--constants', 'c=1/3', '--order', '2']],
  ])('%s', async (_name, args) => {
    const dir = join(ARTIFACTS, `report-${_name.replace(/[^a-z]+/g, '-')}`);
    rmSync(dir, { recursive: true, force: true });
    const r = await run(['derive', ...args, '--report', dir]);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html.includes('class="katex-error"')).toBe(false);
    expect(html.match(/class="katex-display"/g)!.length).toBeGreaterThanOrEqual(5);
  }, 60_000);
});

describe.skipIf(!chromium)('HTML reports in headless Chromium', () => {
  it('derive --report: every formula renders without a KaTeX error, the tables and the command are there', async () => {
    const dir = join(ARTIFACTS, 'report-derive');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const r = await run(['derive', LOSS, '--params', 'w1,w2', '--order', '3', '--at', 'w1=1.3,w2=-0.4', '--report', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`report    ${join(dir, 'index.html')}`);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(json.command).toBe(`eomkit derive '${LOSS}' --params w1,w2 --order 3 --at w1=1.3,w2=-0.4 --report ${dir}`);
    // report.json's result is what --json prints
    const j = await run(['derive', LOSS, '--params', 'w1,w2', '--order', '3', '--at', 'w1=1.3,w2=-0.4', '--json']);
    expect(json.result).toEqual(JSON.parse(j.out));
    const facts = await inspect(join(dir, 'index.html'), join(ARTIFACTS, 'report-derive.png'));
    expect(facts.katexErrors).toBe(0);
    // L, ∇L, ∇²L, f1, f2, f3, L̃
    expect(facts.katex).toBe(7);
    expect(facts.tables).toBe(3);
    expect(facts.command).toBe(json.command);
    expect(facts.text).toContain('Counter terms');
    expect(facts.text).toContain('EoM_1');
  }, 120_000);

  it('validate --report: the plot is inline with its marks, the orders table says PASS', async () => {
    const dir = join(ARTIFACTS, 'report-validate');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const r = await run(['validate', '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2', '--params', 'w1,w2', '--from', 'w1=1.3,w2=-0.4', '--order', '2', '--report', dir]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(json.result.flows.map((f: { name: string }) => f.name)).toEqual(['GF', 'EoM_1', 'EoM_2']);
    const facts = await inspect(join(dir, 'index.html'), join(ARTIFACTS, 'report-validate.png'));
    expect(facts.katexErrors).toBe(0);
    expect(facts.plots).toBe(1);
    // three error curves and their points: many marks
    expect(facts.plotMarks).toBeGreaterThan(3);
    expect(facts.tables).toBe(3);
    expect(facts.passCells).toBe(3);
    expect(facts.command).toContain('eomkit validate');
  }, 120_000);
});

describe('npm start (eomkit demo)', () => {
  it('writes the report of the default example and says where it is', async () => {
    const dir = join(ARTIFACTS, 'report-demo');
    rmSync(dir, { recursive: true, force: true });
    const r = await run(['demo', '--report', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`open ${dir}/index.html in a browser`);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html.includes('<code id="command">eomkit derive')).toBe(true);
    expect(html.includes('class="katex-error"')).toBe(false);
    expect(html.match(/class="katex-display"/g)?.length).toBe(7);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).result.series.terms).toHaveLength(3);
    const none = await run(['demo', '--no-report']);
    expect(none.out).not.toContain('index.html');
  }, 60_000);
});
