import type { TopLevelSpec } from 'vega-lite';
import type { Problem } from '../../solver/problem/Problem.js';
import type { Schedule } from '../../solver/plan/PlanResult.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import { describeMark } from './describeMark.js';
import { formatChartValue } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';
import { reportPalette } from './reportPalette.js';
import { renderVegaLiteSvg } from './renderVegaLiteSvg.js';
import { horizonTimeEncoding } from './horizonTimeEncoding.js';

/**
 * GB per hour sent over problem.links[linkIndex] by all jobs of `schedule`, hour by hour.
 * Zeros when nothing is sent.
 */
export function linkGbPerHour(problem: Problem, schedule: Schedule, linkIndex: number): number[] {
  const gb = new Array<number>(problem.hours).fill(0);
  for (const outcome of schedule.jobs) {
    for (const transfer of outcome.transfers ?? []) {
      if (transfer.link !== linkIndex) continue;
      for (let t = transfer.startHour; t < transfer.startHour + transfer.hours; t++) gb[t] += transfer.gbPerHour;
    }
  }
  return gb;
}

/**
 * One link's data transfers, hour by hour, as an SVG chart: the GB sent by each job as stacked
 * bars (one colour), with the link's capacity as a dark line. Each bar is a mark whose
 * `aria-label` is `describeMark('transfer', [schedule, link, job, hour, time, GB])`; the line
 * carries the capacity. Requires problem.links[linkIndex].
 */
export async function renderLinkChart(problem: Problem, linkIndex: number, schedule: Schedule, scheduleName = 'plan'): Promise<string> {
  const link = (problem.links ?? [])[linkIndex];
  if (!link) throw new Error(`renderLinkChart: no link ${linkIndex}`);
  const name = `${problem.sites[link.fromSite].id} -> ${problem.sites[link.toSite].id}`;
  const bars: Record<string, unknown>[] = [];
  for (const outcome of schedule.jobs) {
    const jobId = problem.jobs[outcome.job].id;
    for (const transfer of outcome.transfers ?? []) {
      if (transfer.link !== linkIndex) continue;
      for (let t = transfer.startHour; t < transfer.startHour + transfer.hours; t++) {
        bars.push({
          timeMs: hourToMs(problem, t),
          job: jobId,
          gb: transfer.gbPerHour,
          description: describeMark('transfer', [
            ['schedule', scheduleName],
            ['link', name],
            ['job', jobId],
            ['hour', String(t)],
            ['time', formatUtcHour(problem, t)],
            ['GB', formatChartValue(transfer.gbPerHour)],
          ]),
        });
      }
    }
  }
  const capacityDescription = describeMark('capacity', [['link', name], ['GB per hour', formatChartValue(link.capacityGbPerHour)]]);
  const capacity = [
    { timeMs: hourToMs(problem, 0), gb: link.capacityGbPerHour, description: capacityDescription },
    { timeMs: hourToMs(problem, problem.hours), gb: link.capacityGbPerHour, description: capacityDescription },
  ];
  const x = horizonTimeEncoding(problem, 'timeMs');
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Link ${name}: data sent, ${scheduleName}`,
      subtitle: `GB per hour by all jobs (stacked); the line is the link's capacity, ${formatChartValue(link.capacityGbPerHour)} GB per hour.`,
    },
    width: 860,
    height: 140,
    layer: [
      {
        data: { values: bars },
        transform: [{ calculate: 'datum.timeMs + 3600000', as: 'endMs' }],
        mark: { type: 'rect', color: reportPalette.charge, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x,
          x2: { field: 'endMs' },
          y: { aggregate: 'sum', field: 'gb', type: 'quantitative', title: 'GB', stack: 'zero' },
          detail: { field: 'job' },
          description: { field: 'description' },
        },
      },
      {
        data: { values: capacity },
        mark: { type: 'line', strokeWidth: 2, color: reportPalette.stateOfCharge },
        encoding: { x, y: { field: 'gb', type: 'quantitative' }, description: { field: 'description' } },
      },
    ],
  };
  return renderVegaLiteSvg(spec);
}
