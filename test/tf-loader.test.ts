import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { isModuleNotFound, optionalImport, requiredImport } from '../src/tf-loader.ts';

describe('the TensorFlow.js loader', () => {
  it('an absent package is an InputError naming the npm install that fixes it', async () => {
    const absent = '@eomkit-test/no-such-package';
    await expect(requiredImport(absent, 'this feature')).rejects.toThrow(InputError);
    await expect(requiredImport(absent, 'this feature')).rejects.toThrow(`this feature needs the package ${absent}, which is not installed: run \`npm install ${absent}\``);
    // the message names tfjs and its wasm backend for the real loaders (simulated absence)
    const notFound = Object.assign(new Error("Cannot find package '@tensorflow/tfjs'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(requiredImport('@tensorflow/tfjs', 'compileTf', () => Promise.reject(notFound))).rejects.toThrow(/npm install @tensorflow\/tfjs`/);
    await expect(requiredImport('@tensorflow/tfjs-backend-wasm', "the 'wasm' backend", () => Promise.reject(notFound))).rejects.toThrow(/npm install @tensorflow\/tfjs-backend-wasm/);
  });

  it('other load failures propagate unchanged; optional imports of absent packages are undefined', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(requiredImport('x', 'y', () => Promise.reject(broken))).rejects.toBe(broken);
    expect(await optionalImport('@eomkit-test/no-such-package')).toBeUndefined();
    expect(isModuleNotFound({ code: 'MODULE_NOT_FOUND' })).toBe(true);
    expect(isModuleNotFound(new Error('boom'))).toBe(false);
  });
});
