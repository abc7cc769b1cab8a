import type { TopLevelSpec } from 'vega-lite';
import type { Problem } from '../../solver/problem/Problem.js';
import type { Schedule } from '../../solver/plan/PlanResult.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import { describeMark } from './describeMark.js';
import { formatChartValue } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';
import { horizonTimeEncoding } from './horizonTimeEncoding.js';
import { reportPalette } from './reportPalette.js';
import { renderVegaLiteSvg } from './renderVegaLiteSvg.js';

/** One panel: an hourly account summed over sites, with its unit as used in mark descriptions. */
interface Panel {
  measure: string;
  unit: string;
  title: string;
  account: 'gridMw' | 'emissionsKg';
}

const panels: readonly Panel[] = [
  { measure: 'grid import', unit: 'MW', title: 'grid import (MW)', account: 'gridMw' },
  { measure: 'emissions', unit: 'kg', title: 'emissions (kg CO2e/h)', account: 'emissionsKg' },
];

/**
 * The baseline's hourly profile beside the plan's, as one SVG with two panels sharing the time
 * axis: grid import (MW) and emissions (kg per hour), each summed over all sites, plan as a
 * solid blue line and baseline as a dashed brown line.
 *
 * Numbers: a point per hour and series is a mark with role `graphics-symbol` and the
 * `aria-label` `<grid import|emissions>; schedule: <plan|baseline>; hour: <h>; time: <UTC>;
 * <MW|kg>: <value>` (formatChartValue precision).
 *
 * @param plan undefined when the solve found no schedule: the baseline alone is drawn.
 */
export async function renderBaselineComparisonChart(problem: Problem, plan: Schedule | undefined, baseline: Schedule): Promise<string> {
  const names: Array<'plan' | 'baseline'> = plan ? ['plan', 'baseline'] : ['baseline'];
  // The baseline's rows come first so the plan's line is drawn on top where the two meet.
  const schedules: Array<[name: string, Schedule]> = [['baseline', baseline], ...(plan ? [['plan', plan] as [string, Schedule]] : [])];
  const x = horizonTimeEncoding(problem, 'timeMs');
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: plan ? 'Plan versus carbon-unaware baseline' : 'Carbon-unaware baseline (no plan: the solve found no schedule)',
      subtitle: 'Hourly totals over all sites: grid import and the emissions it causes; points sit at the middle of each hour.',
    },
    vconcat: panels.map((panel) => ({
      width: 860,
      height: 170,
      data: { values: hourlyTotals(problem, schedules, panel) },
      transform: [{ calculate: 'datum.timeMs + 1800000', as: 'midMs' }],
      encoding: {
        x: { ...horizonTimeEncoding(problem, 'midMs'), scale: x.scale },
        y: { field: 'value', type: 'quantitative', title: panel.title },
        color: {
          field: 'schedule',
          type: 'nominal',
          scale: { domain: names, range: names.map((name) => reportPalette[name]) },
          legend: { title: null, symbolType: 'stroke', symbolStrokeWidth: 2 },
        },
        strokeDash: { field: 'schedule', type: 'nominal', scale: { domain: names, range: names.map((name) => (name === 'plan' ? [1, 0] : [6, 3])) }, legend: null },
      },
      layer: [
        { mark: { type: 'line', strokeWidth: 2, aria: false } },
        { mark: { type: 'point', filled: true, size: 14, opacity: 1 }, encoding: { strokeDash: { value: [1, 0] }, description: { field: 'description' } } },
      ],
    })),
    spacing: 24,
    resolve: { legend: { color: 'shared' } },
  };
  return renderVegaLiteSvg(spec);
}

function hourlyTotals(
  problem: Problem,
  schedules: ReadonlyArray<readonly [name: string, Schedule]>,
  panel: Panel,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const [name, schedule] of schedules) {
    for (let t = 0; t < problem.hours; t++) {
      const value = schedule.sites.reduce((sum, site) => sum + site[panel.account][t], 0);
      rows.push({
        timeMs: hourToMs(problem, t),
        schedule: name,
        value,
        description: describeMark(panel.measure, [
          ['schedule', name],
          ['hour', String(t)],
          ['time', formatUtcHour(problem, t)],
          [panel.unit, formatChartValue(value)],
        ]),
      });
    }
  }
  return rows;
}
