import type { TopLevelSpec } from 'vega-lite';
import { describeMark } from './describeMark.js';
import { formatChartValue } from './formatNumber.js';
import { reportPalette } from './reportPalette.js';
import { renderVegaLiteSvg } from './renderVegaLiteSvg.js';

/** One solved point of a carbon-versus-cost sweep. */
export interface FrontierPoint {
  /** What produced the point, e.g. `carbon weight 0.8` or a variant's name. */
  label: string;
  emissionsKg: number;
  cost: number;
}

/** Options for `renderFrontierChart`. */
export interface FrontierChartOptions {
  /** Chart title; default `Carbon versus cost`. */
  title?: string;
  /** Unit of cost in the axis title, e.g. `CNY`; default none. */
  costUnit?: string;
}

/**
 * The carbon-versus-cost frontier as an SVG: cost on x, emissions (kg CO2e) on y, one labelled
 * point per entry of `points`, joined by a line in order of cost (ties by emissions), so a reader
 * sees what each tonne saved costs. Points are drawn as given: the function neither sorts out
 * dominated points nor checks monotonicity (the sweep's job).
 *
 * Numbers: each point is a mark with role `graphics-symbol` and the `aria-label`
 * `frontier point; label: <label>; emissions kg: <e>; cost: <c>` (formatChartValue precision).
 * No points give an empty chart with its axes and a subtitle saying so.
 */
export async function renderFrontierChart(points: readonly FrontierPoint[], options: FrontierChartOptions = {}): Promise<string> {
  const values = [...points]
    .sort((a, b) => a.cost - b.cost || a.emissionsKg - b.emissionsKg)
    .map((point, order) => ({
      ...point,
      order,
      description: describeMark('frontier point', [
        // describeMark's shape uses '; ' between fields: keep labels from splitting it.
        ['label', point.label.replace(/;/g, ',')],
        ['emissions kg', formatChartValue(point.emissionsKg)],
        ['cost', formatChartValue(point.cost)],
      ]),
    }));
  // One point has no extent: include zero so the axes have a range and round ticks; none at all
  // gets a unit domain.
  const zero = values.length < 2;
  const domain = values.length === 0 ? { domain: [0, 1] } : {};
  const encoding = {
    x: { field: 'cost', type: 'quantitative' as const, title: options.costUnit ? `cost (${options.costUnit})` : 'cost', scale: { zero, nice: true, ...domain } },
    y: { field: 'emissionsKg', type: 'quantitative' as const, title: 'emissions (kg CO2e)', scale: { zero, nice: true, ...domain } },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Carbon versus cost',
      subtitle: values.length > 0 ? 'Each point is one solved plan; lower and further left is better.' : 'No points to show.',
    },
    width: 560,
    height: 320,
    data: { values },
    encoding,
    layer: [
      { mark: { type: 'line', color: reportPalette.plan, strokeWidth: 2, aria: false }, encoding: { order: { field: 'order' } } },
      { mark: { type: 'point', filled: true, size: 60, color: reportPalette.plan, opacity: 1 }, encoding: { description: { field: 'description' } } },
      { mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 11, aria: false }, encoding: { text: { field: 'label' } } },
    ],
  };
  return renderVegaLiteSvg(spec);
}
