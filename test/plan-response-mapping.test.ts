import { describe, expect, it } from 'vitest';
import { PlanResponse, Termination } from '../src/generated/cosched/v1/plan_response.js';
import { planResponseToJson, toPlanResponse } from '../src/report/toPlanResponse.js';
import { horizonStartMs } from './factories/problems.js';
import { jobMovedToGreenSiteAtHourOne } from './factories/planResults.js';

const hourSeconds = (hour: number) => horizonStartMs / 1000 + hour * 3600;

describe('toPlanResponse', () => {
  it('turns horizon hours into start-of-hour timestamps and indices into ids', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const response = toPlanResponse(problem, result);

    expect(response.termination).toBe(Termination.TERMINATION_OPTIMAL);
    expect(response.jobs).toHaveLength(1);
    const [job] = response.jobs;
    expect(job.jobId).toBe('j1');
    expect(job.allocations).toEqual([{ siteId: 'green', start: { seconds: hourSeconds(1), nanos: 0 }, hours: 2, gpus: 4 }]);
    expect(job.finish).toEqual({ seconds: hourSeconds(3), nanos: 0 });
    expect(job.doneGpuHours).toBe(8);
    expect(response.baseline?.jobs[0].allocations[0]).toEqual({ siteId: 'grey', start: { seconds: hourSeconds(0), nanos: 0 }, hours: 2, gpus: 4 });
  });

  it('keeps sites in request order with their hourly arrays and copies every figure unchanged', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const response = toPlanResponse(problem, result);

    expect(response.sites.map((s) => s.siteId)).toEqual(['grey', 'green']);
    expect(response.sites[1].jobLoadMw).toEqual([0, 0.004, 0.004]);
    expect(response.baseline?.sites[0].emissionsKg).toEqual([4.8, 0, 0]);
    expect(response.summary).toMatchObject({ carbonSavedKg: 4.8, carbonSavedPercent: 100, baselineCost: 9, cost: 7, greenShare: 0.5, sameWork: true });
    expect(response.baseline).toMatchObject({ emissionsKg: 4.8, cost: 7, greenMwh: 0.5, gridMwh: 0.5 });
    expect(response.solve).toMatchObject({ solver: 'highs 1.15.3', solveMs: 12.5, variables: 9, constraints: 7, stages: 1 });
    expect(response.check).toEqual({ passed: true, checks: 42, violations: [] });
    expect(response.warnings).toEqual(['a warning']);
  });

  it('lists every job with all work unmet when there is no schedule', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const response = toPlanResponse(problem, { ...result, termination: 'time_limit_no_solution', status: 'warning', plan: undefined });

    expect(response.termination).toBe(Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION);
    expect(response.jobs).toEqual([
      expect.objectContaining({ jobId: 'j1', allocations: [], finish: undefined, unmetGpuHours: 8, doneGpuHours: 0, reason: expect.stringContaining('time_limit_no_solution') }),
    ]);
    expect(response.sites).toEqual([]);
    expect(response.baseline?.jobs).toHaveLength(1);
  });
});

describe('planResponseToJson', () => {
  it('gives proto3 JSON that PlanResponse.fromJSON reads back unchanged', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const response = toPlanResponse(problem, result);
    const json = JSON.parse(JSON.stringify(planResponseToJson(response)));

    expect(json.termination).toBe('TERMINATION_OPTIMAL');
    expect(json.jobs[0].allocations[0]).toEqual({ siteId: 'green', start: '2026-07-01T01:00:00.000Z', hours: 2, gpus: 4 });
    expect(json.jobs[0].finish).toBe('2026-07-01T03:00:00.000Z');
    expect(PlanResponse.fromJSON(json)).toEqual(response);
  });
});
