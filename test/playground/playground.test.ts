import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlayground } from '../../playground/build.ts';
import { type RunningServer, serveStatic } from '../../playground/serve.ts';
import { CHROMIUM_ARGS, findChromium } from '../../src/numeric/tfjs/webgl.ts';
import { FormulaError, evaluate, gradient, loss } from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';

const ARTIFACTS = join(process.cwd(), 'test/.artifacts');
const OUT = join(ARTIFACTS, 'playground-dist');
const chromium = findChromium();
if (!chromium) console.warn('playground test skipped: no Chromium (set EOMKIT_CHROMIUM or apt-get install -y chromium)');

describe('playground bundle', () => {
  it('builds for the browser with no Node import reachable', async () => {
    rmSync(OUT, { recursive: true, force: true });
    const b = await buildPlayground(OUT);
    // everything is bundled but the CLI's progress bar, a dynamic import behind a flag the page never
    // sets (no static import, nothing from node:)
    expect(b.external).toEqual([{ path: 'cli-progress', kind: 'dynamic-import' }]);
    expect(readFileSync(join(OUT, 'index.html'), 'utf8')).toContain('<script type="module" src="main.js">');
    expect(readFileSync(join(OUT, 'katex', 'katex.min.css'), 'utf8')).toContain('KaTeX_Main');
  }, 60_000);

  it('the static server answers files of its folder only', async () => {
    if (!readFileSafe(join(OUT, 'main.js'))) await buildPlayground(OUT);
    const s = await serveStatic(OUT, 0);
    try {
      const page = await fetch(s.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const js = await fetch(`${s.url}main.js`);
      expect(js.headers.get('content-type')).toContain('text/javascript');
      expect((await fetch(`${s.url}katex/fonts/KaTeX_Main-Regular.woff2`)).headers.get('content-type')).toBe('font/woff2');
      expect((await fetch(`${s.url}no-such-file`)).status).toBe(404);
      // out of the folder, raw and encoded
      expect([403, 404]).toContain((await fetch(`${s.url}..%2F..%2Fpackage.json`)).status);
      expect((await fetch(s.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe.skipIf(!chromium)('playground in headless Chromium', () => {
  let server: RunningServer;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (!readFileSafe(join(OUT, 'main.js'))) await buildPlayground(OUT);
    server = await serveStatic(OUT, 0);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('typing a loss renders its terms with values equal to the library’s; a bad formula shows its position', async () => {
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const pageErrors: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(server.url, { waitUntil: 'load', timeout: 60_000 });
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });

      const formula = 'w1^4/4 + w1*w2^2 - cos(w2)';
      await page.fill('#params', 'w1, w2');
      await page.fill('#point', 'w1=0.7, w2=-0.3');
      await page.fill('#loss', formula);
      await page.waitForSelector(`body[data-state="ready"][data-loss="${formula}"]`, { timeout: 30_000 });
      expect(await page.locator('#terms .katex-error').count()).toBe(0);
      // L, ∇L, f1, f2, f3 (K = 3 by default) and L̃
      expect(await page.locator('#terms .formula .katex-display').count()).toBe(6);

      const cells = await page.$$eval('#values td[data-term]', (tds) =>
        tds.map((td) => ({ term: (td as HTMLElement).dataset['term']!, index: Number((td as HTMLElement).dataset['index']), value: Number((td as HTMLElement).dataset['value']) })),
      );
      const point = { w1: 0.7, w2: -0.3 };
      const L = loss(formula, { params: ['w1', 'w2'] });
      const s = counterTerms(L, 3);
      const expected: Record<string, number[]> = {
        L: [evaluate(L.expr, point)],
        g: gradient(L.expr, L.params).map((e) => evaluate(e, point)),
        f1: s.f[0]!.map((e) => evaluate(e, point)),
        f2: s.f[1]!.map((e) => evaluate(e, point)),
        f3: s.f[2]!.map((e) => evaluate(e, point)),
      };
      expect(cells).toHaveLength(9);
      for (const c of cells) expect(Math.abs(c.value - expected[c.term]![c.index]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(c.value)));
      // and the gradient by hand: (w1³ + w2², 2 w1 w2 + sin w2)
      const g = cells.filter((c) => c.term === 'g').map((c) => c.value);
      expect(g[0]).toBeCloseTo(0.7 ** 3 + 0.09, 13);
      expect(g[1]).toBeCloseTo(2 * 0.7 * -0.3 + Math.sin(-0.3), 13);

      // the validation plot is computed in the page: the SVG is there and the orders pass
      await page.waitForSelector('#plot[data-state="done"] svg', { timeout: 60_000 });
      const verdicts = await page.$$eval('#slopes td:last-child', (tds) => tds.map((td) => td.textContent));
      expect(verdicts).toEqual(['PASS', 'PASS', 'PASS']);
      await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });

      // a parse error while typing: the message and a caret at the library's position
      const bad = 'w1^4/4 + * w2';
      let position = -1;
      try {
        loss(bad, { params: ['w1', 'w2'] });
      } catch (e) {
        expect(e).toBeInstanceOf(FormulaError);
        position = (e as FormulaError).position;
      }
      await page.fill('#loss', bad);
      await page.waitForSelector('body[data-state="error"]', { timeout: 30_000 });
      const err = await page.$eval('#error', (el) => ({ text: el.textContent ?? '', position: (el as HTMLElement).dataset['position'] }));
      expect(err.position).toBe(String(position));
      const lines = err.text.split('\n');
      expect(lines[0]).toContain(`at position ${position + 1}`);
      expect(lines[1]).toBe(bad);
      expect(lines[2]!.indexOf('^')).toBe(position);
      await page.screenshot({ path: join(ARTIFACTS, 'playground-error.png') });
      expect(pageErrors.map((e) => e.slice(0, 300))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 150_000);
});

function readFileSafe(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
