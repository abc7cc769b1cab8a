/**
 * Every bundled scenario (scenarios/*.yaml) plans through the real pipeline — readPlanRequestFile
 * → validatePlanRequest → planProblem — passes the independent checker, ends optimal or with a
 * time-limited plan, and saves carbon against the carbon-unaware baseline. scenarios/README.md
 * lists each one (and would say why, for a scenario that saves none).
 *
 * Carbon intensity data: Electricity Maps (electricitymaps.com), ODbL
 * MOER data: WattTime (watttime.org), as published in dos-group/vessim (MIT licence)
 * Solar data: Solcast (solcast.com), as published in dos-group/vessim (MIT licence)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PlanResult } from '../solver/plan/PlanResult.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { Problem } from '../solver/problem/Problem.js';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { evaluatePlanRequest } from '../src/evaluate/evaluatePlanRequest.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';

const scenarioDir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const scenarioFiles = readdirSync(scenarioDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const scenarioReadme = readFileSync(join(scenarioDir, 'README.md'), 'utf8');

/** Solve time limits for the suite (seconds); china-hubs, the largest MILP, may stop time-limited. */
const defaultTimeLimitSeconds = 20;
const timeLimitSeconds: Record<string, number> = { 'china-hubs.yaml': 40, 'china-hubs-operators.yaml': 40 };

interface Planned {
  problem: Problem;
  result: PlanResult;
}

const plans = new Map<string, Promise<Planned>>();
/** Plans a bundled scenario once per run (tests that need it again share the promise). */
function planScenario(file: string): Promise<Planned> {
  let planned = plans.get(file);
  if (!planned) {
    planned = (async () => {
      const problem = validatePlanRequest(await readPlanRequestFile(join(scenarioDir, file)));
      const limited = { ...problem, options: { ...problem.options, timeLimitSeconds: timeLimitSeconds[file] ?? defaultTimeLimitSeconds } };
      return { problem: limited, result: await planProblem(limited) };
    })();
    plans.set(file, planned);
  }
  return planned;
}

describe('the bundled scenarios', () => {
  it('include the China, east-west and real-data scenarios, each described in scenarios/README.md', () => {
    for (const expected of ['two-hubs-48h', 'china-hubs', 'china-hubs-operators', 'east-west', 'europe-2022', 'california-solar', 'caiso-forecast', 'caiso-actual']) {
      expect(scenarioFiles).toContain(`${expected}.yaml`);
    }
    for (const file of scenarioFiles) expect(scenarioReadme).toContain(`\`${file}\``);
  });

  for (const file of scenarioFiles) {
    it(`${file}: plans, passes the checker, and saves carbon against the baseline`, { timeout: 120_000 }, async () => {
      const { result } = await planScenario(file);
      expect(['optimal', 'time_limit_feasible']).toContain(result.termination);
      expect(result.plan).toBeDefined();
      expect(result.check.passed).toBe(true);
      expect(result.summary.unmetGpuHours).toBeCloseTo(0, 6);
      expect(result.summary.sameWork).toBe(true);
      expect(result.summary.carbonSavedKg).toBeGreaterThan(0);
    });
  }

  it('california-solar.yaml carries a real marginal signal: the plan saves marginal carbon and raises its 24/7 CFE score, annual matching stays', { timeout: 120_000 }, async () => {
    const { result } = await planScenario('california-solar.yaml');
    const s = result.summary;
    expect(s.marginalCarbonSavedKg).toBeGreaterThan(0);
    expect(s.cfeScore).toBeGreaterThan(s.baselineCfeScore);
    // Same work, same site: the same energy, so the same annual matching score, above the hourly one.
    expect(s.annualMatchingScore).toBeCloseTo(s.baselineAnnualMatchingScore, 9);
    expect(s.annualMatchingScore).toBeGreaterThan(s.cfeScore);
  });
});

describe('forecast versus actual (CAISO North, WattTime)', () => {
  it('the two files are the same request but for the intensities, and the forecasts file holds the actual ones', async () => {
    const [forecast, actual] = await Promise.all(['caiso-forecast.yaml', 'caiso-actual.yaml'].map((file) => readPlanRequestFile(join(scenarioDir, file))));
    const withoutIntensity = (request: typeof forecast) => ({ ...request, sites: request.sites.map((site) => ({ ...site, carbonIntensityGPerKwh: [] })) });
    expect(withoutIntensity(forecast)).toEqual(withoutIntensity(actual));
    expect(forecast.sites[0].carbonIntensityGPerKwh).not.toEqual(actual.sites[0].carbonIntensityGPerKwh);
    const replacement = JSON.parse(readFileSync(join(scenarioDir, 'caiso-actual-forecasts.json'), 'utf8')) as { sites: Array<{ siteId: string; carbonIntensityGPerKwh: number[] }> };
    expect(replacement.sites).toEqual([{ siteId: actual.sites[0].id, carbonIntensityGPerKwh: actual.sites[0].carbonIntensityGPerKwh }]);
  });

  it('a plan made on the forecast, judged on the actual (cosched evaluate), saves carbon but no more than planning on the actual', { timeout: 120_000 }, async () => {
    const onForecast = await planScenario('caiso-forecast.yaml');
    const onActual = await planScenario('caiso-actual.yaml');
    const actuals = await readPlanRequestFile(join(scenarioDir, 'caiso-actual.yaml'));
    const { response: judged } = evaluatePlanRequest({ actuals, plan: toPlanResponse(onForecast.problem, onForecast.result) });
    const realised = judged.summary!;
    expect(judged.check?.passed).toBe(true);
    expect(judged.violations).toEqual([]);
    expect(realised.baselineEmissionsKg).toBeCloseTo(onActual.result.baseline.totals.emissionsKg, 6);
    expect(realised.emissionsKg).toBeLessThan(realised.baselineEmissionsKg);
    // Perfect foresight is at least as good, up to the MIP gap it was solved to.
    const actualPlanKg = onActual.result.summary.emissionsKg;
    expect(actualPlanKg).toBeLessThanOrEqual(realised.emissionsKg * (1 + onActual.result.solve.mipGap) + 1e-6);
    // The figures scenarios/README.md quotes are these.
    const kg = (x: number) => Math.round(x).toLocaleString('en-US');
    expect(scenarioReadme).toContain(
      `emits ${kg(realised.emissionsKg)} kg against the baseline's ${kg(realised.baselineEmissionsKg)} kg: it saves ${kg(realised.carbonSavedKg)} kg (${realised.carbonSavedPercent.toFixed(1)}%)`,
    );
  });
});
