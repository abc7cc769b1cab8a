import type { FrontierPoint } from '../generated/cosched/v1/what_if.js';
import { formatNumber } from '../report/formatNumber.js';
import { fittedDigits } from './formatComparisonTable.js';
import { formatTextTable } from './formatTextTable.js';
import { formatWeight } from './paretoFrontier.js';
import { terminationLabel } from './terminationLabel.js';

/**
 * The frontier as a compact text table, cheapest point first: cost weight w (objective =
 * emissions kg + w × cost), emissions (t), cost, the marginal cost per tonne saved against the
 * point above (`-` for the first), unmet work (GPU-hours), and the status when some point is not
 * optimal. Then one line from the cheapest to the cleanest point: tonnes saved, extra cost and
 * the average cost per tonne. Thousands separators; deterministic; ends with a newline.
 */
export function formatFrontierTable(points: readonly FrontierPoint[]): string {
  if (points.length === 0) return 'no frontier points\n';
  const anyNotOptimal = points.some((point) => terminationLabel(point.termination) !== 'optimal');
  const emissionsDigits = fittedDigits(points.map((p) => p.emissionsKg / 1_000));
  const costDigits = fittedDigits(points.map((p) => p.cost));
  const marginalDigits = fittedDigits(points.map((p) => p.marginalCostPerTonne));
  const unmetDigits = fittedDigits(points.map((p) => p.unmetGpuHours));
  const columns = [
    { header: '#', align: 'right' as const },
    { header: 'cost weight', align: 'right' as const },
    { header: 'emissions t', align: 'right' as const },
    { header: 'cost', align: 'right' as const },
    { header: 'cost per t saved', align: 'right' as const },
    { header: 'unmet GPU-h', align: 'right' as const },
    ...(anyNotOptimal ? [{ header: 'status', align: 'left' as const }] : []),
  ];
  const rows = points.map((point, i) => [
    String(i + 1),
    formatWeight(point.costWeight),
    formatNumber(point.emissionsKg / 1_000, emissionsDigits),
    formatNumber(point.cost, costDigits),
    i === 0 ? '-' : formatNumber(point.marginalCostPerTonne, marginalDigits),
    formatNumber(point.unmetGpuHours, unmetDigits),
    ...(anyNotOptimal ? [terminationLabel(point.termination)] : []),
  ]);
  const lines = formatTextTable(columns, rows);
  const cheapest = points[0];
  const cleanest = points[points.length - 1];
  if (points.length > 1) {
    const savedT = (cheapest.emissionsKg - cleanest.emissionsKg) / 1_000;
    const extraCost = cleanest.cost - cheapest.cost;
    lines.push(
      `cheapest to cleanest: ${formatNumber(savedT, fittedDigits([savedT]))} t saved for ${formatNumber(extraCost, fittedDigits([extraCost]))} more cost (${formatNumber(extraCost / savedT, fittedDigits([extraCost / savedT]))} per t on average)`,
    );
  } else {
    lines.push('one point: no plan is both cheaper and dirtier, or cleaner and dearer, than it');
  }
  return `${lines.join('\n')}\n`;
}
