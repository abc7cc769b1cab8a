/**
 * The report's colours, one meaning each, shared by every chart and the HTML page:
 * green for green supply and its use, grey-brown for grid import, a blue/brown pair for plan
 * versus baseline, and site colours that avoid green so a site is never read as green supply.
 */
export const reportPalette = {
  /** Green supply used by the site (bars). */
  greenUsed: '#2e9d4c',
  /** Green supply left unused, i.e. curtailed (bars stacked on green used). */
  curtailed: '#b9e3b5',
  /** Green supply forecast (line). */
  greenSupply: '#0b5d1e',
  /** Grid import (bars). */
  grid: '#8d7966',
  /** The optimised plan's series in plan-versus-baseline charts. */
  plan: '#2f6fb0',
  /** The carbon-unaware baseline's series. */
  baseline: '#a0522d',
  /** Power into a battery (bars above zero). */
  charge: '#3f8fd2',
  /** Power out of a battery (bars below zero). */
  discharge: '#e08a2c',
  /** A battery's state of charge (line). */
  stateOfCharge: '#1d3557',
  /** Deadline markers in the Gantt chart. */
  deadline: '#c62828',
  /** A job's allowed window (release to deadline) behind its runs. */
  window: '#eceff1',
  /**
   * Site colours, by site index (repeating after ten sites). Tableau 10 reordered so green comes
   * last: with up to nine sites no site is green.
   */
  sites: ['#4c78a8', '#f58518', '#b279a2', '#e45756', '#72b7b2', '#eeca3b', '#ff9da6', '#9d755d', '#bab0ac', '#54a24b'],
} as const;

/** The colour of site `index` (request order), consistent across every chart of a report. */
export function siteColor(index: number): string {
  return reportPalette.sites[index % reportPalette.sites.length];
}
