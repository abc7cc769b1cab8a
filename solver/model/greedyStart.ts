import type { Problem } from '../problem/Problem.js';
import type { LinearModel } from './LinearModel.js';

/** A job's gpus[j,s,t] columns and its unmet[j] column, as buildModel made them. */
export interface GreedyStartJob {
  cells: ReadonlyArray<{ site: number; hour: number; col: number }>;
  unmetCol: number;
}

/**
 * A feasible starting point for the interruptible (pure LP) model of stage 'weighted': every job
 * placed greedily, one after another, on the cells that look cheapest when it is placed.
 *
 * - Jobs are taken shortest window first (ties: index), so that the least flexible jobs get the
 *   cheap hours they have few alternatives to.
 * - A job ranks its cells by what a GPU-hour there would cost if the job ran at full width: the
 *   objective rate w[s,t] times the part of its facility power u_s·p_j·G_j that the site-hour's
 *   remaining green supply g − u_s·B − (jobs placed so far) cannot cover, divided by G_j. It fills
 *   them in that order at min(room in the job's hour, room at the site, room under the import
 *   limit, the cell's bound, work left). (Measured and not kept: ordering the jobs by slack, size or
 *   release, and improvement sweeps that take each job out and place it again: the start's
 *   objective improves by 1-2%, the simplex iterations do not go down.)
 * - It keeps every row of the model: Σ_s gpus <= G_j (jobCap), Σ_j gpus <= C_s (siteCapacity),
 *   u_s·(L + B) − g <= I_s (the grid import limit), workDone with unmet = work not placed (never
 *   below unmet's lower bound, as a job never does more than its window holds), and
 *   grid[s,t] = min(I_s, max(0, u_s·(L + B) − g)); batteries stay idle (charge = discharge = 0,
 *   soc = the initial state of charge, which is at least the final minimum).
 *
 * - A job with data (Job.data) is placed only at its data site: its remote cells need the data
 *   moved first, so it keeps them, its transfers and its ready gates at 0 (which every row allows).
 *
 * Returns one value per column of `model`, or undefined when the model has integer columns other
 * than the data gates (`dataGateIntegers`: the count of ready[j,s,t] binaries; non-interruptible
 * jobs, minGpus, whole GPUs or checkpoints make a MIP where HiGHS's own heuristics found better
 * incumbents than a greedy placement in the benchmark). Pure and deterministic;
 * O(cells · log cells).
 *
 * Its use is as LinearModel.start: HiGHS builds its first simplex basis from it (for a MILP whose
 * only integers are the data gates, the basis of its LP relaxation, see solveFromRelaxation).
 * Measured on
 * the benchmark's LPs (2-core machine, HiGHS 1.15 WebAssembly, default options otherwise):
 * day-ahead 9,103 dual simplex iterations from a slack basis, 7,549 from this start (1.6 s to
 * 1.1 s); week-ahead not finished in 120 s from a slack basis, 41,186 iterations (31 s) from this
 * start. It does not change the optimum.
 */
export function greedyStart(
  problem: Problem,
  jobs: readonly GreedyStartJob[],
  gridCols: readonly Int32Array[],
  model: LinearModel,
  storage: readonly ({ soc: Int32Array } | undefined)[] = [],
  dataGateIntegers = 0,
): Float64Array | undefined {
  let integers = 0;
  for (const flag of model.colInteger) if (flag !== 0) integers++;
  if (integers !== dataGateIntegers) return undefined;
  const hours = problem.hours;
  const { carbonWeight, costWeight } = problem.objective;
  const values = new Float64Array(model.colNames.length);
  const gpusLeft = problem.sites.map((site) => new Float64Array(hours).fill(site.gpuCapacity));
  // MW of green supply not yet used by base load and placed jobs (may be negative).
  const greenLeftMw = problem.sites.map((site) => Float64Array.from(site.greenSupplyMw, (g, t) => g - site.pue * site.baseLoadMw[t]));
  // MW the site may still draw before its grid import limit binds.
  const importLeftMw = problem.sites.map((site, s) => Float64Array.from(greenLeftMw[s], (green) => site.gridImportLimitMw + green));
  const ratePerMwh = problem.sites.map((site) => Float64Array.from(site.carbonIntensityGPerKwh, (c, t) => carbonWeight * c + costWeight * site.pricePerMwh[t]));

  const order = problem.jobs.map((_, j) => j);
  const windowHours = (j: number) => problem.jobs[j].windowEnd - problem.jobs[j].windowStart;
  order.sort((a, b) => windowHours(a) - windowHours(b) || a - b);

  let costPerGpuHour = new Float64Array(0);
  // Each job in turn on its cheapest cells, given everything placed before it.
  for (const j of order) {
    const job = problem.jobs[j];
    const { unmetCol } = jobs[j];
    const dataSite = job.data && job.data.datasetGb > 0 ? job.data.dataSite : undefined;
    const cells = dataSite === undefined ? jobs[j].cells : jobs[j].cells.filter((cell) => cell.site === dataSite);
    const n = cells.length;
    const gpuPowerMw = job.gpuPowerKw / 1000;
    if (costPerGpuHour.length < n) costPerGpuHour = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const { site: s, hour: t } = cells[i];
      const needMw = problem.sites[s].pue * gpuPowerMw * job.maxGpus;
      // Objective per GPU-hour if the job ran at full width here: ratePerMwh × facility power from the grid.
      costPerGpuHour[i] = needMw > 0 ? (ratePerMwh[s][t] * Math.max(0, needMw - Math.max(0, greenLeftMw[s][t]))) / job.maxGpus : 0;
    }
    const ranked = Array.from({ length: n }, (_, i) => i);
    ranked.sort((a, b) => costPerGpuHour[a] - costPerGpuHour[b] || a - b);
    const gpusInHour = new Map<number, number>();
    let workLeftGpuHours = job.gpuHours;
    for (const i of ranked) {
      if (workLeftGpuHours <= 0) break;
      const { site: s, hour: t, col } = cells[i];
      const facilityMwPerGpu = problem.sites[s].pue * gpuPowerMw;
      const roomGpus = Math.min(
        job.maxGpus - (gpusInHour.get(t) ?? 0),
        gpusLeft[s][t],
        model.colUpper[col],
        facilityMwPerGpu > 0 ? importLeftMw[s][t] / facilityMwPerGpu : Infinity,
        workLeftGpuHours,
      );
      if (!(roomGpus > 0)) continue;
      values[col] = roomGpus;
      workLeftGpuHours -= roomGpus;
      gpusInHour.set(t, (gpusInHour.get(t) ?? 0) + roomGpus);
      gpusLeft[s][t] -= roomGpus;
      greenLeftMw[s][t] -= facilityMwPerGpu * roomGpus;
      importLeftMw[s][t] -= facilityMwPerGpu * roomGpus;
    }
    values[unmetCol] = Math.max(model.colLower[unmetCol], Math.min(model.colUpper[unmetCol], workLeftGpuHours));
  }

  problem.sites.forEach((site, s) => {
    for (let t = 0; t < hours; t++) {
      const col = gridCols[s][t];
      // greenLeft = g − u·(B + L), so the import u·(L + B) − g is −greenLeft.
      if (col >= 0) values[col] = Math.min(site.gridImportLimitMw, Math.max(0, -greenLeftMw[s][t]));
    }
    const battery = storage[s];
    if (battery && site.storage) for (const col of battery.soc) values[col] = site.storage.initialMwh;
  });
  return values;
}
