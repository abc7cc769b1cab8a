import { formatNumber } from './formatNumber.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { JobOutcome, PlanResult, ScenarioReport, Schedule, Transfer } from '../../solver/plan/PlanResult.js';
import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import { workTolerance } from '../../solver/model/jobShape.js';
import { accountingComparisonRows } from './accountingComparisonRows.js';
import { formatBindingHoursText } from './formatBindingHoursText.js';

/** Options for `formatPlanText`. */
export interface PlanTextOptions {
  /** Use ANSI colours (only when writing to a terminal). Default false. */
  color?: boolean;
}

/**
 * A compact terminal summary of a plan, for a person:
 * - a header: termination, solver, solve and build time, model size, horizon, check verdict;
 * - a job table in request order (site(s), start, finish, GPUs, done and unmet GPU-hours; for an
 *   executable plan, options.integerGpus or a job with checkpointMinutes, also its preemptions,
 *   migrations and checkpoint GPU-hours), with the reason for unmet work on its own line under the job, and each data transfer of the job
 *   on its own line (`⇢ east -> west 2026-07-01 00:00Z-02:00Z, 900 GB (450 GB/h)`);
 * - plan-versus-baseline totals (energy, green and its share, grid, emissions, cost, storage
 *   charged, discharged and lost when a site has a battery, unmet work, missed deadlines; for an
 *   executable plan, preemptions, migrations, checkpoint GPU-hours) and the carbon saved in kg and %;
 * - accounting side by side (accountingComparisonRows): location-based and (with a marginal
 *   signal) marginal emissions, 24/7 CFE and annual matching, plan, baseline and difference;
 * - with forecast scenarios, plan and baseline emissions in each and their expected, worst and
 *   CVaR values;
 * - with an explanation (options.explain), "The binding hours" (formatBindingHoursText);
 * - warnings.
 * Times are UTC (`2026-07-01 05:00Z`), numbers use thousands separators and a precision fitted to
 * their size. Deterministic: the same problem and result give the same text. No colour unless
 * `options.color`. When there is no schedule, jobs show '-' and all their work as unmet.
 */
export function formatPlanText(problem: Problem, result: PlanResult, options: PlanTextOptions = {}): string {
  const paint = painter(options.color === true);
  const lines: string[] = [];
  lines.push(...header(problem, result, paint));
  lines.push('', paint.bold('Jobs'), ...jobTable(problem, result.plan, paint));
  lines.push('', ...totalsTable(result, paint, isExecutable(problem)));
  lines.push('', ...accountingTable(result, paint));
  if (result.scenarios) lines.push('', ...scenarioTable(result.scenarios, paint));
  if (result.explanation) lines.push('', ...formatBindingHoursText(problem, result.explanation, paint.bold));
  if (result.warnings.length > 0) {
    lines.push('', paint.bold('Warnings'));
    for (const warning of result.warnings) lines.push(`  - ${paint.yellow(warning)}`);
  }
  return `${lines.join('\n')}\n`;
}

const terminationText: Record<TerminationCondition, string> = {
  optimal: 'optimal',
  time_limit_feasible: 'time limit reached; best plan found so far',
  time_limit_no_solution: 'time limit reached before any plan was found; no schedule',
  infeasible: 'model infeasible (a bug in cosched); no schedule',
  unbounded: 'model unbounded (a bug in cosched); no schedule',
  cancelled: 'cancelled',
  solver_error: 'solver failed; no schedule',
};

function header(problem: Problem, result: PlanResult, paint: Painter): string[] {
  const { solve, check } = result;
  const termination = terminationText[result.termination] ?? result.termination;
  const colour = result.termination === 'optimal' ? paint.green : result.termination === 'time_limit_feasible' ? paint.yellow : paint.red;
  const gap = result.termination === 'time_limit_feasible' ? `, MIP gap ${formatNumber(100 * solve.mipGap, 2)}%` : '';
  const stages = `${solve.stages} stage${solve.stages === 1 ? '' : 's'}`;
  const lines = [
    `${paint.bold('cosched plan:')} ${colour(termination)}${gap}`,
    `  solver   ${solve.solver} (${stages}), solve ${formatDurationMs(solve.solveMs)}, build ${formatDurationMs(solve.buildMs)}, objective ${formatQuantity(solve.objective)}`,
    `  model    ${formatNumber(solve.variables, 0)} variables (${formatNumber(solve.integerVariables, 0)} integer), ${formatNumber(solve.constraints, 0)} constraints`,
    `  horizon  ${formatUtc(problem, 0)} to ${formatUtc(problem, problem.hours)} (${problem.hours} h), ${count(problem.sites.length, 'site')}, ${count(problem.jobs.length, 'job')}`,
    ...(result.termination === 'optimal' ? [] : [`  status   ${solve.solverStatus}`]),
    check.passed
      ? `  check    passed (${formatNumber(check.checks, 0)} checks)`
      : `  check    ${paint.red(`FAILED: ${check.violations.length} of ${formatNumber(check.checks, 0)} checks`)}`,
  ];
  return lines;
}

function jobTable(problem: Problem, plan: Schedule | undefined, paint: Painter): string[] {
  const outcomes = new Map<number, JobOutcome>((plan?.jobs ?? []).map((o) => [o.job, o]));
  const executable = isExecutable(problem);
  const headings = ['job', 'site(s)', 'start', 'finish', 'GPUs', 'done GPU-h', 'unmet GPU-h', ...(executable ? ['stops', 'moves', 'ckpt GPU-h'] : [])];
  const rightAligned = [false, false, false, false, true, true, true, true, true, true];
  const rows: string[][] = [];
  const reasons: string[] = [];
  const transfers: string[][] = [];
  problem.jobs.forEach((job, j) => {
    const outcome = outcomes.get(j);
    const runs = outcome?.runs ?? [];
    const siteIds = [...new Set(runs.map((r) => r.site))].sort((a, b) => a - b).map((s) => problem.sites[s].id);
    const gpus = runs.map((r) => r.gpus);
    const lowGpus = Math.min(...gpus);
    const highGpus = Math.max(...gpus);
    rows.push([
      job.id,
      siteIds.length ? siteIds.join(',') : '-',
      runs.length ? formatUtc(problem, runs[0].startHour) : '-',
      outcome?.finishHour !== undefined ? formatUtc(problem, outcome.finishHour) : '-',
      runs.length === 0 ? '-' : lowGpus === highGpus ? formatGpus(highGpus) : `${formatGpus(lowGpus)}-${formatGpus(highGpus)}`,
      formatGpuHours(outcome?.doneGpuHours ?? 0),
      formatGpuHours(outcome ? outcome.unmetGpuHours : job.gpuHours),
      ...(executable
        ? [formatNumber(outcome?.preemptions ?? 0, 0), formatNumber(outcome?.migrations ?? 0, 0), formatGpuHours(outcome?.checkpointGpuHours ?? 0)]
        : []),
    ]);
    reasons.push(outcome ? outcome.reason : '');
    transfers.push((outcome?.transfers ?? []).map((transfer) => describeTransfer(problem, transfer)));
  });
  const widths = headings.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const layout = (cells: string[]) => `  ${cells.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')}`.trimEnd();
  const lines = [paint.dim(layout(headings))];
  rows.forEach((row, j) => {
    const unmet = (outcomes.get(j)?.unmetGpuHours ?? problem.jobs[j].gpuHours) > workTolerance * Math.max(1, problem.jobs[j].gpuHours);
    const line = layout(row);
    lines.push(unmet ? paint.yellow(line) : line);
    for (const transfer of transfers[j]) lines.push(`      ${paint.dim(`⇢ ${transfer}`)}`);
    if (reasons[j]) lines.push(`      ${paint.yellow(`↳ ${reasons[j]}`)}`);
  });
  return lines;
}

/** `east -> west 2026-07-01 00:00Z-02:00Z, 900 GB (450 GB/h)`. */
function describeTransfer(problem: Problem, transfer: Transfer): string {
  const link = (problem.links ?? [])[transfer.link];
  const start = formatUtc(problem, transfer.startHour);
  const end = formatUtc(problem, transfer.startHour + transfer.hours);
  const endText = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end;
  return `${problem.sites[link.fromSite].id} -> ${problem.sites[link.toSite].id} ${start}-${endText}, ${formatGb(transfer.gbPerHour * transfer.hours)} GB (${formatGb(transfer.gbPerHour)} GB/h)`;
}

/** GB: whole GB from 100 up, else one decimal (three below 1 GB). */
function formatGb(gb: number): string {
  return formatNumber(gb, gb >= 100 ? 0 : gb >= 1 ? 1 : 3);
}

const riskText: Record<ScenarioReport['riskMeasure'], string> = { expected: 'the expected objective', worst: 'the worst scenario', cvar: 'CVaR' };

/** Forecast scenarios: plan and baseline emissions in each, then expected, worst and CVaR. */
function scenarioTable(report: ScenarioReport, paint: Painter): string[] {
  const measure = report.riskMeasure === 'cvar' ? `${riskText.cvar} at ${formatNumber(report.cvarAlpha, 2)}` : riskText[report.riskMeasure];
  const rows: string[][] = report.outcomes.map((o) => {
    const plan = o.plan?.totals.emissionsKg;
    const base = o.baseline.totals.emissionsKg;
    return [o.name, formatNumber(o.probability, 2), plan === undefined ? '-' : formatQuantity(plan), formatQuantity(base), plan === undefined ? '-' : formatQuantity(base - plan)];
  });
  rows.push(['expected', '', formatQuantity(report.expectedEmissionsKg), formatQuantity(report.baselineExpectedEmissionsKg), formatQuantity(report.baselineExpectedEmissionsKg - report.expectedEmissionsKg)]);
  rows.push(['worst', '', formatQuantity(report.worstEmissionsKg), formatQuantity(report.baselineWorstEmissionsKg), formatQuantity(report.baselineWorstEmissionsKg - report.worstEmissionsKg)]);
  rows.push([`CVaR ${formatNumber(report.cvarLevel, 2)}`, '', formatQuantity(report.cvarEmissionsKg), formatQuantity(report.baselineCvarEmissionsKg), formatQuantity(report.baselineCvarEmissionsKg - report.cvarEmissionsKg)]);
  const head = ['scenario', 'p', 'plan kg', 'baseline kg', 'saved kg'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const layout = (r: string[]) => `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`.trimEnd();
  return [`${paint.bold('Forecast scenarios')} (the plan minimised ${measure}; totals above are expected values)`, paint.dim(layout(head)), ...rows.map(layout)];
}

/** Battery rows of the totals (none when no site has storage): energy in, out and lost, plan and baseline. */
function storageRows(result: PlanResult): [string, string, string, string][] {
  const plan = result.summary;
  const base = result.baseline.totals;
  if (!result.baseline.sites.some((site) => site.stateOfChargeMwh.length > 0)) return [];
  return [
    ['storage charged', 'MWh', ...fitted(plan.storageChargedMwh, base.storageChargedMwh)],
    ['storage discharged', 'MWh', ...fitted(plan.storageDischargedMwh, base.storageDischargedMwh)],
    ['storage losses', 'MWh', ...fitted(plan.storageLossesMwh, base.storageLossesMwh)],
  ];
}

/** An executable plan: whole GPUs, or a job that pays for its restarts (README, "Executable schedules"). */
function isExecutable(problem: Problem): boolean {
  return problem.options.integerGpus === true || problem.jobs.some((job) => (job.checkpointMinutes ?? 0) > 0);
}

function totalsTable(result: PlanResult, paint: Painter, executable: boolean): string[] {
  const s = result.summary;
  const base = result.baseline.totals;
  const planMissed = result.plan
    ? result.plan.jobs.filter((o) => o.unmetGpuHours > workTolerance * Math.max(1, o.doneGpuHours + o.unmetGpuHours)).length
    : result.baseline.jobs.length;
  // Without a schedule the plan's energy figures are not zeros but absent: show '-'.
  const planOnly = (row: [string, string]): [string, string] => (result.plan ? row : ['-', row[1]]);
  const rows: [string, string, string, string][] = [
    ['energy', 'MWh', ...planOnly(fitted(s.energyMwh, base.energyMwh))],
    ['green', 'MWh', ...planOnly(fitted(s.greenMwh, base.greenMwh))],
    ['green share', '%', ...planOnly([formatNumber(100 * s.greenShare, 1), formatNumber(100 * base.cfeScore, 1)])],
    ['grid', 'MWh', ...planOnly(fitted(s.gridMwh, base.gridMwh))],
    ['emissions', 'kg CO2e', ...planOnly(fitted(s.emissionsKg, s.baselineEmissionsKg))],
    ['cost', '', ...planOnly(fitted(s.cost, s.baselineCost))],
    ...storageRows(result).map((row): [string, string, string, string] => [row[0], row[1], ...planOnly([row[2], row[3]])]),
    ['unmet work', 'GPU-h', formatGpuHours(s.unmetGpuHours), formatGpuHours(s.baselineUnmetGpuHours)],
    ['missed deadlines', 'jobs', formatNumber(planMissed, 0), formatNumber(s.baselineMissedDeadlines, 0)],
    ...(executable
      ? ([
          ['preemptions', 'stops', ...planOnly([formatNumber(s.preemptions ?? 0, 0), '0'])],
          ['migrations', 'moves', ...planOnly([formatNumber(s.migrations ?? 0, 0), '0'])],
          ['checkpoint', 'GPU-h', ...planOnly([formatGpuHours(s.checkpointGpuHours ?? 0), '0'])],
        ] as [string, string, string, string][])
      : []),
  ];
  const labelWidth = Math.max(...rows.map((r) => r[0].length));
  const unitWidth = Math.max(...rows.map((r) => r[1].length));
  const planWidth = Math.max('plan'.length, ...rows.map((r) => r[2].length));
  const baseWidth = Math.max('baseline'.length, ...rows.map((r) => r[3].length));
  const layout = (label: string, unit: string, plan: string, baseline: string) =>
    `  ${label.padEnd(labelWidth)}  ${unit.padEnd(unitWidth)}  ${plan.padStart(planWidth)}  ${baseline.padStart(baseWidth)}`.trimEnd();
  const saved = `${formatQuantity(s.carbonSavedKg)} kg CO2e (${formatNumber(s.carbonSavedPercent, 1)}% of the baseline)`;
  const savedLine = !result.plan
    ? `  carbon saved: ${paint.red('none (no schedule)')}`
    : s.carbonSavedKg >= 0
      ? `  carbon saved: ${paint.green(saved)}`
      : `  carbon saved: ${paint.red(saved)} (the plan emits more)`;
  const lines = [
    `${paint.bold('Totals')}${' '.repeat(Math.max(1, labelWidth + unitWidth + 6 - 'Totals'.length))}${paint.dim(`${'plan'.padStart(planWidth)}  ${'baseline'.padStart(baseWidth)}`)}`,
    ...rows.map((r) => layout(...r)),
    savedLine,
  ];
  if (!s.sameWork && result.plan) lines.push(`  ${paint.yellow('plan and baseline did different work, so carbon saved compares unequal work (see warnings)')}`);
  return lines;
}

function accountingTable(result: PlanResult, paint: Painter): string[] {
  const rows = accountingComparisonRows(result).map((r) => [r.label, r.unit, r.planText, r.baselineText, r.differenceText]);
  const headings = ['', '', 'plan', 'baseline', 'plan − baseline'];
  const widths = headings.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const layout = (cells: string[]) => `  ${cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`.trimEnd();
  return [paint.bold('Accounting side by side'), paint.dim(layout(headings)), ...rows.map(layout)];
}

/** Both numbers with the precision the larger one needs, so a row reads evenly. */
function fitted(plan: number, baseline: number): [string, string] {
  const digits = decimalsFor(Math.max(Math.abs(plan), Math.abs(baseline)));
  return [formatNumber(plan, digits), formatNumber(baseline, digits)];
}

/** A quantity with a precision fitted to its size: 12,345 / 123.4 / 1.23. */
function formatQuantity(x: number): string {
  return formatNumber(x, decimalsFor(Math.abs(x)));
}

function decimalsFor(magnitude: number): number {
  if (magnitude >= 1000 || magnitude === 0) return 0;
  if (magnitude >= 10) return 1;
  return 2;
}

/** GPU-hours: whole numbers as integers, others with one decimal. */
function formatGpuHours(gpuHours: number): string {
  return formatNumber(gpuHours, Math.abs(gpuHours - Math.round(gpuHours)) < 0.05 ? 0 : 1);
}

/** GPUs: whole counts as integers, fractional (LP) counts with one decimal. */
function formatGpus(gpus: number): string {
  return formatNumber(gpus, Number.isInteger(gpus) ? 0 : 1);
}

function formatDurationMs(ms: number): string {
  return ms >= 10_000 ? `${formatNumber(ms / 1000, 1)} s` : `${formatNumber(ms, 0)} ms`;
}

/** Start of horizon hour `hour` in UTC, e.g. `2026-07-01 05:00Z`. */
function formatUtc(problem: Problem, hour: number): string {
  const iso = new Date(hourToMs(problem, hour)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

type Painter = Record<'bold' | 'dim' | 'green' | 'yellow' | 'red', (text: string) => string>;

function painter(enabled: boolean): Painter {
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39) };
}
