import { runCli } from '../support/cli.ts';
/**
 * The JSON contract (docs/cli.md): every command's --json output validates against its shipped schema
 * (schemas/<command>.schema.json, JSON Schema 2020-12, no undeclared fields), and every registered command
 * that has --json has a schema.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import Ajv2020 from 'ajv/dist/2020.js';
import { COMMANDS } from '../../src/cli/commands.ts';

const run = runCli;

const SCHEMAS = join(process.cwd(), 'schemas');
const ajv = new Ajv2020({ allErrors: true, strict: true });
const schemaOf = (command: string) => ajv.getSchema(`urn:eomkit:schema:${command}`) ?? ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${command}.schema.json`), 'utf8')));

/** Run the command with --json, check its exit status, and validate the object. */
async function validated(command: string, args: string[], status = 0): Promise<Record<string, unknown>> {
  const r = await run([command, ...args, '--json']);
  expect(r.code, r.err).toBe(status);
  const obj = JSON.parse(r.out) as Record<string, unknown>;
  const validate = schemaOf(command);
  const ok = validate(obj);
  expect(ok, `${command} ${args.join(' ')}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  return obj;
}

/** Commands whose --json is covered below (each has schemas/<name>.schema.json and a section in docs/cli.md). */
const COVERED = ['derive', 'series', 'validate', 'codegen', 'latex', 'stationary', 'diffusion'];

describe('JSON contract', () => {
  it('every command with --json has a schema, and the schemas are valid JSON Schema 2020-12', () => {
    const program = new Command();
    for (const register of COMMANDS) register(program, { io: { out: () => {}, err: () => {} }, status: 0 });
    const withJson = program.commands.filter((c) => c.options.some((o) => o.long === '--json')).map((c) => c.name());
    for (const name of withJson) {
      expect(existsSync(join(SCHEMAS, `${name}.schema.json`)), `command '${name}' has --json but no schemas/${name}.schema.json (docs/cli.md, "JSON contract")`).toBe(true);
      expect(COVERED, `command '${name}': add its --json cases to test/cli/json-contract.test.ts`).toContain(name);
    }
    for (const name of COVERED) expect(() => schemaOf(name)).not.toThrow();
  });

  it('derive', async () => {
    await validated('derive', ['0.5*(w1*w2 - 1)^2', '--params', 'w1,w2']);
    const full = await validated('derive', ['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2', '--params', 'w1,w2', '--order', '3', '--latex', '--at', 'w1=1.3,w2=-0.4']);
    expect(Object.keys(full)).toEqual(expect.arrayContaining(['series', 'localErrors', 'modifiedLoss', 'latex', 'at']));
    const hb = await validated('derive', ['w^4/4', '--params', 'w', '--momentum', '0.5', '--order', '2']);
    expect((hb['series'] as { kind: string }).kind).toBe('heavy-ball');
    const inv = await validated('derive', ['(w1/sqrt(w1^2 + w2^2) - 3/5)^2', '--params', 'w1,w2', '--order', '2', '--latex']);
    expect((inv['invariances'] as Array<{ kind: string }>)[0]!.kind).toBe('scale');
    await validated('derive', ['lam/2*w^2 + w^3', '--params', 'w', '--symbols', 'lam', '--constants', 'c=1/3', '--order', '2', '--expanded']);
    // a symbol gets its value in --at like a parameter: L = lam/2 w² + c w³ at w = 1/2, lam = 3, c = 1/3
    const sym = await validated('derive', ['lam/2*w^2 + c*w^3', '--params', 'w', '--symbols', 'lam', '--constants', 'c=1/3', '--at', 'w=0.5,lam=3']);
    const at = sym['at'] as { point: Record<string, number>; loss: number; gradient: number[] };
    expect(at.point).toEqual({ w: 0.5, lam: 3 });
    expect(at.loss).toBeCloseTo(1.5 * 0.25 + 0.125 / 3, 14);
    expect(at.gradient[0]).toBeCloseTo(3 * 0.5 + 0.25, 14);
  });

  it('series', async () => {
    await validated('series', ['--order', '3']);
    const s = await validated('series', ['--order', '4', '--latex']);
    expect(typeof s['eom']).toBe('string');
  });

  it('validate', async () => {
    const v = await validated('validate', ['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2', '--params', 'w1,w2', '--from', 'w1=1.3,w2=-0.4', '--order', '1']);
    expect(v['pass']).toBe(true);
    await validated('validate', ['w^4/4 + w^2/2', '--params', 'w', '--from', 'w=0.8', '--order', '1', '--momentum', '0.5']);
  }, 60_000);

  it('codegen', async () => {
    const src = await validated('codegen', ['w^4/4 + sin(w)*v', '--params', 'w,v', '--order', '2', '--terms', 'g,f2,field1,modified-loss', '--target', 'tfjs']);
    expect(typeof src['source']).toBe('string');
    const dir = mkdtempSync(join(tmpdir(), 'eomkit-json-'));
    try {
      const file = await validated('codegen', ['w^4/4', '--params', 'w', '--out', join(dir, 'q.ts')]);
      expect(file['file']).toBe(join(dir, 'q.ts'));
      expect(file['source']).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('latex', async () => {
    await validated('latex', ['w1^4/4 + w1*w2', '--params', 'w1,w2']);
    const d = await validated('latex', ['w^4/4', '--params', 'w', '--terms', 'loss,f2,eom,error', '--document']);
    expect(String(d['document'])).toContain('\\documentclass');
  });

  it('stationary', async () => {
    // matrices, exact rationals: the continuous C_vv has trace tr Σ c/(1−β²) (docs/theory/langevin.md)
    const m = await validated('stationary', ['--hessian', '[[2,0],[0,1/2]]', '--noise', '[[1,1/5],[1/5,1]]', '--lr', '1/10', '--momentum', '9/10', '--batch', '8']);
    expect(m['exact']).toBe(true);
    const c = m['continuous'] as { traceVV: number; exactC: string[][] };
    expect(c.traceVV).toBeCloseTo((2 / 8) / (1 - 0.81), 12);
    expect(c.exactC[0]![0]).toMatch(/^-?\d+(\/\d+)?$/);
    // a loss at its minimum searched from the origin, float64, commuting closed forms present
    const l = await validated('stationary', ['0.5*(w1^2 + 3*w2^2) + w1^4', '--params', 'w1,w2', '--noise-scale', '0.5', '--lr', '0.05', '--exact', 'never']);
    expect(Object.keys(l)).toEqual(expect.arrayContaining(['loss', 'point', 'gradientNorm', 'minimumSearch']));
    expect((l['continuous'] as Record<string, unknown>)['closedForm']).toBeDefined();
    // --at: no minimum search in the output
    const at = await validated('stationary', ['0.5*(w1^2 + 3*w2^2)', '--params', 'w1,w2', '--noise', '[[1,0],[0,2]]', '--lr', '0.05', '--batch', '2', '--at', 'w1=0,w2=0']);
    expect(at['minimumSearch']).toBeUndefined();
  });

  it('diffusion', async () => {
    const p = await validated('diffusion', ['--hessian', '[[1,0.3],[0.3,0.2]]', '--noise', '[[0.5,-0.1],[-0.1,1]]', '--lr', '0.1', '--momentum', '0.9', '--batch', '4', '--simulate', '20', '--steps', '1,10,100']);
    expect(p['start']).toBe('stationary');
    // δ_∞ = η² tr Σ/(S(1−β²)) with tr Σ = 1.5
    expect(p['stepSizeLaw']).toBeCloseTo((0.01 * 1.5) / (4 * (1 - 0.81)), 12);
    const fromLoss = await validated('diffusion', ['--loss', '0.5*(w1^2+3*w2^2)', '--params', 'w1,w2', '--noise-scale', '0.5', '--lr', '0.05', '--batch', '2', '--steps', '0,1,10', '--from', '0.1,0.2']);
    expect((fromLoss['quadratic'] as { H: number[][] }).H).toEqual([[1, 0], [0, 3]]);
    expect(fromLoss['exponent']).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'eomkit-json-'));
    try {
      const log = join(dir, 'run.csv');
      // Δ(k) = k^{7/10}/100 exactly: the fitted exponent is 7/10
      writeFileSync(log, ['step,dist2,step2', ...Array.from({ length: 40 }, (_, i) => `${5 * i},${0.01 * (5 * i) ** 0.7},0.01`)].join('\n'));
      const a = await validated('diffusion', ['--log', log, '--lr', '0.1', '--batch', '4', '--hessian-eigs', '1,0.3', '--noise-trace', '2']);
      expect((a['fit'] as { exponent: number }).exponent).toBeCloseTo(0.7, 12);
      expect(a['predicted']).not.toBeNull();
      const bare = await validated('diffusion', ['--log', log]);
      expect(bare['predicted']).toBeNull();
      expect((bare['hyper'] as { eta: unknown }).eta).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the schemas reject what the contract excludes (an undeclared field, a wrong type)', async () => {
    const r = await run(['derive', 'w^2', '--params', 'w', '--json']);
    const obj = JSON.parse(r.out) as Record<string, unknown>;
    const validate = schemaOf('derive');
    expect(validate({ ...obj, extra: 1 })).toBe(false);
    expect(validate({ ...obj, gradient: 'w' })).toBe(false);
    const l = await run(['latex', 'w^4/4', '--params', 'w', '--json']);
    const lo = JSON.parse(l.out) as { lines: Array<{ term: string }> };
    lo.lines[0]!.term = 'bogus';
    expect(schemaOf('latex')(lo)).toBe(false);
    const st = JSON.parse((await run(['stationary', '--hessian', '[[2]]', '--noise', '[[1]]', '--lr', '0.1', '--json'])).out) as Record<string, unknown>;
    expect(schemaOf('stationary')(st)).toBe(true);
    expect(schemaOf('stationary')({ ...st, extra: 1 })).toBe(false);
    expect(schemaOf('stationary')({ ...st, continuous: { ...(st['continuous'] as object), extra: 1 } })).toBe(false);
    const di = JSON.parse((await run(['diffusion', '--hessian', '[[2]]', '--noise', '[[1]]', '--lr', '0.1', '--batch', '1', '--json'])).out) as Record<string, unknown>;
    expect(schemaOf('diffusion')(di)).toBe(true);
    expect(schemaOf('diffusion')({ ...di, extra: 1 })).toBe(false);
    expect(schemaOf('diffusion')({ ...di, steps: 'all' })).toBe(false);
  });
});
