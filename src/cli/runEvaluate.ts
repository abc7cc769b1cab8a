import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { planRequestFromJson, readPlanRequestFile } from '../data/loadPlanRequest.js';
import { parseScenarioText } from '../data/parseScenarioText.js';
import { readPlanResponseFile } from '../data/readPlanResponseFile.js';
import { ViolationList } from '../data/ViolationList.js';
import { evaluatePlanRequest } from '../evaluate/evaluatePlanRequest.js';
import { EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { formatEvaluationText } from '../report/formatEvaluationText.js';
import { applyVariant } from '../whatif/applyVariant.js';
import type { CommandLine } from './parseCommandLine.js';
import { readClientToken } from './readClientToken.js';
import { UsageError } from './UsageError.js';

/**
 * `cosched evaluate PLAN.json --actuals FILE [--planned FILE] [--json] [--report DIR | --server HOST:PORT ...]`:
 * reads the plan (what `cosched plan --json` printed), the actuals and, if given, the request the
 * plan was made on; judges the plan's fixed allocations on the actuals here or on the server
 * (EvaluatePlan), writes the HTML report if asked (writeEvaluationReport; local only), and
 * returns the text summary or the proto3 JSON of the EvaluatePlanResponse.
 * Violations of the plan under the actuals are part of the answer, not an error.
 *
 * The actuals are a scenario file (a PlanRequest with the realised data) or, with --planned, a
 * forecasts file (`{"sites": [{"siteId": ..., "carbonIntensityGPerKwh": [...]}]}`, the
 * ReplaceForecasts of what_if.proto, as `--variant NAME:forecasts=FILE` reads it) applied on top
 * of the planned request. A file without `horizon` is taken for a forecasts file.
 *
 * @throws CoschedError for a missing or invalid file, or a plan that does not fit the actuals
 *   (every bad field listed), and what the server call throws; UsageError for a forecasts file
 *   without --planned.
 */
export async function runEvaluate(command: Extract<CommandLine, { kind: 'evaluate' }>, signal: AbortSignal): Promise<string> {
  // 1. The files, each checked against its schema.
  const [plan, planned] = await Promise.all([readPlanResponseFile(command.file), command.plannedFile === undefined ? undefined : readPlanRequestFile(command.plannedFile)]);
  const actuals = await readActuals(command.actualsFile, planned);
  // 2. Judge here, or on the server.
  let response: EvaluatePlanResponse;
  if (command.server === undefined) {
    const evaluated = evaluatePlanRequest({ actuals, plan, planned });
    response = evaluated.response;
    if (command.reportDir !== undefined) {
      const { writeEvaluationReport } = await import('../report/writeEvaluationReport.js');
      const { indexHtml } = await writeEvaluationReport(command.reportDir, evaluated.problem, evaluated.result, response.planned!, { source: `${command.file} judged on ${command.actualsFile}` });
      process.stderr.write(`cosched: wrote the report to ${indexHtml}\n`);
    }
  } else {
    const { evaluateOnServer } = await import('../client/evaluateOnServer.js');
    const connection = { address: command.server, tlsCaPath: command.tlsCaPath, tlsCertPath: command.tlsCertPath, tlsKeyPath: command.tlsKeyPath, token: readClientToken(command.tokenFile) };
    response = await evaluateOnServer(connection, { actuals, plan, planned }, { signal });
  }
  // 3. Print.
  return command.json ? `${JSON.stringify(EvaluatePlanResponse.toJSON(response), null, 2)}\n` : formatEvaluationText(response);
}

/** The actuals: the scenario file at `path`, or its forecasts applied to `planned`. */
async function readActuals(path: string, planned: PlanRequest | undefined): Promise<PlanRequest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // readPlanRequestFile reports a missing or unreadable file with the project's messages.
    return readPlanRequestFile(path);
  }
  const tree = parseScenarioText(text, path) as Record<string, unknown>;
  if ('horizon' in tree) return planRequestFromJson(tree, `actuals file ${path}`);
  if (planned === undefined) {
    throw new UsageError(`--actuals ${path} has no horizon, so it is not a scenario; if it is a forecasts file ({"sites": [{"siteId": ...}]}), give --planned FILE, the scenario the plan was made on, to apply it to`);
  }
  const violations = new ViolationList();
  const { request } = applyVariant(planned, { name: 'actuals', overrides: [{ change: { $case: 'replaceForecasts', value: { sites: [], file: path } } }] }, '--actuals', violations, (file) => readFileSync(file, 'utf8'));
  if (violations.length > 0) throw CoschedError.invalid(violations.items, `forecasts file ${path} (applied to --planned)`);
  return request;
}
