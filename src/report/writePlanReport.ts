import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import { formatPlanReportHtml, type PlanReportCharts, type PlanReportOptions, type ReportChart } from './formatPlanReportHtml.js';
import { renderBaselineComparisonChart } from './renderBaselineComparisonChart.js';
import { renderGanttChart } from './renderGanttChart.js';
import { renderSiteEnergyChart } from './renderSiteEnergyChart.js';
import { renderStorageChart } from './renderStorageChart.js';
import { linkGbPerHour, renderLinkChart } from './renderLinkChart.js';

export type { PlanReportOptions } from './formatPlanReportHtml.js';

/** The files a report consists of, as paths joined onto the report directory. */
export interface PlanReportFiles {
  /** `<dir>/index.html`. */
  indexHtml: string;
  /** One `.svg` per chart, in the page's order. */
  charts: string[];
}

/**
 * Writes a plan report into `dir` (created if missing, with parents):
 * - `index.html`: one self-contained page (inline CSS, charts inlined as SVG; opens from disk
 *   with no server and no network): key figures (carbon saved in kg and %, green share, cost,
 *   unmet work, check verdict), warnings, the charts, the totals table, the jobs table, and the
 *   solve info; see formatPlanReportHtml for the element ids that carry each number;
 * - one `.svg` per chart, the same SVG as inlined:
 *   - `plan-vs-baseline.svg`: hourly grid import and emissions, plan beside baseline
 *     (renderBaselineComparisonChart);
 *   - `site-<site id>.svg` per site: stacked green used / grid import / curtailed bars with
 *     green supply and the baseline's load as lines (renderSiteEnergyChart);
 *   - `storage-<site id>.svg` per site with storage: charge, discharge and state of charge
 *     (renderStorageChart);
 *   - `link-<from>-<to>.svg` per link that carries data: GB per hour against its capacity
 *     (renderLinkChart);
 *   - `gantt-plan.svg` and `gantt-baseline.svg`: runs per job, coloured by site, with deadlines
 *     (renderGanttChart).
 * Files of the same names are overwritten; nothing else in `dir` is touched.
 *
 * Without a schedule (`result.plan` undefined, e.g. a time limit before any plan), the site
 * charts show the baseline, there is no plan Gantt, and plan figures show `-`.
 * The output depends only on the arguments: writing the same result twice gives the same bytes.
 *
 * @returns the paths written.
 * @throws the file system's error when `dir` cannot be created or written.
 */
export async function writePlanReport(dir: string, problem: Problem, result: PlanResult, options: PlanReportOptions = {}): Promise<PlanReportFiles> {
  // 1. Render the charts.
  const charts = await renderPlanReportCharts(problem, result);
  // 2. Compose the page.
  const html = formatPlanReportHtml(problem, result, charts, options);
  // 3. Write the page and the charts.
  await mkdir(dir, { recursive: true });
  const ordered = [charts.comparison, ...charts.sites, ...charts.storage, ...charts.gantts, ...(charts.links ?? [])];
  await Promise.all(ordered.map((chart) => writeFile(join(dir, chart.fileName), chart.svg, 'utf8')));
  const indexHtml = join(dir, 'index.html');
  await writeFile(indexHtml, html, 'utf8');
  return { indexHtml, charts: ordered.map((chart) => join(dir, chart.fileName)) };
}

async function renderPlanReportCharts(problem: Problem, result: PlanResult): Promise<PlanReportCharts> {
  const { plan, baseline } = result;
  const comparison: ReportChart = {
    fileName: 'plan-vs-baseline.svg',
    svg: await renderBaselineComparisonChart(problem, plan, baseline),
    caption: 'Grid import and emissions per hour over all sites: the plan (solid) against the carbon-unaware baseline (dashed).',
    data: { chart: 'plan-vs-baseline' },
  };
  const sites: ReportChart[] = [];
  for (const [s, site] of problem.sites.entries()) {
    const svg = plan
      ? await renderSiteEnergyChart(problem, s, plan.sites[s], { baseline: baseline.sites[s] })
      : await renderSiteEnergyChart(problem, s, baseline.sites[s], { scheduleName: 'baseline (no plan)' });
    sites.push({
      fileName: `site-${site.id}.svg`,
      svg,
      caption: plan
        ? `${site.id}: the plan's load by source (green used, grid import) with the green supply it left unused; the dashed line is the baseline's load.`
        : `${site.id}: the baseline's load by source; there is no plan.`,
      data: { chart: 'site-energy', site: site.id, schedule: plan ? 'plan' : 'baseline' },
    });
  }
  const storage: ReportChart[] = [];
  for (const [s, site] of problem.sites.entries()) {
    if (!site.storage) continue;
    const schedule = plan ?? baseline;
    storage.push({
      fileName: `storage-${site.id}.svg`,
      svg: await renderStorageChart(problem, s, schedule.sites[s], plan ? 'plan' : 'baseline (no plan)'),
      caption: plan
        ? `${site.id}: when the plan charges the battery (with green supply the load leaves over${site.storage.chargeFromGrid ? ', or from the grid' : ''}) and when it discharges it to serve the load.`
        : `${site.id}: the baseline's battery (self-consumption); there is no plan.`,
      data: { chart: 'storage', site: site.id, schedule: plan ? 'plan' : 'baseline' },
    });
  }
  const gantts: ReportChart[] = [];
  if (plan) {
    gantts.push({
      fileName: 'gantt-plan.svg',
      svg: await renderGanttChart(problem, plan, { title: 'Jobs across sites: plan' }),
      caption: 'Where and when each job runs in the plan.',
      data: { chart: 'gantt', schedule: 'plan' },
    });
  }
  gantts.push({
    fileName: 'gantt-baseline.svg',
    svg: await renderGanttChart(problem, baseline, { title: 'Jobs across sites: baseline' }),
    caption: 'The carbon-unaware baseline: every job at its home site, first come first served, at maxGpus.',
    data: { chart: 'gantt', schedule: 'baseline' },
  });
  const links: ReportChart[] = [];
  const schedule = plan ?? baseline;
  for (const [l, link] of (problem.links ?? []).entries()) {
    if (!linkGbPerHour(problem, schedule, l).some((gb) => gb > 0)) continue;
    const from = problem.sites[link.fromSite].id;
    const to = problem.sites[link.toSite].id;
    links.push({
      fileName: `link-${from}-${to}.svg`,
      svg: await renderLinkChart(problem, l, schedule, plan ? 'plan' : 'baseline (no plan)'),
      caption: `${from} -> ${to}: the GB of job data the ${plan ? 'plan' : 'baseline'} sends each hour, against the link's capacity.`,
      data: { chart: 'link', link: `${from}->${to}`, schedule: plan ? 'plan' : 'baseline' },
    });
  }
  return { comparison, sites, storage, gantts, links };
}
