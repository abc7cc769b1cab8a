import { describe, expect, it } from 'vitest';
import { CoschedError, type FieldViolation } from '../solver/errors/CoschedError.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanRequest, Solver } from '../src/generated/cosched/v1/plan_request.js';
import {
  hour,
  job,
  oneSiteFourHours,
  request,
  site,
  threeSitesFourHours,
  timestamp,
  twoSitesSixHoursFullySpecified,
} from './factories/planRequests.js';

const horizonStartMs = Date.UTC(2026, 6, 1);

/** The violations validatePlanRequest throws for `req`; fails the test if it does not throw one. */
function violationsOf(req: PlanRequest): FieldViolation[] {
  try {
    validatePlanRequest(req);
  } catch (error) {
    expect(error).toBeInstanceOf(CoschedError);
    expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
    expect((error as CoschedError).reason).toBe('INVALID_PLAN_REQUEST');
    return (error as CoschedError).violations;
  }
  throw new Error('expected validatePlanRequest to throw');
}

/** The single violation at `field`; fails unless exactly one is there. */
function violationAt(req: PlanRequest, field: string): string {
  const matching = violationsOf(req).filter((v) => v.field === field);
  expect(matching, `violations at ${field}`).toHaveLength(1);
  return matching[0].description;
}

describe('a valid request', () => {
  it('converts to exactly the expected Problem, windows rounded inward and clipped to the horizon', () => {
    expect(validatePlanRequest(twoSitesSixHoursFullySpecified())).toEqual({
      horizonStartMs,
      hours: 6,
      sites: [
        {
          id: 'a',
          name: 'Site A',
          timeZone: 'Asia/Shanghai',
          gpuCapacity: 32,
          pue: 1.25,
          greenSupplyMw: [0, 1, 2, 3, 2, 1],
          carbonIntensityGPerKwh: [500, 400, 300, 300, 400, 500],
          pricePerMwh: [50, 40, -5, -10, 30, 60],
          baseLoadMw: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
          gridImportLimitMw: 10,
        },
        {
          id: 'b',
          name: 'b',
          timeZone: 'UTC',
          gpuCapacity: 16,
          pue: 1.1,
          greenSupplyMw: [4, 4, 4, 4, 4, 4],
          carbonIntensityGPerKwh: [50, 50, 50, 50, 50, 50],
          pricePerMwh: [0, 0, 0, 0, 0, 0],
          baseLoadMw: [0, 0, 0, 0, 0, 0],
          gridImportLimitMw: Infinity,
          storage: { energyMwh: 2, powerMw: 1, chargeEfficiency: 0.9, dischargeEfficiency: 0.9, initialMwh: 1, finalMinMwh: 0.5, chargeFromGrid: true },
        },
      ],
      jobs: [
        {
          id: 'j1',
          gpuHours: 16,
          maxGpus: 8,
          minGpus: 2,
          gpuPowerKw: 0.7,
          windowStart: 1,
          windowEnd: 5,
          releaseHour: 0.5,
          deadlineHour: 5.5,
          allowedSites: [0, 1],
          homeSite: 0,
          interruptible: true,
        },
        {
          id: 'j2',
          gpuHours: 12,
          maxGpus: 4,
          minGpus: 0,
          gpuPowerKw: 0.7,
          windowStart: 0,
          windowEnd: 6,
          releaseHour: -2,
          deadlineHour: 8,
          allowedSites: [0, 1],
          homeSite: 1,
          interruptible: false,
        },
      ],
      objective: { carbonWeight: 2, costWeight: 0.5 },
      options: { timeLimitSeconds: 30, mipGap: 0.01, solver: 'jslp' },
    });
  });

  it('fills defaults: name from id, UTC zone, zero prices and base load, unlimited import, carbon weight 1, default options', () => {
    const problem = validatePlanRequest(oneSiteFourHours());
    expect(problem.sites[0]).toMatchObject({ name: 'a', timeZone: 'UTC', pricePerMwh: [0, 0, 0, 0], baseLoadMw: [0, 0, 0, 0], gridImportLimitMw: Infinity });
    expect(problem.jobs[0]).toMatchObject({ minGpus: 0, allowedSites: [0], homeSite: 0, windowStart: 0, windowEnd: 4 });
    expect(problem.objective).toEqual({ carbonWeight: 1, costWeight: 0 });
    expect(problem.options).toEqual({ timeLimitSeconds: 60, mipGap: 1e-4, solver: 'highs' });
  });

  it('defaults zero options to the documented values and an unset carbon weight to 1 even when cost is weighted', () => {
    const req = oneSiteFourHours();
    req.objective = { carbonWeight: undefined, costWeight: 3, riskMeasure: 0, cvarAlpha: 0 };
    req.options = { timeLimitSeconds: 0, mipGap: 0, solver: Solver.SOLVER_HIGHS };
    const problem = validatePlanRequest(req);
    expect(problem.objective).toEqual({ carbonWeight: 1, costWeight: 3 });
    expect(problem.options).toEqual({ timeLimitSeconds: 60, mipGap: 1e-4, solver: 'highs' });
  });

  it('accepts a job whose window lies outside the horizon, leaving an empty window for the planner to report', () => {
    const req = oneSiteFourHours();
    req.jobs[0].release = hour(10);
    req.jobs[0].deadline = hour(12);
    expect(validatePlanRequest(req).jobs[0]).toMatchObject({ windowStart: 4, windowEnd: 4, releaseHour: 10, deadlineHour: 12 });
  });

  it('gives the same Problem for a request that went through gRPC binary encoding', () => {
    const req = twoSitesSixHoursFullySpecified();
    const decoded = PlanRequest.decode(PlanRequest.encode(req).finish());
    expect(validatePlanRequest(decoded)).toEqual(validatePlanRequest(req));
  });

  it('does not share arrays with the request', () => {
    const req = oneSiteFourHours();
    const problem = validatePlanRequest(req);
    req.sites[0].greenSupplyMw[0] = 99;
    expect(problem.sites[0].greenSupplyMw[0]).toBe(0);
  });
});

describe('horizon rules', () => {
  it('rejects a start that is not on a whole UTC hour, naming the value and the hour before it', () => {
    const req = oneSiteFourHours();
    req.horizon!.start = timestamp('2026-07-01T00:30:00Z');
    expect(violationAt(req, 'horizon.start')).toBe('got 2026-07-01T00:30Z; expected a whole UTC hour such as 2026-07-01T00:00Z');
  });

  it('rejects a start given in a zone whose offset is not whole hours', () => {
    const req = oneSiteFourHours();
    req.horizon!.start = timestamp('2026-07-01T05:00:00+05:30');
    expect(violationAt(req, 'horizon.start')).toBe('got 2026-06-30T23:30Z; expected a whole UTC hour such as 2026-06-30T23:00Z');
  });

  it('rejects hours outside 1..8784 and a missing horizon without checking array lengths', () => {
    const tooLong = oneSiteFourHours();
    tooLong.horizon!.hours = 8_785;
    expect(violationAt(tooLong, 'horizon.hours')).toBe('got 8785; expected an integer 1..8784');

    const missing = oneSiteFourHours();
    missing.horizon = undefined;
    expect(violationsOf(missing)).toEqual([{ field: 'horizon', description: 'got nothing; horizon is required: expected start and hours' }]);
  });

  it('rejects a malformed Timestamp such as one decoded from a bad binary message', () => {
    const req = oneSiteFourHours();
    req.horizon!.start = { seconds: 1.5, nanos: 0 };
    expect(violationAt(req, 'horizon.start')).toBe('got seconds=1.5, nanos=0; expected a valid timestamp, 0001-01-01..9999-12-31');
  });
});

describe('site rules', () => {
  it('reports an hourly array of the wrong length with the count received and expected', () => {
    const req = oneSiteFourHours();
    req.sites[0].greenSupplyMw = [0, 2, 2];
    req.sites[0].pricePerMwh = [1, 2];
    const violations = violationsOf(req);
    expect(violations).toContainEqual({ field: 'sites[0].greenSupplyMw', description: 'got 3 values; expected 4 (horizon.hours)' });
    expect(violations).toContainEqual({ field: 'sites[0].pricePerMwh', description: 'got 2 values; expected 4 (horizon.hours) or none' });
  });

  it('reports a missing required forecast as zero values', () => {
    const req = oneSiteFourHours();
    req.sites[0].carbonIntensityGPerKwh = [];
    expect(violationAt(req, 'sites[0].carbonIntensityGPerKwh')).toBe('got 0 values; expected 4 (horizon.hours)');
  });

  it('reports NaN and Infinity element by element, by index', () => {
    const req = oneSiteFourHours();
    req.sites[0].greenSupplyMw = [0, NaN, 2, -1];
    req.sites[0].carbonIntensityGPerKwh = [500, 100, Infinity, 500];
    expect(violationsOf(req)).toEqual([
      { field: 'sites[0].greenSupplyMw[1]', description: 'got NaN; expected a number in [0, 1e6] MW (NaN and Infinity are not allowed)' },
      { field: 'sites[0].greenSupplyMw[3]', description: 'got -1; expected a number in [0, 1e6] MW' },
      { field: 'sites[0].carbonIntensityGPerKwh[2]', description: 'got Infinity; expected a number in [0, 10000] gCO2eq/kWh (NaN and Infinity are not allowed)' },
    ]);
  });

  it('lists at most 20 bad elements of one array and sums up the rest', () => {
    const req = oneSiteFourHours();
    req.sites[0].greenSupplyMw = Array.from({ length: 8_760 }, () => -1);
    const violations = violationsOf(req).filter((v) => v.field.startsWith('sites[0].greenSupplyMw'));
    expect(violations).toHaveLength(22);
    expect(violations[0]).toEqual({ field: 'sites[0].greenSupplyMw', description: 'got 8760 values; expected 4 (horizon.hours)' });
    expect(violations[1]).toEqual({ field: 'sites[0].greenSupplyMw[0]', description: 'got -1; expected a number in [0, 1e6] MW' });
    expect(violations[20].field).toBe('sites[0].greenSupplyMw[19]');
    expect(violations[21]).toEqual({ field: 'sites[0].greenSupplyMw', description: '... and 8740 more bad values (only the first 20 are listed)' });
  });

  it('accepts negative prices but not non-finite ones', () => {
    const req = oneSiteFourHours();
    req.sites[0].pricePerMwh = [-20, 0, 10, -Infinity];
    expect(violationAt(req, 'sites[0].pricePerMwh[3]')).toBe(
      'got -Infinity; expected a number in [-1e6, 1e6] per MWh (negative prices are allowed) (NaN and Infinity are not allowed)',
    );
  });

  it('says pue is required when it is unset (0), and rejects pue below 1', () => {
    const unset = oneSiteFourHours();
    unset.sites[0].pue = 0;
    expect(violationAt(unset, 'sites[0].pue')).toBe('got 0 (unset); pue is required: expected a number in [1, 10]');
    const low = oneSiteFourHours();
    low.sites[0].pue = 0.9;
    expect(violationAt(low, 'sites[0].pue')).toBe('got 0.9; expected a number in [1, 10]');
  });

  it('rejects an unknown time zone, a fractional GPU capacity and a negative import limit', () => {
    const req = oneSiteFourHours();
    req.sites[0].timeZone = 'Asia/Shangai';
    req.sites[0].gpuCapacity = 2.5;
    req.sites[0].gridImportLimitMw = -1;
    expect(violationsOf(req)).toEqual([
      { field: 'sites[0].timeZone', description: 'got "Asia/Shangai"; expected an IANA time zone such as "Asia/Shanghai", or empty for UTC' },
      { field: 'sites[0].gpuCapacity', description: 'got 2.5; expected an integer 0..1e6' },
      { field: 'sites[0].gridImportLimitMw', description: 'got -1; expected a number in [0, 1e6] MW' },
    ]);
  });

  it('rejects a base load the site cannot draw even alone, at the hour where it happens', () => {
    const req = oneSiteFourHours();
    req.sites[0].pue = 1.25;
    req.sites[0].greenSupplyMw = [0, 1, 0, 0];
    req.sites[0].baseLoadMw = [2, 4, 0, 0];
    req.sites[0].gridImportLimitMw = 3;
    expect(violationsOf(req)).toEqual([
      {
        field: 'sites[0].baseLoadMw[1]',
        description:
          'got 4 MW, which takes 5 MW with pue 1.25; expected at most 3.2 MW: at hour 1 (2026-07-01T01:00Z) ' +
          'the site can draw only green supply 1 MW + grid import limit 3 MW = 4 MW',
      },
    ]);
  });

  it('accepts a base load that exactly fills the supply, and any base load without an import limit', () => {
    const exact = oneSiteFourHours();
    exact.sites[0].pue = 1.25;
    exact.sites[0].greenSupplyMw = [0, 1, 0, 0];
    exact.sites[0].baseLoadMw = [2.4, 3.2, 0, 0];
    exact.sites[0].gridImportLimitMw = 3;
    expect(() => validatePlanRequest(exact)).not.toThrow();
    exact.sites[0].gridImportLimitMw = undefined;
    exact.sites[0].baseLoadMw = [1_000, 1_000, 1_000, 1_000];
    expect(() => validatePlanRequest(exact)).not.toThrow();
  });
});

describe('id rules', () => {
  it('rejects duplicate site and job ids, naming where the id first appeared', () => {
    const req = request(4, [site('a', [0, 0, 0, 0], [1, 1, 1, 1]), site('a', [0, 0, 0, 0], [1, 1, 1, 1])], [job('j1', 'a'), job('j1', 'a')]);
    expect(violationsOf(req)).toEqual([
      { field: 'sites[1].id', description: 'got "a", which is already the id of sites[0]; expected a unique id' },
      { field: 'jobs[1].id', description: 'got "j1", which is already the id of jobs[0]; expected a unique id' },
    ]);
  });

  it('rejects empty and malformed ids', () => {
    const req = oneSiteFourHours();
    req.jobs[0].id = '';
    req.jobs.push(job('has space', 'a'), job('x'.repeat(65), 'a'));
    const rule = "expected 1..64 letters, digits, '_', '-' or '.', starting with a letter or digit";
    expect(violationsOf(req)).toEqual([
      { field: 'jobs[0].id', description: `got ""; an id is required: ${rule}` },
      { field: 'jobs[1].id', description: `got "has space"; ${rule}` },
      { field: 'jobs[2].id', description: `got "${'x'.repeat(40)}..."; ${rule}` },
    ]);
  });
});

describe('job rules', () => {
  it('rejects a deadline before release, showing both times', () => {
    const req = request(8, [site('a', Array(8).fill(0), Array(8).fill(100))], [job('j1', 'a', { release: hour(5), deadline: hour(2) })]);
    expect(violationAt(req, 'jobs[0].deadline')).toBe('2026-07-01T02:00Z is before release 2026-07-01T05:00Z; expected a deadline after release');
    expect((() => {
      try {
        validatePlanRequest(req);
      } catch (error) {
        return (error as Error).message;
      }
    })()).toContain('jobs[0].deadline: 2026-07-01T02:00Z is before release 2026-07-01T05:00Z');
  });

  it('rejects a deadline equal to release and a missing release', () => {
    const same = oneSiteFourHours();
    same.jobs[0].deadline = hour(0);
    expect(violationAt(same, 'jobs[0].deadline')).toBe(
      '2026-07-01T00:00Z is the same instant as release 2026-07-01T00:00Z; expected a deadline after release',
    );
    const missing = oneSiteFourHours();
    missing.jobs[0].release = undefined;
    expect(violationAt(missing, 'jobs[0].release')).toBe('got nothing; release is required: expected a timestamp such as 2026-07-01T00:00:00Z');
  });

  it('rejects negative GPU power in kW, zero work and a fractional GPU count', () => {
    const req = oneSiteFourHours();
    req.jobs[0].gpuPowerKw = -0.7;
    req.jobs[0].gpuHours = 0;
    req.jobs[0].maxGpus = 1.5;
    expect(violationsOf(req)).toEqual([
      { field: 'jobs[0].gpuHours', description: 'got 0; expected a number in (0, 1e9] GPU-hours' },
      { field: 'jobs[0].maxGpus', description: 'got 1.5; expected an integer 1..1e6' },
      { field: 'jobs[0].gpuPowerKw', description: 'got -0.7; expected a number in [0.001, 100] kW' },
    ]);
  });

  it('rejects minGpus above maxGpus', () => {
    const req = oneSiteFourHours();
    req.jobs[0].minGpus = 9;
    expect(violationAt(req, 'jobs[0].minGpus')).toBe('got 9; expected an integer 0..8 (at most maxGpus)');
  });

  it('rejects an allowed site that does not exist, listing the known ids', () => {
    const req = threeSitesFourHours();
    req.jobs[0].allowedSites = ['a', 'datong2'];
    expect(violationsOf(req)).toEqual([{ field: 'jobs[0].allowedSites[1]', description: '"datong2" is not a site id; known: a, b, c' }]);
  });

  it('suggests the closest site id for a misspelt home site', () => {
    const req = request(4, [site('datong', [0, 0, 0, 0], [1, 1, 1, 1]), site('ulanqab', [0, 0, 0, 0], [1, 1, 1, 1])], [job('j1', 'datung')]);
    expect(violationAt(req, 'jobs[0].homeSite')).toBe('"datung" is not a site id (did you mean datong?); known: datong, ulanqab');
  });

  it('rejects a site listed twice, a missing home site and a home site outside allowedSites', () => {
    const req = threeSitesFourHours();
    req.jobs[0].allowedSites = ['b', 'c', 'b'];
    req.jobs.push(job('j2', ''));
    expect(violationsOf(req)).toEqual([
      { field: 'jobs[0].allowedSites[2]', description: 'got "b" again (already allowedSites[0]); expected each site at most once' },
      { field: 'jobs[0].homeSite', description: '"a" is not in allowedSites (b, c); expected one of the allowed sites' },
      { field: 'jobs[1].homeSite', description: 'got ""; homeSite is required: expected a site id; known: a, b, c' },
    ]);
  });

  it('converts allowedSites to ascending site indices', () => {
    const req = threeSitesFourHours();
    req.jobs[0].allowedSites = ['c', 'a'];
    expect(validatePlanRequest(req).jobs[0].allowedSites).toEqual([0, 2]);
  });
});

describe('objective and option rules', () => {
  it('rejects both weights zero, negative weights, and out-of-range options', () => {
    const zero = oneSiteFourHours();
    zero.objective = { carbonWeight: 0, costWeight: 0, riskMeasure: 0, cvarAlpha: 0 };
    expect(violationsOf(zero)).toEqual([{ field: 'objective', description: 'got carbonWeight 0 and costWeight 0; expected at least one weight > 0' }]);

    const bad = oneSiteFourHours();
    bad.objective = { carbonWeight: -1, costWeight: NaN, riskMeasure: 0, cvarAlpha: 0 };
    bad.options = { timeLimitSeconds: 90_000, mipGap: 1, solver: 7 as Solver };
    expect(violationsOf(bad)).toEqual([
      { field: 'objective.carbonWeight', description: 'got -1; expected a number in [0, 1e6]' },
      { field: 'objective.costWeight', description: 'got NaN; expected a number in [0, 1e6] (NaN and Infinity are not allowed)' },
      { field: 'options.timeLimitSeconds', description: 'got 90000; expected a number in [0, 86400] seconds (0 means 60)' },
      { field: 'options.mipGap', description: 'got 1; expected a number in [0, 1) (0 means 0.0001)' },
      { field: 'options.solver', description: 'got 7; expected one of SOLVER_UNSPECIFIED, SOLVER_HIGHS, SOLVER_JSLP' },
    ]);
  });
});

describe('many errors at once', () => {
  it('reports every bad field in request order, not only the first', () => {
    const req = request(
      4,
      [site('a', [0, 1, 2], [100, 100, 100, -5], { pue: 0 }), site('a', [0, 0, 0, 0], [1, 1, 1, 1])],
      [
        job('j1', 'x', { gpuPowerKw: -1, release: hour(3), deadline: hour(1) }),
        job('j2', 'a', { allowedSites: ['b'], maxGpus: 0 }),
      ],
      { options: { timeLimitSeconds: -1, mipGap: 0, solver: Solver.SOLVER_UNSPECIFIED } },
    );
    req.horizon!.start = timestamp('2026-07-01T00:15:00Z');
    expect(violationsOf(req)).toEqual([
      { field: 'horizon.start', description: 'got 2026-07-01T00:15Z; expected a whole UTC hour such as 2026-07-01T00:00Z' },
      { field: 'sites[0].pue', description: 'got 0 (unset); pue is required: expected a number in [1, 10]' },
      { field: 'sites[0].greenSupplyMw', description: 'got 3 values; expected 4 (horizon.hours)' },
      { field: 'sites[0].carbonIntensityGPerKwh[3]', description: 'got -5; expected a number in [0, 10000] gCO2eq/kWh' },
      { field: 'sites[1].id', description: 'got "a", which is already the id of sites[0]; expected a unique id' },
      { field: 'jobs[0].gpuPowerKw', description: 'got -1; expected a number in [0.001, 100] kW' },
      { field: 'jobs[0].deadline', description: '2026-07-01T01:00Z is before release 2026-07-01T03:00Z; expected a deadline after release' },
      { field: 'jobs[0].homeSite', description: '"x" is not a site id; known: a' },
      { field: 'jobs[1].maxGpus', description: 'got 0; expected an integer 1..1e6' },
      { field: 'jobs[1].allowedSites[0]', description: '"b" is not a site id; known: a' },
      { field: 'jobs[1].homeSite', description: '"a" is not in allowedSites (b); expected one of the allowed sites' },
      { field: 'options.timeLimitSeconds', description: 'got -1; expected a number in [0, 86400] seconds (0 means 60)' },
    ]);
  });

  it('summarises the count in the error message, one violation per line', () => {
    const req = oneSiteFourHours();
    req.jobs[0].gpuPowerKw = -1;
    req.sites[0].pue = 0.5;
    expect(() => validatePlanRequest(req)).toThrow(
      'invalid plan request: 2 bad fields\n  sites[0].pue: got 0.5; expected a number in [1, 10]\n  jobs[0].gpuPowerKw: got -1; expected a number in [0.001, 100] kW',
    );
  });
});

// Issue 14: upper bounds for every number, so that a request that validates is one the planner
// can plan (the baseline failed on gpuHours >= 1e12, the plan check on pue or gpuPowerKw 1e308).
describe('physical bounds', () => {
  it('rejects huge numbers in every field with the allowed range, and accepts the bounds themselves', () => {
    const huge = oneSiteFourHours();
    huge.sites[0] = { ...huge.sites[0], gpuCapacity: 2_000_000, pue: 1e308, gridImportLimitMw: 1e30, baseLoadMw: [0, 0, 0, 1e300], pricePerMwh: [1e300, 0, -1e7, 0] };
    huge.sites[0].greenSupplyMw = [1e300, 0, 0, 0];
    huge.sites[0].carbonIntensityGPerKwh = [20_000, 0, 0, 0];
    huge.jobs[0] = { ...huge.jobs[0], gpuHours: 1e12, maxGpus: 1_000_001, gpuPowerKw: 1e308 };
    huge.objective = { carbonWeight: 1e300, costWeight: 2e6, riskMeasure: 0, cvarAlpha: 0 };
    expect(violationsOf(huge)).toEqual([
      { field: 'sites[0].gpuCapacity', description: 'got 2000000; expected an integer 0..1e6' },
      { field: 'sites[0].pue', description: 'got 1e+308; expected a number in [1, 10]' },
      { field: 'sites[0].gridImportLimitMw', description: 'got 1e+30; expected a number in [0, 1e6] MW' },
      { field: 'sites[0].greenSupplyMw[0]', description: 'got 1e+300; expected a number in [0, 1e6] MW' },
      { field: 'sites[0].carbonIntensityGPerKwh[0]', description: 'got 20000; expected a number in [0, 10000] gCO2eq/kWh' },
      { field: 'sites[0].pricePerMwh[0]', description: 'got 1e+300; expected a number in [-1e6, 1e6] per MWh (negative prices are allowed)' },
      { field: 'sites[0].pricePerMwh[2]', description: 'got -10000000; expected a number in [-1e6, 1e6] per MWh (negative prices are allowed)' },
      { field: 'sites[0].baseLoadMw[3]', description: 'got 1e+300; expected a number in [0, 1e6] MW' },
      { field: 'jobs[0].gpuHours', description: 'got 1000000000000; expected a number in (0, 1e9] GPU-hours' },
      { field: 'jobs[0].maxGpus', description: 'got 1000001; expected an integer 1..1e6' },
      { field: 'jobs[0].gpuPowerKw', description: 'got 1e+308; expected a number in [0.001, 100] kW' },
      { field: 'objective.carbonWeight', description: 'got 1e+300; expected a number in [0, 1e6]' },
      { field: 'objective.costWeight', description: 'got 2000000; expected a number in [0, 1e6]' },
    ]);

    const atBounds = oneSiteFourHours();
    atBounds.sites[0] = { ...atBounds.sites[0], gpuCapacity: 1e6, pue: 10, gridImportLimitMw: 1e6, pricePerMwh: [1e6, -1e6, 0, 0] };
    atBounds.sites[0].greenSupplyMw = [1e6, 0, 0, 0];
    atBounds.sites[0].carbonIntensityGPerKwh = [10_000, 0, 0, 0];
    atBounds.jobs[0] = { ...atBounds.jobs[0], gpuHours: 1e9, maxGpus: 1e6, gpuPowerKw: 100 };
    atBounds.objective = { carbonWeight: 1e6, costWeight: 0, riskMeasure: 0, cvarAlpha: 0 };
    expect(() => validatePlanRequest(atBounds)).not.toThrow();
  });

  it('rejects a GPU power below 1 W, which the solver would not see', () => {
    const req = oneSiteFourHours();
    req.jobs[0].gpuPowerKw = 1e-9;
    expect(violationAt(req, 'jobs[0].gpuPowerKw')).toBe('got 1e-9; expected a number in [0.001, 100] kW');
  });

  it('rejects a horizon start 1 or 100 nanoseconds past the hour, which a double in milliseconds cannot show', () => {
    for (const nanos of [1, 100]) {
      const req = oneSiteFourHours();
      req.horizon = { start: { seconds: hour(0).seconds, nanos }, hours: 4 };
      expect(violationAt(req, 'horizon.start')).toBe(`got 2026-07-01T00:00Z plus ${nanos} ns; expected a whole UTC hour, nanos 0, such as 2026-07-01T00:00Z`);
    }
  });
});

describe('bounded work on bad requests', () => {
  it('lists at most 1,000 violations and counts the rest in a last one', () => {
    const req = request(1, [site('a', [1], [1])], Array.from({ length: 1_500 }, (_, i) => job(`j${i}`, 'a', { gpuHours: -1 })));
    const violations = violationsOf(req);
    expect(violations).toHaveLength(1_001);
    expect(violations[999]).toEqual({ field: 'jobs[999].gpuHours', description: 'got -1; expected a number in (0, 1e9] GPU-hours' });
    expect(violations[1_000]).toEqual({ field: 'jobs[1000].gpuHours', description: '... and 500 more violations from this one on (only the first 1000 are listed)' });
  });

  it('validates a request full of unknown 64-character site ids among thousands of sites quickly, still suggesting for the first', () => {
    const id = (prefix: string, i: number) => `${prefix}${i}`.padEnd(64, 'x');
    const sites = Array.from({ length: 5_000 }, (_, i) => site(id('site-', i), [1], [1]));
    const jobs = Array.from({ length: 300 }, (_, i) =>
      job(`j${i}`, id('home-', i), { allowedSites: Array.from({ length: 100 }, (_, k) => id(`unknown-${i}-`, k)) }),
    );
    jobs[0].allowedSites[0] = id('site-', 0).replace('site', 'sitf');
    const req = PlanRequest.decode(PlanRequest.encode(request(1, sites, jobs)).finish());
    const startedMs = performance.now();
    const violations = violationsOf(req);
    const elapsedMs = performance.now() - startedMs;
    expect(violations.find((v) => v.field === 'jobs[0].allowedSites[0]')?.description).toMatch(/^"sitf-0x+\.\.\." is not a site id \(did you mean site-0x+\?\); known: /);
    // Without bounds this took minutes (30,000 unknown ids x 5,000 sites x 64 x 64 cells); measured
    // about 100 ms on an idle 2-core machine, 500 ms with other tests running beside it.
    expect(elapsedMs).toBeLessThan(3_000);
  });
});

describe('a marginal signal (marginalIntensityGPerKwh)', () => {
  const flat = (value: number) => [value, value, value, value];

  it('is copied when every site gives one and left undefined when none does', () => {
    const req = threeSitesFourHours();
    req.sites.forEach((s, i) => (s.marginalIntensityGPerKwh = flat(700 + i)));
    expect(validatePlanRequest(req).sites.map((s) => s.marginalIntensityGPerKwh)).toEqual([flat(700), flat(701), flat(702)]);
    expect(validatePlanRequest(threeSitesFourHours()).sites.every((s) => !('marginalIntensityGPerKwh' in s))).toBe(true);
  });

  it('is given by every site or by none: each site without it is named with the sites that have it', () => {
    const req = threeSitesFourHours();
    req.sites[1].marginalIntensityGPerKwh = flat(800);
    const violations = violationsOf(req);
    expect(violations).toEqual([
      {
        field: 'sites[0].marginalIntensityGPerKwh',
        description: 'got none, but site "b" gives a marginal signal; expected one for every site (horizon.hours values, gCO2/kWh) or for none',
      },
      {
        field: 'sites[2].marginalIntensityGPerKwh',
        description: 'got none, but site "b" gives a marginal signal; expected one for every site (horizon.hours values, gCO2/kWh) or for none',
      },
    ]);
  });

  it('has horizon.hours values, each in [0, 10000] gCO2/kWh', () => {
    const req = oneSiteFourHours();
    req.sites[0].marginalIntensityGPerKwh = [900, 800];
    expect(violationAt(req, 'sites[0].marginalIntensityGPerKwh')).toBe('got 2 values; expected 4 (horizon.hours) or none');
    req.sites[0].marginalIntensityGPerKwh = [900, -1, 20_000, Number.NaN];
    expect(violationsOf(req).map((v) => v.field)).toEqual(['sites[0].marginalIntensityGPerKwh[1]', 'sites[0].marginalIntensityGPerKwh[2]', 'sites[0].marginalIntensityGPerKwh[3]']);
    expect(violationAt(req, 'sites[0].marginalIntensityGPerKwh[2]')).toContain('expected a number in [0, 10000] gCO2/kWh');
  });
});
