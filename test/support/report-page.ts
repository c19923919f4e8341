/**
 * Opening a report page in headless Chromium for tests: what rendered (KaTeX formulas and errors, plots and
 * their marks, tables and cells, the command line, the text), a check that the inlined KaTeX fonts loaded,
 * and a screenshot kept under test/.artifacts.
 */
import { pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, findChromium } from '../../src/numeric/tfjs/webgl.ts';

export const chromium = findChromium();

export interface PageFacts {
  katex: number;
  katexErrors: number;
  plots: number;
  /** paths and lines drawn inside the inline plots */
  plotMarks: number;
  tables: number;
  /** the text of every table cell */
  cells: string[];
  /** table cells reading exactly PASS */
  passCells: number;
  command: string;
  text: string;
  /** every KaTeX font the page uses loaded (none fell back) */
  fontsOk: boolean;
}

export async function inspectReport(page: string, screenshot: string): Promise<PageFacts> {
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await p.goto(pathToFileURL(page).href, { waitUntil: 'load', timeout: 60_000 });
    const facts = await p.evaluate(() => {
      const cells = Array.prototype.map.call(document.querySelectorAll('td'), (td: Element) => td.textContent ?? '') as string[];
      return {
        katex: document.querySelectorAll('.katex-display').length,
        katexErrors: document.querySelectorAll('.katex-error').length,
        plots: document.querySelectorAll('figure.plot > svg').length,
        plotMarks: document.querySelectorAll('figure.plot svg path, figure.plot svg line').length,
        tables: document.querySelectorAll('table').length,
        cells,
        passCells: cells.filter((c) => c === 'PASS').length,
        command: document.getElementById('command')?.textContent ?? '',
        text: document.body.innerText,
      };
    });
    const fontsOk = await p.evaluate(async () => {
      await document.fonts.ready;
      let failed = 0;
      document.fonts.forEach((f) => {
        if (f.family.startsWith('KaTeX') && f.status === 'error') failed++;
      });
      return failed === 0;
    });
    await p.screenshot({ path: screenshot, fullPage: true });
    return { ...facts, fontsOk };
  } finally {
    await browser.close();
  }
}
