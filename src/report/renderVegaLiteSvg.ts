import { parse, View, Error as vegaErrorLevel, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The look every report chart shares: fonts, sizes, no chart border. */
const reportChartConfig = {
  font: 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'top' },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
} as const;

/** Vega-Lite's logger, quiet: warnings are not the reader's business, errors still throw. */
const quietLogger: LoggerInterface = {
  level: () => 0,
  info() {
    return this;
  },
  warn() {
    return this;
  },
  debug() {
    return this;
  },
  error(...args: unknown[]) {
    throw new Error(`vega-lite: ${args.map(String).join(' ')}`);
  },
};

/**
 * Renders a Vega-Lite spec to a standalone SVG document string, in Node, without a browser,
 * canvas or native code: Vega-Lite compiles the spec to Vega, and a headless Vega view
 * (`renderer: 'none'`) serialises its scenegraph as SVG. The report's shared config (fonts,
 * legend on top, titles left) is merged under the spec's own `config`.
 *
 * Marks whose spec encodes `description` carry it as their `aria-label` in the SVG, with
 * `role="graphics-symbol"`: that is how report charts expose their numbers (see describeMark).
 *
 * Clip-path and gradient ids in the SVG come from process-wide counters in Vega, so SVGs
 * rendered by one process can be inlined in one HTML page without id clashes.
 *
 * @throws Error when Vega-Lite rejects the spec.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...reportChartConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const vegaSpec = compile(withConfig, { logger: quietLogger }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: vegaErrorLevel });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
