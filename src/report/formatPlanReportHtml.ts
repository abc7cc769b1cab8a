import type { Problem } from '../../solver/problem/Problem.js';
import { reportCss } from './reportCss.js';
import type { JobOutcome, PlanResult } from '../../solver/plan/PlanResult.js';
import { workTolerance } from '../../solver/model/jobShape.js';
import { escapeHtml } from './escapeHtml.js';
import { formatNumber, formatQuantity, quantityDecimals } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';
import { accountingComparisonRows } from './accountingComparisonRows.js';
import { bindingHoursHtml } from './bindingHoursHtml.js';

/** One rendered chart of a report. */
export interface ReportChart {
  /** File name of the chart's SVG beside index.html, e.g. `site-guian.svg`. */
  fileName: string;
  /** The standalone SVG document. */
  svg: string;
  /** One line under the chart saying how to read it. */
  caption: string;
  /** `data-*` attributes of the chart's `<figure>`, e.g. `{ chart: 'site-energy', site: 'guian' }`. */
  data: Readonly<Record<string, string>>;
}

/** The charts of a plan report, by section. */
export interface PlanReportCharts {
  /** Plan versus baseline, hourly totals. */
  comparison: ReportChart;
  /** One per site, in request order. */
  sites: ReportChart[];
  /** One per site with storage, in request order (empty when no site has storage). */
  storage: ReportChart[];
  /** The plan's Gantt chart (when there is a plan), then the baseline's. */
  gantts: ReportChart[];
  /** One per link that carries data, in request order (absent or empty without transfers). */
  links?: ReportChart[];
}

/** Options for `formatPlanReportHtml` (and `writePlanReport`). */
export interface PlanReportOptions {
  /** Page title; default `cosched plan report`. */
  title?: string;
  /** Where the problem came from, e.g. the scenario file's path; shown under the title. */
  source?: string;
}

/**
 * The report page as one self-contained HTML document: inline CSS, the charts' SVGs inlined
 * (each also linked as its sibling `.svg` file), no network access and no external file needed to
 * show it. A few lines of inline script only add hover text (an SVG `<title>`) to chart marks.
 *
 * Sections, in order: key figures; warnings; plan versus baseline; per-site energy; storage (sites
 * with a battery only); Gantt charts; data over links (links that carry data only); totals; accounting side by side; forecast scenarios (when
 * the request has them: `#scenarios-table tr[data-scenario]`); jobs; the binding hours (only with
 * an explanation, see bindingHoursHtml); solve and check. Every number a test or a reader may want to pick out has a
 * stable handle:
 * - key figures: `#carbon-saved-kg`, `#carbon-saved-percent`, `#green-share`, `#cost`,
 *   `#unmet-gpu-hours`, `#check` with `data-value` holding the exact number (or `data-passed`);
 * - totals: `#summary-table tr[data-metric=<PlanSummary field>]` with `td.plan` / `td.baseline`
 *   cells carrying `data-value`;
 * - accounting side by side: `#accounting-table tr[data-metric=<emissionsKg | marginalEmissionsKg |
 *   cfeScore | annualMatchingScore>]` with `td.plan`, `td.baseline`, `td.difference` (`data-value`
 *   holds the exact number; scores as fractions); the marginal row only with a marginal signal;
 * - solve info: `#solve-table tr[data-field=<SolveInfo field>]`;
 * - jobs: `#jobs-table tr[data-job=<id>]`; warnings: `#warnings li`, count in `data-count`;
 * - charts: `figure[data-chart]` (`plan-vs-baseline`, `site-energy` and `storage` with `data-site`, `gantt` with
 *   `data-schedule`, `link` with `data-link` = `from->to`), whose marks carry their numbers as `aria-label` (see the render functions).
 * Text uses the CLI's number style (formatQuantity: `10,741`, `71.5`), times UTC. When there is no
 * schedule, plan figures show `-` and have no `data-value`. Deterministic: no clock, no random ids.
 */
export function formatPlanReportHtml(problem: Problem, result: PlanResult, charts: PlanReportCharts, options: PlanReportOptions = {}): string {
  const title = options.title ?? 'cosched plan report';
  const body = [
    header(problem, result, title, options.source),
    keyFigures(result),
    warnings(result),
    section('plan-vs-baseline', 'Plan versus baseline', [figure(charts.comparison)]),
    section('sites', 'Sites, hour by hour', charts.sites.map(figure)),
    ...(charts.storage.length > 0 ? [section('storage', 'Storage', charts.storage.map(figure))] : []),
    section('gantt', 'Jobs across sites', charts.gantts.map(figure)),
    ...(charts.links?.length ? [section('links', 'Data over links', charts.links.map(figure))] : []),
    section('totals', 'Totals', [summaryTable(result)]),
    section('accounting', 'Accounting side by side', [accountingTable(result)]),
    ...(result.scenarios ? [section('scenarios', 'Forecast scenarios', [scenariosTable(result)])] : []),
    section('jobs', 'Jobs', [jobsTable(problem, result)]),
    ...(result.explanation ? [section('binding-hours', 'The binding hours', bindingHoursHtml(problem, result.explanation))] : []),
    section('solve', 'Solve and check', [solveTable(result), checkDetails(result)]),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${reportCss}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
<script>${hoverScript}</script>
</body>
</html>
`;
}


/** Hover text for chart marks: their aria-label (which holds their numbers) as an SVG title. */
const hoverScript = `
for (const mark of document.querySelectorAll('figure svg .role-mark > [aria-label]')) {
  const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  title.textContent = mark.getAttribute('aria-label');
  mark.prepend(title);
}
`;

function section(id: string, heading: string, parts: string[]): string {
  return `<section id="${id}">\n<h2>${escapeHtml(heading)}</h2>\n${parts.join('\n')}\n</section>`;
}

function figure(chart: ReportChart): string {
  const id = `chart-${chart.fileName.replace(/\.svg$/, '')}`;
  const data = Object.entries(chart.data)
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const link = `<a href="${escapeHtml(encodeURI(chart.fileName))}">${escapeHtml(chart.fileName)}</a>`;
  return `<figure id="${escapeHtml(id)}"${data}>\n${stripXmlProlog(chart.svg)}\n<figcaption>${escapeHtml(chart.caption)} (${link})</figcaption>\n</figure>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

function header(problem: Problem, result: PlanResult, title: string, source: string | undefined): string {
  const { carbonWeight, costWeight } = problem.objective;
  const lines = [
    `<h1>${escapeHtml(title)}</h1>`,
    ...(source ? [`<p class="meta" id="source">${escapeHtml(source)}</p>`] : []),
    `<p class="meta">Horizon ${formatUtcHour(problem, 0)} to ${formatUtcHour(problem, problem.hours)} (${problem.hours} h), ${count(problem.sites.length, 'site')}, ${count(problem.jobs.length, 'job')}. Objective: ${formatNumber(carbonWeight, 2)} × emissions (kg) + ${formatNumber(costWeight, 2)} × cost. Times are UTC.</p>`,
    `<p class="meta">Result: <span id="termination" data-value="${result.termination}">${escapeHtml(result.termination.replace(/_/g, ' '))}</span>; check ${result.check.passed ? 'passed' : '<strong class="bad">FAILED</strong>'}.</p>`,
  ];
  return `<header>\n${lines.join('\n')}\n</header>`;
}

function keyFigures(result: PlanResult): string {
  const s = result.summary;
  const base = result.baseline.totals;
  const hasPlan = result.plan !== undefined;
  const baselineShare = base.cfeScore;
  const card = (id: string, value: number | undefined, text: string, label: string, tone = '') =>
    `<div class="card"><div class="value${tone ? ` ${tone}` : ''}" id="${id}"${value === undefined ? '' : ` data-value="${value}"`}>${text}</div><div class="label">${label}</div></div>`;
  const savedTone = !hasPlan ? '' : s.carbonSavedKg >= 0 ? 'good' : 'bad';
  const cards = [
    card('carbon-saved-kg', hasPlan ? s.carbonSavedKg : undefined, hasPlan ? formatQuantity(s.carbonSavedKg) : '-', 'kg CO2e saved against the baseline', savedTone),
    card('carbon-saved-percent', hasPlan ? s.carbonSavedPercent : undefined, hasPlan ? `${formatNumber(s.carbonSavedPercent, 1)}%` : '-', 'of the baseline\u2019s emissions', savedTone),
    card('green-share', hasPlan ? s.greenShare : undefined, hasPlan ? `${formatNumber(100 * s.greenShare, 1)}%` : '-', `green share (baseline ${formatNumber(100 * baselineShare, 1)}%)`),
    card('cost', hasPlan ? s.cost : undefined, hasPlan ? formatQuantity(s.cost) : '-', `cost (baseline ${formatQuantity(s.baselineCost)})`),
    card('unmet-gpu-hours', s.unmetGpuHours, formatGpuHours(s.unmetGpuHours), `unmet GPU-hours (baseline ${formatGpuHours(s.baselineUnmetGpuHours)})`, s.unmetGpuHours > 0 ? 'bad' : ''),
    `<div class="card"><div class="value ${result.check.passed ? 'good' : 'bad'}" id="check" data-passed="${result.check.passed}">${result.check.passed ? 'passed' : 'FAILED'}</div><div class="label">independent check (${formatNumber(result.check.checks, 0)} checks)</div></div>`,
  ];
  const note = !hasPlan
    ? `<p class="note" id="carbon-saved">No schedule: the solve ended with ${escapeHtml(result.termination)}, so there is no carbon saved to report.</p>`
    : s.sameWork
      ? ''
      : '<p class="note" id="carbon-saved">Plan and baseline did different work, so carbon saved compares unequal work (see the warnings).</p>';
  return `<section id="key-figures">\n<div class="cards">\n${cards.join('\n')}\n</div>\n${note}</section>`;
}

function warnings(result: PlanResult): string {
  const items = result.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`);
  const content = items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : '<p class="note">None.</p>';
  return `<section id="warnings" data-count="${items.length}">\n<h2>Warnings</h2>\n${content}\n</section>`;
}

function summaryTable(result: PlanResult): string {
  const s = result.summary;
  const base = result.baseline.totals;
  const hasPlan = result.plan !== undefined;
  const planMissed = result.plan ? result.plan.jobs.filter((o) => hasUnmetWork(o)).length : result.baseline.jobs.length;
  const baselineShare = base.cfeScore;
  type Row = [metric: string, label: string, unit: string, plan: number, baseline: number, format: 'fitted' | 'percent' | 'gpuHours' | 'count', planWithoutSchedule?: boolean];
  const rows: Row[] = [
    ['energyMwh', 'energy', 'MWh', s.energyMwh, base.energyMwh, 'fitted'],
    ['greenMwh', 'green used', 'MWh', s.greenMwh, base.greenMwh, 'fitted'],
    ['greenShare', 'green share', '%', s.greenShare, baselineShare, 'percent'],
    ['gridMwh', 'grid import', 'MWh', s.gridMwh, base.gridMwh, 'fitted'],
    ['curtailedMwh', 'green curtailed', 'MWh', s.curtailedMwh, base.curtailedMwh, 'fitted'],
    ['emissionsKg', 'emissions', 'kg CO2e', s.emissionsKg, s.baselineEmissionsKg, 'fitted'],
    ['cost', 'cost', '', s.cost, s.baselineCost, 'fitted'],
    ['doneGpuHours', 'work done', 'GPU-h', s.doneGpuHours, s.baselineDoneGpuHours, 'gpuHours', true],
    ['unmetGpuHours', 'unmet work', 'GPU-h', s.unmetGpuHours, s.baselineUnmetGpuHours, 'gpuHours', true],
    ['missedDeadlines', 'missed deadlines', 'jobs', planMissed, s.baselineMissedDeadlines, 'count', true],
  ];
  const body = rows.map(([metric, label, unit, plan, baseline, format, planWithoutSchedule]) => {
    const [planText, baselineText] = formatPair(plan, baseline, format);
    const showPlan = hasPlan || planWithoutSchedule === true;
    const planCell = showPlan ? `<td class="num plan" data-value="${plan}">${planText}</td>` : '<td class="num plan">-</td>';
    return `<tr data-metric="${metric}"><th>${label}</th><td>${unit}</td>${planCell}<td class="num baseline" data-value="${baseline}">${baselineText}</td></tr>`;
  });
  const saved = (metric: string, label: string, unit: string, value: number, text: string) =>
    hasPlan
      ? `<tr data-metric="${metric}"><th>${label}</th><td>${unit}</td><td class="num plan ${value >= 0 ? 'good' : 'bad'}" data-value="${value}">${text}</td><td></td></tr>`
      : `<tr data-metric="${metric}"><th>${label}</th><td>${unit}</td><td class="num plan">-</td><td></td></tr>`;
  body.push(
    saved('carbonSavedKg', 'carbon saved', 'kg CO2e', s.carbonSavedKg, formatQuantity(s.carbonSavedKg)),
    saved('carbonSavedPercent', 'carbon saved', '% of baseline', s.carbonSavedPercent, formatNumber(s.carbonSavedPercent, 1)),
  );
  return `<table id="summary-table">
<thead><tr><th>total</th><th>unit</th><th class="num">plan</th><th class="num">baseline</th></tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table>`;
}

/** Plan and baseline emissions in each forecast scenario, then expected, worst and CVaR (`#scenarios-table tr[data-scenario]`). */
function scenariosTable(result: PlanResult): string {
  const report = result.scenarios;
  if (!report) return '';
  const measure = report.riskMeasure === 'cvar' ? `CVaR at ${formatNumber(report.cvarAlpha, 2)}` : report.riskMeasure === 'worst' ? 'the worst scenario' : 'the expected objective';
  const cell = (value: number | undefined, cls: string) =>
    value === undefined ? `<td class="num ${cls}">-</td>` : `<td class="num ${cls}" data-value="${value}">${formatQuantity(value)}</td>`;
  const row = (key: string, label: string, p: string, plan: number | undefined, baseline: number) =>
    `<tr data-scenario="${escapeHtml(key)}"><th>${escapeHtml(label)}</th><td class="num">${p}</td>${cell(plan, 'plan')}${cell(baseline, 'baseline')}${cell(plan === undefined ? undefined : baseline - plan, 'saved')}</tr>`;
  const rows = report.outcomes.map((o) => row(o.name, o.name, formatNumber(o.probability, 2), o.plan?.totals.emissionsKg, o.baseline.totals.emissionsKg));
  const hasPlan = result.plan !== undefined;
  rows.push(
    row('expected', 'expected', '', hasPlan ? report.expectedEmissionsKg : undefined, report.baselineExpectedEmissionsKg),
    row('worst', 'worst', '', hasPlan ? report.worstEmissionsKg : undefined, report.baselineWorstEmissionsKg),
    row('cvar', `CVaR ${formatNumber(report.cvarLevel, 2)}`, '', hasPlan ? report.cvarEmissionsKg : undefined, report.baselineCvarEmissionsKg),
  );
  return `<p>The plan minimised ${measure}; the totals above are expected values over these scenarios.</p>
<table id="scenarios-table">
<thead><tr><th>scenario</th><th class="num">probability</th><th class="num">plan kg CO2e</th><th class="num">baseline kg CO2e</th><th class="num">saved kg</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function accountingTable(result: PlanResult): string {
  const cell = (kind: string, value: number | undefined, text: string) =>
    value === undefined ? `<td class="num ${kind}">-</td>` : `<td class="num ${kind}" data-value="${value}">${escapeHtml(text)}</td>`;
  const body = accountingComparisonRows(result).map(
    (r) =>
      `<tr data-metric="${r.metric}"><th>${escapeHtml(r.label)}</th><td>${escapeHtml(r.unit)}</td>${cell('plan', r.plan, r.planText)}${cell('baseline', r.baseline, r.baselineText)}${cell('difference', r.difference, r.differenceText)}</tr>`,
  );
  const note =
    '<p class="note">24/7 CFE: the share of each hour\'s load met by green supply at its site in that hour, weighted by load. ' +
    'Annual matching: all green supply over the horizon against all energy used, capped at 100%: what volumetric matching would claim. ' +
    'Marginal emissions price grid energy at the marginal emission rate given with the request (e.g. WattTime MOER).</p>';
  return `<table id="accounting-table">
<thead><tr><th>figure</th><th>unit</th><th class="num">plan</th><th class="num">baseline</th><th class="num">plan − baseline</th></tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table>
${note}`;
}

function formatPair(plan: number, baseline: number, format: 'fitted' | 'percent' | 'gpuHours' | 'count'): [string, string] {
  switch (format) {
    case 'percent':
      return [formatNumber(100 * plan, 1), formatNumber(100 * baseline, 1)];
    case 'gpuHours':
      return [formatGpuHours(plan), formatGpuHours(baseline)];
    case 'count':
      return [formatNumber(plan, 0), formatNumber(baseline, 0)];
    case 'fitted': {
      // Both with the precision the larger needs, so a row reads evenly.
      const digits = quantityDecimals(Math.max(Math.abs(plan), Math.abs(baseline)));
      return [formatNumber(plan, digits), formatNumber(baseline, digits)];
    }
  }
}

function jobsTable(problem: Problem, result: PlanResult): string {
  const planOutcomes = new Map<number, JobOutcome>((result.plan?.jobs ?? []).map((o) => [o.job, o]));
  const baselineOutcomes = new Map<number, JobOutcome>(result.baseline.jobs.map((o) => [o.job, o]));
  const short = { short: true };
  const rows = problem.jobs.map((job, j) => {
    const plan = planOutcomes.get(j);
    const baseline = baselineOutcomes.get(j);
    const runs = plan?.runs ?? [];
    const sites = [...new Set(runs.map((r) => r.site))].sort((a, b) => a - b).map((s) => problem.sites[s].id);
    const unmet = plan ? plan.unmetGpuHours : job.gpuHours;
    const cells = [
      `<th>${escapeHtml(job.id)}</th>`,
      `<td>${escapeHtml(sites.join(', ') || '-')}</td>`,
      `<td class="num">${runs.length ? formatUtcHour(problem, runs[0].startHour, short) : '-'}</td>`,
      `<td class="num">${plan?.finishHour !== undefined ? formatUtcHour(problem, plan.finishHour, short) : '-'}</td>`,
      `<td class="num">${formatUtcHour(problem, job.deadlineHour, short)}</td>`,
      `<td class="num" data-value="${plan?.doneGpuHours ?? 0}">${formatGpuHours(plan?.doneGpuHours ?? 0)}</td>`,
      `<td class="num${plan && hasUnmetWork(plan) ? ' bad' : ''}" data-value="${unmet}">${formatGpuHours(unmet)}</td>`,
      `<td class="num">${baseline?.finishHour !== undefined ? formatUtcHour(problem, baseline.finishHour, short) : '-'}${baseline && baseline.lateHours > 0 ? ` <span class="bad">(${formatNumber(baseline.lateHours, 0)} h late)</span>` : ''}</td>`,
      `<td>${escapeHtml(plan?.reason ?? (result.plan ? '' : 'no schedule'))}</td>`,
    ];
    return `<tr data-job="${escapeHtml(job.id)}">${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table id="jobs-table">
<thead><tr><th>job</th><th>plan site(s)</th><th class="num">start (UTC)</th><th class="num">finish</th><th class="num">deadline</th><th class="num">done GPU-h</th><th class="num">unmet GPU-h</th><th class="num">baseline finish</th><th>note</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function solveTable(result: PlanResult): string {
  const v = result.solve;
  const rows: Array<[field: string, label: string, value: string | number, text: string]> = [
    ['termination', 'termination', result.termination, result.termination],
    ['status', 'status', result.status, result.status],
    ['solver', 'solver', v.solver, v.solver],
    ['solverStatus', 'solver status', v.solverStatus, v.solverStatus],
    ['stages', 'solves', v.stages, formatNumber(v.stages, 0)],
    ['solveMs', 'solve time (ms)', v.solveMs, formatNumber(v.solveMs, 0)],
    ['buildMs', 'model build time (ms)', v.buildMs, formatNumber(v.buildMs, 0)],
    ['variables', 'variables', v.variables, formatNumber(v.variables, 0)],
    ['integerVariables', 'integer variables', v.integerVariables, formatNumber(v.integerVariables, 0)],
    ['constraints', 'constraints', v.constraints, formatNumber(v.constraints, 0)],
    ['objective', 'objective', v.objective, formatQuantity(v.objective)],
    ['mipGap', 'MIP gap (%)', v.mipGap, formatNumber(100 * v.mipGap, 2)],
  ];
  const body = rows.map(([field, label, value, text]) => `<tr data-field="${field}"><th>${label}</th><td class="num" data-value="${escapeHtml(String(value))}">${escapeHtml(text)}</td></tr>`);
  return `<table id="solve-table">\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

function checkDetails(result: PlanResult): string {
  const { passed, checks, violations } = result.check;
  const verdict = passed
    ? `<p>The independent checker passed the result (${formatNumber(checks, 0)} checks).</p>`
    : `<p class="bad">The independent checker FAILED ${count(violations.length, 'check')} of ${formatNumber(checks, 0)}:</p>`;
  const list = violations.length > 0 ? `\n<ul id="check-violations">\n${violations.map((v) => `<li>${escapeHtml(v)}</li>`).join('\n')}\n</ul>` : '';
  return verdict + list;
}

function hasUnmetWork(outcome: JobOutcome): boolean {
  return outcome.unmetGpuHours > workTolerance * Math.max(1, outcome.doneGpuHours + outcome.unmetGpuHours);
}

/** GPU-hours: whole numbers as integers, others with one decimal (as the CLI prints them). */
function formatGpuHours(gpuHours: number): string {
  return formatNumber(gpuHours, Math.abs(gpuHours - Math.round(gpuHours)) < 0.05 ? 0 : 1);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
