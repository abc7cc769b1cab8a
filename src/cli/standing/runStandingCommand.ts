import { connectStandingPlanner } from '../../client/connectStandingPlanner.js';
import { exitCodes } from '../exitCodes.js';
import { usageText } from '../usageText.js';
import { readPackageVersion } from '../readPackageVersion.js';
import { parseStandingCommand } from './parseStandingCommand.js';
import { runDispatchCommand } from './runDispatchCommand.js';
import { runForecastsCommand } from './runForecastsCommand.js';
import { runJobsCommand } from './runJobsCommand.js';
import { runProgressCommand } from './runProgressCommand.js';
import { runRunsCommand } from './runRunsCommand.js';
import type { StandingIo, StandingResult } from './StandingIo.js';

/**
 * Runs a standing-planner command line (`cosched jobs|forecasts|runs|dispatch|progress ...`,
 * see usageText) against the server it names: parses it, connects, makes the calls, closes the
 * connection. Resolves with what to print on stdout and the exit code; `--help` gives the usage.
 *
 * @throws UsageError for a bad command line; CoschedError for a bad file or a failed call (every
 *   call goes through fromGrpcError; the caller reports it with reportCliError); Error when the
 *   TLS CA file cannot be read.
 */
export async function runStandingCommand(argv: readonly string[], io: StandingIo, env: NodeJS.ProcessEnv = process.env): Promise<StandingResult> {
  const command = parseStandingCommand(argv, env);
  if (command.name === 'help') return { output: usageText(readPackageVersion()), exitCode: exitCodes.ok };
  const planner = connectStandingPlanner(command.connection);
  try {
    switch (command.name) {
      case 'jobs submit':
      case 'jobs list':
      case 'jobs get':
      case 'jobs delete':
      case 'jobs cancel':
        return await runJobsCommand(planner, command, io);
      case 'forecasts put':
      case 'forecasts import':
      case 'forecasts list':
        return await runForecastsCommand(planner, command, io);
      case 'runs start':
      case 'runs list':
      case 'runs get':
      case 'runs cancel':
        return await runRunsCommand(planner, command, io);
      case 'dispatch':
        return await runDispatchCommand(planner, command, io);
      case 'progress report':
        return await runProgressCommand(planner, command, io);
    }
  } finally {
    planner.close();
  }
}
