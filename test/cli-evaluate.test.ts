/**
 * `cosched evaluate PLAN.json --actuals FILE` through the real CLI: the text summary of a plan
 * judged on what happened, and a plan that does not fit the actuals (exit 2, the bad field named).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { greenFellShortInHourOne, greenInHoursOneAndTwo, hour } from './factories/planRequests.js';
import { runCli } from './helpers/runCli.js';

const tempDir = mkdtempSync(join(tmpdir(), 'cosched-cli-evaluate-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/**
 * The plan cosched makes on greenInHoursOneAndTwo (evaluate-plan.test.ts plans it): 10 GPUs at
 * `a` in hours 1-2, emitting nothing against the baseline's 200 kg. Written out here so that this
 * test spawns the CLI without solving anything first.
 */
const plan = PlanResponse.fromPartial({
  jobs: [{ jobId: 'j1', allocations: [{ siteId: 'a', start: hour(1), hours: 2, gpus: 10 }], doneGpuHours: 20 }],
  summary: { emissionsKg: 0, baselineEmissionsKg: 200, carbonSavedKg: 200, carbonSavedPercent: 100 },
});
const actualsPath = join(tempDir, 'actuals.json');
writeFileSync(actualsPath, JSON.stringify(PlanRequest.toJSON(greenFellShortInHourOne())));
const reportDir = join(tempDir, 'report');
const plannedPath = join(tempDir, 'planned.json');
writeFileSync(plannedPath, JSON.stringify(PlanRequest.toJSON(greenInHoursOneAndTwo())));
/** What happened, as a forecasts file (ReplaceForecasts) over the planned request. */
const forecastsPath = join(tempDir, 'actual-forecasts.json');
writeFileSync(forecastsPath, JSON.stringify({ sites: [{ siteId: 'a', greenSupplyMw: [0.5, 0.2, 1, 0.5], carbonIntensityGPerKwh: [400, 200, 100, 300] }] }));

function writePlan(name: string, response: PlanResponse): string {
  const path = join(tempDir, name);
  writeFileSync(path, JSON.stringify(PlanResponse.toJSON(response), null, 2));
  return path;
}

describe('cosched evaluate', () => {
  it('prints planned against realised figures and the grid-limit breach, writes the report, and exits 0; takes a forecasts file with --planned; a plan naming an unknown site exits 2 naming the field', async () => {
    const good = writePlan('plan.json', plan);
    const bad = writePlan('bad-plan.json', { ...plan, jobs: [{ ...plan.jobs[0], allocations: [{ ...plan.jobs[0].allocations[0], siteId: 'atlantis' }] }] });

    const [judged, refused, onForecasts] = await Promise.all([
      runCli(['evaluate', good, '--actuals', actualsPath, '--report', reportDir]),
      runCli(['evaluate', bad, '--actuals', actualsPath]),
      runCli(['evaluate', good, '--actuals', forecastsPath, '--planned', plannedPath, '--json']),
    ]);

    expect(judged.code, judged.stderr).toBe(0);
    expect(judged.stdout).toMatch(/^cosched evaluate: the fixed plan judged on the actuals; independent check passed/);
    expect(judged.stdout).toMatch(/\n {2}emissions +kg CO2e +0 +160.0\n/);
    expect(judged.stdout).toMatch(/\n {2}baseline emissions +kg CO2e +200.0 +150.0\n/);
    expect(judged.stdout).toMatch(/\n {2}carbon saved +kg CO2e +200.0 +-10.0\n/);
    expect(judged.stdout).toContain('Violations under the actuals: 1\n  - a 2026-07-01T01:00Z: grid import 0.8 MW, above its limit 0.6 MW');
    // The forecasts-file form, applied to the planned request, gives the same realised figures; the planned ones are recomputed.
    expect(onForecasts.code, onForecasts.stderr).toBe(0);
    const json = JSON.parse(onForecasts.stdout) as { summary: { emissionsKg: number }; planned: { recomputed?: boolean; baselineEmissionsKg: number } };
    expect(json.summary.emissionsKg).toBeCloseTo(160, 9);
    expect(json.planned).toMatchObject({ recomputed: true, baselineEmissionsKg: 200 });
    const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
    expect(html).toContain('<h1>cosched evaluation report: the plan judged on the actuals</h1>');
    expect(html).toContain('violation under the actuals: a 2026-07-01T01:00Z: grid import 0.8 MW, above its limit 0.6 MW');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('invalid evaluate request: 1 bad field\n  plan.jobs[0].allocations[0].siteId: got "atlantis"; expected the id of a site of the actuals: a');
  });
});
