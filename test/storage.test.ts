import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../solver/problem/Problem.js';
import type { PlanResult } from '../solver/plan/PlanResult.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { checkPlanResult } from '../solver/check/checkPlanResult.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import type { SiteStorage } from '../src/generated/cosched/v1/storage.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { hour, job, request, site } from './factories/planRequests.js';

const close = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

function storage(extra: Partial<SiteStorage>): SiteStorage {
  return { energyMwh: 1, powerMw: 1, roundTripEfficiency: 0.81, initialMwh: 0, finalMwhMin: undefined, chargeFromGrid: false, ...extra };
}

/** One site of 1,000 GPUs (pue 1); one job of 1 MW (1,000 GPUs of 1 kW) in the hours [from, to). */
function oneSite(hours: number, greenSupplyMw: number[], carbonIntensityGPerKwh: number[], battery: SiteStorage | undefined, from: number, to: number): Problem {
  return validatePlanRequest(
    request(
      hours,
      [site('a', greenSupplyMw, carbonIntensityGPerKwh, { gpuCapacity: 1000, pue: 1, storage: battery })],
      [job('j', 'a', { gpuHours: 1000 * (to - from), maxGpus: 1000, gpuPowerKw: 1, release: hour(from), deadline: hour(to) })],
    ),
  );
}

describe('storage, solved by hand', () => {
  it('carries noon sun to a job that may only run at night: 2 MW charged at noon, 1.62 MWh back, 0.38 MWh lost', async () => {
    // Hour 1 has 3 MW of sun and nothing to run; the job needs 1 MW in hours 2 (800 g/kWh) and 3 (200 g/kWh).
    // Charge 2 MW (the power limit) -> 1.8 MWh stored (efficiency 0.9 each way); 1 MW back in hour 2,
    // the remaining 0.6889 MWh gives 0.62 MW in hour 3; the grid covers 0.38 MW at 200 g/kWh = 76 kg.
    const problem = oneSite(4, [0, 3, 0, 0], [500, 500, 800, 200], storage({ energyMwh: 10, powerMw: 2 }), 2, 4);
    const result = await planProblem(problem);
    const accounts = result.plan!.sites[0];
    expect(result.termination).toBe('optimal');
    expect(result.summary.emissionsKg).toBeCloseTo(76, 6);
    expect(accounts.chargeMw.map((x) => +x.toFixed(6))).toEqual([0, 2, 0, 0]);
    expect(accounts.dischargeMw.map((x) => +x.toFixed(6))).toEqual([0, 0, 1, 0.62]);
    expect(accounts.stateOfChargeMwh.map((x) => +x.toFixed(6))).toEqual([0, 1.8, 0.688889, 0]);
    expect(result.summary.storageChargedMwh).toBeCloseTo(2, 6);
    expect(result.summary.storageDischargedMwh).toBeCloseTo(1.62, 6);
    expect(result.summary.storageLossesMwh).toBeCloseTo(0.38, 6);
    // 24/7 CFE: of the 2 MWh of load, 1.62 MWh came from the sun through the battery.
    expect(result.summary.cfeScore).toBeCloseTo(0.81, 9);
    // Without the battery the same job emits 800 + 200 kg.
    const without = await planProblem(oneSite(4, [0, 3, 0, 0], [500, 500, 800, 200], undefined, 2, 4));
    expect(without.summary.emissionsKg).toBeCloseTo(1000, 6);
    // The baseline runs the battery for self-consumption: here it does the same.
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(76, 6);
  });

  it('charges from the grid at a clean hour only when allowed: 100 + 0.19 x 900 = 271 kg against 900 kg', async () => {
    const allowed = await planProblem(oneSite(2, [0, 0], [100, 900], storage({ chargeFromGrid: true }), 1, 2));
    expect(allowed.summary.emissionsKg).toBeCloseTo(271, 6);
    expect(allowed.plan!.sites[0].chargeMw[0]).toBeCloseTo(1, 6);
    expect(allowed.plan!.sites[0].dischargeMw[1]).toBeCloseTo(0.81, 6);
    // Energy the battery bought from the grid is not carbon-free when it comes back out.
    expect(allowed.summary.cfeScore).toBe(0);
    expect(allowed.summary.greenShare).toBe(0);
    const greenOnly = await planProblem(oneSite(2, [0, 0], [100, 900], storage({ chargeFromGrid: false }), 1, 2));
    expect(greenOnly.summary.emissionsKg).toBeCloseTo(900, 6);
    expect(greenOnly.plan!.sites[0].chargeMw).toEqual([0, 0]);
  });

  it('ends at least where it started unless told otherwise: a full battery is used only with finalMwhMin 0', async () => {
    const keep = await planProblem(oneSite(2, [0, 0], [900, 900], storage({ initialMwh: 1 }), 0, 1));
    expect(keep.summary.emissionsKg).toBeCloseTo(900, 6);
    const drain = await planProblem(oneSite(2, [0, 0], [900, 900], storage({ initialMwh: 1, finalMwhMin: 0 }), 0, 1));
    // 1 MWh stored gives 0.9 MWh at the bus: the grid covers 0.1 MWh.
    expect(drain.summary.emissionsKg).toBeCloseTo(90, 6);
    expect(drain.summary.storageLossesMwh).toBeCloseTo(0.1, 6);
  });

  it('the checker refuses a tampered state of charge, grid charging where it is not allowed, and export', async () => {
    const result = await planProblem(oneSite(4, [0, 3, 0, 0], [500, 500, 800, 200], storage({ energyMwh: 10, powerMw: 2 }), 2, 4));
    const tampered = (edit: (r: PlanResult) => void): string[] => {
      const copy = structuredClone(result);
      edit(copy);
      return checkPlanResult(copy.plan ? problemOf(result) : problemOf(result), copy).violations;
    };
    const problemOf = (_: PlanResult) => oneSite(4, [0, 3, 0, 0], [500, 500, 800, 200], storage({ energyMwh: 10, powerMw: 2 }), 2, 4);
    expect(tampered(() => undefined)).toEqual([]);
    expect(tampered((r) => (r.plan!.sites[0].stateOfChargeMwh[1] = 1.9)).join('\n')).toMatch(/stateOfChargeMwh/);
    expect(tampered((r) => (r.plan!.sites[0].chargeMw[0] = 0.5)).join('\n')).toMatch(/exceeds the green supply 0 MW \(charging from the grid is not allowed\)/);
    expect(tampered((r) => (r.plan!.sites[0].dischargeMw[1] = 0.5)).join('\n')).toMatch(/no export/);
    expect(tampered((r) => (r.plan!.sites[0].chargeMw[1] = 2.5)).join('\n')).toMatch(/outside \[0, 2\] MW/);
  });
});

describe('storage validation', () => {
  it('names every bad field with the value received and what is allowed', () => {
    const bad = request(
      2,
      [site('a', [0, 0], [1, 1], { storage: { energyMwh: 0, powerMw: -1, roundTripEfficiency: 1.5, initialMwh: 3, finalMwhMin: undefined, chargeFromGrid: false } })],
      [job('j', 'a', { release: hour(0), deadline: hour(2) })],
    );
    const error = catchError(() => validatePlanRequest(bad));
    const fields = error.violations.map((v) => `${v.field}: ${v.description}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'sites[0].storage.energyMwh: got 0; expected a number in (0, 1e7] MWh',
        'sites[0].storage.powerMw: got -1; expected a number in (0, 1e6] MW',
        'sites[0].storage.roundTripEfficiency: got 1.5; expected a number in (0, 1] (0 or unset means 0.9)',
      ]),
    );
    const tooFull = request(
      2,
      [site('a', [0, 0], [1, 1], { storage: { energyMwh: 2, powerMw: 1, roundTripEfficiency: 0, initialMwh: 1, finalMwhMin: 1.5, chargeFromGrid: false } })],
      [job('j', 'a', { release: hour(0), deadline: hour(2) })],
    );
    const tooFullError = catchError(() => validatePlanRequest(tooFull));
    expect(tooFullError.violations.map((v) => `${v.field}: ${v.description}`)).toEqual([expect.stringMatching(/^sites\[0\]\.storage\.finalMwhMin: got 1\.5; expected a number in \[0, 1\] MWh \(initialMwh\)/)]);
  });
});

describe('storage invariants on random instances', () => {
  it('every plan with batteries passes the checker and is optimal; an idle battery is never better; nor is the baseline without it', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ withStorage: true, withLimits: true }), async (p) => {
        const result = await planProblem(p); // throws if the checker rejects the plan
        expect(result.termination).toBe('optimal');
        const withoutStorage: Problem = { ...p, sites: p.sites.map(({ storage: _, ...rest }) => rest) };
        const idle = await planProblem(withoutStorage);
        expect(result.summary.unmetGpuHours).toBeLessThanOrEqual(idle.summary.unmetGpuHours + 1e-6);
        if (close(result.summary.unmetGpuHours, idle.summary.unmetGpuHours)) {
          expect(result.summary.emissionsKg).toBeLessThanOrEqual(idle.summary.emissionsKg + 1e-6 * Math.max(1, idle.summary.emissionsKg));
        }
        expect(result.summary.baselineEmissionsKg).toBeLessThanOrEqual(idle.summary.baselineEmissionsKg + 1e-9);
        expect(result.summary.storageLossesMwh).toBeGreaterThanOrEqual(-1e-9);
      }),
      { numRuns: 30 },
    );
  });

  it('HiGHS and javascript-lp-solver agree on small LPs with batteries', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem({ interruptibleOnly: true, withStorage: true }), async (p) => {
        const highs = await planProblem(p);
        const jslp = await planProblem({ ...p, options: { ...p.options, solver: 'jslp' } });
        expect(jslp.termination).toBe('optimal');
        // javascript-lp-solver rounds its values to 8 decimals: 3e-9 MW of grid at 825 g/kWh is 2.6e-6 kg.
        expect(close(highs.summary.unmetGpuHours, jslp.summary.unmetGpuHours)).toBe(true);
        expect(close(highs.summary.emissionsKg, jslp.summary.emissionsKg, 1e-5)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});

function catchError(run: () => unknown): CoschedError {
  try {
    run();
  } catch (error) {
    if (error instanceof CoschedError) return error;
    throw error;
  }
  throw new Error('expected a CoschedError');
}

describe('storage with other extensions', () => {
  it('with whole GPUs a last hour that ends early draws less than the model priced: the discharge is cut to the load, and the plan passes the checker', async () => {
    const battery = (extra: Partial<SiteStorage> = {}) => storage({ energyMwh: 1, powerMw: 0.5, initialMwh: 0.2, ...extra });
    const problem = validatePlanRequest(
      request(
        6,
        [
          site('a', [0, 1, 0, 0, 1, 0], [500, 500, 800, 200, 100, 900], { gpuCapacity: 100, pue: 1.1, storage: battery() }),
          site('b', [0, 0, 0, 1, 0, 0], [900, 100, 900, 100, 900, 100], { gpuCapacity: 100, pue: 1, storage: battery({ chargeFromGrid: true }) }),
        ],
        [
          job('j', 'a', { gpuHours: 105.5, maxGpus: 50, minGpus: 20, gpuPowerKw: 10, release: hour(0), deadline: hour(6), allowedSites: ['a', 'b'], checkpointMinutes: 30 }),
          job('k', 'b', { gpuHours: 60, maxGpus: 30, gpuPowerKw: 10, release: hour(1), deadline: hour(6), allowedSites: ['a', 'b'], interruptible: false }),
        ],
        { options: { timeLimitSeconds: 30, mipGap: 0, solver: 0, integerGpus: true } },
      ),
    );
    const result = await planProblem(problem); // threw "discharge exceeds the load (no export)" before
    expect(result.check.passed).toBe(true);
    expect(result.termination).toBe('optimal');
  });
});
