import { readFile } from 'node:fs/promises';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { checkJsonAgainstSchema } from './checkJsonAgainstSchema.js';
import { parseScenarioText } from './parseScenarioText.js';

/**
 * Reads a plan file: the proto3 JSON of a cosched.v1.PlanResponse that `cosched plan FILE --json`
 * printed (YAML is read too). Checked against the PlanResponse schema first, so that a misspelt
 * field or a wrong type is reported rather than dropped (see checkJsonAgainstSchema). Does not
 * check the plan against any request (validateFixedPlan does).
 *
 * @throws CoschedError NOT_FOUND naming the path when the file does not exist; INVALID_ARGUMENT
 *   when it cannot be read, has a syntax error, or breaks the schema (paths such as
 *   `jobs[0].allocations[1].gpus`).
 */
export async function readPlanResponseFile(path: string): Promise<PlanResponse> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CoschedError('NOT_FOUND', `plan file not found: ${path}`, { reason: 'PLAN_FILE_NOT_FOUND', cause: error });
    throw new CoschedError('INVALID_ARGUMENT', `cannot read plan file ${path}: ${(error as Error).message}`, { reason: 'PLAN_FILE_UNREADABLE', cause: error });
  }
  const tree = parseScenarioText(text, path);
  const violations = checkJsonAgainstSchema(tree, '.cosched.v1.PlanResponse');
  if (violations.length > 0) throw CoschedError.invalid(violations, `plan file ${path} (expected what 'cosched plan FILE --json' prints)`, 'INVALID_PLAN_FILE');
  return PlanResponse.fromJSON(tree);
}
