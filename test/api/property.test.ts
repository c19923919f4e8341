/**
 * Property test of the public library (fast-check, seeded): the root's functions called with random
 * arguments — right values mutated one at a time, wrong types, empty arrays, huge orders, NaN, strings for
 * expressions — return, or throw one of eomkit's error classes (never a TypeError, RangeError or plain Error,
 * never an InternalError), and never hang. The property runs in a child process
 * (test/api/support/fuzz-library.ts) so that a hang is caught by this test's time limit, a generous guard.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the public library under random arguments', () => {
  it.each([[1], [2]])('seed %i: every call returns or throws an EomkitError', (seed) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/api/support/fuzz-library.ts', String(seed), '1500'], { encoding: 'utf8', timeout: 400_000 });
    expect(r.error, 'the property run did not finish (a hang?)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const { failures, outcomes } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { failures: string[]; outcomes: Record<string, number> };
    expect(failures).toEqual([]);
    // the generators reach both the success and the error paths
    expect(outcomes['returned'] ?? 0).toBeGreaterThan(100);
    expect(outcomes['InputError'] ?? 0).toBeGreaterThan(100);
  }, 600_000);
});
