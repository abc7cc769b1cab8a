import { describe, expect, it } from 'vitest';
import { planProblem } from '../solver/plan/planProblem.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import type { VariantMetrics } from '../src/generated/cosched/v1/what_if.js';
import { applyOverrides } from '../src/whatif/applyOverrides.js';
import { compareScenarios } from '../src/whatif/compareScenarios.js';
import { formatComparisonTable } from '../src/whatif/formatComparisonTable.js';
import { limitPlannerConcurrency } from '../src/whatif/limitPlannerConcurrency.js';
import type { CompareProgress } from '../src/whatif/planScenarios.js';
import type { Planner } from '../src/whatif/Planner.js';
import { parseVariantArgument } from '../src/whatif/parseVariantArgument.js';
import { variantMetrics } from '../src/whatif/variantMetrics.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { inThreadPlanner, northEastSixHours } from './factories/whatIfRequests.js';

const planner = inThreadPlanner;

/** Metrics without the solve time, which differs from run to run. */
function withoutSolveTime(metrics: VariantMetrics | undefined): Omit<VariantMetrics, 'solveMs'> {
  const { solveMs: _, ...rest } = metrics as VariantMetrics;
  return rest;
}

describe('comparing scenarios', () => {
  const variants = ['windy:green(north)*=3', 'rigid:interruptible=false', 'tight:deadlines-=4h'].map(parseVariantArgument);

  it('gives each variant the numbers it gets when planned alone through the same pipeline', async () => {
    const rows = await compareScenarios(northEastSixHours(), variants, planner);
    expect(rows.map((row) => row.name)).toEqual(['base', 'windy', 'rigid', 'tight']);
    // Alone: applied, validated and planned by planProblem with its own HiGHS worker thread.
    const alone = [northEastSixHours(), ...variants.map((v) => applyOverrides(northEastSixHours(), v))];
    for (const [i, request] of alone.entries()) {
      const problem = validatePlanRequest(request);
      const result = await planProblem(problem);
      expect(rows[i].termination).toBe(Termination.TERMINATION_OPTIMAL);
      expect(withoutSolveTime(rows[i].metrics)).toEqual(withoutSolveTime(variantMetrics(problem, result)));
    }
    // The variants do change the answer.
    expect(rows[1].metrics!.emissionsKg).toBeLessThan(rows[0].metrics!.emissionsKg);
    expect(rows[1].metrics!.curtailmentAbsorbedMwh).toBeGreaterThan(rows[0].metrics!.curtailmentAbsorbedMwh);
    // Two-hour windows cannot hold j2's 3-hour block.
    expect(rows[3].metrics!.unmetGpuHours).toBeCloseTo(12, 9);
  });

  it('gives the base row zero differences and each variant its difference to the base', async () => {
    const rows = await compareScenarios(northEastSixHours(), variants.slice(0, 1), planner, { includePlans: true });
    const [base, windy] = rows;
    for (const value of Object.values(base.differenceToBase!)) expect(value).toBe(0);
    for (const key of Object.keys(windy.metrics!) as Array<keyof VariantMetrics>) {
      expect(windy.differenceToBase![key]).toBeCloseTo(windy.metrics![key] - base.metrics![key], 9);
    }
    expect(windy.plan?.summary?.emissionsKg).toBe(windy.metrics!.emissionsKg);
    expect(windy.plan?.check?.passed).toBe(true);
  });

  it('counts as curtailment absorbed only the green supply the jobs use on top of the base load', async () => {
    // One site, green 2 MW in hours 1 and 2, no base load: the job's 0.7 kW × 16 GPU-hours × pue 1.2
    // all runs on green supply that would otherwise be curtailed.
    const [base] = await compareScenarios(oneSiteFourHours(), [], planner);
    expect(base.metrics!.curtailmentAbsorbedMwh).toBeCloseTo(0.0007 * 16 * 1.2, 12);
    // With a base load of 1.9 MW drawing 2.28 MW, the base load alone takes all the green supply.
    const loaded = oneSiteFourHours();
    loaded.sites[0].baseLoadMw = [1.9, 1.9, 1.9, 1.9];
    const [busy] = await compareScenarios(loaded, [], planner);
    expect(busy.metrics!.curtailmentAbsorbedMwh).toBeCloseTo(0, 12);
  });

  it('starts every plan at once and reports each start and finish', async () => {
    let running = 0;
    let mostRunning = 0;
    const countingPlanner: Planner = async (problem, onEvent) => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      try {
        return await planner(problem, onEvent);
      } finally {
        running--;
      }
    };
    const progress: CompareProgress[] = [];
    await compareScenarios(northEastSixHours(), variants, countingPlanner, { onProgress: (event) => progress.push(event) });
    expect(mostRunning).toBe(4);
    expect(progress.filter((p) => p.kind === 'started').map((p) => p.name)).toEqual(['base', 'windy', 'rigid', 'tight']);
    const finished = progress.filter((p) => p.kind === 'finished');
    expect(finished.map((p) => (p.kind === 'finished' ? p.finished : 0))).toEqual([1, 2, 3, 4]);
    expect(progress.some((p) => p.kind === 'plan_event' && p.event.kind === 'checked')).toBe(true);

    // A limited planner queues the rest.
    mostRunning = 0;
    await compareScenarios(northEastSixHours(), variants, limitPlannerConcurrency(countingPlanner, 2));
    expect(mostRunning).toBe(2);
  });

  it('checks every variant before planning any', async () => {
    let plans = 0;
    const counting: Planner = (problem) => {
      plans++;
      return planner(problem);
    };
    const bad = [parseVariantArgument('a:remove(nowhere)'), parseVariantArgument('b:restrict(home=west)=east')];
    await expect(compareScenarios(northEastSixHours(), bad, counting)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [
        { field: 'variants[0].overrides[0].removeSite.siteId', description: '"nowhere" is not a site id; known: north, east' },
        { field: 'variants[1].overrides[0].restrictSites.jobs.homeSites[0]', description: '"west" is not a site id; known: north, east' },
      ],
    });
    expect(plans).toBe(0);
  });

  it('prints an aligned table with the differences to the base', async () => {
    const rows = await compareScenarios(northEastSixHours(), variants, planner);
    for (const row of rows) row.metrics!.solveMs = 1234;
    for (const row of rows) row.differenceToBase!.solveMs = 0;
    const table = formatComparisonTable(rows);
    expect(formatComparisonTable(rows)).toBe(table);
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^variant\s+emissions t\s+Δ\s+saved t\s+Δ\s+saved\s+green\s+Δ\s+absorbed MWh\s+Δ\s+cost\s+Δ\s+unmet GPU-h\s+Δ\s+solve s$/);
    expect(lines[2]).toMatch(/^base\s/);
    expect(lines[3]).toMatch(/^windy\s.*\s-\d/);
    expect(lines[6]).toContain('Δ: row minus base');
    // Right-aligned numbers end in the same column.
    expect(new Set(lines.slice(2, 6).map((line) => line.length))).toEqual(new Set([lines[2].length]));
  });
});
