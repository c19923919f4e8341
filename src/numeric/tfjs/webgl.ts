/**
 * The WebGL backend of TensorFlow.js, driven from Node in a headless browser ("`webgl` in a browser
 * page driven headless"). playwright-core launches Debian's `chromium` (software GL — SwiftShader — on
 * machines without a GPU: testable, not timeable; a real GPU on a user's machine), the page gets the tfjs
 * bundle (node_modules/@tensorflow/tfjs/dist/tf.min.js) inlined, and GD / heavy ball runs there on a batch
 * [batch, n]. The gradient must be self-contained source: a function `(tf, theta) => tensor` (or its text),
 * because it is serialised into the page — it cannot close over Node variables.
 *
 * float32, and on SwiftShader some transcendental kernels are inaccurate (measured: softplus error 5.9e-2,
 * exp 1.9e-6): compare against float64 with float32-level tolerances and prefer polynomial test losses.
 */
import { InputError } from '../../errors.ts';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkBeta, checkEta, checkFiniteNonNeg, checkSteps } from '../linalg.ts';

/** Launch flags for headless Chromium (docs/design.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--enable-unsafe-swiftshader',
];

/** Path of a Chromium executable: $EOMKIT_CHROMIUM, /usr/bin/chromium or /usr/bin/chromium-browser. */
export function findChromium(): string | undefined {
  const candidates = [process.env.EOMKIT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export interface WebglRunOptions {
  /** `(tf, theta) => tensor` of shape [batch, n], or its source text; must not use Node-side variables. */
  grad: string | ((tf: never, theta: never) => unknown);
  theta0: readonly (readonly number[])[];
  eta: number;
  steps: number;
  beta?: number;
  weightDecay?: number;
  /** Chromium executable (default findChromium()). */
  executablePath?: string;
  /** overall time limit in ms (default 120 s). */
  timeoutMs?: number;
}

export interface WebglRunResult {
  theta: Float32Array;
  batch: number;
  n: number;
  backend: string;
  /** WebGL version tfjs detected, and the GL renderer string where exposed (e.g. SwiftShader). */
  webglVersion: number;
  renderer: string;
  seconds: number;
}

/** Run GD (β = 0) or heavy ball on tfjs-webgl in headless Chromium. */
export async function runWebglGd(o: WebglRunOptions): Promise<WebglRunResult> {
  const where = 'runWebglGd';
  checkEta(o.eta, where);
  checkSteps(o.steps, where);
  const beta = o.beta ?? 0;
  checkBeta(beta, where);
  const lambda = o.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  if (o.theta0.length === 0) throw new InputError(`${where}: theta0 has no rows`);
  const n = o.theta0[0]!.length;
  o.theta0.forEach((r, b) => {
    if (r.length !== n) throw new InputError(`${where}: theta0 row ${b} has ${r.length} entries, expected ${n} (dimension mismatch)`);
    r.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new InputError(`${where}: theta0[${b}][${i}] is not finite`);
    });
  });
  const exe = o.executablePath ?? findChromium();
  if (!exe) throw new InputError(`${where}: no Chromium found (set EOMKIT_CHROMIUM or install Debian's chromium: apt-get install -y chromium)`);
  const gradSource = typeof o.grad === 'string' ? o.grad : o.grad.toString();
  const req = createRequire(import.meta.url);
  const tfBundle = join(dirname(req.resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
  if (!existsSync(tfBundle)) throw new InputError(`${where}: tfjs bundle not found at ${tfBundle}`);
  const { chromium } = await import('playwright-core');
  const timeout = o.timeoutMs ?? 120_000;
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS, timeout });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: tfBundle });
    const args = { gradSource, theta0: o.theta0.map((r) => [...r]), eta: o.eta, steps: o.steps, beta, lambda };
    const out = await page.evaluate(async (a) => {
      // runs in the page
      const tf = (globalThis as unknown as { tf: any }).tf; // eslint-disable-line @typescript-eslint/no-explicit-any
      const ok = await tf.setBackend('webgl');
      if (!ok || tf.getBackend() !== 'webgl') throw new InputError('tfjs could not initialise the webgl backend in this browser (no WebGL context?)');
      await tf.ready();
      const grad = new Function('return (' + a.gradSource + ')')();
      const t0 = performance.now();
      let theta = tf.tensor2d(a.theta0, undefined, 'float32');
      let prev = a.beta > 0 ? theta.clone() : null;
      for (let k = 0; k < a.steps; k++) {
        const next = tf.tidy(() => {
          let g = grad(tf, theta);
          if (a.lambda !== 0) g = g.add(theta.mul(a.lambda));
          let t = theta.sub(g.mul(a.eta));
          if (prev) t = t.add(theta.sub(prev).mul(a.beta));
          return t;
        });
        if (prev) {
          prev.dispose();
          prev = theta;
        } else theta.dispose();
        theta = next;
      }
      const data = Array.from(await theta.data()) as number[];
      const seconds = (performance.now() - t0) / 1000;
      const shape = theta.shape as number[];
      theta.dispose();
      if (prev) prev.dispose();
      let renderer = '';
      try {
        const c = document.createElement('canvas');
        const gl = (c.getContext('webgl2') ?? c.getContext('webgl')) as WebGLRenderingContext | null;
        const ext = gl?.getExtension('WEBGL_debug_renderer_info');
        renderer = gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : gl ? String(gl.getParameter(gl.RENDERER)) : '';
      } catch {
        renderer = '';
      }
      return { data, shape, backend: tf.getBackend() as string, webglVersion: Number(tf.env().get('WEBGL_VERSION')), renderer, seconds };
    }, args);
    return {
      theta: Float32Array.from(out.data),
      batch: out.shape[0]!,
      n: out.shape[1]!,
      backend: out.backend,
      webglVersion: out.webglVersion,
      renderer: out.renderer,
      seconds: out.seconds,
    };
  } finally {
    await browser.close();
  }
}
