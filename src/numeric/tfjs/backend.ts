/**
 * Loading TensorFlow.js with a backend chosen by name (design notes: "The same optimizers on TensorFlow.js").
 *
 * - 'cpu'        : @tensorflow/tfjs's pure-JS backend (always available).
 * - 'wasm'       : @tensorflow/tfjs-backend-wasm; its .wasm binaries are loaded from node_modules (SIMD, no
 *                  threads), so it works offline.
 * - 'tensorflow' : libtensorflow through @tensorflow/tfjs-node-gpu (or @tensorflow/tfjs-node) — loaded only
 *                  if the user has installed it; never a dependency of eomkit (its install script downloads
 *                  libtensorflow).
 * - 'webgpu'     : @tensorflow/tfjs-backend-webgpu, only if installed and a WebGPU adapter exists
 *                  (e.g. via the npm `webgpu` package on a machine with a GPU driver).
 * - 'webgl'      : needs a browser; see ./webgl.ts (headless Chromium via playwright-core).
 *
 * Everything is imported lazily through the one loader, src/tf-loader.ts (a missing package is an InputError
 * naming its `npm install`). TensorFlow.js computes in float32 only.
 */
import { InputError } from '../../errors.ts';
import { type Tf, importTf, importTfWasm, moduleValue, optionalImport } from '../../tf-loader.ts';
import { completeWasmKernels } from './higher-order.ts';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export { type Tf, importTf };
export type TfBackendName = 'cpu' | 'wasm' | 'tensorflow' | 'webgpu' | 'webgl';
export const NODE_BACKENDS: readonly TfBackendName[] = ['cpu', 'wasm', 'tensorflow', 'webgpu'];

let tfNodeGpu: Tf | undefined;
let wasmRegistered = false;

/**
 * A TensorFlow.js instance with the named backend active. Throws an InputError when the backend is not
 * available here (package not installed, no adapter, or 'webgl' outside a browser).
 */
export async function loadTf(backend: TfBackendName): Promise<Tf> {
  switch (backend) {
    case 'cpu': {
      const tf = await importTf();
      await tf.setBackend('cpu');
      await tf.ready();
      return tf;
    }
    case 'wasm': {
      const tf = await importTf();
      if (!wasmRegistered) {
        const { setWasmPaths } = await importTfWasm();
        const req = createRequire(import.meta.url);
        setWasmPaths(dirname(req.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
        wasmRegistered = true;
      }
      const ok = await tf.setBackend('wasm');
      if (!ok) throw new InputError('loadTf(wasm): the wasm backend failed to initialise (could not load the .wasm binaries from node_modules/@tensorflow/tfjs-backend-wasm/dist)');
      await tf.ready();
      completeWasmKernels(tf); // conv2d's filter gradient (higher-order.ts)
      return tf;
    }
    case 'tensorflow': {
      if (!tfNodeGpu) {
        const m = (await optionalImport('@tensorflow/tfjs-node-gpu')) ?? (await optionalImport('@tensorflow/tfjs-node'));
        if (!m)
          throw new InputError(
            "loadTf('tensorflow'): this backend needs @tensorflow/tfjs-node-gpu (or @tensorflow/tfjs-node), which is not installed. " +
              'It is not an eomkit dependency because its install script downloads libtensorflow; install it yourself ' +
              "(npm install @tensorflow/tfjs-node-gpu) on a machine with CUDA, or use 'cpu' / 'wasm'.",
          );
        tfNodeGpu = moduleValue<Tf>(m);
      }
      const ok = await tfNodeGpu.setBackend('tensorflow');
      if (!ok) throw new InputError("loadTf('tensorflow'): @tensorflow/tfjs-node(-gpu) is installed but its 'tensorflow' backend failed to initialise");
      await tfNodeGpu.ready();
      return tfNodeGpu;
    }
    case 'webgpu': {
      const m = await optionalImport('@tensorflow/tfjs-backend-webgpu');
      if (!m)
        throw new InputError(
          "loadTf('webgpu'): @tensorflow/tfjs-backend-webgpu is not installed (it is optional). Install it, and in Node a WebGPU " +
            "implementation (e.g. the npm 'webgpu' package, which needs a GPU driver), or use 'cpu' / 'wasm'.",
        );
      const tf = await importTf();
      let ok = false;
      try {
        ok = await tf.setBackend('webgpu');
      } catch (e) {
        throw new InputError(`loadTf('webgpu'): backend failed to initialise: ${(e as Error).message} (no WebGPU adapter in this process?)`);
      }
      if (!ok) throw new InputError("loadTf('webgpu'): no WebGPU adapter found in this process (navigator.gpu missing or no GPU)");
      await tf.ready();
      return tf;
    }
    case 'webgl':
      throw new InputError("loadTf('webgl'): WebGL needs a browser; use runWebglGd() from src/numeric/tfjs/webgl.ts (headless Chromium via playwright-core)");
    default:
      throw new InputError(`loadTf: unknown backend '${String(backend)}' (expected one of cpu, wasm, tensorflow, webgpu, webgl)`);
  }
}
