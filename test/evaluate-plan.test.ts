/**
 * Judging a fixed plan on realised data (evaluatePlanRequest → evaluateSchedule): a hand-computed
 * case where the green supply falls short of the forecast, a changed window, and the input errors
 * (every bad field of the plan at once, with its path, the value and what is allowed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEvaluation } from '../solver/check/checkPlanResult.js';
import { evaluateSchedule } from '../solver/evaluate/evaluateSchedule.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { Problem } from '../solver/problem/Problem.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { evaluatePlanRequest } from '../src/evaluate/evaluatePlanRequest.js';
import { EvaluationViolationKind } from '../src/generated/cosched/v1/evaluate.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { greenFellShortInHourOne, greenInHoursOneAndTwo, hour, job, request, site, timestamp } from './factories/planRequests.js';

async function planOn(planRequest: PlanRequest): Promise<PlanResponse> {
  const problem = validatePlanRequest(planRequest);
  return toPlanResponse(problem, await planProblem(problem));
}

function invalidFields(call: () => unknown): Array<{ field: string; description: string }> {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(CoschedError);
    expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
    return (error as CoschedError).violations;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('a plan made on the forecast, judged on the actuals', () => {
  it('is accounted on the actuals: more grid where green fell short, the grid-limit breach listed, the baseline rerun on the actuals', async () => {
    const plan = await planOn(greenInHoursOneAndTwo());
    expect(plan.jobs[0].allocations).toEqual([{ siteId: 'a', start: hour(1), hours: 2, gpus: 10 }]);
    expect(plan.summary?.emissionsKg).toBeCloseTo(0, 9);
    expect(plan.summary?.baselineEmissionsKg).toBeCloseTo(200, 9);

    const { response } = evaluatePlanRequest({ actuals: greenFellShortInHourOne(), plan });

    // Hour 1: 1 MW of load, 0.2 MW green, 0.8 MW from the grid at 200 g/kWh = 160 kg; hour 2 is green.
    expect(response.sites[0].gridMw).toEqual([0, expect.closeTo(0.8, 9), 0, 0]);
    expect(response.sites[0].curtailedMw).toEqual([0.5, 0, 0, 0.5]);
    expect(response.summary?.emissionsKg).toBeCloseTo(160, 9);
    expect(response.summary?.greenMwh).toBeCloseTo(1.2, 9);
    // The baseline on the actuals cannot start at hour 0 or 1 (0.8 MW > 0.6 MW in hour 1): it runs
    // hours 2-3 and emits 0.5 MWh × 300 = 150 kg. The forecast plan does worse than it.
    expect(response.baseline?.jobs[0].allocations).toEqual([{ siteId: 'a', start: hour(2), hours: 2, gpus: 10 }]);
    expect(response.summary?.baselineEmissionsKg).toBeCloseTo(150, 9);
    expect(response.summary?.carbonSavedKg).toBeCloseTo(-10, 9);
    expect(response.summary?.sameWork).toBe(true);
    expect(response.planned).toMatchObject({ emissionsKg: expect.closeTo(0, 9), baselineEmissionsKg: expect.closeTo(200, 9), carbonSavedKg: expect.closeTo(200, 9) });
    expect(response.violations).toEqual([
      {
        kind: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_GRID_IMPORT_LIMIT,
        jobId: '',
        siteId: 'a',
        hour: hour(1),
        value: expect.closeTo(0.8, 9),
        limit: 0.6,
        description: 'a 2026-07-01T01:00Z: grid import 0.8 MW, above its limit 0.6 MW (green supply 0.2 MW for a facility load of 1 MW)',
      },
    ]);
    expect(response.check?.passed).toBe(true);
  });

  it('lists allocations outside a window the actuals moved, and counts work beyond a smaller job as excess', async () => {
    const plan = await planOn(greenInHoursOneAndTwo());
    const { response } = evaluatePlanRequest({ actuals: greenFellShortInHourOne({ deadline: hour(2), gpuHours: 15 }), plan });
    expect(response.violations.map((v) => [v.kind, v.jobId, v.value, v.limit])).toEqual([
      [EvaluationViolationKind.EVALUATION_VIOLATION_KIND_OUTSIDE_WINDOW, 'j1', 1, 0],
      [EvaluationViolationKind.EVALUATION_VIOLATION_KIND_EXCESS_WORK, 'j1', 20, 15],
      [EvaluationViolationKind.EVALUATION_VIOLATION_KIND_GRID_IMPORT_LIMIT, '', expect.closeTo(0.8, 9), 0.6],
    ]);
    expect(response.jobs[0]).toMatchObject({ doneGpuHours: 20, unmetGpuHours: 0 });
    expect(response.check?.passed).toBe(true);
  });

  it('counts work the plan leaves undone when the actual job is larger, with a reason', async () => {
    const plan = await planOn(greenInHoursOneAndTwo());
    const { response } = evaluatePlanRequest({ actuals: greenFellShortInHourOne({ gpuHours: 30 }), plan });
    expect(response.jobs[0]).toMatchObject({ doneGpuHours: 20, unmetGpuHours: 10, reason: "the fixed plan does 20 of the job's 30 GPU-hours" });
    expect(response.summary?.unmetGpuHours).toBe(10);
    expect(response.check?.passed).toBe(true);
  });
});

describe('a plan that does not fit the actuals is INVALID_ARGUMENT', () => {
  it('lists every bad field at once: unknown site and job, a start off the hour or outside the horizon, GPUs above maxGpus, a job missing', () => {
    const twoJobs = request(4, [site('a', [0, 1, 1, 0], [400, 100, 100, 300])], [job('j1', 'a'), job('j2', 'a')]);
    const plan = {
      jobs: [
        {
          jobId: 'j1',
          allocations: [
            { siteId: 'nowhere', start: hour(1), hours: 1, gpus: 4 },
            { siteId: 'a', start: timestamp('2026-07-01T01:30:00Z'), hours: 1, gpus: 4 },
            { siteId: 'a', start: hour(3), hours: 2, gpus: 4 },
            { siteId: 'a', start: hour(0), hours: 1, gpus: 8.5 },
          ],
        },
        { jobId: 'ghost', allocations: [] },
      ],
    } as unknown as PlanResponse;
    expect(invalidFields(() => evaluatePlanRequest({ actuals: twoJobs, plan }))).toEqual([
      { field: 'plan.jobs[0].allocations[0].siteId', description: 'got "nowhere"; expected the id of a site of the actuals: a' },
      { field: 'plan.jobs[0].allocations[1].start', description: 'got 2026-07-01T01:30Z; expected a whole hour of the horizon [2026-07-01T00:00Z, 2026-07-01T04:00Z)' },
      { field: 'plan.jobs[0].allocations[2].hours', description: 'got 2; from 2026-07-01T03:00Z expected at most 1, to end inside the horizon [2026-07-01T00:00Z, 2026-07-01T04:00Z)' },
      { field: 'plan.jobs[0].allocations[3].gpus', description: "got 8.5; expected a number in (0, 8] (job j1's maxGpus in the actuals is 8)" },
      { field: 'plan.jobs[1].jobId', description: 'got "ghost"; expected the id of a job of the actuals: j1, j2' },
      { field: 'plan.jobs', description: 'the plan has no entry for job j2 of the actuals; expected one entry per job' },
    ]);
  });

  it('prefixes the actuals\' own violations with `actuals.` and asks for a missing plan', () => {
    const bad = request(4, [site('a', [0, 1, 1], [400, 100, 100, 300])], [job('j1', 'a')]);
    const fields = invalidFields(() => evaluatePlanRequest({ actuals: bad, plan: undefined }));
    expect(fields.map((f) => f.field)).toEqual(['actuals.sites[0].greenSupplyMw', 'plan']);
  });
});

describe('the independent check of an evaluation', () => {
  it('fails a result that hides a violation, lists one that is not there, or misstates a figure', () => {
    const problem = validatePlanRequest(greenFellShortInHourOne());
    const result = evaluateSchedule(problem, [[{ site: 0, startHour: 1, hours: 2, gpus: 10 }]]);
    expect(result.check.passed).toBe(true);
    expect(result.violations).toHaveLength(1);

    const hidden = checkEvaluation(problem, { ...result, violations: [] });
    const invented = checkEvaluation(problem, { ...result, violations: [...result.violations, { ...result.violations[0], hour: 2 }] });
    const misstated = checkEvaluation(problem, { ...result, summary: { ...result.summary, carbonSavedKg: 0 } });
    const wrongValue = checkEvaluation(problem, { ...result, violations: [{ ...result.violations[0], value: 0.7 }] });

    expect(hidden.violations).toEqual(['the schedule breaks grid_import_limit(job -, site 0, hour 1), but it is not reported']);
    expect(invented.violations).toEqual(['violation grid_import_limit(job -, site 0, hour 2) reported, but the schedule does not break it']);
    expect(misstated.violations).toEqual([expect.stringMatching(/^summary carbonSavedKg: reported 0, recomputed -10(\.0*\d*)?$/)]);
    expect(wrongValue.passed).toBe(false);
  });
});

describe('the planned figures', () => {
  it('are recomputed and checked on the request the plan was made on when it is given, equal to what the plan reported', async () => {
    const planned = greenInHoursOneAndTwo();
    const plan = await planOn(planned);

    const { response } = evaluatePlanRequest({ actuals: greenFellShortInHourOne(), plan, planned });

    expect(response.planned).toEqual({
      emissionsKg: expect.closeTo(plan.summary!.emissionsKg, 9),
      baselineEmissionsKg: expect.closeTo(plan.summary!.baselineEmissionsKg, 9),
      carbonSavedKg: expect.closeTo(plan.summary!.carbonSavedKg, 9),
      carbonSavedPercent: expect.closeTo(plan.summary!.carbonSavedPercent, 9),
      cost: 0,
      unmetGpuHours: expect.closeTo(0, 9),
      recomputed: true,
      violations: [],
    });
  });

  it('list what the plan breaks under a planned request it was not made on', async () => {
    const plan = await planOn(greenInHoursOneAndTwo());
    const notTheOne = greenFellShortInHourOne();

    const { response } = evaluatePlanRequest({ actuals: greenFellShortInHourOne(), plan, planned: notTheOne });

    expect(response.planned?.violations.map((v) => v.kind)).toEqual([EvaluationViolationKind.EVALUATION_VIOLATION_KIND_GRID_IMPORT_LIMIT]);
    expect(response.planned?.emissionsKg).toBeCloseTo(160, 9);
  });
});

describe('evaluation invariants on random instances', () => {
  it('a plan judged on the problem it was made on reproduces its accounts and summary and breaks nothing', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ withMinGpus: true, withLimits: true }), async (problem) => {
        const planned = await planProblem(problem);
        fc.pre(planned.plan !== undefined);
        const judged = evaluateSchedule(problem, planned.plan!.jobs.map((outcome) => outcome.runs));
        expect(judged.violations).toEqual([]);
        expect(judged.check.passed).toBe(true);
        for (const key of ['emissionsKg', 'baselineEmissionsKg', 'carbonSavedKg', 'gridMwh', 'greenMwh', 'curtailedMwh', 'cost', 'doneGpuHours', 'unmetGpuHours'] as const) {
          expect(Math.abs(judged.summary[key] - planned.summary[key])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(planned.summary[key])));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('on other data (green supply, intensities, capacities, limits changed), the listed violations are exactly those the checker re-derives', async () => {
    const changes = fc.record({ greenScale: fc.constantFrom(0, 0.5, 1, 2), ciShift: fc.integer({ min: -100, max: 300 }), capacityCut: fc.integer({ min: 0, max: 8 }), limitMw: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ withMinGpus: true, withLimits: true }), changes, async (problem, change) => {
        const planned = await planProblem(problem);
        fc.pre(planned.plan !== undefined);
        const actuals: Problem = {
          ...problem,
          sites: problem.sites.map((site) => {
            const greenSupplyMw = site.greenSupplyMw.map((mw) => mw * change.greenScale);
            // As validation requires, the base load alone stays within the limit (so the baseline can keep to it).
            const baseLoadGridMw = Math.max(...site.baseLoadMw.map((mw, t) => site.pue * mw - greenSupplyMw[t]));
            return {
              ...site,
              greenSupplyMw,
              carbonIntensityGPerKwh: site.carbonIntensityGPerKwh.map((g) => Math.max(0, g + change.ciShift)),
              gpuCapacity: Math.max(0, site.gpuCapacity - change.capacityCut),
              gridImportLimitMw: Math.max(change.limitMw ?? site.gridImportLimitMw, baseLoadGridMw),
            };
          }),
        };
        // evaluateSchedule throws if its violations and the checker's disagree.
        const judged = evaluateSchedule(actuals, planned.plan!.jobs.map((outcome) => outcome.runs));
        expect(judged.check.passed).toBe(true);
        const capacityBroken = actuals.sites.some((site, s) => Array.from({ length: actuals.hours }, (_, t) => gpusAt(judged, s, t)).some((gpus) => gpus > site.gpuCapacity + 1e-6));
        expect(judged.violations.some((v) => v.kind === 'site_capacity')).toBe(capacityBroken);
      }),
      { numRuns: 20 },
    );
  });
});

/** GPUs in use at site `s` in hour `t` of an evaluation. */
function gpusAt(result: ReturnType<typeof evaluateSchedule>, s: number, t: number): number {
  return result.judged.jobs.reduce((sum, outcome) => sum + outcome.runs.filter((r) => r.site === s && r.startHour <= t && t < r.startHour + r.hours).reduce((g, r) => g + r.gpus, 0), 0);
}

describe('any plan file, however wrong', () => {
  it('is judged (check passed) or refused INVALID_ARGUMENT with every field under plan.; never anything else', () => {
    const actuals = request(6, [site('a', [0, 1, 2, 2, 1, 0], [500, 100, 50, 50, 100, 500], { gridImportLimitMw: 0.5 }), site('b', [1, 1, 1, 1, 1, 1], [300, 300, 300, 300, 300, 300], { gpuCapacity: 4 })], [
      job('j1', 'a', { allowedSites: ['a', 'b'] }),
      job('j2', 'b', { interruptible: false, maxGpus: 4, gpuHours: 10, minGpus: undefined }),
    ]);
    const number = fc.oneof(fc.integer({ min: -3, max: 12 }), fc.double({ noDefaultInfinity: false }), fc.constantFrom(0.5, 4, 8, Number.NaN, Number.POSITIVE_INFINITY));
    const allocation = fc.record({
      siteId: fc.constantFrom('a', 'b', 'c', ''),
      start: fc.option(fc.record({ seconds: fc.oneof(fc.integer({ min: -2, max: 8 }).map((h) => hour(h).seconds), fc.integer(), fc.constant(Number.NaN)), nanos: fc.constantFrom(0, 0, 1, 500_000_000, -1) }), { nil: undefined }),
      hours: number,
      gpus: number,
    });
    const jobPlan = fc.record({ jobId: fc.constantFrom('j1', 'j2', 'j3', ''), allocations: fc.array(allocation, { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(jobPlan, { maxLength: 3 }), (jobs) => {
        const plan = { jobs } as unknown as PlanResponse;
        try {
          const { response } = evaluatePlanRequest({ actuals, plan });
          expect(response.check?.passed).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(CoschedError);
          expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
          expect((error as CoschedError).violations.length).toBeGreaterThan(0);
          for (const v of (error as CoschedError).violations) expect(v.field).toMatch(/^plan\.jobs(\[\d+\]\.(jobId|allocations\[\d+\]\.(siteId|start|hours|gpus)))?$/);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('executable plans judged on their own problem', () => {
  it('pay their checkpoints (not counted as work) and may end their last hour early with whole GPUs: nothing is broken', async () => {
    const sites = [site('a', [0, 5, 0, 0, 5, 0], [500, 500, 800, 200, 100, 900], { gpuCapacity: 100, pue: 1 }), site('b', [0, 0, 0, 5, 0, 0], [900, 100, 900, 100, 900, 100], { gpuCapacity: 100, pue: 1 })];
    const base = job('j', 'a', { gpuHours: 105.5, maxGpus: 50, minGpus: 20, gpuPowerKw: 10, release: hour(0), deadline: hour(6), allowedSites: ['a', 'b'] });
    for (const planned of [
      request(6, sites, [{ ...base, checkpointMinutes: 30 }]),
      request(6, sites, [base], { options: { timeLimitSeconds: 0, mipGap: 0, solver: 0, integerGpus: true } }),
    ]) {
      const problem = validatePlanRequest(planned);
      const plan = await planProblem(problem);
      const judged = evaluateSchedule(problem, plan.plan!.jobs.map((outcome) => outcome.runs));
      expect(judged.violations).toEqual([]);
      expect(judged.summary.doneGpuHours).toBeCloseTo(plan.summary.doneGpuHours, 9);
      expect(judged.summary.emissionsKg).toBeCloseTo(plan.summary.emissionsKg, 6);
    }
  });
});
