import type { LinearModel } from '../model/LinearModel.js';
import { ModelBuilder } from '../model/ModelBuilder.js';

/**
 * A small fixed LP (a few thousand columns) shaped like cosched's interruptible model: jobs with
 * work to place over hours, a per-job hourly cap and a shared hourly capacity, with costs that
 * vary smoothly by hour. Solving it once right after HiGHS loads makes V8 compile the simplex's
 * hot WebAssembly functions with its optimising tier, which saves about 0.3 s on the next real
 * solve (measured on the day-ahead benchmark: 1.7 s cold, 1.4 s after this). Deterministic and
 * always feasible and bounded; its solution is thrown away.
 */
export function warmUpModel(jobs = 60, hours = 48): LinearModel {
  const builder = new ModelBuilder();
  const capacity = 40 * jobs * 0.4;
  const hourRows: Array<{ cols: number[] }> = Array.from({ length: hours }, () => ({ cols: [] }));
  for (let i = 0; i < jobs; i++) {
    const maxGpus = 8 + ((i * 37) % 64);
    const first = (i * 7) % (hours / 2);
    const last = Math.min(hours, first + 12 + ((i * 11) % (hours / 2)));
    const work = maxGpus * (last - first) * 0.5;
    const cols: number[] = [];
    for (let t = first; t < last; t++) {
      const cost = 300 + 200 * Math.sin((t + i) / 3.7) + 50 * Math.cos(t / 1.3);
      const col = builder.addVariable(`x(${i},${t})`, 0, maxGpus, cost);
      cols.push(col);
      hourRows[t].cols.push(col);
    }
    const unmet = builder.addVariable(`unmet(${i})`, 0, work, 10_000);
    builder.addConstraint(`work(${i})`, work, work, [...cols, unmet], [...cols.map(() => 1), 1]);
  }
  hourRows.forEach(({ cols }, t) => {
    if (cols.length > 0) builder.addConstraint(`capacity(${t})`, -Infinity, capacity, cols, cols.map(() => 1));
  });
  return builder.build();
}
