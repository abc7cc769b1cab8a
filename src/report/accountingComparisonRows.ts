import type { PlanResult } from '../../solver/plan/PlanResult.js';
import { formatNumber, quantityDecimals } from './formatNumber.js';

/** One row of the side-by-side accounting table: a figure for plan and baseline, and their difference. */
export interface AccountingComparisonRow {
  /** Stable key, e.g. `cfeScore` (the HTML report's data-metric). */
  metric: 'emissionsKg' | 'marginalEmissionsKg' | 'cfeScore' | 'annualMatchingScore';
  label: string;
  unit: string;
  /** undefined when there is no schedule. */
  plan: number | undefined;
  baseline: number;
  /** plan − baseline; undefined when there is no schedule. */
  difference: number | undefined;
  /** The three figures as text, with one precision for the row; '-' when absent. */
  planText: string;
  baselineText: string;
  differenceText: string;
}

/**
 * The rows of the "accounting side by side" table that the text and HTML reports show, in order:
 * location-based emissions (kg), marginal emissions (kg; only when the problem has a marginal
 * signal), the hourly 24/7 CFE score (%) and the annual matching score (%). Scores are shown as
 * percentages and their difference in percentage points. Each figure is copied from `result`
 * (checked by the independent checker), nothing is recomputed. Without a schedule the plan and
 * difference are '-'.
 */
export function accountingComparisonRows(result: PlanResult): AccountingComparisonRow[] {
  const s = result.summary;
  const hasPlan = result.plan !== undefined;
  const rows: AccountingComparisonRow[] = [row('emissionsKg', 'location-based emissions', 'kg CO2e', s.emissionsKg, s.baselineEmissionsKg, hasPlan, 'kg')];
  if (s.marginalEmissionsKg !== undefined && s.baselineMarginalEmissionsKg !== undefined) {
    rows.push(row('marginalEmissionsKg', 'marginal emissions', 'kg CO2', s.marginalEmissionsKg, s.baselineMarginalEmissionsKg, hasPlan, 'kg'));
  }
  rows.push(
    row('cfeScore', '24/7 CFE (hourly matching)', '%', s.cfeScore, s.baselineCfeScore, hasPlan, 'percent'),
    row('annualMatchingScore', 'annual matching', '%', s.annualMatchingScore, s.baselineAnnualMatchingScore, hasPlan, 'percent'),
  );
  return rows;
}

function row(metric: AccountingComparisonRow['metric'], label: string, unit: string, plan: number, baseline: number, hasPlan: boolean, kind: 'kg' | 'percent'): AccountingComparisonRow {
  const difference = plan - baseline;
  const scale = kind === 'percent' ? 100 : 1;
  const digits = kind === 'percent' ? 1 : quantityDecimals(Math.max(Math.abs(plan), Math.abs(baseline)));
  const text = (x: number) => formatNumber(scale * x, digits);
  // An explicit sign: "+1.2", "-3.4", and "0" (or "0.0") when nothing changes at this precision.
  const signed = (x: number) => {
    const shown = text(x);
    return shown.startsWith('-') || /^0(\.0*)?$/.test(shown) ? shown : `+${shown}`;
  };
  return {
    metric,
    label,
    unit,
    plan: hasPlan ? plan : undefined,
    baseline,
    difference: hasPlan ? difference : undefined,
    planText: hasPlan ? text(plan) : '-',
    baselineText: text(baseline),
    differenceText: hasPlan ? signed(difference) + (kind === 'percent' ? ' pts' : '') : '-',
  };
}
