import type { EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import { formatNumber, formatQuantity } from './formatNumber.js';

/** At most this many violations are printed; `--json` lists them all. */
const maxViolationsPrinted = 20;

/**
 * A terminal summary of EvaluatePlan's answer, for a person:
 * - a header with the check verdict;
 * - planned (on its forecasts: recomputed from the planned request when given, else as the plan
 *   reported them) against realised figures (judged on the actuals): emissions, the baseline's emissions, carbon saved in kg and %, unmet work;
 *   realised only: grid and green energy, green share, cost and the baseline's cost;
 * - the violations of the fixed plan under the actuals (the first 20, then how many more).
 * Numbers use thousands separators and a precision fitted to their size. Deterministic.
 */
export function formatEvaluationText(response: EvaluatePlanResponse): string {
  const s = response.summary;
  const p = response.planned;
  const check = response.check;
  const rows: Array<[string, string, string, string]> = [
    ['emissions', 'kg CO2e', formatQuantity(p?.emissionsKg ?? 0), formatQuantity(s?.emissionsKg ?? 0)],
    ['baseline emissions', 'kg CO2e', formatQuantity(p?.baselineEmissionsKg ?? 0), formatQuantity(s?.baselineEmissionsKg ?? 0)],
    ['carbon saved', 'kg CO2e', formatQuantity(p?.carbonSavedKg ?? 0), formatQuantity(s?.carbonSavedKg ?? 0)],
    ['carbon saved', '% of baseline', formatNumber(p?.carbonSavedPercent ?? 0, 1), formatNumber(s?.carbonSavedPercent ?? 0, 1)],
    ['unmet work', 'GPU-hours', formatQuantity(p?.unmetGpuHours ?? 0), formatQuantity(s?.unmetGpuHours ?? 0)],
    ['energy', 'MWh', '', formatQuantity(s?.energyMwh ?? 0)],
    ['green used', 'MWh', '', formatQuantity(s?.greenMwh ?? 0)],
    ['green share', '%', '', formatNumber(100 * (s?.greenShare ?? 0), 1)],
    ['grid', 'MWh', '', formatQuantity(s?.gridMwh ?? 0)],
    ['cost', '', formatQuantity(p?.cost ?? 0), formatQuantity(s?.cost ?? 0)],
    ['baseline cost', '', '', formatQuantity(s?.baselineCost ?? 0)],
  ];
  const labelWidth = Math.max(...rows.map((r) => r[0].length));
  const unitWidth = Math.max(...rows.map((r) => r[1].length));
  const plannedWidth = Math.max('planned'.length, ...rows.map((r) => r[2].length));
  const realisedWidth = Math.max('realised'.length, ...rows.map((r) => r[3].length));
  const layout = (label: string, unit: string, planned: string, realised: string) =>
    `  ${label.padEnd(labelWidth)}  ${unit.padEnd(unitWidth)}  ${planned.padStart(plannedWidth)}  ${realised.padStart(realisedWidth)}`.trimEnd();
  const verdict = check?.passed ? `independent check passed (${formatNumber(check.checks, 0)} checks)` : `independent check FAILED: ${(check?.violations ?? []).join('; ')}`;
  const lines = [
    `cosched evaluate: the fixed plan judged on the actuals; ${verdict}`,
    '',
    layout('', '', 'planned', 'realised'),
    ...rows.map((r) => layout(...r)),
    p?.recomputed
      ? '  (planned: its allocations and the baseline accounted on the request it was made on; realised: on the actuals)'
      : '  (planned: as the plan reported on its forecasts; realised: its allocations and the baseline accounted on the actuals)',
  ];
  const plannedViolations = p?.violations ?? [];
  if (plannedViolations.length > 0) {
    lines.push(`  the plan breaks ${formatNumber(plannedViolations.length, 0)} rule(s) of the request it was said to be made on, e.g. ${plannedViolations[0].description}`);
  }
  if (s && !s.sameWork) lines.push('  the plan and the baseline did different work on the actuals, so carbon saved compares unequal work');
  lines.push('');
  const violations = response.violations;
  if (violations.length === 0) {
    lines.push('Violations under the actuals: none (the plan is still feasible)');
  } else {
    lines.push(`Violations under the actuals: ${formatNumber(violations.length, 0)}`);
    for (const violation of violations.slice(0, maxViolationsPrinted)) lines.push(`  - ${violation.description}`);
    const more = violations.length - maxViolationsPrinted;
    if (more > 0) lines.push(`  ... and ${formatNumber(more, 0)} more (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}
