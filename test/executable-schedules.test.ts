import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlanResult } from '../solver/check/checkPlanResult.js';
import { buildModel } from '../solver/model/buildModel.js';
import { modelSize } from '../solver/model/LinearModel.js';
import { naiveModelSize } from '../solver/model/naiveModelSize.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import type { PlanResult, Run } from '../solver/plan/PlanResult.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { JobData, Problem } from '../solver/problem/Problem.js';
import { applyCommandLineOptions } from '../src/cli/applyCommandLineOptions.js';
import { parseCommandLine } from '../src/cli/parseCommandLine.js';
import { planRequestFromJson } from '../src/data/loadPlanRequest.js';
import { parseScenarioText } from '../src/data/parseScenarioText.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job as requestJob, oneSiteFourHours, oneSiteFourHoursYaml } from './factories/planRequests.js';
import { job, problem, site } from './factories/problems.js';

/** The same problem in executable mode (options.integerGpus). */
function executable(p: Problem): Problem {
  return { ...p, options: { ...p.options, integerGpus: true } };
}

/** One clean site with 4 GPUs and one dirty site; an 8-GPU-hour job that may use either, in one hour. */
function cleanSiteTooSmall(jobExtra: Partial<JobData> = {}): Problem {
  const sites = [site('clean', [0], [100], { gpuCapacity: 4 }), site('dirty', [0], [300])];
  return problem(1, sites, [job('j1', 1, { allowedSites: [0, 1], homeSite: 1, ...jobExtra })]);
}

/** The hours in which `runs` do work, ascending, each once. */
function runningHours(runs: Run[]): number[] {
  return [...new Set(runs.flatMap((r) => Array.from({ length: r.hours }, (_, k) => r.startHour + k)))].sort((a, b) => a - b);
}

describe('executable schedules on hand-solved cases', () => {
  it('runs a job at one site per hour unless it may split', async () => {
    // The LP splits 4 + 4 GPUs across the sites (1.6 kg); one site per hour leaves only the dirty
    // site with room for 8 GPUs: 0.008 MWh × 300 g/kWh = 2.4 kg.
    const lp = await planProblem(cleanSiteTooSmall());
    expect(lp.plan!.jobs[0].runs.map((r) => [r.site, r.gpus])).toEqual([[0, 4], [1, 4]]);
    const oneSite = await planProblem(executable(cleanSiteTooSmall()));
    expect(oneSite.plan!.jobs[0].runs).toEqual([{ site: 1, startHour: 0, hours: 1, gpus: 8 }]);
    expect(oneSite.summary.emissionsKg).toBeCloseTo(2.4, 9);
    const split = await planProblem(executable(cleanSiteTooSmall({ splitSites: true })));
    expect(split.plan!.jobs[0].runs.map((r) => [r.site, r.gpus])).toEqual([[0, 4], [1, 4]]);
    expect(split.summary.emissionsKg).toBeCloseTo(1.6, 9);
    expect(split.summary.migrations).toBe(0);
  });

  it('runs whole GPUs where the LP runs 2.5', async () => {
    // 2.5 kW of green supply in each of two hours, 500 g/kWh grid, a 5-GPU-hour job of 1-kW GPUs.
    const p = problem(2, [site('a', [0.0025, 0.0025], [500, 500])], [job('j1', 2, { gpuHours: 5 })]);
    const lp = await planProblem(p);
    expect(lp.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 2, gpus: 2.5 }]);
    expect(lp.summary.emissionsKg).toBeCloseTo(0, 9);
    const whole = await planProblem(executable(p));
    expect(whole.plan!.jobs[0].runs.map((r) => r.gpus).sort()).toEqual([2, 3]);
    // One hour runs 3 GPUs on 2.5 kW of green supply: 0.0005 MWh from the grid, 0.25 kg.
    expect(whole.summary.emissionsKg).toBeCloseTo(0.25, 9);
    expect(whole.solve.integerVariables).toBe(2);
  });

  it('ends the last hour early when the work is not whole GPU-hours', async () => {
    const p = executable(problem(2, [site('a', [0, 0], [100, 200])], [job('j1', 2, { gpuHours: 12.5 })]));
    const result = await planProblem(p);
    // 8 whole GPUs in the cheap hour; 5 GPUs for half of the next (4.5 GPU-hours of work).
    expect(result.plan!.jobs[0].runs).toEqual([
      { site: 0, startHour: 0, hours: 1, gpus: 8 },
      { site: 0, startHour: 1, hours: 1, gpus: 4.5 },
    ]);
    expect(result.plan!.jobs[0].doneGpuHours).toBeCloseTo(12.5, 9);
    expect(result.summary.unmetGpuHours).toBeCloseTo(0, 9);
    expect(result.summary.emissionsKg).toBeCloseTo(0.008 * 100 + 0.0045 * 200, 9);
  });

  it('prefers one contiguous run to two cheaper ones when a restart costs a checkpoint', async () => {
    // 8 GPUs or none (minGpus 8); cheap hours 0 and 3. Free restarts: hours 0 and 3, 1.6 kg.
    const ci = [100, 300, 310, 100];
    const jobExtra = { gpuHours: 16, minGpus: 8 };
    const free = await planProblem(executable(problem(4, [site('a', [0, 0, 0, 0], ci)], [job('j1', 4, jobExtra)])));
    expect(runningHours(free.plan!.jobs[0].runs)).toEqual([0, 3]);
    expect(free.plan!.jobs[0].preemptions).toBe(1);
    expect(free.summary.emissionsKg).toBeCloseTo(1.6, 9);
    // A 60-minute checkpoint makes the restart cost 8 GPU-hours: hours 0 and 1 in one run (3.2 kg)
    // beat hours 0, 1 and 3 with a restart (4.0 kg).
    const costly = await planProblem(executable(problem(4, [site('a', [0, 0, 0, 0], ci)], [job('j1', 4, { ...jobExtra, checkpointMinutes: 60 })])));
    expect(costly.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 2, gpus: 8 }]);
    expect(costly.plan!.jobs[0].preemptions).toBe(0);
    expect(costly.plan!.jobs[0].checkpointGpuHours).toBe(0);
    expect(costly.summary.emissionsKg).toBeCloseTo(3.2, 9);
  });

  it('pays a restart in work and energy when it is still worth it', async () => {
    // Hour 1 is dirty. 15 GPU-hours on up to 10 GPUs: hours 0 and 2 at 10 GPUs (2.0 kg) beat
    // keeping the job running through hour 1 on one GPU (10 + 1 + 4: 2.3 kg).
    const p = executable(problem(3, [site('a', [0, 0, 0], [100, 900, 100])], [job('j1', 3, { gpuHours: 15, maxGpus: 10, checkpointMinutes: 30 })]));
    const result = await planProblem(p);
    const outcome = result.plan!.jobs[0];
    // The restart at hour 2 costs 0.5 h × 10 GPUs = 5 GPU-hours: 15 + 5 = 20 = 10 + 10.
    expect(outcome.runs).toEqual([
      { site: 0, startHour: 0, hours: 1, gpus: 10 },
      { site: 0, startHour: 2, hours: 1, gpus: 10 },
    ]);
    expect(outcome).toMatchObject({ preemptions: 1, migrations: 0, checkpointGpuHours: 5 });
    expect(outcome.doneGpuHours).toBeCloseTo(15, 9);
    // The checkpoint's GPU-hours are energy: 20 GPU-hours × 1 kW at 100 g/kWh.
    expect(result.summary.jobItEnergyMwh).toBeCloseTo(0.02, 9);
    expect(result.summary.emissionsKg).toBeCloseTo(2, 9);
    expect(result.summary).toMatchObject({ preemptions: 1, migrations: 0, checkpointGpuHours: 5 });
  });

  it('counts a move to another site as a migration and charges its checkpoint', async () => {
    // Site a is clean in hour 0, site b in hour 1; the job needs 14 GPU-hours on up to 8 GPUs.
    const sites = [site('a', [0, 0], [100, 900]), site('b', [0, 0], [900, 100])];
    const p = executable(problem(2, sites, [job('j1', 2, { gpuHours: 14, maxGpus: 8, allowedSites: [0, 1], checkpointMinutes: 15 })]));
    const outcome = (await planProblem(p)).plan!.jobs[0];
    // The move costs 0.25 h × 8 GPUs = 2 GPU-hours: 8 at a, then 8 at b do 14 + 2.
    expect(outcome.runs).toEqual([
      { site: 0, startHour: 0, hours: 1, gpus: 8 },
      { site: 1, startHour: 1, hours: 1, gpus: 8 },
    ]);
    expect(outcome).toMatchObject({ preemptions: 0, migrations: 1, checkpointGpuHours: 2 });
  });
});

describe('executable schedules on random instances', () => {
  const instances = fc
    .tuple(
      arbitraryProblem({ withMinGpus: true, withLimits: true, tightCapacity: true }),
      fc.array(fc.record({ checkpointMinutes: fc.constantFrom(0, 10, 30, 60), splitSites: fc.boolean() }), { minLength: 5, maxLength: 5 }),
    )
    .map(([p, extras]) => ({ ...p, jobs: p.jobs.map((j, i) => ({ ...j, ...(j.interruptible ? extras[i] : {}) })) }));

  it('plans that pass the checker, never emit less than the LP, and count every pause', async () => {
    await fc.assert(
      fc.asyncProperty(instances, async (p) => {
        // The relaxation: no checkpoints and no minGpus. An executable plan's last hour may end
        // mid-hour (minGpus whole GPUs for part of it, fewer GPU-hours), which a fractional plan
        // with minGpus may not do, so minGpus goes too (seed -424627374 found such a plan).
        const lp = await planProblem({ ...p, jobs: p.jobs.map((j) => ({ ...j, checkpointMinutes: 0, minGpus: j.interruptible ? 0 : j.minGpus })) });
        const whole = await planProblem(executable(p)); // throws if the checker rejects it
        expect(whole.check.passed).toBe(true);
        expect(whole.termination).toBe('optimal');
        for (const outcome of whole.plan!.jobs) {
          const job = p.jobs[outcome.job];
          const hours = runningHours(outcome.runs);
          const gaps = hours.filter((t, i) => i > 0 && t !== hours[i - 1] + 1).length;
          expect(outcome.preemptions).toBe(gaps);
          if (!job.interruptible) continue;
          const lastHour = hours[hours.length - 1];
          for (const run of outcome.runs) {
            if (run.startHour + run.hours - 1 !== lastHour) expect(Number.isInteger(run.gpus)).toBe(true);
          }
          if (!job.splitSites) for (const t of hours) expect(outcome.runs.filter((r) => r.startHour <= t && t < r.startHour + r.hours)).toHaveLength(1);
        }
        // Whole GPUs, one site per hour and checkpoints only remove schedules from the relaxation:
        // with all work done in both, its optimum emits no more.
        fc.pre(lp.summary.unmetGpuHours <= 1e-6 && whole.summary.unmetGpuHours <= 1e-6);
        expect(whole.summary.emissionsKg).toBeGreaterThanOrEqual(lp.summary.emissionsKg - 1e-6 * Math.max(1, lp.summary.emissionsKg));
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it('the reduced model (R1..R7) has the optimum of the naive one, which naiveModelSize counts', async () => {
    await fc.assert(
      fc.asyncProperty(instances, async (p0) => {
        const p = executable(p0);
        const naive = buildModel(p, undefined, { reductions: false });
        const reduced = buildModel(p);
        expect(naiveModelSize(p)).toEqual(modelSize(naive.model));
        const options = { timeLimitSeconds: 10, mipGap: 1e-9 };
        const [a, b] = [await solveModel(naive.model, 'highs', options), await solveModel(reduced.model, 'highs', options)];
        expect(b.termination).toBe('optimal');
        expect(Math.abs(a.objective! - b.objective!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a.objective!)));
      }),
      { numRuns: 10 },
    );
  }, 120_000);
});

describe('the checker on executable schedules', () => {
  /** A plan of 6 whole GPUs for 2 hours at site 0 (two sites, one site per hour). */
  async function wholeGpuPlan(): Promise<{ p: Problem; result: PlanResult }> {
    const sites = [site('a', [0, 0], [100, 100]), site('b', [0, 0], [200, 200])];
    const p = executable(problem(2, sites, [job('j1', 2, { gpuHours: 12, maxGpus: 6, allowedSites: [0, 1] })]));
    const result = await planProblem(p);
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 2, gpus: 6 }]);
    return { p, result };
  }

  /** `result` with job 0's runs replaced (accounts left as they were: other checks may fail too). */
  function withRuns(result: PlanResult, runs: Run[]): PlanResult {
    const plan = result.plan!;
    return { ...result, plan: { ...plan, jobs: [{ ...plan.jobs[0], runs }] } };
  }

  it('rejects fractional GPUs before the last hour', async () => {
    const { p, result } = await wholeGpuPlan();
    const tampered = withRuns(result, [
      { site: 0, startHour: 0, hours: 1, gpus: 5.5 },
      { site: 0, startHour: 1, hours: 1, gpus: 6.5 },
    ]);
    const report = checkPlanResult(p, tampered);
    expect(report.passed).toBe(false);
    expect(report.violations.join('\n')).toContain('5.5 GPUs in hour 0; expected whole GPUs (integerGpus)');
    // The LP may run them.
    const lpReport = checkPlanResult({ ...p, options: { ...p.options, integerGpus: false } }, tampered);
    expect(lpReport.violations.join('\n')).not.toContain('whole GPUs');
  });

  it('rejects two sites in one hour unless the job may split', async () => {
    const { p, result } = await wholeGpuPlan();
    const tampered = withRuns(result, [
      { site: 0, startHour: 0, hours: 2, gpus: 3 },
      { site: 1, startHour: 0, hours: 2, gpus: 3 },
    ]);
    expect(checkPlanResult(p, tampered).violations.join('\n')).toContain('runs at 2 sites in hour 0; one site per hour');
    const splitting = { ...p, jobs: [{ ...p.jobs[0], splitSites: true }] };
    expect(checkPlanResult(splitting, tampered).violations.join('\n')).not.toContain('one site per hour');
  });

  it('rejects a miscounted preemption', async () => {
    const { p, result } = await wholeGpuPlan();
    const plan = result.plan!;
    const tampered = { ...result, plan: { ...plan, jobs: [{ ...plan.jobs[0], preemptions: 1 }] } };
    expect(checkPlanResult(p, tampered).violations).toContain('plan job j1 preemptions: reported 1, recomputed 0');
  });
});

describe('executable schedules at the edges', () => {
  it('reads integerGpus, checkpointMinutes and splitSites from a scenario file', () => {
    const yaml = oneSiteFourHoursYaml()
      .replace('    interruptible: true\n', '    interruptible: true\n    checkpoint_minutes: 10\n    split_sites: true\n')
      .concat('options:\n  integer_gpus: true\n');
    const p = validatePlanRequest(planRequestFromJson(parseScenarioText(yaml, 'x.yaml')));
    expect(p.options.integerGpus).toBe(true);
    expect(p.jobs[0]).toMatchObject({ checkpointMinutes: 10, splitSites: true });
    // Without them: the LP, as before.
    const plain = validatePlanRequest(planRequestFromJson(parseScenarioText(oneSiteFourHoursYaml(), 'x.yaml')));
    expect(plain.options.integerGpus).toBeUndefined();
    expect(plain.jobs[0].checkpointMinutes).toBeUndefined();
  });

  it('rejects a checkpoint on a non-interruptible job and one out of bounds, naming the field', () => {
    const req = oneSiteFourHours();
    req.jobs = [
      requestJob('j1', 'a', { interruptible: false, checkpointMinutes: 10 }),
      requestJob('j2', 'a', { checkpointMinutes: -1 }),
      requestJob('j3', 'a', { minGpus: 4, interruptible: false }),
    ];
    try {
      validatePlanRequest(req);
      expect.unreachable('validation should throw');
    } catch (error) {
      expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
      expect((error as CoschedError).violations).toEqual([
        { field: 'jobs[0].checkpointMinutes', description: 'got 10 on a non-interruptible job; expected it only on an interruptible job (a block runs once and never restarts)' },
        { field: 'jobs[1].checkpointMinutes', description: 'got -1; expected a number in [0, 1440] minutes' },
      ]);
    }
  });

  it('takes --integer-gpus on the command line and reports stops and moves', async () => {
    const command = parseCommandLine(['plan', 'x.yaml', '--integer-gpus']);
    expect(command).toMatchObject({ kind: 'plan', integerGpus: true });
    expect(() => parseCommandLine(['frontier', 'x.yaml', '--integer-gpus'])).toThrow(/integer-gpus/);
    const req = applyCommandLineOptions(oneSiteFourHours(), command as { integerGpus?: boolean });
    expect(req.options?.integerGpus).toBe(true);
    const p = validatePlanRequest(req);
    const result = await planProblem(p);
    const response = toPlanResponse(p, result);
    expect(response.jobs[0]).toMatchObject({ preemptions: 0, migrations: 0, checkpointGpuHours: 0 });
    expect(response.summary).toMatchObject({ preemptions: 0, migrations: 0 });
    const text = formatPlanText(p, result);
    expect(text).toContain('stops');
    expect(text).toMatch(/preemptions\s+stops\s+0\s+0/);
    // The LP's text is unchanged: no such columns.
    expect(formatPlanText(validatePlanRequest(oneSiteFourHours()), await planProblem(validatePlanRequest(oneSiteFourHours())))).not.toContain('stops');
  });
});
