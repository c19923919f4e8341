/**
 * Profiling helper: `node --cpu-prof --cpu-prof-dir=bench/.build/prof --import tsx bench/profile.ts P1 [reps] [n]`
 * runs eomkit's side of a task `reps` times with fresh symbol names (no memo hits), printing each time;
 * then `node --import tsx bench/profile.ts --summary bench/.build/prof/<file>.cpuprofile` prints the
 * self time per function (top 25) and the inclusive time of the core's entry points.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function summary(file: string): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const label = (n: Node): string => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/');
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  };
  const selfBy = new Map<string, number>();
  const inclBy = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    selfBy.set(label(n), (selfBy.get(label(n)) ?? 0) + t);
    // inclusive: each distinct label on the stack once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclBy.set(l, (inclBy.get(l) ?? 0) + t);
    }
  }
  const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  console.log(`total sampled: ${(total / 1000).toFixed(0)} ms\n\nself time:`);
  for (const [l, t] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(t)}  ${l}`);
  console.log('\ninclusive time (src/symbolic):');
  for (const [l, t] of [...inclBy].filter(([l]) => l.includes('src/symbolic')).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(t)}  ${l}`);
}

const args = process.argv.slice(2);
if (args[0] === '--summary') summary(args[1]!);
else {
  const task = args[0] ?? 'P1';
  const reps = Number(args[1] ?? 10);
  const n = Number(args[2] ?? 10);
  const { computeP1 } = await import('./p1.ts');
  const { computeP2Jvp } = await import('./p2.ts');
  for (let r = 0; r < reps; r++) {
    const prefix = `p${r}_`;
    const res = task === 'P1' ? computeP1(n, prefix) : computeP2Jvp(n, prefix);
    console.log(`${task} run ${r}: ${(res.seconds * 1000).toFixed(1)} ms, ${res.size} terms`);
  }
}
