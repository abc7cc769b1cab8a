import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../solver/problem/Problem.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { horizonStartMs } from './factories/problems.js';

const relativelyClose = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

describe('planner invariants on random instances', () => {
  it('every plan passes the independent checker and is optimal', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ withMinGpus: true, withLimits: true }), async (p) => {
        const result = await planProblem(p); // throws if the checker rejects the plan
        expect(result.check.passed).toBe(true);
        expect(result.termination).toBe('optimal');
      }),
      { numRuns: 40 },
    );
  });

  it('plan emissions never exceed the baseline when the baseline meets every deadline', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ withLimits: true }), async (p) => {
        const result = await planProblem(p);
        const baselineOnTime = result.baseline.jobs.every((j) => j.lateHours === 0 && j.unmetGpuHours <= 1e-9);
        fc.pre(baselineOnTime);
        expect(result.summary.unmetGpuHours).toBeLessThanOrEqual(1e-6);
        expect(result.summary.emissionsKg).toBeLessThanOrEqual(result.summary.baselineEmissionsKg + 1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('HiGHS and javascript-lp-solver agree on small LPs', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ interruptibleOnly: true }), async (p) => {
        const highs = await planProblem(p);
        const jslp = await planProblem({ ...p, options: { ...p.options, solver: 'jslp' } });
        expect(jslp.termination).toBe('optimal');
        expect(relativelyClose(highs.summary.unmetGpuHours, jslp.summary.unmetGpuHours)).toBe(true);
        expect(relativelyClose(highs.summary.emissionsKg, jslp.summary.emissionsKg)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('one job with unlimited capacity: emissions equal the brute-force optimum', async () => {
    const arbitraryOneJob = fc.record({
      ci: fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 2, maxLength: 12 }),
      gpuHours: fc.integer({ min: 1, max: 30 }),
      maxGpus: fc.integer({ min: 1, max: 8 }),
      interruptible: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arbitraryOneJob, async ({ ci, gpuHours, maxGpus, interruptible }) => {
        const hours = ci.length;
        const p: Problem = {
          horizonStartMs,
          hours,
          sites: [{ id: 'a', name: 'a', timeZone: 'UTC', gpuCapacity: 1_000_000, pue: 1, greenSupplyMw: ci.map(() => 0), carbonIntensityGPerKwh: ci, pricePerMwh: ci.map(() => 0), baseLoadMw: ci.map(() => 0), gridImportLimitMw: Infinity }],
          jobs: [{ id: 'j', gpuHours, maxGpus, minGpus: 0, gpuPowerKw: 1, windowStart: 0, windowEnd: hours, releaseHour: 0, deadlineHour: hours, allowedSites: [0], homeSite: 0, interruptible }],
          objective: { carbonWeight: 1, costWeight: 0 },
          options: { timeLimitSeconds: 30, mipGap: 1e-9, solver: 'highs' },
        };
        const result = await planProblem(p);
        const expected = bruteForce(ci, gpuHours, maxGpus, interruptible);
        expect(result.summary.unmetGpuHours).toBeCloseTo(expected.unmetGpuHours, 9);
        expect(relativelyClose(result.summary.emissionsKg, expected.emissionsKg, 1e-9)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Cheapest contiguous block (non-interruptible; nothing if it cannot fit) or the cheapest hours
 * filled at maxGpus (interruptible; as much work as the window holds).
 */
function bruteForce(ci: number[], gpuHours: number, maxGpus: number, interruptible: boolean): { emissionsKg: number; unmetGpuHours: number } {
  const mwPerGpu = 0.001;
  if (interruptible) {
    let left = gpuHours;
    let emissionsKg = 0;
    for (const c of [...ci].sort((a, b) => a - b)) {
      const gpus = Math.min(maxGpus, left);
      emissionsKg += gpus * mwPerGpu * c;
      left -= gpus;
    }
    return { emissionsKg, unmetGpuHours: left };
  }
  const blockHours = Math.ceil(gpuHours / maxGpus);
  if (blockHours > ci.length) return { emissionsKg: 0, unmetGpuHours: gpuHours };
  let best = Infinity;
  for (let t0 = 0; t0 + blockHours <= ci.length; t0++) {
    let kg = 0;
    for (let k = 0; k < blockHours; k++) kg += (k === blockHours - 1 ? gpuHours - maxGpus * (blockHours - 1) : maxGpus) * mwPerGpu * ci[t0 + k];
    best = Math.min(best, kg);
  }
  return { emissionsKg: best, unmetGpuHours: 0 };
}
