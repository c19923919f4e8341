import { describe, it, expect } from 'vitest';
import { validateSweep } from '../../src/numeric/order-sweep.ts';
import { plotValidationSvg, validationPlotSpec } from '../../src/numeric/plot.ts';

describe('plotValidationSvg', () => {
  it('renders a log–log SVG with one series per flow', async () => {
    const r = validateSweep({
      method: { kind: 'gd', grad: (y, o) => { o[0] = y[0]! ** 3; } },
      theta0: [1],
      terms: [(y, o) => { o[0] = -(y[0]! ** 3); }, (y, o) => { o[0] = -1.5 * y[0]! ** 5; }],
    });
    const spec = validationPlotSpec(r) as { layer: { data: { values: { flow: string }[] } }[] };
    expect(new Set(spec.layer[0]!.data.values.map((v) => v.flow)).size).toBe(2);
    expect(spec.layer[1]!.data.values.length).toBe(4); // two dashed fit lines, two ends each
    const svg = await plotValidationSvg(r, { title: 'quartic' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('quartic');
    expect(svg).toContain('learning rate η');
    expect(svg).toMatch(/GF \(slope 1\.00, expected 1\)/);
    expect(svg).toMatch(/EoM_1 \(slope 2\.00, expected 2\)/);
  });
});
