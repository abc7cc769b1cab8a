import type { TopLevelSpec } from 'vega-lite';
import type { Problem } from '../../solver/problem/Problem.js';
import type { SiteAccounts } from '../../solver/plan/PlanResult.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import { describeMark } from './describeMark.js';
import { formatChartValue } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';
import { reportPalette } from './reportPalette.js';
import { renderVegaLiteSvg } from './renderVegaLiteSvg.js';
import { horizonTimeEncoding } from './horizonTimeEncoding.js';

/** Legend entries, in stacking order (bottom first) for the bars, then the lines. */
const series = {
  greenUsed: 'green used',
  grid: 'grid import',
  curtailed: 'green curtailed',
  greenSupply: 'green supply',
  baselineLoad: 'baseline load',
} as const;

/** Options for `renderSiteEnergyChart`. */
export interface SiteEnergyChartOptions {
  /** Which schedule the bars show, in the title and descriptions; default `plan`. */
  scheduleName?: string;
  /** The baseline's accounts for this site, drawn as a dashed line; none when absent. */
  baseline?: SiteAccounts;
}

/**
 * One site's energy, hour by hour, as an SVG chart: the facility load (PUE × (jobs' IT load +
 * base load)) as stacked bars of green used (green) and grid import (grey-brown), with the unused
 * green supply stacked on top in pale green (curtailed), so the bars reach green supply whenever
 * there is any left over; green supply as a dark green step line, and the baseline's facility
 * load as a dashed brown step line, so a reader sees load moved into green hours.
 *
 * Numbers: every bar is a mark with role `graphics-symbol` whose `aria-label` is
 * `describeMark(<series>, [schedule, site, hour, time, MW, jobs' IT MW])`, e.g.
 * `green used; schedule: plan; site: guian; hour: 5; time: 2026-07-01 05:00Z; MW: 0.235;
 * jobs' IT MW: 0.120`, one per hour and series (green used, grid import, green curtailed), zeros
 * included, MW in formatChartValue precision. The two lines carry their totals in MWh.
 *
 * @param accounts the site's accounts in the schedule shown (the plan's, normally).
 */
export async function renderSiteEnergyChart(problem: Problem, siteIndex: number, accounts: SiteAccounts, options: SiteEnergyChartOptions = {}): Promise<string> {
  const site = problem.sites[siteIndex];
  const scheduleName = options.scheduleName ?? 'plan';
  const baseline = options.baseline;
  const bars: Record<string, unknown>[] = [];
  const lines: Record<string, unknown>[] = [];
  const order = [series.greenUsed, series.grid, series.curtailed];
  for (let t = 0; t < problem.hours; t++) {
    const values: Record<string, number> = {
      [series.greenUsed]: accounts.greenUsedMw[t],
      [series.grid]: accounts.gridMw[t],
      [series.curtailed]: accounts.curtailedMw[t],
    };
    order.forEach((name, stackOrder) => {
      bars.push({
        timeMs: hourToMs(problem, t),
        series: name,
        stackOrder,
        mw: values[name],
        description: describeMark(name, [
          ['schedule', scheduleName],
          ['site', site.id],
          ['hour', String(t)],
          ['time', formatUtcHour(problem, t)],
          ['MW', formatChartValue(values[name])],
          ["jobs' IT MW", formatChartValue(accounts.jobLoadMw[t])],
        ]),
      });
    });
  }
  const supplyMwh = site.greenSupplyMw.reduce((sum, mw) => sum + mw, 0);
  lines.push(...stepLine(problem, series.greenSupply, site.greenSupplyMw, describeMark(series.greenSupply, [['site', site.id], ['MWh', formatChartValue(supplyMwh)]])));
  if (baseline) {
    const baselineMwh = baseline.facilityMw.reduce((sum, mw) => sum + mw, 0);
    lines.push(...stepLine(problem, series.baselineLoad, baseline.facilityMw, describeMark(series.baselineLoad, [['site', site.id], ['MWh', formatChartValue(baselineMwh)]])));
  }

  const barSeries = [series.greenUsed, series.grid, series.curtailed];
  const lineSeries = [series.greenSupply, ...(baseline ? [series.baselineLoad] : [])];
  const x = horizonTimeEncoding(problem, 'timeMs');
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${site.name || site.id} (${site.id}): ${scheduleName}`,
      subtitle: 'Facility load = PUE × (jobs + base load), split into green used and grid import; unused green supply is curtailed.',
    },
    width: 860,
    height: 200,
    layer: [
      {
        data: { values: bars },
        // Stacked by Vega-Lite's stack transform: rects spanning whole hours (x to x2) are not
        // stacked by the encoding itself.
        transform: [
          { calculate: 'datum.timeMs + 3600000', as: 'endMs' },
          { stack: 'mw', groupby: ['timeMs'], sort: [{ field: 'stackOrder' }], as: ['mwBottom', 'mwTop'] },
        ],
        mark: { type: 'rect' },
        encoding: {
          x,
          x2: { field: 'endMs' },
          y: { field: 'mwBottom', type: 'quantitative', title: 'MW' },
          y2: { field: 'mwTop' },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: barSeries, range: [reportPalette.greenUsed, reportPalette.grid, reportPalette.curtailed] },
            legend: { title: null, symbolType: 'square' },
          },
          description: { field: 'description' },
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mw', type: 'quantitative' },
          stroke: {
            field: 'series',
            type: 'nominal',
            scale: { domain: lineSeries, range: [reportPalette.greenSupply, reportPalette.baseline] },
            legend: { title: null, symbolType: 'stroke', symbolStrokeWidth: 2 },
          },
          strokeDash: { field: 'series', type: 'nominal', scale: { domain: lineSeries, range: [[1, 0], [5, 3]] }, legend: null },
          description: { field: 'description' },
        },
      },
    ],
    resolve: { scale: { color: 'independent', stroke: 'independent' } },
  };
  return renderVegaLiteSvg(spec);
}

/** Points for a step-after line over the whole horizon: one per hour plus the horizon's end. */
function stepLine(problem: Problem, name: string, mw: readonly number[], description: string): Record<string, unknown>[] {
  const points = mw.map((value, t) => ({ timeMs: hourToMs(problem, t), series: name, mw: value, description }));
  if (mw.length > 0) points.push({ ...points[points.length - 1], timeMs: hourToMs(problem, problem.hours) });
  return points;
}
