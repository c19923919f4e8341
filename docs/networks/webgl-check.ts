/**
 * The higher-order gradients on tfjs-webgl in headless Chromium (docs/networks.md, "Backends and precision"):
 * bundles src/numeric/tfjs's autodiff with esbuild for the page, then (1) probes the op table before and after
 * enableHigherOrderGradients, (2) evaluates the P3 network's counter terms f1..f3 on webgl and compares them
 * with the generated symbolic ones (derivations/p3-network). Run: npx tsx docs/networks/webgl-check.ts
 * Needs Debian's chromium and playwright-core (as src/numeric/tfjs/webgl.ts); SwiftShader here: testable,
 * not timeable.
 */
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, findChromium } from '../../src/numeric/tfjs/webgl.ts';
import { p3Network, p3NetworkLayout } from '../../derivations/p3-network/p3-network.ts';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', '..', 'src', 'numeric', 'tfjs');
const exe = findChromium();
if (!exe) {
  console.log('webgl check skipped: no Chromium (apt-get install -y chromium)');
  process.exit(0);
}
const bundle = await build({
  stdin: {
    contents: `export { enableHigherOrderGradients } from './higher-order.ts';
export { probeOpSupport } from './op-support.ts';
export { counterTermsTf } from '../../theory/networks/counter-terms.ts';
export { mlpLossTf } from './networks.ts';`,
    resolveDir: src,
    loader: 'ts',
  },
  bundle: true,
  format: 'iife',
  globalName: 'EomkitNet',
  platform: 'browser',
  write: false,
  logLevel: 'silent',
});
const code = bundle.outputFiles[0]!.text;
const req = createRequire(import.meta.url);
const tfBundle = join(dirname(req.resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
const theta = Array.from({ length: 13 }, (_, i) => 0.9 * Math.sin(1.7 * i + 0.3));
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS, timeout: 120_000 });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(300_000);
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ path: tfBundle });
  await page.addScriptTag({ content: code });
  const out = await page.evaluate(async (th) => {
    const g = globalThis as unknown as { tf: any; EomkitNet: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const tf = g.tf;
    await tf.setBackend('webgl');
    await tf.ready();
    const before = g.EomkitNet.probeOpSupport(tf);
    g.EomkitNet.enableHigherOrderGradients(tf);
    const after = g.EomkitNet.probeOpSupport(tf);
    const L = g.EomkitNet.mlpLossTf(tf, { sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
    const f = g.EomkitNet.counterTermsTf(L, th, 3).map((x: Float64Array) => Array.from(x));
    return { backend: tf.getBackend(), before, after, f };
  }, theta);
  const sym = new Float64Array(p3NetworkLayout.outputSize);
  p3Network(Float64Array.from(theta), sym);
  console.log(`backend: ${out.backend}`);
  for (let k = 0; k < 3; k++) {
    const off = p3NetworkLayout.outputs[2 + k]!.offset;
    let d = 0;
    let s = 0;
    for (let i = 0; i < 13; i++) {
      d = Math.max(d, Math.abs(out.f[k][i] - sym[off + i]!));
      s = Math.max(s, Math.abs(sym[off + i]!));
    }
    console.log(`P3 f${k + 1}: max |webgl − symbolic| / max |symbolic| = ${(d / s).toExponential(2)}`);
  }
  const mark = (x: string): string => (x === 'ok' ? '✓' : x === 'wrong' ? 'wrong value' : '✗');
  console.log('| op (webgl) | stock: order 2 | order 3 | fixed: order 2 | order 3 |\n|---|---|---|---|---|');
  out.before.forEach((b: { op: string; order2: string; order3: string }, i: number) => {
    const a = out.after[i];
    console.log(`| ${b.op} | ${mark(b.order2)} | ${mark(b.order3)} | ${mark(a.order2)} | ${mark(a.order3)} |`);
  });
} finally {
  await browser.close();
}
