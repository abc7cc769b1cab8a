import { readPlanRequestFile } from '../data/loadPlanRequest.js';
import { readPlanResponseFile } from '../data/readPlanResponseFile.js';
import { evaluatePlanRequest } from '../evaluate/evaluatePlanRequest.js';
import { EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import { formatEvaluationText } from '../report/formatEvaluationText.js';
import type { CommandLine } from './parseCommandLine.js';
import { readClientToken } from './readClientToken.js';

/**
 * `cosched evaluate PLAN.json --actuals FILE [--json] [--server HOST:PORT ...]`: reads the plan
 * (what `cosched plan --json` printed) and the actuals (a scenario file of what happened), judges
 * the plan's fixed allocations on the actuals here or on the server (EvaluatePlan), and returns
 * the text summary or the proto3 JSON of the EvaluatePlanResponse. Violations of the plan under
 * the actuals are part of the answer, not an error.
 *
 * @throws CoschedError for a missing or invalid file, or a plan that does not fit the actuals
 *   (every bad field listed), and what the server call throws.
 */
export async function runEvaluate(command: Extract<CommandLine, { kind: 'evaluate' }>, signal: AbortSignal): Promise<string> {
  // 1. Both files, each checked against its schema.
  const [plan, actuals] = await Promise.all([readPlanResponseFile(command.file), readPlanRequestFile(command.actualsFile)]);
  // 2. Judge here, or on the server.
  let response: EvaluatePlanResponse;
  if (command.server === undefined) {
    response = evaluatePlanRequest({ actuals, plan }).response;
  } else {
    const { evaluateOnServer } = await import('../client/evaluateOnServer.js');
    const connection = { address: command.server, tlsCaPath: command.tlsCaPath, tlsCertPath: command.tlsCertPath, tlsKeyPath: command.tlsKeyPath, token: readClientToken(command.tokenFile) };
    response = await evaluateOnServer(connection, { actuals, plan }, { signal });
  }
  // 3. Print.
  return command.json ? `${JSON.stringify(EvaluatePlanResponse.toJSON(response), null, 2)}\n` : formatEvaluationText(response);
}
