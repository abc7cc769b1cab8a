import type { TopLevelSpec } from 'vega-lite';
import type { Problem } from '../../solver/problem/Problem.js';
import type { Schedule } from '../../solver/plan/PlanResult.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import { describeMark } from './describeMark.js';
import { formatChartValue } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';
import { reportPalette, siteColor } from './reportPalette.js';
import { renderVegaLiteSvg } from './renderVegaLiteSvg.js';
import { horizonTimeEncoding } from './horizonTimeEncoding.js';

/** Options for `renderGanttChart`. */
export interface GanttChartOptions {
  /** Chart title, e.g. `Jobs across sites: plan`. */
  title: string;
}

/**
 * A Gantt chart of `schedule` (the plan or the baseline) as an SVG: one row per job in request
 * order, one bar per run (`Run`), coloured by site (the same colour per site in every chart),
 * shaded by GPUs as a share of the job's maxGpus. A job that runs at two or more sites gets one
 * lane per site inside its row, so runs at different sites in the same hour do not hide each
 * other. Behind the runs a light band shows the job's window (release to deadline, clipped to
 * the horizon), and a red tick marks the deadline when it falls inside the horizon.
 *
 * Numbers: each run bar is a mark with role `graphics-symbol` and the `aria-label`
 * `run; job: <id>; site: <id>; start hour: <h>; hours: <n>; from: <UTC>; to: <UTC>; GPUs: <g>`
 * (GPUs as integers when whole, else formatChartValue); each deadline tick has
 * `deadline; job: <id>; hour: <h>; time: <UTC>`. A schedule with no runs gives the rows and
 * windows only.
 */
export async function renderGanttChart(problem: Problem, schedule: Schedule, options: GanttChartOptions): Promise<string> {
  const jobIds = problem.jobs.map((job) => job.id);
  const siteIds = problem.sites.map((site) => site.id);
  const singleSiteRuns: Record<string, unknown>[] = [];
  const laneRuns: Record<string, unknown>[] = [];
  let lanes = 1;
  for (const outcome of schedule.jobs) {
    const job = problem.jobs[outcome.job];
    const sitesUsed = [...new Set(outcome.runs.map((run) => run.site))].sort((a, b) => a - b);
    lanes = Math.max(lanes, sitesUsed.length);
    for (const run of outcome.runs) {
      const datum = {
        job: job.id,
        site: problem.sites[run.site].id,
        lane: sitesUsed.indexOf(run.site),
        startMs: hourToMs(problem, run.startHour),
        endMs: hourToMs(problem, run.startHour + run.hours),
        gpuShare: job.maxGpus > 0 ? run.gpus / job.maxGpus : 1,
        description: describeMark('run', [
          ['job', job.id],
          ['site', problem.sites[run.site].id],
          ['start hour', String(run.startHour)],
          ['hours', String(run.hours)],
          ['from', formatUtcHour(problem, run.startHour)],
          ['to', formatUtcHour(problem, run.startHour + run.hours)],
          ['GPUs', formatCount(run.gpus)],
        ]),
      };
      (sitesUsed.length > 1 ? laneRuns : singleSiteRuns).push(datum);
    }
  }
  const windows = problem.jobs
    .filter((job) => job.windowEnd > job.windowStart)
    .map((job) => ({ job: job.id, startMs: hourToMs(problem, job.windowStart), endMs: hourToMs(problem, job.windowEnd) }));
  const deadlines = problem.jobs
    .filter((job) => job.deadlineHour >= 0 && job.deadlineHour <= problem.hours)
    .map((job) => ({
      job: job.id,
      timeMs: hourToMs(problem, job.deadlineHour),
      description: describeMark('deadline', [
        ['job', job.id],
        ['hour', formatCount(job.deadlineHour)],
        ['time', formatUtcHour(problem, job.deadlineHour)],
      ]),
    }));

  const x = horizonTimeEncoding(problem, 'startMs');
  const y = { field: 'job', type: 'nominal' as const, sort: jobIds, scale: { domain: jobIds, paddingInner: 0.25 }, axis: { title: null, labelLimit: 180 } };
  const color = {
    field: 'site',
    type: 'nominal' as const,
    scale: { domain: siteIds, range: siteIds.map((_, s) => siteColor(s)) },
    legend: { title: 'site', titleOrient: 'left', symbolType: 'square' },
  };
  const opacity = { field: 'gpuShare', type: 'quantitative' as const, scale: { domain: [0, 1], range: [0.35, 1] }, legend: null };
  const runEncoding = { x, x2: { field: 'endMs' }, y, color, opacity, description: { field: 'description' } };

  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title,
      subtitle: [
        'Bars are runs, coloured by site, shaded by GPUs as a share of the job\u2019s maxGpus; a job at several sites has one lane per site.',
        'Grey band: the job\u2019s window (release to deadline); red tick: deadline.',
      ],
    },
    width: 860,
    height: Math.max(60, 26 * jobIds.length),
    layer: [
      {
        data: { values: windows },
        mark: { type: 'bar', color: reportPalette.window, aria: false },
        encoding: { x, x2: { field: 'endMs' }, y },
      },
      { data: { values: singleSiteRuns }, mark: { type: 'bar' }, encoding: runEncoding },
      {
        data: { values: laneRuns },
        mark: { type: 'bar' },
        encoding: { ...runEncoding, yOffset: { field: 'lane', type: 'ordinal', scale: { domain: range(lanes), paddingInner: 0.1 } } },
      },
      {
        data: { values: deadlines },
        mark: { type: 'tick', color: reportPalette.deadline, thickness: 3, opacity: 1 },
        encoding: { x: { ...x, field: 'timeMs' }, y, description: { field: 'description' } },
      },
    ],
  };
  return renderVegaLiteSvg(spec);
}

/** A count of hours or GPUs: whole numbers as they are, fractions in formatChartValue precision. */
function formatCount(x: number): string {
  return Number.isInteger(x) ? String(x) : formatChartValue(x);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
