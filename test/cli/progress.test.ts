/** The stage bar of long commands: drawn only on a terminal, naming the phase that runs. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stageProgress } from '../../src/cli/progress.ts';

/** a writable that records what is written, claiming to be a terminal or not */
function stream(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; text(): string };
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  s.isTTY = isTTY;
  s.columns = 120;
  s.text = () => chunks.join('');
  return s;
}

describe('stageProgress', () => {
  it('writes nothing when the stream is not a terminal (pipes, files, tests)', async () => {
    const s = stream(false);
    const p = await stageProgress('derive', 3, s);
    p.stage('one');
    p.stage('two');
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(s.text()).toBe('');
  });

  it('on a terminal, draws a bar that names each phase and counts the phases done', async () => {
    const s = stream(true);
    const p = await stageProgress('derive', 3, s);
    p.stage('gradient and Hessian');
    p.stage('the counter terms f_1…f_3');
    p.stop();
    await new Promise((r) => setImmediate(r));
    const text = s.text();
    expect(text).toContain('derive [');
    expect(text).toContain('gradient and Hessian');
    expect(text).toContain('0/3 gradient and Hessian');
    // stop() completes the bar and clears it (clearOnComplete): the terminal is left clean
    expect(text).toContain('3/3 done');
    expect(text.endsWith('\u001b[2K')).toBe(true);
  });
});
