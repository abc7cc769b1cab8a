/**
 * How much of the carbon saving each relaxation buys (README, "Executable schedules"): plans a
 * scenario as the LP (today), with whole GPUs only (every job may split across sites), whole GPUs
 * and one site per job-hour, plus a 10-minute checkpoint per restart, and with every job
 * non-interruptible; prints carbon saved, solve time, MIP gap and the LP plan's fractional GPUs,
 * site changes and split hours.
 *
 *   node --import tsx bench/measureExecutable.ts scenarios/two-hubs-48h.yaml [timeLimitSeconds] [variant...]
 *
 * Variants (all when none are named): lp, integer, one-site, checkpoint, blocks.
 */
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { Problem } from '../solver/problem/Problem.js';
import type { PlanResult } from '../solver/plan/PlanResult.js';

const [path, limitArg, ...only] = process.argv.slice(2);
const timeLimitSeconds = Number(limitArg ?? 60);
const base = validatePlanRequest(await readPlanRequestFile(path));
const withOptions = (p: Problem, integerGpus: boolean): Problem => ({ ...p, options: { ...p.options, timeLimitSeconds, mipGap: 1e-4, integerGpus } });

const allVariants: [string, string, Problem][] = [
  ['lp', 'LP (today)', withOptions(base, false)],
  ['integer', 'integer GPUs (may split sites)', withOptions({ ...base, jobs: base.jobs.map((j) => ({ ...j, splitSites: true })) }, true)],
  ['one-site', 'integer + one site per hour', withOptions(base, true)],
  ['checkpoint', '+ checkpoint 10 min', withOptions({ ...base, jobs: base.jobs.map((j) => (j.interruptible ? { ...j, checkpointMinutes: 10 } : j)) }, true)],
  ['blocks', 'all jobs non-interruptible', withOptions({ ...base, jobs: base.jobs.map((j) => ({ ...j, interruptible: false })) }, false)],
];
const variants = allVariants.filter(([key]) => only.length === 0 || only.includes(key)).map(([, name, p]) => [name, p] as const);

console.log(`${path}: ${base.jobs.length} jobs (${base.jobs.filter((j) => j.interruptible).length} interruptible), ${base.sites.length} sites, ${base.hours} h, time limit ${timeLimitSeconds} s`);
console.log('| variant | carbon saved | solve | termination | MIP gap | integers | fractional cells | split hours | migrations | preemptions | checkpoint GPU-h | unmet GPU-h |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, problem] of variants) {
  const started = performance.now();
  const result = await planProblem(problem);
  const wallMs = performance.now() - started;
  const stats = scheduleStats(result);
  console.log(
    `| ${name} | ${result.summary.carbonSavedPercent.toFixed(1)}% | ${(wallMs / 1000).toFixed(1)} s | ${result.termination} | ${result.solve.mipGap.toExponential(1)} | ${result.solve.integerVariables} | ${stats.fractionalCells} | ${stats.splitHours} | ${result.summary.migrations ?? 0} | ${result.summary.preemptions ?? 0} | ${(result.summary.checkpointGpuHours ?? 0).toFixed(1)} | ${result.summary.unmetGpuHours.toFixed(1)} |`,
  );
}

/** Job-site-hours with fractional GPUs, and job-hours at 2+ sites, in the plan. */
function scheduleStats(result: PlanResult): { fractionalCells: number; splitHours: number } {
  let fractionalCells = 0;
  let splitHours = 0;
  for (const outcome of result.plan?.jobs ?? []) {
    const sitesByHour = new Map<number, number>();
    for (const run of outcome.runs) {
      if (Math.abs(run.gpus - Math.round(run.gpus)) > 1e-6) fractionalCells += run.hours;
      for (let t = run.startHour; t < run.startHour + run.hours; t++) sitesByHour.set(t, (sitesByHour.get(t) ?? 0) + 1);
    }
    for (const n of sitesByHour.values()) if (n > 1) splitHours++;
  }
  return { fractionalCells, splitHours };
}
