import type { Problem } from '../../solver/problem/Problem.js';
import type { Explanation } from '../../solver/plan/Explanation.js';
import { formatChartValue, formatNumber } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';

/** Site-hours listed per resource in the text; the JSON response has them all. */
export const bindingHoursShown = 10;

/**
 * The text section "The binding hours" for an operator, from a plan's Explanation:
 * - the unit and where the values come from (the LP, or the LP with the integer solution fixed);
 * - the `bindingHoursShown` site-hours where one more GPU saves most, then the same for one more
 *   MWh of green supply, each as a sentence ("one more GPU at a 2026-07-01 03:00Z would save
 *   0.42 kg CO2"), and how many more there are;
 * - per job with a deadline value > 0 what one more hour of window would save and where, and per
 *   job with unmet work what one more GPU-hour done is worth.
 * When the explanation is not available, one line saying why. `bold` styles the heading.
 */
export function formatBindingHoursText(problem: Problem, explanation: Explanation, bold: (text: string) => string = (text) => text): string[] {
  const heading = bold('The binding hours');
  if (!explanation.available) return [heading, `  ${explanation.basis}`];
  const unit = explanation.valueUnit.startsWith('kg CO2') ? 'kg CO2' : 'objective units';
  const lines = [heading, `  values in ${explanation.valueUnit}; ${explanation.basis}; valid for small changes`];
  const where = (site: number, hour: number) => `${problem.sites[site].id} ${formatUtcHour(problem, hour)}`;

  const byGpu = explanation.bindingHours.filter((v) => v.gpuHourValue > 0);
  const byGreen = explanation.bindingHours.filter((v) => v.greenMwhValue > 0).sort((a, b) => b.greenMwhValue - a.greenMwhValue || a.site - b.site || a.hour - b.hour);
  if (byGpu.length === 0) lines.push('  GPU capacity binds in no site-hour: one more GPU would save nothing');
  for (const v of byGpu.slice(0, bindingHoursShown)) lines.push(`  one more GPU at ${where(v.site, v.hour)} would save ${formatChartValue(v.gpuHourValue)} ${unit}`);
  if (byGpu.length > bindingHoursShown) lines.push(`  ... and ${byGpu.length - bindingHoursShown} more site-hours where GPU capacity binds (all in --json)`);
  if (byGreen.length === 0) lines.push('  green supply binds in no site-hour: more would be curtailed');
  for (const v of byGreen.slice(0, bindingHoursShown)) lines.push(`  one more MWh of green supply at ${where(v.site, v.hour)} would save ${formatChartValue(v.greenMwhValue)} ${unit}`);
  if (byGreen.length > bindingHoursShown) lines.push(`  ... and ${byGreen.length - bindingHoursShown} more site-hours where green supply binds (all in --json)`);

  const deadlines = explanation.jobs.filter((v) => v.deadlineValue > 0);
  for (const v of deadlines) {
    const job = problem.jobs[v.job];
    const perGpuHour = v.valuePerGpuHour > 0 ? ` (${formatNumber(v.gpus, Number.isInteger(v.gpus) ? 0 : 1)} GPUs x ${formatChartValue(v.valuePerGpuHour)} ${unit} per GPU-hour)` : '';
    lines.push(`  one more hour for ${job.id} (to ${formatUtcHour(problem, job.windowEnd + 1)}) would save ${formatChartValue(v.deadlineValue)} ${unit} at ${problem.sites[v.site].id}${perGpuHour}`);
  }
  if (deadlines.length === 0) lines.push("  no job's deadline binds: one more hour of window would save nothing");
  for (const v of explanation.jobs.filter((value) => value.workValuePerGpuHour > 0)) {
    lines.push(`  ${problem.jobs[v.job].id} has unmet work: one more GPU-hour done is worth ${formatChartValue(v.workValuePerGpuHour)} ${unit}`);
  }
  return lines;
}
