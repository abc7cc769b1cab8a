import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanPhase } from '../src/generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { Termination, type PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { RiskMeasure } from '../src/generated/cosched/v1/forecast_scenarios.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { status, type ServiceError } from '@grpc/grpc-js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { evaluatePlanRequest } from '../src/evaluate/evaluatePlanRequest.js';
import { EvaluationViolationKind } from '../src/generated/cosched/v1/evaluate.js';
import { greenFellShortInHourOne, greenInHoursOneAndTwo, hour, job, oneSiteFourHours, request, site } from './factories/planRequests.js';
import { callEvaluate, callPlan, callValidate, watchPlan } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** The response without what differs from run to run (timings). */
function withoutTimings(response: PlanResponse): PlanResponse {
  return { ...response, solve: response.solve && { ...response.solve, solveMs: 0, buildMs: 0 } };
}

let bundled: PlanRequest;
let local: PlanResponse;
let test: TestServer;

beforeAll(async () => {
  bundled = await readPlanRequestFile('scenarios/two-hubs-48h.yaml');
  const problem = validatePlanRequest(bundled);
  [local, test] = await Promise.all([planProblem(problem).then((result) => toPlanResponse(problem, result)), startTestServer()]);
});
afterAll(() => test?.close());

describe('Plan on the bundled scenario', () => {
  it('answers the same plan as the local planner: summary, per-job runs, sites, baseline, check', async () => {
    const response = await callPlan(test.client, bundled);

    expect(response.termination).toBe(Termination.TERMINATION_OPTIMAL);
    expect(response.summary).toEqual(local.summary);
    expect(response.jobs).toEqual(local.jobs);
    expect(withoutTimings(response)).toEqual(withoutTimings(local));
    expect(response.check?.passed).toBe(true);
  });

  it('writes one log line for the call with method, status, duration and problem size', async () => {
    await callPlan(test.client, oneSiteFourHours());

    const line = test.logs.filter((l) => l.msg === 'call done' && l.method === 'Plan').at(-1);
    expect(line).toMatchObject({ method: 'Plan', code: 'OK', grpcCode: 0, hours: 4, sites: 1, jobs: 1, cells: 4, termination: 'optimal' });
    expect(line?.durationMs).toBeGreaterThan(0);
  });
});

describe('WatchPlan on the bundled scenario', () => {
  it('streams validated, model built, solver progress, solved and checked, then the same plan as Plan', async () => {
    const watched = await watchPlan(test.client, bundled);

    expect(watched.error).toBeUndefined();
    const phases = watched.progress.map((p) => p.phase);
    expect(phases[0]).toBe(PlanPhase.PLAN_PHASE_VALIDATED);
    expect(phases.at(-1)).toBe(PlanPhase.PLAN_PHASE_CHECKED);
    const built = watched.progress.find((p) => p.phase === PlanPhase.PLAN_PHASE_MODEL_BUILT);
    expect(built).toMatchObject({ variables: local.solve?.variables, constraints: local.solve?.constraints, integerVariables: local.solve?.integerVariables, stage: 1 });
    expect(built?.message).toMatch(/^model built: [\d,]+ variables \([\d,]+ integer\), [\d,]+ constraints$/);
    // The bundled scenario is a MILP: HiGHS reports incumbent and bound while it searches.
    const progress = watched.progress.filter((p) => p.phase === PlanPhase.PLAN_PHASE_SOLVER_PROGRESS);
    expect(progress.some((p) => p.incumbent !== undefined && p.bound !== undefined && p.mipGap !== undefined)).toBe(true);
    expect(phases.indexOf(PlanPhase.PLAN_PHASE_SOLVED)).toBeGreaterThan(phases.indexOf(PlanPhase.PLAN_PHASE_MODEL_BUILT));
    const elapsed = watched.progress.map((p) => p.elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(withoutTimings(watched.plan!)).toEqual(withoutTimings(local));
  });
});

describe('ValidatePlanRequest', () => {
  it('says a valid request is valid and counts its cells (hours × sites × jobs), without planning', async () => {
    const answer = await callValidate(test.client, bundled);

    expect(answer).toEqual({ valid: true, violations: [], cells: 48 * 3 * 8 });
  });

  it('lists every violation of an invalid request', async () => {
    const bad = oneSiteFourHours();
    bad.sites[0].greenSupplyMw = [1, 2, 3];
    bad.jobs[0].deadline = { seconds: bad.jobs[0].release!.seconds - 3600, nanos: 0 };

    const answer = await callValidate(test.client, bad);

    expect(answer.valid).toBe(false);
    expect(answer.cells).toBe(0);
    expect(answer.violations.map((v) => v.field).sort()).toEqual(['jobs[0].deadline', 'sites[0].greenSupplyMw']);
  });

  it('reports a missing request as the field `request`', async () => {
    const answer = await callValidate(test.client, undefined);

    expect(answer).toMatchObject({ valid: false, violations: [{ field: 'request' }] });
  });
});

describe('EvaluatePlan', () => {
  it('judges a plan made by Plan on the actuals (and recomputes its planned figures): the same answer as the local evaluation, the grid-limit breach listed, one log line', async () => {
    const planned = greenInHoursOneAndTwo();
    const plan = await callPlan(test.client, planned);
    const actuals = greenFellShortInHourOne();

    const answer = await callEvaluate(test.client, { actuals, plan, planned });

    expect(answer).toEqual(evaluatePlanRequest({ actuals, plan, planned }).response);
    expect(answer.planned).toMatchObject({ recomputed: true, emissionsKg: 0, baselineEmissionsKg: expect.closeTo(200, 9), violations: [] });
    expect(answer.summary?.emissionsKg).toBeCloseTo(160, 9);
    expect(answer.violations.map((v) => v.kind)).toEqual([EvaluationViolationKind.EVALUATION_VIOLATION_KIND_GRID_IMPORT_LIMIT]);
    expect(answer.check?.passed).toBe(true);
    const line = test.logs.filter((l) => l.msg === 'call done' && l.method === 'EvaluatePlan').at(-1);
    expect(line).toMatchObject({ code: 'OK', hours: 4, sites: 1, jobs: 1, violations: 1 });
  });

  it('answers INVALID_ARGUMENT with a BadRequest naming the field of a plan that names an unknown site', async () => {
    const plan = await callPlan(test.client, greenInHoursOneAndTwo());
    plan.jobs[0].allocations[0].siteId = 'atlantis';

    const error: ServiceError = await callEvaluate(test.client, { actuals: greenFellShortInHourOne(), plan, planned: undefined }).then(
      () => expect.fail('expected INVALID_ARGUMENT'),
      (e: ServiceError) => e,
    );

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const details = decodeStatusDetails(error.metadata);
    expect(details.badRequest?.fieldViolations).toEqual([
      { field: 'plan.jobs[0].allocations[0].siteId', description: 'got "atlantis"; expected the id of a site of the actuals: a' },
    ]);
    expect(details.errorInfo?.reason).toBe('INVALID_EVALUATE_REQUEST');
  });
});

describe('Plan with options.explain', () => {
  it('answers the binding hours and deadline values, as the local planner computes them', async () => {
    // `clean` (100 g/kWh, 4 GPUs) and `dirty` (300 g/kWh); the job's deadline is after hour 0.
    const explained = request(
      2,
      [site('clean', [0, 0], [100, 100], { gpuCapacity: 4 }), site('dirty', [0, 0], [300, 300])],
      [job('j1', 'dirty', { gpuHours: 8, allowedSites: ['clean', 'dirty'], deadline: hour(1) })],
      { options: { timeLimitSeconds: 0, mipGap: 0, solver: 0, explain: true } },
    );
    const problem = validatePlanRequest(explained);
    const [response, localResult] = await Promise.all([callPlan(test.client, explained), planProblem(problem)]);

    expect(response.explanation).toEqual(toPlanResponse(problem, localResult).explanation);
    expect(response.explanation).toMatchObject({ available: true, valueUnit: 'kg CO2' });
    const clean = response.explanation!.bindingHours.find((v) => v.siteId === 'clean' && v.hour?.seconds === hour(0).seconds);
    // One more GPU-hour at clean moves 0.7 kW × pue 1.2 from 300 to 100 g/kWh: 0.00084 MWh × 200 = 0.168 kg.
    expect(clean?.gpuHourValue).toBeCloseTo(0.168, 9);
    expect(response.explanation!.jobs[0]).toMatchObject({ jobId: 'j1', siteId: 'clean' });
    // Without explain, no explanation.
    expect((await callPlan(test.client, { ...explained, options: undefined })).explanation).toBeUndefined();
  });
});

describe('Plan with batteries and forecast scenarios', () => {
  it('answers the same plan as the local planner: storage profiles, expected accounts, each scenario and the risk figures', async () => {
    // One site with a battery; the job may run in hours 1-2; scenario "calm" has no sun at noon.
    const withExtensions = request(
      3,
      [site('a', [0, 3, 0], [500, 500, 800], { gpuCapacity: 1000, pue: 1, storage: { energyMwh: 4, powerMw: 2, roundTripEfficiency: 0.81, initialMwh: 0, finalMwhMin: undefined, chargeFromGrid: false } })],
      [job('j', 'a', { gpuHours: 1000, maxGpus: 1000, gpuPowerKw: 1, release: hour(1), deadline: hour(3), interruptible: false })],
      {
        objective: { carbonWeight: 1, costWeight: 0, riskMeasure: RiskMeasure.RISK_MEASURE_WORST_CASE, cvarAlpha: 0 },
        forecastScenarios: [
          { name: 'sunny', probability: 0.7, sites: [] },
          { name: 'calm', probability: 0.3, sites: [{ siteId: 'a', greenSupplyMw: [0, 0.5, 0], carbonIntensityGPerKwh: [] }] },
        ],
      },
    );
    const problem = validatePlanRequest(withExtensions);
    const [response, localResult] = await Promise.all([callPlan(test.client, withExtensions), planProblem(problem)]);
    expect(withoutTimings(response)).toEqual(withoutTimings(toPlanResponse(problem, localResult)));
    expect(response.sites[0].stateOfChargeMwh).toHaveLength(3);
    expect(response.scenarios?.scenarios.map((s) => s.name)).toEqual(['sunny', 'calm']);
    expect(response.scenarios?.worstEmissionsKg).toBeCloseTo(Math.max(...response.scenarios!.scenarios.map((s) => s.emissionsKg)), 9);
    expect(response.check?.passed).toBe(true);
  });
});
