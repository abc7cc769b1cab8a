import { randomUUID } from 'node:crypto';
import { decodePlanRunOperation } from '../../client/decodePlanRunOperation.js';
import { operationToJson } from '../../client/operationToJson.js';
import { PlanRequest } from '../../generated/cosched/v1/plan_request.js';
import { PlanRunState } from '../../generated/cosched/v1/standing_planner_service.js';
import type { Operation } from '../../generated/google/longrunning/operations.js';
import { exitCodes } from '../exitCodes.js';
import { formatJson } from './formatJson.js';
import { formatPlanRunList, formatPlanRunSummary } from './formatPlanRun.js';
import type { StandingCommand } from './parseStandingCommand.js';
import type { StandingIo, StandingResult, StandingRunner } from './StandingIo.js';
import { msToTimestamp } from './timestamps.js';
import { waitForPlanRun } from './waitForPlanRun.js';

type RunsCommand = Extract<StandingCommand, { name: 'runs start' | 'runs list' | 'runs get' | 'runs cancel' }>;

/**
 * `cosched runs start [--now ISO] [--horizon-hours N] [--time-limit S] [--wait
 * [--cancel-on-interrupt]] [--request-id ID]`: StartPlanRun (request_id the flag or a random
 * UUID). Without --wait: prints the operation name (--json: the Operation) and exits 0. With
 * --wait: waits for the run (waitForPlanRun: live progress on a terminal; Ctrl-C stops the wait
 * only, unless --cancel-on-interrupt) and prints its summary (--json: the done Operation with its
 * PlanResponse); exit 0 when it SUCCEEDED, 3 when it FAILED, was CANCELLED, or the wait was
 * interrupted (the error's message on stderr).
 * `cosched runs list [--state S[,S]] [--all-pages]`: newest first.
 * `cosched runs get NAME [--input]`: the run's summary (--json: the Operation); --input prints
 * the PlanRequest the run solved as proto3 JSON (`cosched plan` on it reproduces the run).
 * `cosched runs cancel NAME`: CancelOperation, then the run as it is now.
 *
 * @throws CoschedError from the server's answers (NOT_FOUND, FAILED_PRECONDITION for --input of
 *   a run not started yet, ...).
 */
export const runRunsCommand: StandingRunner<RunsCommand> = async (planner, command, io) => {
  switch (command.name) {
    case 'runs start': {
      const started = await planner.startPlanRun({
        now: command.nowMs === undefined ? undefined : msToTimestamp(command.nowMs),
        horizonHours: command.horizonHours ?? 0,
        objective: undefined,
        options: command.timeLimitSeconds === undefined ? undefined : { timeLimitSeconds: command.timeLimitSeconds, mipGap: 0, solver: 0 },
        requestId: command.requestId ?? randomUUID(),
      });
      if (!command.wait) return { output: command.json ? formatJson(operationToJson(started)) : `${started.name}\n`, exitCode: exitCodes.ok };
      if (!command.json) io.stderr.write(`cosched: started ${started.name}; waiting for it (Ctrl-C stops waiting${command.cancelOnInterrupt ? ' and cancels the run' : '; the run goes on'})\n`);
      const { operation, interrupted } = await waitForPlanRun(planner, started.name, io, { cancelOnInterrupt: command.cancelOnInterrupt, initial: started });
      return finished(operation, command.json, interrupted, io);
    }
    case 'runs list': {
      const filter = command.states.map((state) => `state = ${state.toUpperCase()}`).join(' OR ');
      const operations: Operation[] = [];
      let pageToken = '';
      do {
        const page = await planner.listOperations({ name: 'operations', filter, pageSize: command.allPages ? 1_000 : 0, pageToken });
        operations.push(...page.operations);
        pageToken = page.nextPageToken;
      } while (command.allPages && pageToken !== '');
      if (command.json) {
        const json: Record<string, unknown> = { operations: operations.map(operationToJson) };
        if (pageToken !== '') json.nextPageToken = pageToken;
        return { output: formatJson(json), exitCode: exitCodes.ok };
      }
      if (pageToken !== '') io.stderr.write(`cosched: showing the newest ${operations.length} runs; --all-pages lists them all\n`);
      const output = operations.length === 0 ? `no plan runs${filter ? ` with ${filter}` : ''}\n` : formatPlanRunList(operations.map(decodePlanRunOperation));
      return { output, exitCode: exitCodes.ok };
    }
    case 'runs get': {
      if (command.input) {
        const input = await planner.getPlanRunInput(command.operation);
        return { output: formatJson(PlanRequest.toJSON(input.request ?? PlanRequest.fromPartial({}))), exitCode: exitCodes.ok };
      }
      const operation = await planner.getOperation(command.operation);
      return { output: command.json ? formatJson(operationToJson(operation)) : formatPlanRunSummary(decodePlanRunOperation(operation)), exitCode: exitCodes.ok };
    }
    case 'runs cancel': {
      await planner.cancelOperation(command.operation);
      const operation = await planner.getOperation(command.operation);
      if (command.json) return { output: formatJson(operationToJson(operation)), exitCode: exitCodes.ok };
      const run = decodePlanRunOperation(operation);
      let note = '';
      if (!run.done) note = 'cancel requested: the run stops shortly\n';
      else if (run.metadata?.state !== PlanRunState.PLAN_RUN_STATE_CANCELLED) note = 'the run had already ended: nothing to cancel\n';
      return { output: `${formatPlanRunSummary(run)}${note}`, exitCode: exitCodes.ok };
    }
  }
};

/** The end of `runs start --wait`: the summary or the Operation's JSON, exit 0 only for SUCCEEDED. */
function finished(operation: Operation, json: boolean, interrupted: boolean, io: StandingIo): StandingResult {
  const run = decodePlanRunOperation(operation);
  const succeeded = run.done && run.metadata?.state === PlanRunState.PLAN_RUN_STATE_SUCCEEDED && run.response !== undefined;
  if (run.error !== undefined) io.stderr.write(`cosched: ${run.name} ended without a plan: ${run.error.message}\n`);
  return { output: json ? formatJson(operationToJson(operation)) : formatPlanRunSummary(run), exitCode: succeeded && !interrupted ? exitCodes.ok : exitCodes.incomplete };
}
