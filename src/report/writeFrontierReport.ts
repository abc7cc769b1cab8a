import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrontierPoint } from '../generated/cosched/v1/what_if.js';
import { escapeHtml } from './escapeHtml.js';
import { formatNumber, formatQuantity } from './formatNumber.js';
import { renderFrontierChart } from './renderFrontierChart.js';
import { reportCss } from './reportCss.js';

/**
 * Writes a frontier report into `dir`: `frontier.svg` (renderFrontierChart: cost on x, emissions
 * on y, one labelled point per Pareto point) and `index.html` with the chart inlined, the points
 * in a table (cost weight, emissions, cost, unmet work, marginal cost per tonne saved) and the
 * sweep's warnings. Returns the path of index.html.
 */
export async function writeFrontierReport(dir: string, points: readonly FrontierPoint[], warnings: readonly string[], options: { source?: string } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const svg = await renderFrontierChart(points.map((p) => ({ label: `cost weight ${formatNumber(p.costWeight, 6)}`, emissionsKg: p.emissionsKg, cost: p.cost })));
  await writeFile(join(dir, 'frontier.svg'), svg);
  const rows = points.map(
    (p) =>
      `<tr><td class="num">${formatNumber(p.costWeight, 6)}</td><td class="num" data-value="${p.emissionsKg}">${formatQuantity(p.emissionsKg)}</td><td class="num" data-value="${p.cost}">${formatQuantity(p.cost)}</td><td class="num">${formatQuantity(p.unmetGpuHours)}</td><td class="num">${formatQuantity(p.marginalCostPerTonne)}</td></tr>`,
  );
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cosched frontier</title><style>${reportCss}</style></head>
<body><main>
<h1>Carbon versus cost</h1>
${options.source ? `<p class="meta">${escapeHtml(options.source)}</p>` : ''}
<figure class="chart">${svg}<figcaption>Each point is an optimal plan for objective emissions (kg) + cost weight × cost; along the curve cost rises and emissions fall (<a href="frontier.svg">frontier.svg</a>).</figcaption></figure>
<table id="frontier-table"><thead><tr><th class="num">cost weight</th><th class="num">emissions kg</th><th class="num">cost</th><th class="num">unmet GPU-h</th><th class="num">marginal cost per t saved</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${warnings.length ? `<h2>Warnings</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : ''}
</main></body></html>
`;
  const indexHtml = join(dir, 'index.html');
  await writeFile(indexHtml, html);
  return indexHtml;
}
