import type { Problem } from '../../solver/problem/Problem.js';
import type { Explanation, SiteHourValue } from '../../solver/plan/Explanation.js';
import { escapeHtml } from './escapeHtml.js';
import { formatChartValue, formatNumber } from './formatNumber.js';
import { formatUtcHour } from './formatUtcHour.js';

/** Site-hours per table in the report (the JSON response has them all). */
const rowsShown = 20;

/**
 * The inner HTML of the report's "The binding hours" section, from a plan's Explanation:
 * - a note with the unit and where the values come from (`#explanation-basis`);
 * - a heat strip per resource (`figure[data-chart=binding-gpu]`, `[data-chart=binding-green]`):
 *   one row per site, one cell per hour, darker where one more unit saves more, each cell's
 *   value in its aria-label;
 * - the top site-hours for one more GPU and for one more MWh of green supply
 *   (`#binding-gpu-table`, `#binding-green-table`, rows `tr[data-site][data-hour]` with the value
 *   in `td.value[data-value]`), as sentences an operator can read;
 * - the deadline values (`#deadline-table tr[data-job]`, `td.value[data-value]`) of the jobs
 *   with a value > 0 or unmet work.
 * When the explanation is not available, only the note saying why.
 */
export function bindingHoursHtml(problem: Problem, explanation: Explanation): string[] {
  const basis = `<p class="note" id="explanation-basis" data-available="${explanation.available}">${escapeHtml(
    explanation.available ? `Values in ${explanation.valueUnit}: ${explanation.basis}. Valid for small changes.` : explanation.basis,
  )}</p>`;
  if (!explanation.available) return [basis];
  const unit = explanation.valueUnit.startsWith('kg CO2') ? 'kg CO2' : 'objective units';
  const byGpu = explanation.bindingHours.filter((v) => v.gpuHourValue > 0);
  const byGreen = explanation.bindingHours.filter((v) => v.greenMwhValue > 0).sort((a, b) => b.greenMwhValue - a.greenMwhValue || a.site - b.site || a.hour - b.hour);
  return [
    basis,
    heatStrip(problem, byGpu, (v) => v.gpuHourValue, 'binding-gpu', `one more GPU for an hour saves (${unit})`),
    siteHourTable(problem, byGpu, (v) => v.gpuHourValue, 'binding-gpu-table', 'one more GPU at', unit),
    heatStrip(problem, byGreen, (v) => v.greenMwhValue, 'binding-green', `one more MWh of green supply saves (${unit})`),
    siteHourTable(problem, byGreen, (v) => v.greenMwhValue, 'binding-green-table', 'one more MWh of green supply at', unit),
    deadlineTable(problem, explanation, unit),
  ];
}

const rowHeight = 14;
const labelWidth = 120;

function heatStrip(problem: Problem, values: SiteHourValue[], valueOf: (v: SiteHourValue) => number, chart: string, caption: string): string {
  if (values.length === 0) return `<p class="note" data-chart-empty="${chart}">Nowhere: ${escapeHtml(caption.replace(/ saves.*/, ''))} would save nothing.</p>`;
  const max = Math.max(...values.map(valueOf));
  // 6 px an hour up to a week; longer horizons are squeezed into about 1,000 px.
  const cellWidth = Math.max(0.1, Math.min(6, 1_000 / problem.hours));
  const width = Math.ceil(labelWidth + cellWidth * problem.hours);
  const height = rowHeight * problem.sites.length + 4;
  const labels = problem.sites.map((site, s) => `<text x="${labelWidth - 6}" y="${s * rowHeight + 11}" text-anchor="end" font-size="11">${escapeHtml(site.id)}</text>`);
  const cells = values.map((v) => {
    const value = valueOf(v);
    const label = `${problem.sites[v.site].id} ${formatUtcHour(problem, v.hour)}: ${formatChartValue(value)}`;
    return `<rect x="${(labelWidth + v.hour * cellWidth).toFixed(2)}" y="${v.site * rowHeight + 1}" width="${cellWidth.toFixed(2)}" height="${rowHeight - 2}" fill="#b23a48" fill-opacity="${(0.15 + (0.85 * value) / max).toFixed(3)}" aria-label="${escapeHtml(label)}"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(caption)}">
<rect x="${labelWidth}" y="0" width="${(cellWidth * problem.hours).toFixed(2)}" height="${height - 4}" fill="#f0f2f4"/>
${labels.join('\n')}
${cells.join('\n')}
</svg>`;
  return `<figure data-chart="${chart}">\n${svg}\n<figcaption>${escapeHtml(caption)}, by site and hour (${formatUtcHour(problem, 0)} to ${formatUtcHour(problem, problem.hours)}); darker saves more, up to ${escapeHtml(formatChartValue(max))}.</figcaption>\n</figure>`;
}

function siteHourTable(problem: Problem, values: SiteHourValue[], valueOf: (v: SiteHourValue) => number, id: string, what: string, unit: string): string {
  if (values.length === 0) return '';
  const rows = values.slice(0, rowsShown).map((v) => {
    const site = problem.sites[v.site].id;
    return `<tr data-site="${escapeHtml(site)}" data-hour="${v.hour}"><td>${escapeHtml(`${what} ${site} ${formatUtcHour(problem, v.hour)} would save`)}</td><td class="num value" data-value="${valueOf(v)}">${formatChartValue(valueOf(v))} ${escapeHtml(unit)}</td></tr>`;
  });
  const more = values.length > rowsShown ? `<p class="note">and ${values.length - rowsShown} more site-hours (all in the JSON response).</p>` : '';
  return `<div class="scroll"><table id="${id}"><tbody>\n${rows.join('\n')}\n</tbody></table></div>${more}`;
}

function deadlineTable(problem: Problem, explanation: Explanation, unit: string): string {
  const shown = explanation.jobs.filter((v) => v.deadlineValue > 0 || v.workValuePerGpuHour > 0);
  if (shown.length === 0) return `<p class="note" id="deadline-none">No job's deadline binds: one more hour of window would save nothing.</p>`;
  const rows = shown.map((v) => {
    const job = problem.jobs[v.job];
    const where = v.site >= 0 ? ` at ${problem.sites[v.site].id}` : '';
    const work = v.workValuePerGpuHour > 0 ? `; unmet work: one more GPU-hour done is worth ${formatChartValue(v.workValuePerGpuHour)} ${unit}` : '';
    return `<tr data-job="${escapeHtml(job.id)}"><th>${escapeHtml(job.id)}</th><td class="num value" data-value="${v.deadlineValue}">${formatChartValue(v.deadlineValue)} ${escapeHtml(unit)}</td><td>${escapeHtml(`one more hour (to ${formatUtcHour(problem, job.windowEnd + 1)})${where}${work}. ${v.note}`)}</td></tr>`;
  });
  return `<div class="scroll"><table id="deadline-table">
<thead><tr><th>job</th><th class="num">one more hour saves</th><th>how</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}
