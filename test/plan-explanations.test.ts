import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../solver/problem/Problem.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { planResultFromResponse } from '../src/client/planResultFromResponse.js';
import { bindingHoursHtml } from '../src/report/bindingHoursHtml.js';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import * as requests from './factories/planRequests.js';
import { job, problem, site } from './factories/problems.js';

const explained = (p: Problem): Problem => ({ ...p, options: { ...p.options, explain: true } });

/** One hour; `clean` (100 g/kWh) has 4 GPUs, `dirty` (300 g/kWh) plenty; an 8-GPU-hour job uses both. */
function cleanSiteTooSmall(cleanCapacity = 4, dirtyGreenMw = 0): Problem {
  const sites = [site('clean', [0], [100], { gpuCapacity: cleanCapacity }), site('dirty', [dirtyGreenMw], [300])];
  return problem(1, sites, [job('j1', 1, { allowedSites: [0, 1], homeSite: 1 })]);
}

/** One site, hours at 500, 600, 100 g/kWh; the job's window is the first two hours. */
function cleanHourJustAfterTheDeadline(windowEnd = 2): Problem {
  return problem(3, [site('a', [0, 0, 0], [500, 600, 100])], [job('j1', 3, { windowEnd, deadlineHour: windowEnd })]);
}

/** A 2-hour block (16 GPU-hours at 8 GPUs) in window [0, 3) over 500, 500, 100, 100 g/kWh. */
function blockJustBeforeCleanHours(windowEnd = 3): Problem {
  const sites = [site('a', [0, 0, 0, 0], [500, 500, 100, 100])];
  return problem(4, sites, [job('j1', 4, { gpuHours: 16, interruptible: false, windowEnd, deadlineHour: windowEnd })]);
}

describe('explanations from duals', () => {
  it('prices one more GPU at a full clean site at the carbon it saves, and checks it by finite difference', async () => {
    const result = await planProblem(explained(cleanSiteTooSmall()));
    const explanation = result.explanation!;
    expect(explanation.available).toBe(true);
    expect(explanation.valueUnit).toBe('kg CO2');
    expect(explanation.basis).toContain('duals of the LP');
    const clean = explanation.bindingHours.find((v) => v.site === 0 && v.hour === 0)!;
    // One more GPU-hour moves 1 kWh from 300 to 100 g/kWh: 0.2 kg.
    expect(clean.gpuHourValue).toBeCloseTo(0.2, 9);
    const bigger = await planProblem(cleanSiteTooSmall(5));
    expect(result.summary.emissionsKg - bigger.summary.emissionsKg).toBeCloseTo(clean.gpuHourValue, 9);
    expect(result.check.passed).toBe(true);
  });

  it('prices one more MWh of green supply at the grid intensity it displaces (finite difference)', async () => {
    const result = await planProblem(explained(cleanSiteTooSmall()));
    const dirty = result.explanation!.bindingHours.find((v) => v.site === 1 && v.hour === 0)!;
    // 1 MWh of grid at 300 g/kWh is 300 kg.
    expect(dirty.greenMwhValue).toBeCloseTo(300, 6);
    const greener = await planProblem(cleanSiteTooSmall(4, 0.001));
    expect(result.summary.emissionsKg - greener.summary.emissionsKg).toBeCloseTo(0.001 * dirty.greenMwhValue, 9);
  });

  it("values an interruptible job's deadline at what a cleaner next hour saves (finite difference)", async () => {
    const result = await planProblem(explained(cleanHourJustAfterTheDeadline()));
    const value = result.explanation!.jobs[0];
    // 8 GPU-hours at 500 g/kWh now; at 100 g/kWh in hour 2: 0.008 MWh × 400 = 3.2 kg.
    expect(value.deadlineValue).toBeCloseTo(3.2, 9);
    expect(value.valuePerGpuHour).toBeCloseTo(0.4, 9);
    expect(value).toMatchObject({ site: 0, gpus: 8, workValuePerGpuHour: 0 });
    const later = await planProblem(cleanHourJustAfterTheDeadline(3));
    expect(result.summary.emissionsKg - later.summary.emissionsKg).toBeCloseTo(value.deadlineValue, 9);
  });

  it("moves a job's dearest GPU-hours first when its window grows (finite difference)", async () => {
    // clean (4 GPUs, 100 g/kWh) and dirty (300, then 50 g/kWh in hour 1); the window is hour 0.
    const sites = [site('clean', [0, 0], [100, 100], { gpuCapacity: 4 }), site('dirty', [0, 0], [300, 50])];
    const twoHours = (windowEnd: number) => problem(2, sites, [job('j1', 2, { allowedSites: [0, 1], homeSite: 1, windowEnd, deadlineHour: windowEnd })]);
    const result = await planProblem(explained(twoHours(1)));
    const value = result.explanation!.jobs[0];
    // The 4 GPU-hours at 300 g/kWh, then the 4 at 100, move to 50 g/kWh: 1.0 + 0.2 kg (not 8 × 0.25).
    expect(value.deadlineValue).toBeCloseTo(1.2, 9);
    expect(value.valuePerGpuHour).toBeCloseTo(0.25, 9);
    const later = await planProblem(twoHours(2));
    expect(result.summary.emissionsKg - later.summary.emissionsKg).toBeCloseTo(value.deadlineValue, 9);
  });

  it('gives a job whose window ends at the horizon end no deadline value, and says why', async () => {
    const result = await planProblem(explained(cleanHourJustAfterTheDeadline(3)));
    expect(result.explanation!.jobs[0].deadlineValue).toBe(0);
    expect(result.explanation!.jobs[0].note).toContain('horizon end');
  });

  it("values a block job's deadline in the LP with the integer solution fixed (finite difference)", async () => {
    const result = await planProblem(explained(blockJustBeforeCleanHours()));
    const explanation = result.explanation!;
    expect(explanation.basis).toContain('integer solution fixed');
    // Now hours 1-2 (500 + 100); one hour later, hours 2-3 (100 + 100): 0.008 MWh × 400 = 3.2 kg.
    expect(explanation.jobs[0].deadlineValue).toBeCloseTo(3.2, 9);
    const later = await planProblem(blockJustBeforeCleanHours(4));
    expect(result.summary.emissionsKg - later.summary.emissionsKg).toBeCloseTo(explanation.jobs[0].deadlineValue, 9);
  });

  it('says that jslp gives no duals, and leaves the plan as without explain', async () => {
    const jslp = (p: Problem): Problem => ({ ...p, options: { ...p.options, solver: 'jslp' } });
    const result = await planProblem(explained(jslp(cleanSiteTooSmall())));
    expect(result.explanation).toMatchObject({ available: false, basis: 'not available with jslp (it gives no duals)' });
    const plain = await planProblem(jslp(cleanSiteTooSmall()));
    expect(plain.explanation).toBeUndefined();
    expect(result.summary).toEqual(plain.summary);
  });

  it('reports values >= 0, green values at most the grid intensity, and only where the schedule binds (random LPs)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ interruptibleOnly: true, tightCapacity: true }), async (p) => {
        const result = await planProblem(explained(p));
        const explanation = result.explanation!;
        expect(explanation.available).toBe(true);
        // The checker verifies complementary slackness against the schedule (capacity full,
        // nothing curtailed) without trusting the solver.
        expect(result.check.passed).toBe(true);
        for (const v of explanation.bindingHours) {
          expect(v.gpuHourValue).toBeGreaterThanOrEqual(0);
          // One more MWh of green displaces at most one MWh of grid at that site-hour (no import limits here).
          expect(v.greenMwhValue).toBeLessThanOrEqual(p.sites[v.site].carbonIntensityGPerKwh[v.hour] + 1e-6);
        }
        for (const v of explanation.jobs) expect(v.deadlineValue).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 30, seed: 13 },
    );
  });
});

describe('explanations of MILPs', () => {
  it('explains random MILPs from the LP with the integers fixed, and passes the checker (random MILPs)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ tightCapacity: true, withMinGpus: true, withLimits: true }), async (p) => {
        const result = await planProblem(explained(p));
        expect(result.explanation!.available).toBe(true);
        if (result.solve.integerVariables > 0) expect(result.explanation!.basis).toContain('integer solution fixed');
        expect(result.check.passed).toBe(true);
      }),
      { numRuns: 20, seed: 5 },
    );
  });
});

describe('explanations at the edges', () => {
  it('prints the binding hours as sentences an operator can read', async () => {
    const result = await planProblem(explained(cleanSiteTooSmall()));
    const text = formatPlanText(cleanSiteTooSmall(), result);
    expect(text).toContain('The binding hours');
    expect(text).toContain('one more GPU at clean 2026-07-01 00:00Z would save 0.200 kg CO2');
    expect(text).toContain('one more MWh of green supply at dirty 2026-07-01 00:00Z would save 300.0 kg CO2');
    const withoutExplain = formatPlanText(cleanSiteTooSmall(), await planProblem(cleanSiteTooSmall()));
    expect(withoutExplain).not.toContain('The binding hours');
  });

  it('puts the binding hours and deadline values in the HTML report with their exact values', async () => {
    const p = explained(cleanHourJustAfterTheDeadline());
    const html = bindingHoursHtml(p, (await planProblem(p)).explanation!).join('\n');
    expect(html).toContain('id="deadline-table"');
    expect(html).toMatch(/<tr data-job="j1"><th>j1<\/th><td class="num value" data-value="3\.2\d*">3\.200 kg CO2<\/td>/);
    expect(html).toContain('data-chart="binding-green"');
  });

  it('carries the explanation through the wire form and back, and validates options.explain', async () => {
    const request = requests.request(2, [requests.site('a', [0, 0], [500, 100])], [requests.job('j1', 'a', { deadline: requests.hour(1) })]);
    expect(validatePlanRequest(request).options).not.toHaveProperty('explain');
    const p = validatePlanRequest({ ...request, options: { timeLimitSeconds: 0, mipGap: 0, solver: 0, explain: true } });
    expect(p.options.explain).toBe(true);
    const result = await planProblem(p);
    const wire = PlanResponse.decode(PlanResponse.encode(toPlanResponse(p, result)).finish());
    expect(wire.explanation?.jobs[0]).toMatchObject({ jobId: 'j1', siteId: 'a' });
    expect(planResultFromResponse(p, wire).explanation).toEqual(result.explanation);
  });
});
