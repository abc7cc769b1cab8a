import type { Problem } from '../problem/Problem.js';
import { scenarioProblem } from '../problem/scenarioProblem.js';
import type { CheckReport, JobOutcome, PlanResult, Schedule } from '../plan/PlanResult.js';
import type { EvaluationResult, ScheduleViolationKind } from '../evaluate/EvaluationResult.js';

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
 * - done + unmet = gpuHours for every job, and unmet work has a reason;
 * - batteries: charge and discharge within their power, the state of charge re-derived hour by
 *   hour within [0, energy] and at least the final minimum at the end, no export, no charging
 *   from the grid unless allowed (then the charge is at most the hour's green supply and the
 *   grid and the battery together serve at most the load);
 * - executable schedules (options.integerGpus, checkpointMinutes): whole GPUs in every hour but a
 *   job's last, where one cell may end mid-hour; one site per job-hour unless splitSites;
 *   preemptions, migrations and checkpoint GPU-hours re-derived from the runs;
 * - done + checkpoint GPU-hours = the runs' GPU-hours, done + unmet = gpuHours for every job, and
 *   unmet work has a reason;
 * - hourly load, facility, green, grid, curtailment, emissions and cost, their totals and the
 *   summary (carbon saved, %, green share, unmet, missed deadlines) agree to 1e-6 relative;
 * - side-by-side accounting: hourly CFE served (F − min(grid, F)) and marginal emissions (grid ×
 *   marginal intensity, present exactly when the problem has a marginal signal), per-site and
 *   total hourly CFE scores (in [0, 1]), annual matching scores and marginal totals and savings
 *   of plan and baseline.
 * - the explanation (when there is one), by complementary slackness, without trusting the duals:
 *   every site-hour with a GPU value is at capacity in the schedule, every one with a green value
 *   curtails nothing, every value is finite and >= 0, and a job whose window ends at the horizon
 *   end has deadline value 0.
 * - links and job data: transfers only for jobs with data, on links from their data site, inside
 *   the horizon; per link and hour the GB of all jobs within the link's capacity; no job sends more
 *   than its dataset to a site; a job runs away from its data site only at a site linked from it,
 *   and only after its whole dataset has arrived there (GB sent in the hours before its first
 *   hour there); the transfers' energy (GB × kWh/GB) in the sending site's facility load.
 * Returns every violation found; never throws on a bad result.
 */
export function checkPlanResult(problem: Problem, result: Omit<PlanResult, 'check'>): CheckReport {
  const check = new Checker();
  let planTotals: DerivedTotals | undefined;
  let baselineTotals: DerivedTotals;
  if (problem.scenarios?.length) {
    ({ planTotals, baselineTotals } = checkScenarios(problem, result, check));
  } else {
    planTotals = result.plan ? checkSchedule(problem, result.plan, 'plan', check) : undefined;
    baselineTotals = checkSchedule(problem, result.baseline, 'baseline', check);
  }
  checkSummary(problem, result, planTotals, baselineTotals, check);
  if (result.explanation?.available) checkExplanation(problem, result, check);
  return { passed: check.violations.length === 0, checks: check.count, violations: check.violations };
}

/**
 * The independent check of a fixed schedule judged on realised data (evaluateSchedule), by the
 * same rules as checkPlanResult, except that what the schedule may break under the actuals (the
 * feasibility rules of a plan: grid limits, capacities, windows, allowed sites, minGpus, maxGpus
 * per hour, one block, no more work than gpuHours) is not a failure: the checker re-derives each
 * such breach itself and verifies that `evaluation.violations` lists exactly those (kind, job,
 * site, hour), with the same value and limit. Work done and unmet are re-derived as
 * unmet = max(0, gpuHours − done). The baseline and the summary are checked as for a plan.
 * Returns every failure found; never throws.
 */
export function checkEvaluation(problem: Problem, evaluation: Omit<EvaluationResult, 'check'>): CheckReport {
  const check = new Checker();
  const breaches = new Map<string, Breach>();
  const judgedTotals = checkSchedule(problem, evaluation.judged, 'judged', check, breaches);
  const baselineTotals = checkSchedule(problem, evaluation.baseline, 'baseline', check);
  checkSummary(problem, { plan: evaluation.judged, baseline: evaluation.baseline, summary: evaluation.summary }, judgedTotals, baselineTotals, check);
  const reported = new Set<string>();
  for (const violation of evaluation.violations) {
    const key = breachKey(violation.kind, violation.job, violation.site, violation.hour);
    check.that(!reported.has(key), () => `violation ${key} reported twice`);
    reported.add(key);
    const found = breaches.get(key);
    check.that(found !== undefined, () => `violation ${key} reported, but the schedule does not break it`);
    if (found) {
      check.close(`violation ${key} value`, violation.value, found.value);
      check.close(`violation ${key} limit`, violation.limit, found.limit);
    }
  }
  for (const key of breaches.keys()) check.that(reported.has(key), () => `the schedule breaks ${key}, but it is not reported`);
  return { passed: check.violations.length === 0, checks: check.count, violations: check.violations };
}

/** A feasibility rule a judged schedule breaks, with the figures the checker re-derived. */
interface Breach {
  value: number;
  limit: number;
}

function breachKey(kind: ScheduleViolationKind, job: number | undefined, site: number | undefined, hour: number | undefined): string {
  return `${kind}(job ${job ?? '-'}, site ${site ?? '-'}, hour ${hour ?? '-'})`;
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

/**
 * With forecast scenarios: every scenario's plan and baseline checked in full against that
 * scenario's forecasts, the same jobs in each, the reported schedules the probability-weighted
 * means of the scenarios', and the risk figures recomputed.
 */
function checkScenarios(problem: Problem, result: Omit<PlanResult, 'check'>, check: Checker): { planTotals?: DerivedTotals; baselineTotals: DerivedTotals } {
  const scenarios = problem.scenarios ?? [];
  const report = result.scenarios;
  check.that(report !== undefined && report.outcomes.length === scenarios.length, () => `scenarios: ${report?.outcomes.length ?? 'no'} outcomes for ${scenarios.length} forecast scenarios`);
  const none = { doneGpuHours: NaN, preemptions: NaN, migrations: NaN, checkpointGpuHours: NaN };
  if (!report || report.outcomes.length !== scenarios.length) return { planTotals: result.plan ? none : undefined, baselineTotals: none };
  // The jobs are the same in every scenario: the first scenario's re-derived totals stand for all.
  let planTotals: DerivedTotals | undefined;
  let baselineTotals: DerivedTotals = none;
  const inScenario = scenarios.map((_, k) => scenarioProblem(problem, k));
  const probabilities = scenarios.map((scenario) => scenario.probability);
  report.outcomes.forEach((outcome, k) => {
    const name = scenarios[k].name;
    check.that(outcome.name === name && outcome.probability === probabilities[k], () => `scenario ${k}: reported ${outcome.name} (${outcome.probability}), expected ${name} (${probabilities[k]})`);
    check.that((outcome.plan === undefined) === (result.plan === undefined), () => `scenario ${name}: a plan in the scenario but not overall, or the other way round`);
    if (outcome.plan && result.plan) {
      const derived = checkSchedule(inScenario[k], outcome.plan, 'plan', check, undefined, `plan in scenario ${name}`);
      if (k === 0) planTotals = derived;
      check.that(JSON.stringify(outcome.plan.jobs) === JSON.stringify(result.plan.jobs), () => `scenario ${name}: the plan's jobs differ from the reported plan's`);
    }
    const derivedBaseline = checkSchedule(inScenario[k], outcome.baseline, 'baseline', check, undefined, `baseline in scenario ${name}`);
    if (k === 0) baselineTotals = derivedBaseline;
  });
  const meanOf = (label: string, reported: Schedule, schedules: Schedule[]) => {
    problem.sites.forEach((site, s) => {
      for (const key of ['jobLoadMw', 'facilityMw', 'greenUsedMw', 'gridMw', 'curtailedMw', 'emissionsKg', 'cost', 'chargeMw', 'dischargeMw', 'stateOfChargeMwh', 'cfeServedMw', 'marginalEmissionsKg'] as const) {
        const values = reported.sites[s][key] ?? [];
        check.that(values.length === (schedules[0].sites[s][key] ?? []).length, () => `${label} site ${site.id} ${key}: ${values.length} values`);
        for (let t = 0; t < values.length; t++) {
          check.close(`${label} site ${site.id} hour ${t} ${key} (expected over the scenarios)`, values[t], schedules.reduce((sum, x, k) => sum + probabilities[k] * (x.sites[s][key]?.[t] ?? NaN), 0));
        }
      }
      check.close(`${label} site ${site.id} cfeScore (expected over the scenarios)`, reported.sites[s].cfeScore, schedules.reduce((sum, x, k) => sum + probabilities[k] * x.sites[s].cfeScore, 0));
    });
    for (const key of Object.keys(reported.totals) as (keyof Schedule['totals'])[]) {
      check.close(`${label} ${key} (expected over the scenarios)`, reported.totals[key] ?? NaN, schedules.reduce((sum, x, k) => sum + probabilities[k] * (x.totals[key] ?? NaN), 0));
    }
  };
  if (result.plan) meanOf('plan', result.plan, report.outcomes.map((o) => o.plan as Schedule));
  meanOf('baseline', result.baseline, report.outcomes.map((o) => o.baseline));
  const planKg = report.outcomes.map((o) => o.plan?.totals.emissionsKg ?? 0);
  const baselineKg = report.outcomes.map((o) => o.baseline.totals.emissionsKg);
  const expected = (values: number[]) => values.reduce((sum, x, k) => sum + probabilities[k] * x, 0);
  const risk = problem.objective.risk;
  const alpha = risk?.kind === 'cvar' ? risk.alpha : 0;
  check.that(report.riskMeasure === (risk?.kind ?? 'expected'), () => `scenarios riskMeasure: reported ${report.riskMeasure}, the request asks for ${risk?.kind ?? 'expected'}`);
  check.that(report.cvarAlpha === alpha, () => `scenarios cvarAlpha: reported ${report.cvarAlpha}, the request's ${alpha}`);
  check.that(report.cvarLevel === (alpha > 0 ? alpha : 0.9), () => `scenarios cvarLevel: reported ${report.cvarLevel}, expected ${alpha > 0 ? alpha : 0.9}`);
  check.close('scenarios expectedEmissionsKg', report.expectedEmissionsKg, expected(planKg));
  check.close('scenarios baselineExpectedEmissionsKg', report.baselineExpectedEmissionsKg, expected(baselineKg));
  check.close('scenarios worstEmissionsKg', report.worstEmissionsKg, Math.max(...planKg));
  check.close('scenarios baselineWorstEmissionsKg', report.baselineWorstEmissionsKg, Math.max(...baselineKg));
  check.close('scenarios cvarEmissionsKg', report.cvarEmissionsKg, tailMean(planKg, probabilities, report.cvarLevel));
  check.close('scenarios baselineCvarEmissionsKg', report.baselineCvarEmissionsKg, tailMean(baselineKg, probabilities, report.cvarLevel));
  return { planTotals, baselineTotals };
}

/** Mean of the worst (1 − level) of the probability, by brute force over the sorted values. */
function tailMean(values: number[], probabilities: number[], level: number): number {
  const pairs = values.map((value, k) => ({ value, p: probabilities[k] })).sort((a, b) => b.value - a.value);
  let left = 1 - level;
  let sum = 0;
  for (const { value, p } of pairs) {
    const take = Math.max(0, Math.min(p, left));
    sum += take * value;
    left -= take;
  }
  return sum / (1 - level);
}

/** What checkSchedule re-derived from a schedule's runs, summed over its jobs. */
interface DerivedTotals {
  doneGpuHours: number;
  preemptions: number;
  migrations: number;
  checkpointGpuHours: number;
}

/**
 * Checks one schedule (see checkPlanResult). `name` labels its messages (default: `label`).
 * `plan` and `judged` follow the plan's rules; for `judged`, breaking a feasibility rule is
 * recorded in `breaches` instead of failing.
 */
function checkSchedule(problem: Problem, schedule: Schedule, label: 'plan' | 'baseline' | 'judged', check: Checker, breaches?: Map<string, Breach>, name: string = label): DerivedTotals {
  const derived: DerivedTotals = { doneGpuHours: 0, preemptions: 0, migrations: 0, checkpointGpuHours: 0 };
  const H = problem.hours;
  const feasible = (ok: boolean, kind: ScheduleViolationKind, where: { job?: number; site?: number; hour?: number }, figures: Breach, message: () => string): void => {
    if (label !== 'judged' || !breaches) return check.that(ok, message);
    check.count++;
    if (!ok) breaches.set(breachKey(kind, where.job, where.site, where.hour), figures);
  };
  const planRules = label !== 'baseline';
  const gpusAt = problem.sites.map(() => new Float64Array(H));
  const loadMw = problem.sites.map(() => new Float64Array(H));
  check.that(schedule.jobs.length === problem.jobs.length, () => `${name}: ${schedule.jobs.length} job outcomes for ${problem.jobs.length} jobs`);

  for (const outcome of schedule.jobs) {
    const job = problem.jobs[outcome.job];
    const where = `${name} job ${job.id}`;
    const perHour = new Float64Array(H);
    // GPU-hours per site in each hour of this job, for the executable rules.
    const cellsByHour = new Map<number, Map<number, number>>();
    // A plan follows the executable rules; a judged plan pays its checkpoints and may end its last
    // hour early with whole GPUs, but breaking the rules is not the checker's to list for it.
    const wholeGpus = planRules && job.interruptible && problem.options.integerGpus === true;
    const checkpointGpuHours = planRules && job.interruptible ? ((job.checkpointMinutes ?? 0) / 60) * job.maxGpus : 0;
    const oneSitePerHour = label === 'plan' && job.interruptible && (wholeGpus || checkpointGpuHours > 0) && job.splitSites !== true;
    const jobLastHour = outcome.runs.reduce((end, r) => Math.max(end, r.startHour + r.hours - 1), -1);
    let used = 0;
    for (const run of outcome.runs) {
      const runWhere = `${where} run at site #${run.site} from hour ${run.startHour} for ${run.hours} h`;
      const inHorizon = Number.isInteger(run.startHour) && Number.isInteger(run.hours) && run.hours >= 1 && run.startHour >= 0 && run.startHour + run.hours <= H;
      check.that(inHorizon, () => `${runWhere}: outside the horizon of ${H} h`);
      check.that(Number.isFinite(run.gpus) && run.gpus > 0 && run.gpus <= job.maxGpus + absoluteTolerance, () => `${runWhere}: ${run.gpus} GPUs; allowed (0, ${job.maxGpus}]`);
      if (planRules) {
        const at = { job: outcome.job, site: run.site, hour: run.startHour };
        feasible(job.allowedSites.includes(run.site), 'site_not_allowed', at, { value: run.gpus * run.hours, limit: 0 }, () => `${runWhere}: site not allowed`);
        let hoursOutside = 0;
        for (let t = run.startHour; t < run.startHour + run.hours; t++) if (t < job.windowStart || t >= job.windowEnd) hoursOutside++;
        feasible(hoursOutside === 0, 'outside_window', at, { value: hoursOutside, limit: 0 }, () => `${runWhere}: outside window [${job.windowStart}, ${job.windowEnd})`);
        if (job.interruptible && job.minGpus > 0) {
          // With whole GPUs the last hour may end mid-hour: it holds minGpus or more whole GPUs for
          // part of the hour, so its GPU-hours may be fewer.
          const partialLastHour = wholeGpus && run.startHour + run.hours - 1 === jobLastHour && run.hours === 1;
          feasible(partialLastHour || run.gpus >= job.minGpus - absoluteTolerance, 'below_min_gpus', at, { value: run.gpus, limit: job.minGpus }, () => `${runWhere}: ${run.gpus} GPUs below minGpus ${job.minGpus}`);
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
    const changes = checkExecutable(cellsByHour, { wholeGpus: wholeGpus && label === 'plan', oneSitePerHour }, where, check);
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
      if (perHour[t] > job.maxGpus + absoluteTolerance) {
        feasible(false, 'job_max_gpus', { job: outcome.job, hour: t }, { value: perHour[t], limit: job.maxGpus }, () => `${where}: ${perHour[t]} GPUs in hour ${t} exceed maxGpus ${job.maxGpus}`);
      }
    }
    check.count++;

    const lastHour = outcome.runs.reduce((end, r) => Math.max(end, r.startHour + r.hours), -1);
    check.that(lastHour < 0 ? outcome.finishHour === undefined : outcome.finishHour === lastHour, () => `${where}: finishHour ${outcome.finishHour}, runs end at ${lastHour < 0 ? 'no hour' : lastHour}`);
    if (planRules) {
      check.that(outcome.lateHours === 0, () => `${where}: a plan job is ${outcome.lateHours} h late`);
    } else if (outcome.runs.length > 0) {
      // The baseline's block ends ceil(gpuHours / maxGpus) hours after its first hour.
      const blockEnd = outcome.runs[0].startHour + Math.ceil(job.gpuHours / job.maxGpus - 1e-9);
      check.close(`${where} lateHours`, outcome.lateHours, Math.max(0, blockEnd - job.deadlineHour));
    }
    if (label === 'judged' && !job.interruptible) {
      const blockFault = oneBlockFault(job.maxGpus, outcome);
      feasible(blockFault === '', 'not_one_block', { job: outcome.job }, { value: 0, limit: 0 }, () => `${where}: ${blockFault}`);
    } else if (!job.interruptible || label === 'baseline') {
      checkBlock(job.maxGpus, outcome, where, check);
    }
    check.close(`${where} done GPU-hours`, outcome.doneGpuHours, done);
    check.close(`${where} runs' GPU-hours`, used, outcome.doneGpuHours + (outcome.checkpointGpuHours ?? 0));
    feasible(done <= job.gpuHours * (1 + relativeTolerance) + absoluteTolerance, 'excess_work', { job: outcome.job }, { value: done, limit: job.gpuHours }, () => `${where}: did ${done} GPU-hours of ${job.gpuHours}`);
    if (label === 'judged') check.close(`${where} unmet`, outcome.unmetGpuHours, Math.max(0, job.gpuHours - done));
    else check.close(`${where} done + unmet`, outcome.doneGpuHours + outcome.unmetGpuHours, job.gpuHours);
    if (planRules) {
      check.that(outcome.unmetGpuHours <= absoluteTolerance * Math.max(1, job.gpuHours) || outcome.reason.length > 0, () => `${where}: ${outcome.unmetGpuHours} GPU-hours unmet without a reason`);
    }
  }

  const transferMw = checkTransfers(problem, schedule.jobs, name, check);

  const siteTotals = { energy: 0, green: 0, grid: 0, curtailed: 0, jobIt: 0, emissions: 0, cost: 0, charged: 0, discharged: 0, losses: 0, marginal: 0, cfe: 0, supply: 0 };
  const signal = problem.sites.some((site) => site.marginalIntensityGPerKwh !== undefined);
  problem.sites.forEach((site, s) => {
    const accounts = schedule.sites[s];
    const battery = checkStorageShape(problem, s, accounts, `${name} site ${site.id}`, check);
    const marginalIntensity = site.marginalIntensityGPerKwh;
    check.that(
      (marginalIntensity === undefined) === (accounts.marginalEmissionsKg === undefined),
      () => `${name} site ${site.id}: marginal emissions ${accounts.marginalEmissionsKg === undefined ? 'missing although the site has' : 'reported although the site has no'} marginal signal`,
    );
    let energy = 0, green = 0, grid = 0, curtailed = 0, jobIt = 0, emissions = 0, cost = 0, marginal = 0, cfe = 0;
    let socMwh = battery?.initialMwh ?? 0;
    // Energy in the battery that came from green supply (the initial state counts as green only
    // for a battery that cannot charge from the grid).
    let greenStoredMwh = battery && !battery.chargeFromGrid ? battery.initialMwh : 0;
    let charged = 0, discharged = 0;
    for (let t = 0; t < H; t++) {
      const at = `${name} site ${site.id} hour ${t}`;
      const siteHour = { site: s, hour: t };
      feasible(gpusAt[s][t] <= site.gpuCapacity + absoluteTolerance, 'site_capacity', siteHour, { value: gpusAt[s][t], limit: site.gpuCapacity }, () => `${at}: ${gpusAt[s][t]} GPUs exceed capacity ${site.gpuCapacity}`);
      const facility = site.pue * (loadMw[s][t] + site.baseLoadMw[t]) + transferMw[s][t];
      const charge = battery ? accounts.chargeMw[t] : 0;
      const discharge = battery ? accounts.dischargeMw[t] : 0;
      const storedBeforeMwh = socMwh;
      if (battery) {
        const power = battery.powerMw + absoluteTolerance;
        check.that(charge >= -absoluteTolerance && charge <= power, () => `${at}: charge ${charge} MW outside [0, ${battery.powerMw}] MW`);
        check.that(discharge >= -absoluteTolerance && discharge <= power, () => `${at}: discharge ${discharge} MW outside [0, ${battery.powerMw}] MW`);
        socMwh += Math.sqrt(battery.roundTrip) * charge - discharge / Math.sqrt(battery.roundTrip);
        const socSlack = absoluteTolerance * Math.max(1, battery.energyMwh);
        check.that(socMwh >= -socSlack && socMwh <= battery.energyMwh + socSlack, () => `${at}: state of charge ${socMwh} MWh outside [0, ${battery.energyMwh}] MWh`);
        check.close(`${at} stateOfChargeMwh`, accounts.stateOfChargeMwh[t], socMwh);
        if (battery.chargeFromGrid) {
          check.that(discharge <= facility + charge + absoluteTolerance, () => `${at}: discharge ${discharge} MW exceeds the load ${facility} MW plus charge (no export)`);
        } else {
          // The grid serves only the load: grid + discharge <= load, and the charge comes from the green supply.
          check.that(discharge <= facility + absoluteTolerance, () => `${at}: discharge ${discharge} MW exceeds the load ${facility} MW (no export)`);
          check.that(charge <= site.greenSupplyMw[t] + absoluteTolerance, () => `${at}: charge ${charge} MW exceeds the green supply ${site.greenSupplyMw[t]} MW (charging from the grid is not allowed)`);
        }
        charged += charge;
        discharged += discharge;
      }
      const drawn = Math.max(0, facility + charge - discharge);
      const greenUsed = Math.min(drawn, site.greenSupplyMw[t]);
      const gridMw = drawn - greenUsed;
      feasible(gridMw <= site.gridImportLimitMw + 1e-6, 'grid_import_limit', siteHour, { value: gridMw, limit: site.gridImportLimitMw }, () => `${at}: grid ${gridMw} MW exceeds the import limit ${site.gridImportLimitMw} MW`);
      check.close(`${at} jobLoadMw`, accounts.jobLoadMw[t], loadMw[s][t]);
      check.close(`${at} facilityMw`, accounts.facilityMw[t], facility);
      check.close(`${at} greenUsedMw`, accounts.greenUsedMw[t], greenUsed);
      check.close(`${at} gridMw`, accounts.gridMw[t], gridMw);
      check.close(`${at} curtailedMw`, accounts.curtailedMw[t], site.greenSupplyMw[t] - greenUsed);
      check.close(`${at} emissionsKg`, accounts.emissionsKg[t], gridMw * site.carbonIntensityGPerKwh[t]);
      check.close(`${at} cost`, accounts.cost[t], gridMw * site.pricePerMwh[t]);
      // Carbon-free energy serving the load: the discharge serves the load first, then green
      // supply; green supply left over charges before the grid; a discharge carries the green
      // share of what is stored.
      const fromBattery = Math.min(discharge, facility);
      const greenForLoad = Math.min(site.greenSupplyMw[t], facility - fromBattery);
      const greenShareStored = storedBeforeMwh > 0 ? Math.min(1, greenStoredMwh / storedBeforeMwh) : 0;
      const cfeServed = greenForLoad + fromBattery * greenShareStored;
      if (battery) {
        const greenCharged = Math.min(charge, site.greenSupplyMw[t] - greenForLoad);
        greenStoredMwh = Math.max(0, greenStoredMwh + Math.sqrt(battery.roundTrip) * greenCharged - (discharge / Math.sqrt(battery.roundTrip)) * greenShareStored);
      }
      check.close(`${at} cfeServedMw`, accounts.cfeServedMw?.[t] ?? NaN, cfeServed);
      if (marginalIntensity !== undefined && accounts.marginalEmissionsKg !== undefined) {
        check.close(`${at} marginalEmissionsKg`, accounts.marginalEmissionsKg[t], gridMw * marginalIntensity[t]);
        marginal += gridMw * marginalIntensity[t];
      }
      cfe += cfeServed;
      siteTotals.supply += site.greenSupplyMw[t];
      energy += facility;
      green += greenUsed;
      grid += gridMw;
      curtailed += site.greenSupplyMw[t] - greenUsed;
      jobIt += loadMw[s][t];
      emissions += gridMw * site.carbonIntensityGPerKwh[t];
      cost += gridMw * site.pricePerMwh[t];
    }
    if (battery) {
      const socSlack = absoluteTolerance * Math.max(1, battery.energyMwh);
      check.that(socMwh >= battery.finalMinMwh - socSlack, () => `${name} site ${site.id}: final state of charge ${socMwh} MWh below the minimum ${battery.finalMinMwh} MWh`);
      siteTotals.charged += charged;
      siteTotals.discharged += discharged;
      siteTotals.losses += charged - discharged - (socMwh - battery.initialMwh);
    }
    siteTotals.energy += energy;
    siteTotals.green += green;
    siteTotals.grid += grid;
    siteTotals.curtailed += curtailed;
    siteTotals.jobIt += jobIt;
    siteTotals.emissions += emissions;
    siteTotals.cost += cost;
    siteTotals.marginal += marginal;
    siteTotals.cfe += cfe;
    check.close(`${name} site ${site.id} cfeScore`, accounts.cfeScore, energy > 0 ? cfe / energy : 0);
    check.that(accounts.cfeScore >= 0 && accounts.cfeScore <= 1 + relativeTolerance, () => `${name} site ${site.id} cfeScore ${accounts.cfeScore} outside [0, 1]`);
  });
  check.close(`${name} storageChargedMwh`, schedule.totals.storageChargedMwh, siteTotals.charged);
  check.close(`${name} storageDischargedMwh`, schedule.totals.storageDischargedMwh, siteTotals.discharged);
  check.close(`${name} storageLossesMwh`, schedule.totals.storageLossesMwh, siteTotals.losses);
  check.close(`${name} energyMwh`, schedule.totals.energyMwh, siteTotals.energy);
  check.close(`${name} greenMwh`, schedule.totals.greenMwh, siteTotals.green);
  check.close(`${name} gridMwh`, schedule.totals.gridMwh, siteTotals.grid);
  check.close(`${name} curtailedMwh`, schedule.totals.curtailedMwh, siteTotals.curtailed);
  check.close(`${name} jobItEnergyMwh`, schedule.totals.jobItEnergyMwh, siteTotals.jobIt);
  check.close(`${name} emissionsKg`, schedule.totals.emissionsKg, siteTotals.emissions);
  check.close(`${name} cost`, schedule.totals.cost, siteTotals.cost);
  check.that(signal === (schedule.totals.marginalEmissionsKg !== undefined), () => `${name} marginalEmissionsKg: ${schedule.totals.marginalEmissionsKg} with${signal ? '' : 'out'} a marginal signal`);
  if (signal && schedule.totals.marginalEmissionsKg !== undefined) check.close(`${name} marginalEmissionsKg`, schedule.totals.marginalEmissionsKg, siteTotals.marginal);
  check.close(`${name} cfeScore`, schedule.totals.cfeScore, siteTotals.energy > 0 ? siteTotals.cfe / siteTotals.energy : 0);
  check.that(schedule.totals.cfeScore >= 0 && schedule.totals.cfeScore <= 1 + relativeTolerance, () => `${name} cfeScore ${schedule.totals.cfeScore} outside [0, 1]`);
  check.close(`${name} annualMatchingScore`, schedule.totals.annualMatchingScore, siteTotals.energy > 0 ? Math.min(1, siteTotals.supply / siteTotals.energy) : 0);
  return derived;
}

/**
 * The links and job data rules above, for one schedule. Returns the transfers' load per site and
 * hour (MW = GB × kWh/GB / 1000 at the sending site).
 */
function checkTransfers(problem: Problem, jobs: readonly JobOutcome[], name: string, check: Checker): number[][] {
  const H = problem.hours;
  const links = problem.links ?? [];
  const loadMw = problem.sites.map(() => new Array<number>(H).fill(0));
  const linkGb = links.map(() => new Array<number>(H).fill(0));
  for (const outcome of jobs) {
    const job = problem.jobs[outcome.job];
    const where = `${name} job ${job.id}`;
    const data = job.data && job.data.datasetGb > 0 ? job.data : undefined;
    const transfers = outcome.transfers ?? [];
    check.that(data !== undefined || transfers.length === 0, () => `${where}: ${transfers.length} transfers for a job without data`);
    // GB of this job arrived at each site, by hour sent.
    const sentTo = problem.sites.map(() => new Array<number>(H).fill(0));
    for (const transfer of transfers) {
      const link = links[transfer.link];
      const at = `${where} transfer on link #${transfer.link} from hour ${transfer.startHour} for ${transfer.hours} h`;
      const inHorizon = Number.isInteger(transfer.startHour) && Number.isInteger(transfer.hours) && transfer.hours >= 1 && transfer.startHour >= 0 && transfer.startHour + transfer.hours <= H;
      check.that(link !== undefined, () => `${at}: no such link`);
      check.that(inHorizon, () => `${at}: outside the horizon of ${H} h`);
      check.that(Number.isFinite(transfer.gbPerHour) && transfer.gbPerHour > 0, () => `${at}: ${transfer.gbPerHour} GB per hour`);
      if (!link || !inHorizon || !data) continue;
      check.that(link.fromSite === data.dataSite, () => `${at}: the link leaves site #${link.fromSite}, not the data site #${data.dataSite}`);
      for (let t = transfer.startHour; t < transfer.startHour + transfer.hours; t++) {
        linkGb[transfer.link][t] += transfer.gbPerHour;
        sentTo[link.toSite][t] += transfer.gbPerHour;
        loadMw[link.fromSite][t] += (transfer.gbPerHour * link.energyKwhPerGb) / 1000;
      }
    }
    if (!data) continue;
    const slackGb = relativeTolerance * data.datasetGb + absoluteTolerance;
    problem.sites.forEach((site, s) => {
      const total = sentTo[s].reduce((a, b) => a + b, 0);
      check.that(total <= data.datasetGb + slackGb, () => `${where}: ${total} GB sent to ${site.id}, more than the dataset's ${data.datasetGb} GB`);
      if (s === data.dataSite) return;
      const firstHour = outcome.runs.filter((r) => r.site === s).reduce((first, r) => Math.min(first, r.startHour), Infinity);
      if (firstHour === Infinity) return;
      const linked = links.some((link) => link.fromSite === data.dataSite && link.toSite === s);
      check.that(linked, () => `${where}: runs at ${site.id}, which no link reaches from its data site ${problem.sites[data.dataSite].id}`);
      const arrived = sentTo[s].slice(0, Math.max(0, firstHour)).reduce((a, b) => a + b, 0);
      check.that(arrived >= data.datasetGb - slackGb, () => `${where}: runs at ${site.id} from hour ${firstHour} with ${arrived} GB of its ${data.datasetGb} GB there`);
    });
  }
  links.forEach((link, l) => {
    for (let t = 0; t < H; t++) {
      const cap = link.capacityGbPerHour;
      if (linkGb[l][t] > cap * (1 + relativeTolerance) + absoluteTolerance) {
        check.that(false, () => `${name} link ${problem.sites[link.fromSite].id} -> ${problem.sites[link.toSite].id} hour ${t}: ${linkGb[l][t]} GB exceed the capacity ${cap} GB`);
      }
    }
    check.count++;
  });
  return loadMw;
}

/** What the checker takes from a site's storage: the request's own figures, not the model's. */
interface CheckedStorage {
  energyMwh: number;
  powerMw: number;
  roundTrip: number;
  initialMwh: number;
  finalMinMwh: number;
  chargeFromGrid: boolean;
}

/**
 * The site's storage as the checker reads it (round trip = the product of the two efficiencies,
 * split evenly), after checking that the storage arrays have one value per hour at a site with
 * storage and none elsewhere. Undefined for a site without storage.
 */
function checkStorageShape(problem: Problem, s: number, accounts: Schedule['sites'][number], where: string, check: Checker): CheckedStorage | undefined {
  const storage = problem.sites[s].storage;
  const expected = storage ? problem.hours : 0;
  for (const key of ['chargeMw', 'dischargeMw', 'stateOfChargeMwh'] as const) {
    check.that(accounts[key].length === expected, () => `${where}: ${accounts[key].length} ${key} values, expected ${expected}`);
  }
  if (!storage || accounts.chargeMw.length !== expected || accounts.dischargeMw.length !== expected || accounts.stateOfChargeMwh.length !== expected) return undefined;
  return {
    energyMwh: storage.energyMwh,
    powerMw: storage.powerMw,
    roundTrip: storage.chargeEfficiency * storage.dischargeEfficiency,
    initialMwh: storage.initialMwh,
    finalMinMwh: storage.finalMinMwh,
    chargeFromGrid: storage.chargeFromGrid,
  };
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

/** Why `outcome`'s runs are not one block at one site at maxGpus (the last hour possibly partial); '' when they are. */
function oneBlockFault(maxGpus: number, outcome: JobOutcome): string {
  const runs = outcome.runs;
  if (runs.length === 0) return '';
  if (!runs.every((r) => r.site === runs[0].site)) return 'a block split across sites';
  for (let i = 1; i < runs.length; i++) {
    if (runs[i].startHour !== runs[i - 1].startHour + runs[i - 1].hours) return `a gap or overlap between hours ${runs[i - 1].startHour + runs[i - 1].hours} and ${runs[i].startHour}`;
  }
  const hours = runs.flatMap((r) => new Array<number>(r.hours).fill(r.gpus));
  return hours.slice(0, -1).every((g) => Math.abs(g - maxGpus) <= absoluteTolerance) ? '' : `the block does not run at maxGpus ${maxGpus} before its last hour`;
}

function checkSummary(
  problem: Problem,
  result: Pick<PlanResult, 'plan' | 'baseline' | 'summary'>,
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
  check.close('summary storageChargedMwh', s.storageChargedMwh, planTotals?.storageChargedMwh ?? 0);
  check.close('summary storageDischargedMwh', s.storageDischargedMwh, planTotals?.storageDischargedMwh ?? 0);
  check.close('summary storageLossesMwh', s.storageLossesMwh, planTotals?.storageLossesMwh ?? 0);
  const energy = planTotals?.energyMwh ?? 0;
  check.close('summary greenShare', s.greenShare, energy > 0 ? (planTotals?.cfeScore ?? 0) : 0);
  check.close('summary cfeScore', s.cfeScore, planTotals?.cfeScore ?? 0);
  check.close('summary annualMatchingScore', s.annualMatchingScore, planTotals?.annualMatchingScore ?? 0);
  check.close('summary baselineCfeScore', s.baselineCfeScore, baseline.cfeScore);
  check.close('summary baselineAnnualMatchingScore', s.baselineAnnualMatchingScore, baseline.annualMatchingScore);
  const signal = problem.sites.some((site) => site.marginalIntensityGPerKwh !== undefined);
  const marginalFields = [s.marginalEmissionsKg, s.baselineMarginalEmissionsKg, s.marginalCarbonSavedKg];
  check.that(
    marginalFields.every((value) => (value !== undefined) === signal),
    () => `summary marginal figures ${marginalFields.join(', ')} ${signal ? 'missing with' : 'reported without'} a marginal signal`,
  );
  if (signal && marginalFields.every((value) => value !== undefined)) {
    const planMarginal = planTotals?.marginalEmissionsKg ?? 0;
    check.close('summary marginalEmissionsKg', s.marginalEmissionsKg as number, planMarginal);
    check.close('summary baselineMarginalEmissionsKg', s.baselineMarginalEmissionsKg as number, baseline.marginalEmissionsKg ?? NaN);
    check.close('summary marginalCarbonSavedKg', s.marginalCarbonSavedKg as number, result.plan ? (baseline.marginalEmissionsKg ?? NaN) - planMarginal : 0);
  }
  const planUnmet = result.plan ? result.plan.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0) : problem.jobs.reduce((sum, j) => sum + j.gpuHours, 0);
  check.close('summary unmetGpuHours', s.unmetGpuHours, planUnmet);
  check.close('summary baselineUnmetGpuHours', s.baselineUnmetGpuHours, result.baseline.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0));
  const missed = result.baseline.jobs.filter((j) => j.lateHours > 0 || j.unmetGpuHours > absoluteTolerance).length;
  check.that(s.baselineMissedDeadlines === missed, () => `summary baselineMissedDeadlines: reported ${s.baselineMissedDeadlines}, recomputed ${missed}`);
}

/** Complementary slackness of the reported values against the schedule itself (see checkPlanResult). */
function checkExplanation(problem: Problem, result: Omit<PlanResult, 'check'>, check: Checker): void {
  const explanation = result.explanation!;
  check.that(result.plan !== undefined, () => 'explanation: values reported without a schedule');
  if (!result.plan) return;
  const H = problem.hours;
  const gpusAt = problem.sites.map(() => new Float64Array(H));
  for (const outcome of result.plan.jobs) {
    for (const run of outcome.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours && t < H; t++) gpusAt[run.site][t] += run.gpus;
    }
  }
  for (const value of explanation.bindingHours) {
    const site = problem.sites[value.site];
    const at = `explanation site #${value.site} hour ${value.hour}`;
    const inRange = site !== undefined && Number.isInteger(value.hour) && value.hour >= 0 && value.hour < H;
    check.that(inRange, () => `${at}: no such site-hour`);
    if (!inRange) continue;
    check.that(Number.isFinite(value.gpuHourValue) && value.gpuHourValue >= 0, () => `${at}: GPU-hour value ${value.gpuHourValue}; expected finite and >= 0`);
    check.that(Number.isFinite(value.greenMwhValue) && value.greenMwhValue >= 0, () => `${at}: green MWh value ${value.greenMwhValue}; expected finite and >= 0`);
    check.that(value.gpuHourValue > 0 || value.greenMwhValue > 0, () => `${at}: listed as binding with no value`);
    if (value.gpuHourValue > 0) {
      check.that(gpusAt[value.site][value.hour] >= site.gpuCapacity - absoluteTolerance, () => `${at}: GPU capacity has value ${value.gpuHourValue} but only ${gpusAt[value.site][value.hour]} of ${site.gpuCapacity} GPUs are used`);
    }
    if (value.greenMwhValue > 0) {
      // The plan's curtailment there (batteries and transfers included), itself re-derived by checkSchedule.
      const curtailedMw = result.plan?.sites[value.site]?.curtailedMw[value.hour] ?? NaN;
      check.that(curtailedMw <= absoluteTolerance, () => `${at}: green supply has value ${value.greenMwhValue} but ${curtailedMw} MW of it is curtailed`);
    }
  }
  check.that(explanation.jobs.length === problem.jobs.length, () => `explanation: ${explanation.jobs.length} job values for ${problem.jobs.length} jobs`);
  for (const value of explanation.jobs) {
    const job = problem.jobs[value.job];
    const at = `explanation job #${value.job}`;
    check.that(job !== undefined, () => `${at}: no such job`);
    if (!job) continue;
    check.that(Number.isFinite(value.deadlineValue) && value.deadlineValue >= 0, () => `${at}: deadline value ${value.deadlineValue}; expected finite and >= 0`);
    check.that(value.site === -1 || job.allowedSites.includes(value.site), () => `${at}: site #${value.site} is not allowed`);
    if (job.windowEnd >= H) check.that(value.deadlineValue === 0, () => `${at}: deadline value ${value.deadlineValue} for a window that ends at the horizon end`);
  }
}
