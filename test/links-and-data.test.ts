import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../solver/problem/Problem.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { checkPlanResult } from '../solver/check/checkPlanResult.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import type { Job, PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import type { Link } from '../src/generated/cosched/v1/links.js';
import { arbitraryLinkedProblem } from './factories/arbitraryLinkedProblem.js';
import { buildModel } from '../solver/model/buildModel.js';
import { planModelSize } from '../src/server/planCost.js';
import { packProblem } from '../src/server/packProblem.js';
import { unpackProblem } from '../src/server/unpackProblem.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { planResultFromResponse } from '../src/client/planResultFromResponse.js';
import { hour, job, request, site } from './factories/planRequests.js';

/** A link as a request writes it; no energy unless given. */
function link(fromSiteId: string, toSiteId: string, bandwidthGbps: number, energyKwhPerGb?: number): Link {
  return { fromSiteId, toSiteId, bandwidthGbps, energyKwhPerGb };
}

/**
 * `east` (500 g/kWh) holds the data; `west` (100 g/kWh) is far away over one link east -> west.
 * No green supply anywhere, pue 1.2, 16 GPUs each. The jobs default to 16 GPU-hours on up to 8
 * GPUs of 0.7 kW (13.44 kWh at the meter: 6.72 kg at east, 1.344 kg at west) with 900 GB of data
 * at their home east, window [0, 3). One Gbit/s moves 450 GB an hour.
 */
function eastWest(links: Link[], jobs: Partial<Job>[] = [{}]): PlanRequest {
  const flat = (value: number) => [value, value, value, value];
  return request(
    4,
    [site('east', flat(0), flat(500)), site('west', flat(0), flat(100))],
    jobs.map((extra, i) => job(`j${i + 1}`, 'east', { deadline: hour(3), datasetGb: 900, ...extra })),
    { links },
  );
}

const gbSent = (result: Awaited<ReturnType<typeof planProblem>>, j = 0) =>
  (result.plan?.jobs[j].transfers ?? []).map((t) => ({ link: t.link, startHour: t.startHour, hours: t.hours, gbPerHour: +t.gbPerHour.toFixed(6) }));

describe('links and job data, solved by hand', () => {
  it('a transfer that makes the far site too late: at 0.5 Gbps the 900 GB take 4 h, so the job stays at east (6.72 kg)', async () => {
    const result = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 0.5)])));
    expect(result.termination).toBe('optimal');
    expect(result.summary.emissionsKg).toBeCloseTo(6.72, 6);
    expect(result.plan!.jobs[0].runs.every((r) => r.site === 0)).toBe(true);
    // Data sent to a site the job never uses is not part of the plan.
    expect(result.plan!.jobs[0].transfers).toBeUndefined();
    // Without data the same job runs at west from hour 0: 1.344 kg.
    const free = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 0.5)], [{ datasetGb: undefined }])));
    expect(free.summary.emissionsKg).toBeCloseTo(1.344, 6);
  });

  it('with enough bandwidth it moves: 2 Gbps sends the 900 GB in hour 0 and the job runs at west in hours 1-2 (1.344 kg)', async () => {
    const result = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 2)])));
    expect(result.summary.emissionsKg).toBeCloseTo(1.344, 6);
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 1, startHour: 1, hours: 2, gpus: 8 }]);
    expect(gbSent(result)).toEqual([{ link: 0, startHour: 0, hours: 1, gbPerHour: 900 }]);
    // Halfway: at 1 Gbps the data is there by hour 2 only; half the work moves: 3.36 + 0.672 kg.
    const half = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 1)])));
    expect(half.summary.emissionsKg).toBeCloseTo(4.032, 6);
    expect(gbSent(half)).toEqual([{ link: 0, startHour: 0, hours: 2, gbPerHour: 450 }]);
  });

  it('a link is shared: two jobs, 900 GB each, over 900 GB an hour; one moves in time, the other half (1.344 + 4.032 kg)', async () => {
    const result = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 2)], [{}, {}])));
    expect(result.summary.emissionsKg).toBeCloseTo(5.376, 6);
    const perHour = [0, 0, 0, 0];
    for (const outcome of result.plan!.jobs) {
      for (const t of outcome.transfers ?? []) for (let h = t.startHour; h < t.startHour + t.hours; h++) perHour[h] += t.gbPerHour;
    }
    expect(perHour.every((gb) => gb <= 900 + 1e-6)).toBe(true);
    expect(perHour[0] + perHour[1]).toBeCloseTo(1800, 6);
  });

  it('counts transfer energy at the sending site: 0.01 kWh/GB (9 kWh at 500 g) still pays, 0.02 kWh/GB does not', async () => {
    const cheap = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 2, 0.01)])));
    expect(cheap.summary.emissionsKg).toBeCloseTo(1.344 + 4.5, 6);
    expect(cheap.plan!.sites[0].facilityMw[0]).toBeCloseTo(0.009, 9);
    expect(cheap.plan!.sites[0].jobLoadMw[0]).toBe(0);
    const dear = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 2, 0.02)])));
    expect(dear.summary.emissionsKg).toBeCloseTo(6.72, 6);
    expect(dear.plan!.jobs[0].transfers).toBeUndefined();
  });

  it('the baseline sends data home first: home west, data at east over 1 Gbps, so it starts at hour 2, one hour late', async () => {
    const result = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 1)], [{ homeSite: 'west', dataSite: 'east' }])));
    const baseline = result.baseline.jobs[0];
    expect(baseline.transfers).toEqual([{ link: 0, startHour: 0, hours: 2, gbPerHour: 450 }]);
    expect(baseline.runs).toEqual([{ site: 1, startHour: 2, hours: 2, gpus: 8 }]);
    expect(baseline.lateHours).toBe(1);
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(1.344, 6);
    // The plan keeps the deadline: west in hour 2 (data there), the rest at east: 3.36 + 0.672 kg.
    expect(result.summary.emissionsKg).toBeCloseTo(4.032, 6);
  });

  it('explains unmet work by the data: a site no link reaches, or data that arrives too late', async () => {
    const flat = (value: number) => [value, value, value, value];
    const smallEast = (links: Link[]) =>
      request(4, [site('east', flat(0), flat(500), { gpuCapacity: 4 }), site('west', flat(0), flat(100))], [job('j1', 'east', { deadline: hour(3), datasetGb: 900 })], { links });
    const late = await planProblem(validatePlanRequest(smallEast([link('east', 'west', 0.5)])));
    expect(late.summary.unmetGpuHours).toBeCloseTo(4, 6);
    expect(late.plan!.jobs[0].reason).toContain('at west it can run only after its 900 GB have arrived from east');
    const none = await planProblem(validatePlanRequest(smallEast([])));
    expect(none.plan!.jobs[0].reason).toContain('no link carries its data from east to west');
  });

  it('a request without links or data plans exactly as before, and a link alone changes nothing', async () => {
    const plain = await planProblem(validatePlanRequest(eastWest([], [{ datasetGb: undefined }])));
    const linked = await planProblem(validatePlanRequest(eastWest([link('east', 'west', 0.1, 1)], [{ datasetGb: undefined }])));
    expect(linked.plan!.jobs).toEqual(plain.plan!.jobs);
    expect(linked.summary).toEqual(plain.summary);
    expect(linked.solve.integerVariables).toBe(0);
  });

  it('the checker refuses a run before its data arrived, an overfull link and missing transfer energy', async () => {
    const problem = validatePlanRequest(eastWest([link('east', 'west', 2, 0.01)]));
    const result = await planProblem(problem);
    const tampered = (edit: (r: typeof result) => void) => {
      const copy = structuredClone(result);
      edit(copy);
      return checkPlanResult(problem, copy).violations;
    };
    expect(tampered(() => undefined)).toEqual([]);
    expect(tampered((r) => (r.plan!.jobs[0].transfers![0].startHour = 1)).join('\n')).toMatch(/runs at west from hour 1 with 0 GB of its 900 GB there/);
    expect(tampered((r) => (r.plan!.jobs[0].transfers![0].gbPerHour = 1000)).join('\n')).toMatch(/link east -> west hour 0: 1000 GB exceed the capacity 900 GB/);
    expect(tampered((r) => (r.plan!.sites[0].facilityMw[0] = 0)).join('\n')).toMatch(/site east hour 0 facilityMw: reported 0, recomputed 0.009/);
    expect(tampered((r) => (r.plan!.jobs[0].transfers = undefined)).join('\n')).toMatch(/runs at west from hour 1 with 0 GB/);
  });
});

describe('links and job data on the wire', () => {
  it('survive the trip to a worker thread and back through the response: the same transfers, and the client re-checks them', async () => {
    const problem = validatePlanRequest(eastWest([link('east', 'west', 1, 0.001)], [{ homeSite: 'west', dataSite: 'east' }, {}]));
    const { packed } = packProblem(problem);
    expect(await unpackProblem(structuredClone(packed))).toEqual(problem);
    const result = await planProblem(problem);
    const response = PlanResponse.decode(PlanResponse.encode(toPlanResponse(problem, result)).finish());
    expect(response.jobs.some((j) => j.transfers.length > 0)).toBe(true);
    expect(response.baseline!.jobs[0].transfers).toEqual([{ fromSiteId: 'east', toSiteId: 'west', start: hour(0), hours: 2, gbPerHour: 450 }]);
    const back = planResultFromResponse(problem, response);
    expect(back.baseline.jobs[0].transfers).toEqual(result.baseline.jobs[0].transfers);
    expect(back.plan!.jobs.map((j) => j.transfers)).toEqual(result.plan!.jobs.map((j) => j.transfers));
    expect(checkPlanResult(problem, back).violations).toEqual([]);
  });
});

describe('links and job data: validation', () => {
  const violations = (req: PlanRequest) => {
    try {
      validatePlanRequest(req);
    } catch (error) {
      if (error instanceof CoschedError) return error.violations.map((v) => `${v.field}: ${v.description}`);
      throw error;
    }
    return [];
  };

  it('names the field, the value and what is allowed, for every bad link and dataset at once', () => {
    const found = violations(
      eastWest(
        [link('east', 'nowhere', 1), link('west', 'west', 1), link('east', 'west', 0), link('west', 'east', 1, 200), link('west', 'east', 2)],
        [{ datasetGb: -1 }, { dataSite: 'north' }, { homeSite: 'east', dataSite: 'west', allowedSites: [] }],
      ),
    );
    expect(found).toEqual([
      'jobs[0].datasetGb: got -1; expected a number in [0, 1e9] GB',
      expect.stringMatching(/^jobs\[1\]\.dataSite: "north" is not a site id.*; or empty for the home site$/),
      expect.stringMatching(/^links\[0\]\.toSiteId: got "nowhere"; expected a site id; known: east, west$/),
      expect.stringMatching(/^links\[1\]\.toSiteId: got "west", the same as fromSiteId; expected another site$/),
      expect.stringMatching(/^links\[2\]\.bandwidthGbps: got 0/),
      expect.stringMatching(/^links\[3\]\.energyKwhPerGb: got 200/),
      'links[4]: got a second link west -> east (already links[3]); expected at most one link per ordered pair of sites',
    ]);
  });

  it('rejects data away from home without a link to home, naming jobs[i].dataSite', () => {
    const found = violations(eastWest([link('east', 'west', 1)], [{ homeSite: 'east', dataSite: 'west' }]));
    expect(found).toEqual(['jobs[0].dataSite: got "west", away from homeSite east, with no link west -> east; expected the home site (or empty), or add that link to links']);
  });
});

describe('links and job data: properties', () => {
  it('every plan passes the checker, and with links no more unmet work, nor more emissions for the same work, than with jobs pinned to their data', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryLinkedProblem(), async (problem) => {
        const linked = await planProblem(problem);
        expect(linked.check.passed).toBe(true);
        const pinned = await planProblem({
          ...problem,
          jobs: problem.jobs.map((j) => (j.data ? { ...j, allowedSites: [j.data.dataSite] } : j)),
        });
        const unmet = linked.summary.unmetGpuHours;
        expect(unmet).toBeLessThanOrEqual(pinned.summary.unmetGpuHours + 1e-6);
        if (Math.abs(unmet - pinned.summary.unmetGpuHours) <= 1e-6) {
          expect(linked.summary.emissionsKg).toBeLessThanOrEqual(pinned.summary.emissionsKg * (1 + 1e-6) + 1e-6);
        }
      }),
      { numRuns: 30 },
    );
  }, 60_000);

  it("the server's size estimate (planModelSize) bounds the model, transfers included", () => {
    fc.assert(
      fc.property(arbitraryLinkedProblem(), (problem) => {
        const model = buildModel(problem).model;
        const estimate = planModelSize(problem);
        expect(model.colNames.length).toBeLessThanOrEqual(estimate.variables);
        expect(model.rowNames.length).toBeLessThanOrEqual(estimate.constraints);
      }),
      { numRuns: 100 },
    );
  });
});
