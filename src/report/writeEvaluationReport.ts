import type { EvaluationResult } from '../../solver/evaluate/EvaluationResult.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlannedFigures } from '../generated/cosched/v1/evaluate.js';
import { formatQuantity } from './formatNumber.js';
import { writePlanReport, type PlanReportFiles } from './writePlanReport.js';

/**
 * Writes the HTML report of a plan judged on the actuals into `dir`, with the plan report's page
 * and charts (writePlanReport): every figure and chart is the fixed plan and the baseline
 * accounted on the actuals (`problem`); the title says so, and the warnings list first the planned
 * against realised emissions, then every violation of the plan under the actuals. The solve info
 * is empty (nothing is solved).
 *
 * @throws the file system's error when `dir` cannot be created or written.
 */
export function writeEvaluationReport(dir: string, problem: Problem, result: EvaluationResult, planned: PlannedFigures, options: { source?: string } = {}): Promise<PlanReportFiles> {
  const s = result.summary;
  const asPlan: PlanResult = {
    status: 'ok',
    termination: 'optimal',
    plan: result.judged,
    baseline: result.baseline,
    summary: s,
    solve: { solver: 'none (a fixed plan judged on the actuals)', solverStatus: '', solveMs: 0, buildMs: 0, variables: 0, constraints: 0, integerVariables: 0, objective: 0, mipGap: 0, stages: 0 },
    check: result.check,
    warnings: [
      `planned on its forecasts: ${formatQuantity(planned.emissionsKg)} kg against a baseline of ${formatQuantity(planned.baselineEmissionsKg)} kg; realised on the actuals: ${formatQuantity(s.emissionsKg)} kg against ${formatQuantity(s.baselineEmissionsKg)} kg`,
      ...result.violations.map((v) => `violation under the actuals: ${v.description}`),
    ],
  };
  return writePlanReport(dir, problem, asPlan, { title: 'cosched evaluation report: the plan judged on the actuals', source: options.source });
}
