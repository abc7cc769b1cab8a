import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { VariantMetrics, VariantResult } from '../generated/cosched/v1/what_if.js';
import { terminationToJSON } from '../generated/cosched/v1/plan_response.js';
import { escapeHtml } from './escapeHtml.js';
import { formatNumber, formatQuantity } from './formatNumber.js';
import { reportCss } from './reportCss.js';
import { writePlanReport } from './writePlanReport.js';

/** A planned variant as the report needs it. */
export interface ComparedPlan {
  name: string;
  problem: Problem;
  result: PlanResult;
}

const columns: { key: keyof VariantMetrics; header: string; format: (x: number) => string }[] = [
  { key: 'emissionsKg', header: 'emissions kg', format: formatQuantity },
  { key: 'carbonSavedKg', header: 'carbon saved kg', format: formatQuantity },
  { key: 'carbonSavedPercent', header: 'saved %', format: (x) => formatNumber(x, 1) },
  { key: 'greenShare', header: 'green share %', format: (x) => formatNumber(100 * x, 1) },
  { key: 'curtailmentAbsorbedMwh', header: 'curtailment absorbed MWh', format: (x) => formatNumber(x, 2) },
  { key: 'cost', header: 'cost', format: formatQuantity },
  { key: 'unmetGpuHours', header: 'unmet GPU-h', format: formatQuantity },
  { key: 'solveMs', header: 'solve s', format: (x) => formatNumber(x / 1000, 2) },
];

/**
 * Writes a comparison report into `dir`: `index.html` with the variants × metrics table (each
 * value with its difference to the base, as data attributes too) linking to one full plan report
 * per variant in `dir/<n>-<name>/` (writePlanReport). `plans` and `rows` are in the same order,
 * the base first. Returns the path of index.html.
 */
export async function writeComparisonReport(dir: string, plans: readonly ComparedPlan[], rows: readonly VariantResult[], options: { source?: string } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const links: string[] = [];
  for (const [i, plan] of plans.entries()) {
    const folder = `${i}-${plan.name.replace(/[^A-Za-z0-9_.+-]/g, '_')}`;
    await writePlanReport(join(dir, folder), plan.problem, plan.result, { title: `cosched plan: ${plan.name}`, source: options.source });
    links.push(`${folder}/index.html`);
  }
  const head = `<tr><th>variant</th><th>termination</th>${columns.map((c) => `<th class="num">${c.header}</th>`).join('')}</tr>`;
  const body = rows.map((row, i) => {
    const cells = columns.map((c) => {
      const value = row.metrics?.[c.key] ?? 0;
      const delta = row.differenceToBase?.[c.key] ?? 0;
      const deltaText = i === 0 || c.key === 'solveMs' ? '' : `<br><small>${delta >= 0 ? '+' : '−'}${c.format(Math.abs(delta))}</small>`;
      return `<td class="num" data-metric="${c.key}" data-value="${value}" data-difference="${delta}">${c.format(value)}${deltaText}</td>`;
    });
    return `<tr data-variant="${escapeHtml(row.name)}"><th><a href="${links[i]}">${escapeHtml(row.name)}</a></th><td>${escapeHtml(terminationToJSON(row.termination).replace('TERMINATION_', '').toLowerCase())}</td>${cells.join('')}</tr>`;
  });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cosched comparison</title><style>${reportCss}</style></head>
<body><main>
<h1>cosched what-if comparison</h1>
${options.source ? `<p class="meta">${escapeHtml(options.source)}</p>` : ''}
<p class="meta">Each row is planned with the same planner, checker and baseline rules; small numbers under a value are the difference to the base. Carbon saved is against each row's own carbon-unaware baseline.</p>
<table id="comparison-table"><thead>${head}</thead><tbody>
${body.join('\n')}
</tbody></table>
</main></body></html>
`;
  const indexHtml = join(dir, 'index.html');
  await writeFile(indexHtml, html);
  return indexHtml;
}
