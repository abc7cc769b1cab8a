import { readFileSync } from 'node:fs';
import type { Variant } from '../generated/cosched/v1/what_if.js';
import { VariantResult } from '../generated/cosched/v1/what_if.js';
import { readPlanRequestFile } from '../data/loadPlanRequest.js';
import { prepareScenarios } from '../whatif/prepareScenarios.js';
import { planScenarios } from '../whatif/planScenarios.js';
import { toVariantResults } from '../whatif/compareScenarios.js';
import { formatComparisonTable } from '../whatif/formatComparisonTable.js';
import { parseVariantArgument } from '../whatif/parseVariantArgument.js';
import { readVariantsFile } from '../whatif/readVariantsFile.js';
import { writeComparisonReport } from '../report/writeComparisonReport.js';
import { applyCommandLineOptions } from './applyCommandLineOptions.js';
import type { CommandLine } from './parseCommandLine.js';
import { openLocalPlanner } from './openLocalPlanner.js';
import { progressLine } from './progressLine.js';

/**
 * `cosched compare BASE.yaml --variant NAME:OVERRIDES ... [--variants FILE] [--json] [--report DIR]`:
 * plans the base and every variant in parallel (worker pool, progress on stderr), prints the
 * variants × metrics table with differences to the base (or proto3 JSON rows), and writes the
 * comparison report with one plan report per variant. Returns the printed text and whether every
 * row has a schedule. Throws CoschedError for invalid files or variants (every bad field listed).
 */
export async function runCompare(command: Extract<CommandLine, { kind: 'compare' }>, signal: AbortSignal): Promise<{ output: string; complete: boolean }> {
  // 1. The base request, the variants from the file first, then those from --variant.
  const base = applyCommandLineOptions(await readPlanRequestFile(command.file), command);
  const variants: Variant[] = [...(command.variantsFile ? await readVariantsFile(command.variantsFile) : []), ...command.variants.map(parseVariantArgument)];
  // 2. Apply and validate every variant before solving anything.
  const scenarios = prepareScenarios(base, variants, (path) => readFileSync(path, 'utf8'));
  // 3. Plan all of them on a worker pool.
  const { planner, close } = await openLocalPlanner(scenarios.length, signal);
  const progress = progressLine('planning');
  try {
    const planned = await planScenarios(scenarios, planner, (event) => {
      if (event.kind === 'finished') progress.update(event.finished, event.total, `${event.name}: ${event.termination.replace(/_/g, ' ')} in ${(event.solveMs / 1000).toFixed(1)} s`);
    });
    progress.end();
    const rows = toVariantResults(planned);
    // 4. Report.
    if (command.reportDir !== undefined) {
      const index = await writeComparisonReport(command.reportDir, planned, rows, { source: command.file });
      process.stderr.write(`cosched: wrote the report to ${index}\n`);
    }
    const output = command.json ? `${JSON.stringify({ rows: rows.map((row) => VariantResult.toJSON(row)) }, null, 2)}\n` : formatComparisonTable(rows);
    return { output, complete: planned.every((p) => p.result.plan !== undefined) };
  } finally {
    await close();
  }
}
