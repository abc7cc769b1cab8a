import { readFile } from 'node:fs/promises';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { checkJsonAgainstSchema } from './checkJsonAgainstSchema.js';
import { parseScenarioText } from './parseScenarioText.js';

/**
 * Turns a raw JSON/YAML tree (proto3 JSON of cosched.v1.PlanRequest) into a PlanRequest: checks
 * it against the schema first (see checkJsonAgainstSchema), so nothing is dropped or coerced
 * silently, then converts it with the generated PlanRequest.fromJSON. Only the schema is checked;
 * call validatePlanRequest for the semantic rules.
 *
 * @param source names the input in the error summary, e.g. `scenario file a.yaml`.
 * @throws CoschedError INVALID_ARGUMENT listing every schema violation.
 */
export function planRequestFromJson(tree: unknown, source = 'plan request'): PlanRequest {
  const violations = checkJsonAgainstSchema(tree);
  if (violations.length > 0) throw CoschedError.invalid(violations, source);
  return PlanRequest.fromJSON(tree);
}

/**
 * Reads a scenario file (YAML or JSON; see parseScenarioText), checks it against the schema and
 * returns the PlanRequest. Does not run validatePlanRequest.
 *
 * @throws CoschedError NOT_FOUND naming the path when the file does not exist; INVALID_ARGUMENT
 *   when it cannot be read (a directory, no permission), has a syntax error, or breaks the schema.
 */
export async function readPlanRequestFile(path: string): Promise<PlanRequest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CoschedError('NOT_FOUND', `scenario file not found: ${path}`, { reason: 'SCENARIO_FILE_NOT_FOUND', cause: error });
    throw new CoschedError('INVALID_ARGUMENT', `cannot read scenario file ${path}: ${(error as Error).message}`, {
      reason: 'SCENARIO_FILE_UNREADABLE',
      cause: error,
    });
  }
  return planRequestFromJson(parseScenarioText(text, path), `scenario file ${path}`);
}
