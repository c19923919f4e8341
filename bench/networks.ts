/**
 * Task N — networks on TensorFlow.js (docs/networks.md, "Cost"): an MLP 32-96-64-10 (tanh, softmax
 * cross-entropy, 256 examples; n = 10,026 parameters), θ and data from one deterministic formula in all tools.
 * - N-eom1-rhs: the EoM₁ right-hand side g + ½ηHg (one double-backward pass of L + ¼η‖∇L‖²) against one
 *   gradient, tfjs cpu and wasm (float32); the row's `seconds` is one right-hand side, the note gives the
 *   ratio to one gradient timed the same way (upload θ, compute, download). PyTorch (float32, CPU,
 *   bench/peers/networks_torch.py) does the same with torch.autograd.grad(create_graph=True).
 * - N-lanczos10: the top-10 Hessian eigenvalues by 40 Lanczos steps with full reorthogonalisation (float64 on
 *   the host, HVPs on the device) from the same start vector sin(0.37(k+1)), tfjs against PyTorch; the top 3
 *   eigenvalues compared (float32 HVPs: 1e-3 relative).
 * Times: median of repeated evaluations after a warm-up; imports and data setup excluded.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchRow } from './types.ts';
import { loadTf, type Tf } from '../src/numeric/tfjs/backend.ts';
import { type Scalar, type Tensor1D, tfLoss, type TfLoss } from '../src/numeric/tfjs/autodiff.ts';
import { eomFieldTf } from '../src/theory/networks/counter-terms.ts';
import { mlpForward, mlpParameterCount } from '../src/numeric/tfjs/networks.ts';
import { hessianOperatorTf, topEigenpairs } from '../src/numeric/tfjs/spectra.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SIZES = [32, 96, 64, 10];
export const EXAMPLES = 256;
export const ETA = 0.1;
const LANCZOS_STEPS = 40;

/** X_ij = sin(12.9898(i+1) + 78.233(j+1) + 0.5(i+1)(j+1)), labels i mod 10, θ_k = sin(1.7(k+1))/√fan_in(k) (as networks_torch.py). */
export function networkData(): { X: Float32Array; labels: Int32Array; theta: Float64Array } {
  const d = SIZES[0]!;
  const X = new Float32Array(EXAMPLES * d);
  for (let i = 0; i < EXAMPLES; i++) for (let j = 0; j < d; j++) X[i * d + j] = Math.sin(12.9898 * (i + 1) + 78.233 * (j + 1) + 0.5 * (i + 1) * (j + 1));
  const labels = Int32Array.from({ length: EXAMPLES }, (_, i) => i % SIZES.at(-1)!);
  const theta = new Float64Array(mlpParameterCount(SIZES));
  let k = 0;
  for (let l = 1; l < SIZES.length; l++) {
    const fanIn = SIZES[l - 1]!;
    const count = SIZES[l]! * fanIn + SIZES[l]!;
    for (let q = 0; q < count; q++, k++) theta[k] = Math.sin(1.7 * (k + 1)) / Math.sqrt(fanIn);
  }
  return { X, labels, theta };
}

function networkLoss(tf: Tf): TfLoss {
  const { X, labels } = networkData();
  const Xt = tf.keep(tf.tensor2d(X, [EXAMPLES, SIZES[0]!]));
  const T = tf.keep(tf.oneHot(tf.tensor1d(labels, 'int32'), SIZES.at(-1)!).toFloat());
  return tfLoss(
    tf,
    (theta: Tensor1D) => {
      const z = mlpForward(tf, theta, SIZES, Xt, 'tanh');
      return tf.mean(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(T, z), 1))) as Scalar;
    },
    mlpParameterCount(SIZES),
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};


/** Medians of alternated timings of a and b, and the median of the per-round ratios b/a. */
function timePairs(a: () => void, b: () => void, reps: number, warm = 3): { a: number; b: number; ratio: number } {
  for (let i = 0; i < warm; i++) {
    a();
    b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    a();
    ta.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    b();
    tb.push((performance.now() - t0) / 1000);
  }
  return { a: median(ta), b: median(tb), ratio: median(tb.map((x, i) => x / ta[i]!)) };
}

interface TorchResult {
  grad_s: number;
  ratio: number;
  eom1_s: number;
  lanczos_s: number;
  eom1_norm: number;
  grad_norm: number;
  top10: number[];
  torch: string;
}

function runTorch(log: (s: string) => void): TorchResult | undefined {
  // Debian's python3-torch lives in the system interpreter, which may differ from the python3 on PATH
  const python = ['python3', '/usr/bin/python3'].find((py) => {
    const probe = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    return !probe.error && probe.status === 0;
  });
  if (!python) {
    log('N pytorch: skipped (no python3 with torch and numpy; apt-get install -y python3-torch)');
    return undefined;
  }
  const r = spawnSync(python, [join(HERE, 'peers', 'networks_torch.py')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    log(`N pytorch: failed: ${(r.stderr ?? '').split('\n').slice(-3).join(' ')}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

export async function runNetworks(): Promise<BenchRow[]> {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const rows: BenchRow[] = [];
  const { theta } = networkData();
  const n = theta.length;
  const size = `MLP ${SIZES.join('-')}, n = ${n}, N = ${EXAMPLES}`;
  let reference: { eom1: number; top10: Float64Array } | undefined;
  const fastest: Record<string, number> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    let tf: Tf;
    try {
      tf = await loadTf(backend);
    } catch (e) {
      log(`N tfjs-${backend}: skipped (${(e as Error).message})`);
      continue;
    }
    const L = networkLoss(tf);
    const out = new Float64Array(n);
    const gradField = eomFieldTf(L, ETA, 0);
    const eom1Field = eomFieldTf(L, ETA, 1);
    // alternate gradient and right-hand side, so that load from other processes hits both alike; the ratio is
    // the median of the per-round ratios
    const { a: tGrad, b: tEom, ratio } = timePairs(() => gradField(theta, out), () => eom1Field(theta, out), backend === 'cpu' ? 7 : 15);
    gradField(theta, out);
    const gradNorm = norm(out);
    eom1Field(theta, out);
    const eomNorm = norm(out);
    rows.push({
      task: 'N-eom1-rhs',
      tool: `tfjs-${backend}`,
      seconds: tEom,
      size,
      ...(reference ? { agrees: Math.abs(eomNorm / reference.eom1 - 1) < 1e-4 } : {}),
      note: `EoM1 rhs / gradient = ${ratio.toFixed(2)} (gradient ${(tGrad * 1e3).toFixed(1)} ms); ‖F‖ = ${eomNorm.toPrecision(7)}, ‖g‖ = ${gradNorm.toPrecision(7)}`,
    });
    const H = hessianOperatorTf(L, theta);
    const t0 = performance.now();
    const top = topEigenpairs(H, n, 10, { steps: LANCZOS_STEPS, v0: Float64Array.from({ length: n }, (_, k) => Math.sin(0.37 * (k + 1))) });
    const tL = (performance.now() - t0) / 1000;
    H.dispose();
    const agree = reference ? Math.max(...Array.from(top.values.slice(0, 3), (v, i) => Math.abs(v / reference!.top10[i]! - 1))) < 1e-3 : undefined;
    rows.push({
      task: 'N-lanczos10',
      tool: `tfjs-${backend}`,
      seconds: tL,
      size: `${LANCZOS_STEPS} steps`,
      ...(agree !== undefined ? { agrees: agree } : {}),
      note: `λ1..3 = ${Array.from(top.values.slice(0, 3), (v) => v.toPrecision(5)).join(', ')}`,
    });
    reference ??= { eom1: eomNorm, top10: top.values };
    fastest['eom1'] = Math.min(fastest['eom1'] ?? Infinity, tEom);
    fastest['lanczos'] = Math.min(fastest['lanczos'] ?? Infinity, tL);
  }
  const torch = runTorch(log);
  if (torch && reference) {
    rows.push({
      task: 'N-eom1-rhs',
      tool: 'pytorch',
      seconds: torch.eom1_s,
      size,
      agrees: Math.abs(torch.eom1_norm / reference.eom1 - 1) < 1e-4,
      note: `torch ${torch.torch} float32 cpu, 1 thread; EoM1 rhs / gradient = ${torch.ratio.toFixed(2)} (gradient ${(torch.grad_s * 1e3).toFixed(1)} ms); fastest tfjs / torch = ${(fastest['eom1']! / torch.eom1_s).toFixed(1)}; ‖F‖ = ${torch.eom1_norm.toPrecision(7)}`,
    });
    const top = torch.top10;
    rows.push({
      task: 'N-lanczos10',
      tool: 'pytorch',
      seconds: torch.lanczos_s,
      size: `${LANCZOS_STEPS} steps`,
      agrees: Math.max(...top.slice(0, 3).map((v, i) => Math.abs(v / reference!.top10[i]! - 1))) < 1e-3,
      note: `fastest tfjs / torch = ${(fastest['lanczos']! / torch.lanczos_s).toFixed(1)}; λ1..3 = ${top.slice(0, 3).map((v) => v.toPrecision(5)).join(', ')}`,
    });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await runNetworks();
  console.log(JSON.stringify(rows, null, 1));
}
