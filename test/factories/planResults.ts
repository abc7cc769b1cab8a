import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanResult, Schedule } from '../../solver/plan/PlanResult.js';
import { twoSitesOneGreen } from './problems.js';

/** A one-job schedule: `gpus` GPUs at `site` for `hours` hours from `startHour`. */
function schedule(problem: Problem, site: number, startHour: number, hours: number, gpus: number, emissionsKg: number): Schedule {
  const zeros = () => new Array<number>(problem.hours).fill(0);
  const done = gpus * hours;
  return {
    jobs: [{ job: 0, runs: [{ site, startHour, hours, gpus }], doneGpuHours: done, unmetGpuHours: 0, finishHour: startHour + hours, lateHours: 0, reason: '' }],
    sites: problem.sites.map((_, s) => ({
      jobLoadMw: zeros().map((_, t) => (s === site && t >= startHour && t < startHour + hours ? gpus / 1000 : 0)),
      facilityMw: zeros(),
      greenUsedMw: zeros(),
      gridMw: zeros(),
      curtailedMw: zeros(),
      emissionsKg: zeros().map((_, t) => (s === site && t === startHour ? emissionsKg : 0)),
      cost: zeros(),
      chargeMw: [],
      dischargeMw: [],
      stateOfChargeMwh: [],
      cfeServedMw: zeros(),
      cfeScore: 0,
    })),
    totals: { energyMwh: 1, greenMwh: 0.5, gridMwh: 0.5, curtailedMwh: 0, jobItEnergyMwh: 1, emissionsKg, cost: 7, storageChargedMwh: 0, storageDischargedMwh: 0, storageLossesMwh: 0, cfeScore: 0.5, annualMatchingScore: 1 },
  };
}

/** twoSitesOneGreen planned by hand: 4 GPUs at `green` in hours 1-2; the baseline at `grey` from hour 0. */
export function jobMovedToGreenSiteAtHourOne(): { problem: Problem; result: PlanResult } {
  const problem = twoSitesOneGreen();
  problem.jobs[0] = { ...problem.jobs[0], gpuHours: 8, maxGpus: 4 };
  const plan = schedule(problem, 1, 1, 2, 4, 0);
  const baseline = schedule(problem, 0, 0, 2, 4, 4.8);
  const result: PlanResult = {
    status: 'ok',
    termination: 'optimal',
    plan,
    baseline,
    summary: {
      ...plan.totals,
      baselineEmissionsKg: 4.8,
      carbonSavedKg: 4.8,
      carbonSavedPercent: 100,
      greenShare: 0.5,
      baselineCost: 9,
      unmetGpuHours: 0,
      doneGpuHours: 8,
      baselineUnmetGpuHours: 0,
      baselineDoneGpuHours: 8,
      baselineMissedDeadlines: 0,
      sameWork: true,
      baselineCfeScore: 0.5,
      baselineAnnualMatchingScore: 1,
    },
    solve: { solver: 'highs 1.15.3', solverStatus: 'Optimal', solveMs: 12.5, buildMs: 0.5, variables: 9, constraints: 7, integerVariables: 0, objective: 0, mipGap: 0, stages: 1 },
    check: { passed: true, checks: 42, violations: [] },
    warnings: ['a warning'],
  };
  return { problem, result };
}
