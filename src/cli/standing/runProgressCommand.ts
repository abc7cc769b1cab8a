import { randomUUID } from 'node:crypto';
import { ReportProgressResponse } from '../../generated/cosched/v1/standing_planner_service.js';
import { exitCodes } from '../exitCodes.js';
import { formatGpuHours, jobStateName } from './formatBacklogJobs.js';
import { formatJson } from './formatJson.js';
import { formatTable, truncateText } from './formatTable.js';
import type { StandingCommand } from './parseStandingCommand.js';
import { readProgressReportFile } from './readProgressReportFile.js';
import type { StandingRunner } from './StandingIo.js';

type ProgressCommand = Extract<StandingCommand, { name: 'progress report' }>;

/**
 * `cosched progress report FILE [--request-id ID]`: FILE is a ReportProgressRequest in YAML or
 * JSON (readProgressReportFile: schema-checked); one ReportProgress call, with request_id the
 * flag, else the file's, else a random UUID. Prints each job's new state and done/total
 * GPU-hours (--json: the response).
 *
 * @throws CoschedError: a bad file (every bad field), or the server's INVALID_ARGUMENT listing
 *   every bad record field, NOT_FOUND naming unknown jobs, FAILED_PRECONDITION for closed ones.
 */
export const runProgressCommand: StandingRunner<ProgressCommand> = async (planner, command) => {
  const request = await readProgressReportFile(command.file);
  const response = await planner.reportProgress({ ...request, requestId: command.requestId ?? (request.requestId || randomUUID()) });
  if (command.json) return { output: formatJson(ReportProgressResponse.toJSON(response)), exitCode: exitCodes.ok };
  const rows = response.jobs.map((job) => [job.name, jobStateName(job.state), `${formatGpuHours(job.doneGpuHours)}/${formatGpuHours(job.spec?.gpuHours ?? 0)}`, truncateText(job.stateReason, 60)]);
  const records = request.records.length;
  return { output: `reported ${records} record${records === 1 ? '' : 's'}\n${formatTable(['job', 'state', 'done/total GPU-h', 'reason'], rows, [2])}`, exitCode: exitCodes.ok };
};
