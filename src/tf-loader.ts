/**
 * The one TensorFlow.js loader. It sits below every layer (it needs only the error model), so that codegen's
 * `compileTf` and the numeric layer's tfjs backends (numeric/tfjs/backend.ts, which picks a backend by name)
 * share it without codegen importing numeric.
 *
 * tfjs is an optional peer of eomkit: nothing here is imported until a TensorFlow.js function is asked for,
 * and a missing package is the caller's InputError naming the `npm install` that fixes it.
 */
import { InputError } from './errors.ts';

export type Tf = typeof import('@tensorflow/tfjs');

/** true when `e` is the module loader's "package not found" (ESM or CommonJS). */
export function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String((e as Error | undefined)?.message));
}

/** import(name), or undefined when the package is not installed (other load errors propagate). */
export async function optionalImport(name: string): Promise<unknown | undefined> {
  try {
    return await import(/* @vite-ignore */ name);
  } catch (e) {
    if (isModuleNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * `load()` (an import of the package `name`); when the package is absent, an InputError saying what needs
 * it and the install command.
 */
export async function requiredImport<T>(name: string, purpose: string, load: () => Promise<T> = () => import(/* @vite-ignore */ name) as Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isModuleNotFound(e)) throw new InputError(`${purpose} needs the package ${name}, which is not installed: run \`npm install ${name}\``);
    throw e;
  }
}

/** The default export of a CommonJS/ESM interop module, or the module itself (tfjs ships both shapes). */
export function moduleValue<T>(m: unknown): T {
  const mm = m as { default?: unknown };
  return (mm && typeof mm === 'object' && 'tensor' in mm ? mm : (mm.default ?? mm)) as T;
}

let tfPromise: Promise<Tf> | undefined;

/** The pure @tensorflow/tfjs module, imported once (it takes about a second to load). */
export function importTf(): Promise<Tf> {
  tfPromise ??= requiredImport('@tensorflow/tfjs', 'TensorFlow.js support (compileTf, the tfjs optimizers)', () => import('@tensorflow/tfjs')).then(
    (m) => moduleValue<Tf>(m),
    (e: unknown) => {
      tfPromise = undefined; // a later call may succeed once the package is installed
      throw e;
    },
  );
  return tfPromise;
}

/** @tensorflow/tfjs-backend-wasm's `setWasmPaths`, imported on demand. */
export async function importTfWasm(): Promise<{ setWasmPaths: (prefix: string) => void }> {
  const w = (await requiredImport('@tensorflow/tfjs-backend-wasm', "the 'wasm' TensorFlow.js backend", () => import('@tensorflow/tfjs-backend-wasm'))) as unknown as {
    setWasmPaths?: (p: string) => void;
    default?: { setWasmPaths?: (p: string) => void };
  };
  const setWasmPaths = w.setWasmPaths ?? w.default?.setWasmPaths;
  if (!setWasmPaths) throw new InputError('@tensorflow/tfjs-backend-wasm does not export setWasmPaths: install a 4.x version (`npm install @tensorflow/tfjs-backend-wasm@4`)');
  return { setWasmPaths };
}
