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

const series = { charge: 'charge', discharge: 'discharge', stateOfCharge: 'state of charge' } as const;

/**
 * One site's battery, hour by hour, as an SVG chart: charging power as bars above zero (blue),
 * discharging power as bars below zero (orange), in MW on the left axis, and the state of charge
 * at the end of each hour as a dark step line in MWh on the right axis, from the initial state.
 *
 * Numbers: each bar is a mark whose `aria-label` is `describeMark(<charge|discharge>, [schedule,
 * site, hour, time, MW, state of charge MWh])`, one per hour and direction, zeros included; the
 * line carries the energy capacity. Requires a site with storage and accounts that carry its
 * dispatch (`accounts.stateOfChargeMwh` has one value per hour).
 */
export async function renderStorageChart(problem: Problem, siteIndex: number, accounts: SiteAccounts, scheduleName = 'plan'): Promise<string> {
  const site = problem.sites[siteIndex];
  const battery = site.storage;
  if (!battery) throw new Error(`renderStorageChart: site ${site.id} has no storage`);
  const bars: Record<string, unknown>[] = [];
  for (let t = 0; t < problem.hours; t++) {
    for (const [name, mw] of [
      [series.charge, accounts.chargeMw[t]],
      [series.discharge, -accounts.dischargeMw[t]],
    ] as const) {
      bars.push({
        timeMs: hourToMs(problem, t),
        series: name,
        mw,
        description: describeMark(name, [
          ['schedule', scheduleName],
          ['site', site.id],
          ['hour', String(t)],
          ['time', formatUtcHour(problem, t)],
          ['MW', formatChartValue(Math.abs(mw))],
          ['state of charge MWh', formatChartValue(accounts.stateOfChargeMwh[t])],
        ]),
      });
    }
  }
  const socDescription = describeMark(series.stateOfCharge, [['site', site.id], ['capacity MWh', formatChartValue(battery.energyMwh)]]);
  const soc = [{ timeMs: hourToMs(problem, 0), mwh: battery.initialMwh, description: socDescription }];
  accounts.stateOfChargeMwh.forEach((mwh, t) => soc.push({ timeMs: hourToMs(problem, t + 1), mwh, description: socDescription }));
  const x = horizonTimeEncoding(problem, 'timeMs');
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${site.name || site.id} (${site.id}): battery, ${scheduleName}`,
      subtitle: `Charge (up) and discharge (down) in MW; state of charge in MWh (capacity ${formatChartValue(battery.energyMwh)} MWh, ${formatChartValue(battery.powerMw)} MW).`,
    },
    width: 860,
    height: 160,
    layer: [
      {
        data: { values: bars },
        transform: [{ calculate: 'datum.timeMs + 3600000', as: 'endMs' }],
        mark: { type: 'rect' },
        encoding: {
          x,
          x2: { field: 'endMs' },
          y: { field: 'mw', type: 'quantitative', title: 'MW' },
          y2: { datum: 0 },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: [series.charge, series.discharge], range: [reportPalette.charge, reportPalette.discharge] },
            legend: { title: null, symbolType: 'square' },
          },
          description: { field: 'description' },
        },
      },
      {
        data: { values: soc },
        mark: { type: 'line', interpolate: 'linear', strokeWidth: 2, color: reportPalette.stateOfCharge },
        encoding: {
          x,
          y: { field: 'mwh', type: 'quantitative', title: 'state of charge (MWh)', scale: { domain: [0, battery.energyMwh] }, axis: { orient: 'right' } },
          description: { field: 'description' },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
  return renderVegaLiteSvg(spec);
}
