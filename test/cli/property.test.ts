/**
 * Property test of the command line (fast-check, seeded): random argument vectors — formulas, flags,
 * values, orders, points — always end in exit 0 with parseable output, or exit 2/3/4 with exactly one
 * line on stderr; never a stack trace, never NaN printed as a value, never a hang. The property runs in a
 * child process (test/cli/support/fuzz-cli.ts) so that a hang is caught by this test's time limit.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the command line under random arguments', () => {
  it.each([[11], [12]])('seed %i: every run satisfies the invariant', (seed) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/support/fuzz-cli.ts', String(seed), '250'], { encoding: 'utf8', timeout: 400_000 });
    expect(r.error, 'the property run did not finish (a hang?)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const { failures, codes } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { failures: string[]; codes: Record<string, number> };
    expect(failures).toEqual([]);
    // the generators reach both the success and the error paths
    expect(codes['0'] ?? 0).toBeGreaterThan(20);
    expect(codes['2'] ?? 0).toBeGreaterThan(20);
  }, 600_000);
});
