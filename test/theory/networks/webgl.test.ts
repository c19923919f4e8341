import { describe, it, expect } from 'vitest';
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CHROMIUM_ARGS, findChromium } from '../../../src/numeric/tfjs/webgl.ts';
import { p3Network, p3NetworkLayout } from '../../../derivations/p3-network/p3-network.ts';

const chromium = findChromium();
if (!chromium) console.warn('webgl autodiff test skipped: no Chromium (apt-get install -y chromium)');

describe('nested autodiff on tfjs-webgl in headless Chromium', () => {
  it.skipIf(!chromium)('the P3 network counter terms f1..f3 on webgl equal the generated symbolic ones to float32 precision', async () => {
    const src = resolve(__dirname, '../../../src/numeric/tfjs');
    const bundle = await build({
      stdin: { contents: `export { counterTermsTf } from '../../theory/networks/counter-terms.ts';\nexport { mlpLossTf } from './networks.ts';`, resolveDir: src, loader: 'ts' },
      bundle: true,
      format: 'iife',
      globalName: 'EomkitNet',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const tfBundle = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
    const theta = Array.from({ length: 13 }, (_, i) => 0.9 * Math.sin(1.7 * i + 0.3));
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
      await page.addScriptTag({ path: tfBundle });
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
      const out = await page.evaluate(async (th) => {
        const g = globalThis as unknown as { tf: any; EomkitNet: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
        await g.tf.setBackend('webgl');
        await g.tf.ready();
        const L = g.EomkitNet.mlpLossTf(g.tf, { sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
        return { backend: g.tf.getBackend() as string, f: g.EomkitNet.counterTermsTf(L, th, 3).map((x: Float64Array) => Array.from(x)) as number[][] };
      }, theta);
      expect(out.backend).toBe('webgl');
      const sym = new Float64Array(p3NetworkLayout.outputSize);
      p3Network(Float64Array.from(theta), sym);
      for (let k = 0; k < 3; k++) {
        const off = p3NetworkLayout.outputs[2 + k]!.offset;
        const scale = Math.max(...Array.from({ length: 13 }, (_, i) => Math.abs(sym[off + i]!)));
        for (let i = 0; i < 13; i++) expect(Math.abs(out.f[k]![i]! - sym[off + i]!) / scale).toBeLessThan(1e-5);
      }
    } finally {
      await browser.close();
    }
  });
});
