import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGrpcError } from '../src/client/fromGrpcError.js';
import { planResultFromResponse } from '../src/client/planResultFromResponse.js';
import { reportCliError } from '../src/cli/reportCliError.js';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { hour, job, oneSiteFourHours, request, site } from './factories/planRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { runCli } from './helpers/runCli.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const scenario = 'scenarios/two-hubs-48h.yaml';

/** The text report without the solve and build times, which differ from run to run. */
function withoutTimes(text: string): string {
  return text.replace(/solve [\d,.]+ (ms|s), build [\d,.]+ (ms|s)/, 'solve <t>, build <t>');
}

let test: TestServer;
/** A server that plans at most 1,000 cells: less than the bundled scenario. */
let small: TestServer;
beforeAll(async () => {
  [test, small] = await Promise.all([startTestServer({ workers: 1 }), startTestServer({ workers: 1, maxCells: 1_000 })]);
});
afterAll(async () => {
  await test?.close();
  await small?.close();
});

describe('cosched plan --server', () => {
  it('prints the same text report as the local run, and the same proto3 JSON', async () => {
    // The local run's output, made by the code `cosched plan` runs (cli-plan.test.ts runs that CLI).
    const problem = validatePlanRequest(await readPlanRequestFile(scenario));
    const result = await planProblem(problem);
    const localText = formatPlanText(problem, result);
    const localJson = toPlanResponse(problem, result);

    const [remote, remoteJson] = await Promise.all([runCli(['plan', scenario, '--server', test.address]), runCli(['plan', scenario, '--server', test.address, '--json'])]);

    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    expect(remote.stdout).toContain('cosched plan: optimal');
    expect(withoutTimes(remote.stdout)).toBe(withoutTimes(localText));
    const timeless = (response: PlanResponse) => ({ ...response, solve: { ...response.solve!, solveMs: 0, buildMs: 0 } });
    expect(remoteJson.code).toBe(0);
    expect(timeless(PlanResponse.fromJSON(JSON.parse(remoteJson.stdout)))).toEqual(timeless(localJson));
  });

  it('exits 2 with the server’s message when the request is over a server limit', async () => {
    // The bundled scenario is 48 × 3 × 8 = 1,152 cells; this server plans at most 1,000.
    const run = await runCli(['plan', scenario, '--server', small.address, '--json']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('plan request too large: 48 hours × 3 sites × 8 jobs = 1,152 cells; this server plans at most 1,000 cells');
  });

  it('exits 1 naming the address when no server listens there', async () => {
    const run = await runCli(['plan', scenario, '--server', '127.0.0.1:1']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach the cosched server at 127.0.0.1:1');
  });
});

describe('a remote plan in the CLI', () => {
  it('reads back from the PlanResponse the very PlanResult the server planned', async () => {
    const problem = validatePlanRequest(await readPlanRequestFile(scenario));
    const result = await planProblem(problem);

    expect(planResultFromResponse(problem, toPlanResponse(problem, result))).toEqual(result);
  });

  it('turns a server’s INVALID_ARGUMENT into the local validation error: same message, same exit code 2', async () => {
    const bad = request(4, [site('a', [0, 1, 2], [500, 400, 300, 200])], [job('j', 'a', { deadline: hour(-1) })]);
    let local: CoschedError | undefined;
    try {
      validatePlanRequest(bad);
    } catch (error) {
      local = error as CoschedError;
    }

    const remote = fromGrpcError((await callPlan(test.client, bad).catch((e: unknown) => e)) as ServiceError, test.address);

    expect((await callPlan(test.client, bad).catch((e: ServiceError) => e.code))).toBe(status.INVALID_ARGUMENT);
    expect(remote).toMatchObject({ code: 'INVALID_ARGUMENT', message: local!.message, violations: local!.violations, reason: 'INVALID_PLAN_REQUEST' });
    const stderr = { text: '', write(chunk: string) { this.text += chunk; return true; } };
    expect(reportCliError(remote, stderr as unknown as NodeJS.WritableStream)).toBe(2);
    expect(stderr.text).toBe(`cosched: ${local!.message}\n`);
  });

  it('answers a small plan the same through the server', async () => {
    const response = await callPlan(test.client, oneSiteFourHours());
    expect(response.check?.passed).toBe(true);
    // No marginal signal: the marginal figures are absent, not zeros.
    expect(response.summary?.marginalEmissionsKg).toBeUndefined();
    expect(response.baseline?.marginalEmissionsKg).toBeUndefined();
    expect(response.sites[0].marginalEmissionsKg).toEqual([]);
  });

  it('carries the marginal and 24/7 CFE figures through the server (the worker threads included), and refuses a marginal signal at some sites only', async () => {
    const withMargins = oneSiteFourHours();
    withMargins.sites[0].marginalIntensityGPerKwh = [900, 800, 700, 600];
    const local = toPlanResponse(validatePlanRequest(withMargins), await planProblem(validatePlanRequest(withMargins)));
    const response = await callPlan(test.client, withMargins);

    expect(response.check?.passed).toBe(true);
    expect(response.summary?.marginalEmissionsKg).toBe(local.summary?.marginalEmissionsKg);
    expect(response.summary?.baselineMarginalEmissionsKg).toBeGreaterThan(0);
    expect(response.summary?.cfeScore).toBe(local.summary?.cfeScore);
    expect(response.sites[0].marginalEmissionsKg).toEqual(local.sites[0].marginalEmissionsKg);
    expect(response.baseline?.cfeScore).toBe(local.baseline?.cfeScore);

    const mixed = request(4, [site('a', [0, 1, 2, 3], [500, 400, 300, 200], { marginalIntensityGPerKwh: [1, 2, 3, 4] }), site('b', [0, 1, 2, 3], [500, 400, 300, 200])], [job('j', 'a')]);
    const error = (await callPlan(test.client, mixed).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fromGrpcError(error, test.address).violations).toEqual([
      { field: 'sites[1].marginalIntensityGPerKwh', description: expect.stringContaining('site "a" gives a marginal signal') },
    ]);
  });
});
