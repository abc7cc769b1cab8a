import { Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import {
  WhatIfPhase,
  type CompareScenariosProgress,
  type CompareScenariosRequest,
  type CompareScenariosResponse,
  type CompareScenariosResult,
  type SweepFrontierProgress,
  type SweepFrontierResponse,
  type SweepFrontierResult,
} from '../src/generated/cosched/v1/co_scheduler_service.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import type { VariantMetrics, VariantResult } from '../src/generated/cosched/v1/what_if.js';
import { compareScenarios } from '../src/whatif/compareScenarios.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { cheapDirtyOrCleanDear, inThreadPlanner, northEastSixHours, variant } from './factories/whatIfRequests.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** What a what-if stream delivered: its progress events, the final result if any, the error if it failed. */
interface Streamed<Progress, Result> {
  progress: Progress[];
  result?: Result;
  error?: ServiceError;
}

/** Reads a what-if stream to its end (`status` always comes, after `error` when the call failed). Never rejects. */
function readStream<Progress, Result>(
  stream: ClientReadableStream<{ event?: { $case: 'progress'; value: Progress } | { $case: 'result'; value: Result } }>,
  onProgress?: (progress: Progress) => void,
): Promise<Streamed<Progress, Result>> {
  return new Promise((resolve) => {
    const streamed: Streamed<Progress, Result> = { progress: [] };
    stream.on('data', (message: { event?: { $case: 'progress'; value: Progress } | { $case: 'result'; value: Result } }) => {
      if (message.event?.$case === 'progress') {
        expect(streamed.result).toBeUndefined();
        streamed.progress.push(message.event.value);
        onProgress?.(message.event.value);
      } else if (message.event?.$case === 'result') {
        streamed.result = message.event.value;
      }
    });
    stream.on('error', (error: ServiceError) => (streamed.error = error));
    stream.on('status', () => resolve(streamed));
  });
}

function compare(request: Partial<CompareScenariosRequest>, onProgress?: (progress: CompareScenariosProgress) => void) {
  const full: CompareScenariosRequest = { base: undefined, variants: [], includePlans: false, ...request };
  const stream: ClientReadableStream<CompareScenariosResponse> = test.client.compareScenarios(full, new Metadata(), { deadline: Date.now() + 30_000 });
  return { stream, done: readStream<CompareScenariosProgress, CompareScenariosResult>(stream, onProgress) };
}

function sweep(request: ReturnType<typeof cheapDirtyOrCleanDear>, points = 0) {
  const stream: ClientReadableStream<SweepFrontierResponse> = test.client.sweepFrontier({ request, points }, new Metadata(), { deadline: Date.now() + 30_000 });
  return readStream<SweepFrontierProgress, SweepFrontierResult>(stream);
}

/** The numbers of a row, without the solve times, which differ from run to run. */
function numbers(row: VariantResult) {
  const strip = (metrics: VariantMetrics | undefined) => {
    const { solveMs: _, ...rest } = metrics as VariantMetrics;
    return rest;
  };
  return { name: row.name, termination: row.termination, metrics: strip(row.metrics), differenceToBase: strip(row.differenceToBase) };
}

// 72 hours × 3 sites × 30 jobs = 6,480 cells: competingBlocksMilp() fits, with one more site it does not.
const maxCells = 6_500;

let test: TestServer;
beforeAll(async () => {
  test = await startTestServer({ workers: 2, maxCells });
});
afterAll(() => test?.close());

describe('CompareScenarios', () => {
  const variants = [variant('windy', { $case: 'scaleGreenSupply', value: { siteId: 'north', factor: 3, addMw: 0 } }), variant('price100', { $case: 'setCarbonPrice', value: { pricePerTonne: 100 } })];

  it('streams each plan starting and finishing, then rows with the numbers of compareScenarios run locally', async () => {
    const streamed = await compare({ base: northEastSixHours(), variants }).done;
    // planProblem (the same baseline, model, solver and checker) with HiGHS in this thread.
    const local = await compareScenarios(northEastSixHours(), variants, inThreadPlanner);

    expect(streamed.error).toBeUndefined();
    expect(streamed.result?.rows.map(numbers)).toEqual(local.map(numbers));
    expect(streamed.result?.rows.map((row) => row.name)).toEqual(['base', 'windy', 'price100']);
    expect(streamed.result?.rows.every((row) => row.termination === Termination.TERMINATION_OPTIMAL && row.plan === undefined)).toBe(true);
    // The variants change the answer.
    expect(streamed.result!.rows[1].metrics!.emissionsKg).toBeLessThan(streamed.result!.rows[0].metrics!.emissionsKg);

    const started = streamed.progress.filter((p) => p.phase === WhatIfPhase.WHAT_IF_PHASE_STARTED);
    const finished = streamed.progress.filter((p) => p.phase === WhatIfPhase.WHAT_IF_PHASE_FINISHED);
    expect(started.map((p) => [p.index, p.variantName]).sort()).toEqual([[0, 'base'], [1, 'windy'], [2, 'price100']]);
    expect(finished.map((p) => p.finished)).toEqual([1, 2, 3]);
    expect(finished.every((p) => p.total === 3 && p.termination === Termination.TERMINATION_OPTIMAL && p.solveMs > 0)).toBe(true);
    await expect.poll(() => test.logs.filter((l) => l.method === 'CompareScenarios' && l.msg === 'call done').at(-1)).toMatchObject({
      code: 'OK',
      variants: 2,
      hours: 6,
      sites: 2,
      jobs: 3,
      terminations: ['optimal', 'optimal', 'optimal'],
    });
  });

  it('returns each full plan when asked', async () => {
    const { result } = await compare({ base: northEastSixHours(), variants: variants.slice(0, 1), includePlans: true }).done;
    expect(result?.rows.map((row) => row.plan?.check?.passed)).toEqual([true, true]);
  });

  it('refuses invalid variants with INVALID_ARGUMENT naming their field paths in BadRequest, before any plan', async () => {
    const bad = [
      variants[0],
      variant('gone', { $case: 'removeSite', value: { siteId: 'nowhere' } }),
      variant('fromFile', { $case: 'replaceForecasts', value: { sites: [], file: 'forecasts.yaml' } }),
    ];
    const { progress, error } = await compare({ base: northEastSixHours(), variants: bad }).done;

    expect(progress).toEqual([]);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    const details = decodeStatusDetails(error?.metadata);
    expect(details.badRequest?.fieldViolations.map((v) => v.field)).toEqual(['variants[1].overrides[0].removeSite.siteId', 'variants[2].overrides[0].replaceForecasts.file']);
    expect(details.badRequest?.fieldViolations[1].description).toMatch(/only by the CLI/);
    expect(details.errorInfo?.reason).toBe('INVALID_VARIANT');
  });

  it('refuses a missing base, too many variants and a variant over the cell limit', async () => {
    const missing = await compare({ variants }).done;
    expect(missing.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(decodeStatusDetails(missing.error?.metadata).badRequest?.fieldViolations.map((v) => v.field)).toEqual(['base']);

    const many = Array.from({ length: 33 }, (_, i) => variant(`v${i}`, { $case: 'setCarbonPrice', value: { pricePerTonne: i } }));
    const tooMany = await compare({ base: northEastSixHours(), variants: many }).done;
    expect(tooMany.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(decodeStatusDetails(tooMany.error?.metadata).quotaFailure?.violations.map((v) => v.subject)).toEqual(['max_variants']);

    const base = competingBlocksMilp();
    const west = variant('west', { $case: 'addSite', value: { site: { ...base.sites[0], id: 'west' }, alsoAllow: undefined } });
    const { progress, error } = await compare({ base, variants: [variants[1], west] }).done;
    expect(progress).toEqual([]);
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toBe('plan request too large: west: 72 hours × 4 sites × 30 jobs = 8,640 cells; this server plans at most 6,500 cells (max_cells)');
    expect(decodeStatusDetails(error?.metadata).quotaFailure?.violations.map((v) => v.subject)).toEqual(['max_cells']);
  });

  it('stops every running variant when the client cancels', async () => {
    const slow = [variant('priced', { $case: 'setCarbonPrice', value: { pricePerTonne: 50 } })];
    let cancelledAtMs = 0;
    const { stream, done } = compare({ base: competingBlocksMilp(), variants: slow }, (progress) => {
      if (progress.phase === WhatIfPhase.WHAT_IF_PHASE_STARTED && progress.index === 1) {
        // Let both workers get going first.
        setTimeout(() => {
          expect(test.server.pool.stats().busy).toBe(2);
          cancelledAtMs = performance.now();
          stream.cancel();
        }, 200);
      }
    });

    expect((await done).error?.code).toBe(status.CANCELLED);
    await expect.poll(() => test.server.pool.stats().busy, { timeout: 2_000, interval: 5 }).toBe(0);
    expect(performance.now() - cancelledAtMs).toBeLessThan(2_000);
    await expect.poll(() => test.logs.filter((l) => l.method === 'CompareScenarios' && l.msg === 'call done').at(-1)).toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => test.server.pool.stats(), { timeout: 10_000 }).toMatchObject({ idle: 2, busy: 0, starting: 0 });
  });
});

describe('SweepFrontier', () => {
  it('streams progress, then Pareto points along which cost rises and emissions fall', async () => {
    const { progress, result, error } = await sweep(cheapDirtyOrCleanDear());

    expect(error).toBeUndefined();
    expect(result?.warnings).toEqual([]);
    const points = result!.points;
    expect(points.map((p) => [p.emissionsKg, p.cost])).toEqual([
      [expect.closeTo(12.8, 9), expect.closeTo(0.32, 9)],
      [expect.closeTo(6.4, 9), expect.closeTo(0.8, 9)],
      [expect.closeTo(0.8, 9), expect.closeTo(1.92, 9)],
    ]);
    for (let i = 1; i < points.length; i++) {
      expect(points[i].cost).toBeGreaterThan(points[i - 1].cost);
      expect(points[i].emissionsKg).toBeLessThan(points[i - 1].emissionsKg);
    }
    expect(points.map((p) => p.marginalCostPerTonne)).toEqual([0, expect.closeTo(75, 6), expect.closeTo(200, 6)]);
    const finished = progress.filter((p) => p.phase === WhatIfPhase.WHAT_IF_PHASE_FINISHED);
    expect(finished.map((p) => p.finished)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.every((p) => p.maxPlans === 8 && p.costWeight > 0)).toBe(true);
    await expect.poll(() => test.logs.filter((l) => l.method === 'SweepFrontier' && l.msg === 'call done').at(-1)).toMatchObject({
      code: 'OK',
      points: 8,
      plans: 5,
      frontierPoints: 3,
    });
  });

  it('refuses a bad number of points with INVALID_ARGUMENT on `points`', async () => {
    const { error } = await sweep(cheapDirtyOrCleanDear(), 1);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(decodeStatusDetails(error?.metadata).badRequest?.fieldViolations.map((v) => v.field)).toEqual(['points']);
  });
});
