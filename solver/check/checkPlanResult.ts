import type { Problem } from '../problem/Problem.js';
import type { CheckReport, JobOutcome, PlanResult, Schedule } from '../plan/PlanResult.js';

/** Relative tolerance for recomputed figures, as promised in the README. */
const relativeTolerance = 1e-6;
/** Absolute slack for GPU and work comparisons (solver round-off). */
const absoluteTolerance = 1e-6;

/**
 * The independent checker: verifies a plan result against its problem without trusting the
 * model, the solver, or the accounting code. It imports nothing from them on purpose and
 * re-derives every figure from the runs alone:
 * - every run lies inside the horizon, and (plan) inside the job's window at an allowed site,
 *   (baseline) at the job's home site;
 * - per-job GPU caps, minGpus, site capacities and grid import limits hold in every hour;
 * - non-interruptible jobs (and every baseline job) run one contiguous block at one site at
 *   maxGpus, the last hour possibly partial;
 * - executable schedules (options.integerGpus, checkpointMinutes): whole GPUs in every hour but a
 *   job's last, where one cell may end mid-hour; one site per job-hour unless splitSites;
 *   preemptions, migrations and checkpoint GPU-hours re-derived from the runs;
 * - done + checkpoint GPU-hours = the runs' GPU-hours, done + unmet = gpuHours for every job, and
 *   unmet work has a reason;
 * - hourly load, facility, green, grid, curtailment, emissions and cost, their totals and the
 *   summary (carbon saved, %, green share, unmet, missed deadlines) agree to 1e-6 relative.
 * Returns every violation found; never throws on a bad result.
 */
export function checkPlanResult(problem: Problem, result: Omit<PlanResult, 'check'>): CheckReport {
  const check = new Checker();
  const planTotals = result.plan ? checkSchedule(problem, result.plan, 'plan', check) : undefined;
  const baselineTotals = checkSchedule(problem, result.baseline, 'baseline', check);
  checkSummary(problem, result, planTotals, baselineTotals, check);
  return { passed: check.violations.length === 0, checks: check.count, violations: check.violations };
}

class Checker {
  count = 0;
  violations: string[] = [];

  that(ok: boolean, message: () => string): void {
    this.count++;
    if (!ok) this.violations.push(message());
  }

  close(what: string, reported: number, recomputed: number): void {
    this.that(
      Number.isFinite(reported) && Math.abs(reported - recomputed) <= relativeTolerance * Math.max(Math.abs(reported), Math.abs(recomputed)) + 1e-9,
      () => `${what}: reported ${reported}, recomputed ${recomputed}`,
    );
  }
}

/** What checkSchedule re-derived from a schedule's runs, summed over its jobs. */
interface DerivedTotals {
  doneGpuHours: number;
  preemptions: number;
  migrations: number;
  checkpointGpuHours: number;
}

function checkSchedule(problem: Problem, schedule: Schedule, label: 'plan' | 'baseline', check: Checker): DerivedTotals {
  const derived: DerivedTotals = { doneGpuHours: 0, preemptions: 0, migrations: 0, checkpointGpuHours: 0 };
  const H = problem.hours;
  const gpusAt = problem.sites.map(() => new Float64Array(H));
  const loadMw = problem.sites.map(() => new Float64Array(H));
  check.that(schedule.jobs.length === problem.jobs.length, () => `${label}: ${schedule.jobs.length} job outcomes for ${problem.jobs.length} jobs`);

  for (const outcome of schedule.jobs) {
    const job = problem.jobs[outcome.job];
    const where = `${label} job ${job.id}`;
    const perHour = new Float64Array(H);
    // GPU-hours per site in each hour of this job, for the executable rules.
    const cellsByHour = new Map<number, Map<number, number>>();
    const wholeGpus = label === 'plan' && job.interruptible && problem.options.integerGpus === true;
    const checkpointGpuHours = label === 'plan' && job.interruptible ? ((job.checkpointMinutes ?? 0) / 60) * job.maxGpus : 0;
    const oneSitePerHour = label === 'plan' && job.interruptible && (wholeGpus || checkpointGpuHours > 0) && job.splitSites !== true;
    const jobLastHour = outcome.runs.reduce((end, r) => Math.max(end, r.startHour + r.hours - 1), -1);
    let used = 0;
    for (const run of outcome.runs) {
      const runWhere = `${where} run at site #${run.site} from hour ${run.startHour} for ${run.hours} h`;
      const inHorizon = Number.isInteger(run.startHour) && Number.isInteger(run.hours) && run.hours >= 1 && run.startHour >= 0 && run.startHour + run.hours <= H;
      check.that(inHorizon, () => `${runWhere}: outside the horizon of ${H} h`);
      check.that(Number.isFinite(run.gpus) && run.gpus > 0 && run.gpus <= job.maxGpus + absoluteTolerance, () => `${runWhere}: ${run.gpus} GPUs; allowed (0, ${job.maxGpus}]`);
      if (label === 'plan') {
        check.that(job.allowedSites.includes(run.site), () => `${runWhere}: site not allowed`);
        check.that(run.startHour >= job.windowStart && run.startHour + run.hours <= job.windowEnd, () => `${runWhere}: outside window [${job.windowStart}, ${job.windowEnd})`);
        if (job.interruptible && job.minGpus > 0) {
          // With whole GPUs the last hour may end mid-hour: it holds minGpus or more whole GPUs for
          // part of the hour, so its GPU-hours may be fewer.
          const partialLastHour = wholeGpus && run.startHour + run.hours - 1 === jobLastHour && run.hours === 1;
          check.that(partialLastHour || run.gpus >= job.minGpus - absoluteTolerance, () => `${runWhere}: ${run.gpus} GPUs below minGpus ${job.minGpus}`);
        }
      } else {
        check.that(run.site === job.homeSite, () => `${runWhere}: not the home site`);
      }
      if (!inHorizon || !(run.site >= 0 && run.site < problem.sites.length)) continue;
      for (let t = run.startHour; t < run.startHour + run.hours; t++) {
        perHour[t] += run.gpus;
        gpusAt[run.site][t] += run.gpus;
        loadMw[run.site][t] += (run.gpus * job.gpuPowerKw) / 1000;
        const sites = cellsByHour.get(t) ?? new Map<number, number>();
        sites.set(run.site, (sites.get(run.site) ?? 0) + run.gpus);
        cellsByHour.set(t, sites);
      }
      used += run.gpus * run.hours;
    }
    const changes = checkExecutable(cellsByHour, { wholeGpus, oneSitePerHour }, where, check);
    const checkpoint = checkpointGpuHours * Math.max(0, changes.siteStarts - 1);
    const done = used - checkpoint;
    check.that((outcome.preemptions ?? 0) === changes.preemptions, () => `${where} preemptions: reported ${outcome.preemptions}, recomputed ${changes.preemptions}`);
    check.that((outcome.migrations ?? 0) === changes.migrations, () => `${where} migrations: reported ${outcome.migrations}, recomputed ${changes.migrations}`);
    check.close(`${where} checkpointGpuHours`, outcome.checkpointGpuHours ?? 0, checkpoint);
    derived.doneGpuHours += done;
    derived.preemptions += changes.preemptions;
    derived.migrations += changes.migrations;
    derived.checkpointGpuHours += checkpoint;
    for (let t = 0; t < H; t++) {
      if (perHour[t] > job.maxGpus + absoluteTolerance) check.that(false, () => `${where}: ${perHour[t]} GPUs in hour ${t} exceed maxGpus ${job.maxGpus}`);
    }
    check.count++;

    const lastHour = outcome.runs.reduce((end, r) => Math.max(end, r.startHour + r.hours), -1);
    check.that(lastHour < 0 ? outcome.finishHour === undefined : outcome.finishHour === lastHour, () => `${where}: finishHour ${outcome.finishHour}, runs end at ${lastHour < 0 ? 'no hour' : lastHour}`);
    if (label === 'plan') {
      check.that(outcome.lateHours === 0, () => `${where}: a plan job is ${outcome.lateHours} h late`);
    } else if (outcome.runs.length > 0) {
      // The baseline's block ends ceil(gpuHours / maxGpus) hours after its first hour.
      const blockEnd = outcome.runs[0].startHour + Math.ceil(job.gpuHours / job.maxGpus - 1e-9);
      check.close(`${where} lateHours`, outcome.lateHours, Math.max(0, blockEnd - job.deadlineHour));
    }
    if (!job.interruptible || label === 'baseline') checkBlock(job.maxGpus, outcome, where, check);
    check.close(`${where} done GPU-hours`, outcome.doneGpuHours, done);
    check.close(`${where} runs' GPU-hours`, used, outcome.doneGpuHours + (outcome.checkpointGpuHours ?? 0));
    check.that(done <= job.gpuHours * (1 + relativeTolerance) + absoluteTolerance, () => `${where}: did ${done} GPU-hours of ${job.gpuHours}`);
    check.close(`${where} done + unmet`, outcome.doneGpuHours + outcome.unmetGpuHours, job.gpuHours);
    if (label === 'plan') {
      check.that(outcome.unmetGpuHours <= absoluteTolerance * Math.max(1, job.gpuHours) || outcome.reason.length > 0, () => `${where}: ${outcome.unmetGpuHours} GPU-hours unmet without a reason`);
    }
  }

  const siteTotals = { energy: 0, green: 0, grid: 0, curtailed: 0, jobIt: 0, emissions: 0, cost: 0 };
  problem.sites.forEach((site, s) => {
    const accounts = schedule.sites[s];
    let energy = 0, green = 0, grid = 0, curtailed = 0, jobIt = 0, emissions = 0, cost = 0;
    for (let t = 0; t < H; t++) {
      const at = `${label} site ${site.id} hour ${t}`;
      check.that(gpusAt[s][t] <= site.gpuCapacity + absoluteTolerance, () => `${at}: ${gpusAt[s][t]} GPUs exceed capacity ${site.gpuCapacity}`);
      const facility = site.pue * (loadMw[s][t] + site.baseLoadMw[t]);
      const greenUsed = Math.min(facility, site.greenSupplyMw[t]);
      const gridMw = facility - greenUsed;
      check.that(gridMw <= site.gridImportLimitMw + 1e-6, () => `${at}: grid ${gridMw} MW exceeds the import limit ${site.gridImportLimitMw} MW`);
      check.close(`${at} jobLoadMw`, accounts.jobLoadMw[t], loadMw[s][t]);
      check.close(`${at} facilityMw`, accounts.facilityMw[t], facility);
      check.close(`${at} greenUsedMw`, accounts.greenUsedMw[t], greenUsed);
      check.close(`${at} gridMw`, accounts.gridMw[t], gridMw);
      check.close(`${at} curtailedMw`, accounts.curtailedMw[t], site.greenSupplyMw[t] - greenUsed);
      check.close(`${at} emissionsKg`, accounts.emissionsKg[t], gridMw * site.carbonIntensityGPerKwh[t]);
      check.close(`${at} cost`, accounts.cost[t], gridMw * site.pricePerMwh[t]);
      energy += facility;
      green += greenUsed;
      grid += gridMw;
      curtailed += site.greenSupplyMw[t] - greenUsed;
      jobIt += loadMw[s][t];
      emissions += gridMw * site.carbonIntensityGPerKwh[t];
      cost += gridMw * site.pricePerMwh[t];
    }
    siteTotals.energy += energy;
    siteTotals.green += green;
    siteTotals.grid += grid;
    siteTotals.curtailed += curtailed;
    siteTotals.jobIt += jobIt;
    siteTotals.emissions += emissions;
    siteTotals.cost += cost;
  });
  check.close(`${label} energyMwh`, schedule.totals.energyMwh, siteTotals.energy);
  check.close(`${label} greenMwh`, schedule.totals.greenMwh, siteTotals.green);
  check.close(`${label} gridMwh`, schedule.totals.gridMwh, siteTotals.grid);
  check.close(`${label} curtailedMwh`, schedule.totals.curtailedMwh, siteTotals.curtailed);
  check.close(`${label} jobItEnergyMwh`, schedule.totals.jobItEnergyMwh, siteTotals.jobIt);
  check.close(`${label} emissionsKg`, schedule.totals.emissionsKg, siteTotals.emissions);
  check.close(`${label} cost`, schedule.totals.cost, siteTotals.cost);
  return derived;
}

/**
 * The executable rules on one job's GPU-hours per hour and site: whole GPUs in every hour but the
 * last (where at most one cell may end mid-hour), one site per hour; and the job's site starts,
 * preemptions (pauses followed by more work) and migrations (running hours at a site not used in
 * the previous running hour), counted here on purpose apart from the planner's own count.
 */
function checkExecutable(
  cellsByHour: Map<number, Map<number, number>>,
  rules: { wholeGpus: boolean; oneSitePerHour: boolean },
  where: string,
  check: Checker,
): { siteStarts: number; preemptions: number; migrations: number } {
  const hours = [...cellsByHour.keys()].sort((a, b) => a - b);
  const lastHour = hours[hours.length - 1];
  let siteStarts = 0, preemptions = 0, migrations = 0;
  hours.forEach((t, i) => {
    const cells = cellsByHour.get(t) as Map<number, number>;
    if (rules.oneSitePerHour) check.that(cells.size <= 1, () => `${where}: runs at ${cells.size} sites in hour ${t}; one site per hour (splitSites is false)`);
    if (rules.wholeGpus) {
      const fractional = [...cells.values()].filter((g) => Math.abs(g - Math.round(g)) > absoluteTolerance);
      const allowed = t === lastHour ? 1 : 0;
      check.that(fractional.length <= allowed, () => `${where}: ${fractional.join(', ')} GPUs in hour ${t}; expected whole GPUs (integerGpus)${t === lastHour ? ' in all but one site of the last hour' : ''}`);
    }
    const before = cellsByHour.get(t - 1);
    for (const s of cells.keys()) if (!before?.has(s)) siteStarts++;
    if (i === 0) return;
    if (hours[i - 1] !== t - 1) preemptions++;
    const previous = cellsByHour.get(hours[i - 1]) as Map<number, number>;
    if ([...cells.keys()].some((s) => !previous.has(s))) migrations++;
  });
  return { siteStarts, preemptions, migrations };
}

/** One block at one site, consecutive hours, maxGpus in every hour but possibly the last. */
function checkBlock(maxGpus: number, outcome: JobOutcome, where: string, check: Checker): void {
  const runs = outcome.runs;
  if (runs.length === 0) return;
  check.that(runs.every((r) => r.site === runs[0].site), () => `${where}: a block split across sites`);
  for (let i = 1; i < runs.length; i++) {
    check.that(runs[i].startHour === runs[i - 1].startHour + runs[i - 1].hours, () => `${where}: a gap or overlap between hours ${runs[i - 1].startHour + runs[i - 1].hours} and ${runs[i].startHour}`);
  }
  const hours = runs.flatMap((r) => new Array<number>(r.hours).fill(r.gpus));
  check.that(hours.slice(0, -1).every((g) => Math.abs(g - maxGpus) <= absoluteTolerance), () => `${where}: the block does not run at maxGpus ${maxGpus} before its last hour`);
}

function checkSummary(
  problem: Problem,
  result: Omit<PlanResult, 'check'>,
  planDerived: DerivedTotals | undefined,
  baselineDerived: DerivedTotals,
  check: Checker,
): void {
  const s = result.summary;
  const planTotals = result.plan?.totals;
  const baseline = result.baseline.totals;
  const planEmissions = planTotals?.emissionsKg ?? 0;
  const saved = result.plan ? baseline.emissionsKg - planEmissions : 0;
  check.close('summary emissionsKg', s.emissionsKg, planEmissions);
  check.close('summary baselineEmissionsKg', s.baselineEmissionsKg, baseline.emissionsKg);
  check.close('summary carbonSavedKg', s.carbonSavedKg, saved);
  check.close('summary carbonSavedPercent', s.carbonSavedPercent, baseline.emissionsKg > 0 ? (100 * saved) / baseline.emissionsKg : 0);
  check.close('summary curtailedMwh', s.curtailedMwh, planTotals?.curtailedMwh ?? 0);
  check.close('summary jobItEnergyMwh', s.jobItEnergyMwh, planTotals?.jobItEnergyMwh ?? 0);
  const planDone = planDerived?.doneGpuHours ?? 0;
  const baselineDone = baselineDerived.doneGpuHours;
  check.that((s.preemptions ?? 0) === (planDerived?.preemptions ?? 0), () => `summary preemptions: reported ${s.preemptions}, recomputed ${planDerived?.preemptions ?? 0}`);
  check.that((s.migrations ?? 0) === (planDerived?.migrations ?? 0), () => `summary migrations: reported ${s.migrations}, recomputed ${planDerived?.migrations ?? 0}`);
  check.close('summary checkpointGpuHours', s.checkpointGpuHours ?? 0, planDerived?.checkpointGpuHours ?? 0);
  check.close('summary doneGpuHours', s.doneGpuHours, planDone);
  check.close('summary baselineDoneGpuHours', s.baselineDoneGpuHours, baselineDone);
  const allWork = problem.jobs.reduce((sum, j) => sum + j.gpuHours, 0);
  const sameWork = result.plan !== undefined && Math.abs(planDone - baselineDone) <= absoluteTolerance * Math.max(1, allWork);
  check.that(s.sameWork === sameWork, () => `summary sameWork: reported ${s.sameWork}, recomputed ${sameWork}`);
  check.close('summary cost', s.cost, planTotals?.cost ?? 0);
  check.close('summary baselineCost', s.baselineCost, baseline.cost);
  check.close('summary energyMwh', s.energyMwh, planTotals?.energyMwh ?? 0);
  check.close('summary greenMwh', s.greenMwh, planTotals?.greenMwh ?? 0);
  check.close('summary gridMwh', s.gridMwh, planTotals?.gridMwh ?? 0);
  const energy = planTotals?.energyMwh ?? 0;
  check.close('summary greenShare', s.greenShare, energy > 0 ? (planTotals?.greenMwh ?? 0) / energy : 0);
  const planUnmet = result.plan ? result.plan.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0) : problem.jobs.reduce((sum, j) => sum + j.gpuHours, 0);
  check.close('summary unmetGpuHours', s.unmetGpuHours, planUnmet);
  check.close('summary baselineUnmetGpuHours', s.baselineUnmetGpuHours, result.baseline.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0));
  const missed = result.baseline.jobs.filter((j) => j.lateHours > 0 || j.unmetGpuHours > absoluteTolerance).length;
  check.that(s.baselineMissedDeadlines === missed, () => `summary baselineMissedDeadlines: reported ${s.baselineMissedDeadlines}, recomputed ${missed}`);
}
