/**
 * piscina worker for diffusion sweeps: one job in, one row out (diffusion-sweep.ts `runSweepJob`).
 * Loaded as TypeScript through tsx from the sources, as JavaScript when built.
 */
import { type SweepJob, runSweepJob } from './diffusion-sweep.ts';

export default function run(job: SweepJob): ReturnType<typeof runSweepJob> {
  return runSweepJob(job);
}
