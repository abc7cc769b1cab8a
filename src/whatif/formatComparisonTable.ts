import type { VariantMetrics, VariantResult } from '../generated/cosched/v1/what_if.js';
import { formatNumber } from '../report/formatNumber.js';
import { formatTextTable, type TextColumn } from './formatTextTable.js';
import { hasSchedule, terminationLabel } from './terminationLabel.js';

/** One metric column of the table, with its Δ column when `withDifference`. */
interface MetricColumn {
  header: string;
  /** The metric in the column's unit. */
  value: (metrics: VariantMetrics) => number;
  withDifference: boolean;
  /** Fixed decimals; otherwise fitted to the column's largest value. */
  digits?: number;
  suffix?: string;
}

const metricColumns: MetricColumn[] = [
  { header: 'emissions t', value: (m) => m.emissionsKg / 1_000, withDifference: true },
  { header: 'saved t', value: (m) => m.carbonSavedKg / 1_000, withDifference: true },
  { header: 'saved', value: (m) => m.carbonSavedPercent, withDifference: false, digits: 1, suffix: '%' },
  { header: 'green', value: (m) => 100 * m.greenShare, withDifference: true, digits: 1, suffix: '%' },
  { header: 'absorbed MWh', value: (m) => m.curtailmentAbsorbedMwh, withDifference: true },
  { header: 'cost', value: (m) => m.cost, withDifference: true },
  { header: 'unmet GPU-h', value: (m) => m.unmetGpuHours, withDifference: true },
  { header: 'solve s', value: (m) => m.solveMs / 1_000, withDifference: false, digits: 2 },
];

/**
 * The comparison as a compact text table, one row per variant (the base first, as given), for
 * the CLI: emissions (t), carbon saved (t and %, against each row's own carbon-unaware baseline),
 * green share, curtailment absorbed (MWh), cost, unmet work (GPU-hours) and solve time, most with
 * a Δ column (row − base; blank in the base row; green share in percentage points). Numbers have
 * thousands separators and a precision fitted to each column; a `status` column appears when a
 * row is not optimal, and a row without a schedule shows `-`. Deterministic: the same results
 * give the same text. Ends with a newline.
 */
export function formatComparisonTable(results: readonly VariantResult[]): string {
  const anyNotOptimal = results.some((row) => terminationLabel(row.termination) !== 'optimal');
  const columns: TextColumn[] = [{ header: 'variant', align: 'left' }];
  if (anyNotOptimal) columns.push({ header: 'status', align: 'left' });
  for (const metric of metricColumns) {
    columns.push({ header: metric.header, align: 'right' });
    if (metric.withDifference) columns.push({ header: 'Δ', align: 'right' });
  }
  const digitsOf = metricColumns.map((metric) => metric.digits ?? fittedDigits(results.map((row) => metric.value(row.metrics ?? zeroMetrics))));
  const rows = results.map((row, r) => {
    const cells = [row.name];
    if (anyNotOptimal) cells.push(terminationLabel(row.termination));
    const scheduled = hasSchedule(row.termination) && row.metrics !== undefined;
    metricColumns.forEach((metric, c) => {
      const suffix = metric.suffix ?? '';
      cells.push(scheduled ? `${formatNumber(metric.value(row.metrics as VariantMetrics), digitsOf[c])}${suffix}` : '-');
      if (!metric.withDifference) return;
      const showDifference = r > 0 && scheduled && hasSchedule(results[0].termination) && row.differenceToBase !== undefined;
      cells.push(showDifference ? signed(metric.value(row.differenceToBase as VariantMetrics), digitsOf[c]) : '');
    });
    return cells;
  });
  const lines = formatTextTable(columns, rows);
  lines.push('carbon saved: against each row\'s own carbon-unaware baseline; Δ: row minus base (green in percentage points)');
  return `${lines.join('\n')}\n`;
}

const zeroMetrics: VariantMetrics = {
  emissionsKg: 0,
  carbonSavedKg: 0,
  carbonSavedPercent: 0,
  greenShare: 0,
  curtailmentAbsorbedMwh: 0,
  cost: 0,
  unmetGpuHours: 0,
  solveMs: 0,
};

const negligible = 1e-6;

/**
 * Decimals for a column, from its largest magnitude: none from 1,000 up (and below 1e-6, which is
 * rounding noise), one from 10, two from 1, and below 1 enough for three significant digits.
 */
export function fittedDigits(values: readonly number[]): number {
  const largest = Math.max(0, ...values.map((value) => (Number.isFinite(value) ? Math.abs(value) : 0)));
  // Solver noise (1e-12 GPU-hours unmet) is zero, not a reason for six decimals.
  if (largest >= 1_000 || largest < negligible) return 0;
  if (largest >= 10) return 1;
  if (largest >= 1) return 2;
  return Math.min(6, 2 + Math.ceil(-Math.log10(largest)));
}

/** A difference with its sign (`+1,234`, `-5.6`, `0`). */
export function signed(value: number, digits: number): string {
  const text = formatNumber(value, digits);
  return /^[0.,]+$/.test(text) || text.startsWith('-') ? text : `+${text}`;
}
