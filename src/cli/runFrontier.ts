import { FrontierPoint } from '../generated/cosched/v1/what_if.js';
import { readPlanRequestFile } from '../data/loadPlanRequest.js';
import { sweepFrontier } from '../whatif/sweepFrontier.js';
import { formatFrontierTable } from '../whatif/formatFrontierTable.js';
import { writeFrontierReport } from '../report/writeFrontierReport.js';
import { applyCommandLineOptions } from './applyCommandLineOptions.js';
import type { CommandLine } from './parseCommandLine.js';
import { openLocalPlanner } from './openLocalPlanner.js';
import { progressLine } from './progressLine.js';

/**
 * `cosched frontier FILE [--points N] [--json] [--report DIR]`: sweeps the weight of cost against
 * carbon, plans each weight on a worker pool (progress on stderr), prints the Pareto points with
 * the marginal cost per tonne saved (or proto3 JSON), and writes the frontier report.
 */
export async function runFrontier(command: Extract<CommandLine, { kind: 'frontier' }>, signal: AbortSignal): Promise<{ output: string; complete: boolean }> {
  const request = applyCommandLineOptions(await readPlanRequestFile(command.file), command);
  const { planner, close } = await openLocalPlanner(2, signal);
  const progress = progressLine('sweeping');
  try {
    const frontier = await sweepFrontier(request, planner, {
      points: command.points,
      onProgress: (event) => {
        if (event.kind === 'finished') progress.update(event.finished, event.maxPlans, `cost weight ${event.costWeight.toPrecision(3)}: ${event.termination.replace(/_/g, ' ')}`);
      },
    });
    progress.end();
    if (command.reportDir !== undefined) {
      const index = await writeFrontierReport(command.reportDir, frontier.points, frontier.warnings, { source: command.file });
      process.stderr.write(`cosched: wrote the report to ${index}\n`);
    }
    const output = command.json
      ? `${JSON.stringify({ points: frontier.points.map((p) => FrontierPoint.toJSON(p)), warnings: frontier.warnings }, null, 2)}\n`
      : `${formatFrontierTable(frontier.points)}${frontier.warnings.map((w) => `warning: ${w}\n`).join('')}`;
    return { output, complete: frontier.points.length > 0 };
  } finally {
    await close();
  }
}
