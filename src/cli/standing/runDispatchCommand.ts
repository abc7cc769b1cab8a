import { Dispatch, jobStateToJSON } from '../../generated/cosched/v1/standing_planner_service.js';
import { formatNumber } from '../../report/formatNumber.js';
import { exitCodes } from '../exitCodes.js';
import { formatJson } from './formatJson.js';
import { formatTable } from './formatTable.js';
import type { StandingCommand } from './parseStandingCommand.js';
import type { StandingRunner } from './StandingIo.js';
import { formatTimestamp, msToTimestamp } from './timestamps.js';

type DispatchCommand = Extract<StandingCommand, { name: 'dispatch' }>;

/**
 * `cosched dispatch SITE [--hour ISO]`: GetDispatch, what the plan in force runs at SITE in the
 * hour (default: the hour under way): the hour, the plan run, each job with its GPUs, state and
 * interruptibility, and GPUs in use against the site's capacity (--json: the Dispatch).
 *
 * @throws CoschedError: NOT_FOUND for a site with no forecast, INVALID_ARGUMENT for a bad id.
 */
export const runDispatchCommand: StandingRunner<DispatchCommand> = async (planner, command) => {
  const dispatch = await planner.getDispatch({ siteId: command.siteId, hour: command.hourMs === undefined ? undefined : msToTimestamp(command.hourMs) });
  if (command.json) return { output: formatJson(Dispatch.toJSON(dispatch)), exitCode: exitCodes.ok };
  const head = `${dispatch.siteId}, hour ${formatTimestamp(dispatch.hour)}`;
  if (dispatch.planRun === '') return { output: `${head}: no plan covers this hour\n`, exitCode: exitCodes.ok };
  const gpus = (n: number) => formatNumber(n, Number.isInteger(n) ? 0 : 1);
  const rows = dispatch.entries.map((entry) => [entry.job, gpus(entry.gpus), jobStateToJSON(entry.state).replace(/^JOB_STATE_/, ''), entry.interruptible ? 'yes' : 'no']);
  const table = rows.length === 0 ? 'no jobs to run\n' : formatTable(['job', 'GPUs', 'state', 'interruptible'], rows, [1]);
  return { output: `${head} (plan ${dispatch.planRun})\n${table}total ${gpus(dispatch.gpus)} of ${dispatch.gpuCapacity} GPUs\n`, exitCode: exitCodes.ok };
};
