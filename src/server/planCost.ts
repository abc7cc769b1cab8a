import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';
import { naiveModelSize } from '../../solver/model/naiveModelSize.js';
import { maxCutRows } from '../../solver/model/maxCutRows.js';
import { maxTransferSize } from '../../solver/model/maxTransferSize.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { CompareScenariosResponse } from '../generated/cosched/v1/co_scheduler_service.js';
import type { VariantResult } from '../generated/cosched/v1/what_if.js';
import { toPlanResponse } from '../report/toPlanResponse.js';

const count = new Intl.NumberFormat('en-US');

/**
 * The cost estimate of planning `problem`: the size of the model the solver would get, counted from
 * the jobs' windows without building it: an upper bound of the model buildModel makes
 * (naiveModelSize, which bounds it without its cuts and transfers; plus maxCutRows for the
 * gridFloor cuts for non-interruptible jobs and maxTransferSize for links and job data):
 * variables = Σ over jobs of allowed sites × hours of the window (interruptible; block starts for
 * the others, plus a run binary per cell with minGpus) + one per job + one per site-hour;
 * constraints = per-job, per-window-hour and per-site-hour rows. `modelSize` = variables +
 * constraints. O(jobs × allowed sites); allocates nothing per cell.
 */
export function planModelSize(problem: Problem): { variables: number; constraints: number; modelSize: number } {
  // The lexicographic stage's model, the largest of the stages: it adds the unmetTotal row.
  const naive = naiveModelSize(problem, { kind: 'lexicographic', unmetCap: 0 });
  const transfers = maxTransferSize(problem);
  const variables = naive.variables + transfers.variables;
  const constraints = naive.constraints + maxCutRows(problem) + transfers.constraints;
  return { variables, constraints, modelSize: variables + constraints };
}

/**
 * The violation (QuotaFailure subject `max_model_size`) when `problem`'s model is over
 * `maxModelSize` variables + constraints, else undefined. `name` prefixes the description (a
 * CompareScenarios scenario).
 */
export function modelSizeViolation(problem: Problem, maxModelSize: number, name?: string): FieldViolation | undefined {
  const size = planModelSize(problem);
  if (size.modelSize <= maxModelSize) return undefined;
  const description =
    `${name ? `${name}: ` : ''}the model would have ${count.format(size.variables)} variables + ${count.format(size.constraints)} constraints = ` +
    `${count.format(size.modelSize)}; this server solves at most ${count.format(maxModelSize)} (max_model_size). ` +
    'Narrow the jobs\' windows or allowed sites, or split the request';
  return { field: 'max_model_size', description };
}

/** RESOURCE_EXHAUSTED, reason PLAN_TOO_COSTLY, for these max_model_size violations. */
export function planTooCostly(violations: FieldViolation[]): CoschedError {
  const what = violations.length === 1 ? violations[0].description : `${violations.length} scenarios too costly, e.g. ${violations[0].description}`;
  return new CoschedError('RESOURCE_EXHAUSTED', `plan too costly: ${what}`, { reason: 'PLAN_TOO_COSTLY', violations });
}

// Encoded sizes (bytes) of a PlanResponse's parts, for the response estimates below.
/** A double field: tag + 8 bytes. */
const doubleBytes = 9;
/** A Timestamp field: tag, length, seconds (5 bytes for years 1970..2106) and nanos (0 here). */
const timestampBytes = 8;
/** An Allocation (tag, length, start, hours, gpus) besides its site id. */
const allocationBytes = 3 + timestampBytes + 3 + doubleBytes;
/** A JobPlan's fixed fields (tag, length, unmet, done, late, finish, preemptions, migrations, checkpoint GPU-hours) besides its id, reason, allocations and transfers. */
const jobPlanBytes = 4 + 4 * doubleBytes + timestampBytes + 2 * 3;

/** Hourly series in a SiteProfile: job load, green used, grid, curtailed, emissions, facility, CFE served; plus marginal emissions with a marginal signal. */
function siteSeries(problem: Problem): number {
  return problem.sites.some((site) => site.marginalIntensityGPerKwh !== undefined) ? 8 : 7;
}

/**
 * A lower bound on the encoded PlanResponse of `problem`, known before solving: the baseline's
 * hourly site accounts (7 series of `hours` doubles per site, 8 with a marginal signal) and, in the plan and the baseline,
 * one JobPlan per job with its id and at least one double (its done or unmet GPU-hours, which add
 * up to gpuHours > 0). O(jobs + sites).
 */
export function planResponseBytesAtLeast(problem: Problem): number {
  const siteIdBytes = problem.sites.reduce((sum, site) => sum + site.id.length + 2, 0);
  const jobIdBytes = problem.jobs.reduce((sum, job) => sum + job.id.length + 2, 0);
  return siteIdBytes + problem.sites.length * siteSeries(problem) * (3 + 8 * problem.hours) + 2 * (jobIdBytes + (2 + doubleBytes) * problem.jobs.length);
}

/** A Transfer (tag, length, start, hours, GB per hour) besides its two site ids. */
const transferBytes = 3 + timestampBytes + 3 + doubleBytes;
/** A SiteHourValue (tag, length, hour, two values) besides its site id. */
const siteHourValueBytes = 3 + timestampBytes + 2 * doubleBytes;
/** A JobDeadlineValue's numbers (tag, length, four doubles) besides its ids and note. */
const jobDeadlineValueBytes = 3 + 4 * doubleBytes;
/** A ScenarioResult's numbers (tag, length, nine doubles) besides its name. */
const scenarioResultBytes = 3 + 9 * doubleBytes;

/** A string field of `text`: tag, length and its UTF-8 bytes (0 when empty: proto3 leaves it out). */
function stringBytes(text: string | undefined): number {
  return text ? Buffer.byteLength(text) + 3 : 0;
}

/**
 * An estimate of the encoded PlanResponse toPlanResponse would build from `result`, computed
 * without building it: exact counts of jobs, allocations, transfers, hourly values, explanation
 * values, scenario outcomes and strings, with fixed sizes for numbers. Within 5% of the encoded
 * size on the bundled scenarios; above it on very small responses (+33% for one job and one hour);
 * never below half of it. O(jobs + allocations + transfers + sites + explanation values + scenarios).
 */
export function planResponseBytes(problem: Problem, result: PlanResult): number {
  const siteId = (s: number): number => stringBytes(problem.sites[s].id);
  const scheduleBytes = (schedule: PlanResult['baseline'] | undefined): number => {
    if (!schedule) return problem.jobs.reduce((sum, job) => sum + stringBytes(job.id) + jobPlanBytes + 48, 0);
    let bytes = 0;
    // Per site: its id, each non-empty hourly series (tag, length, 8 bytes a value) and cfe_score.
    schedule.sites.forEach((accounts, s) => {
      const series = [accounts.jobLoadMw, accounts.greenUsedMw, accounts.gridMw, accounts.curtailedMw, accounts.emissionsKg, accounts.facilityMw,
        accounts.chargeMw, accounts.dischargeMw, accounts.stateOfChargeMwh, accounts.marginalEmissionsKg ?? [], accounts.cfeServedMw];
      bytes += siteId(s) + 4 + doubleBytes + series.reduce((sum, values) => sum + (values.length > 0 ? 4 + 8 * values.length : 0), 0);
    });
    for (const outcome of schedule.jobs) {
      bytes += stringBytes(problem.jobs[outcome.job].id) + jobPlanBytes + stringBytes(outcome.reason);
      for (const run of outcome.runs) bytes += allocationBytes + siteId(run.site);
      for (const transfer of outcome.transfers ?? []) {
        const link = (problem.links ?? [])[transfer.link];
        bytes += transferBytes + (link ? siteId(link.fromSite) + siteId(link.toSite) : 0);
      }
    }
    return bytes;
  };
  const strings = [...result.warnings, ...result.check.violations, result.solve.solver, result.solve.solverStatus].reduce((sum, text) => sum + stringBytes(text), 0);
  // The summary, solve and check messages' numbers: about 130 bytes measured; the CFE and
  // annual matching scores of plan and baseline (5 doubles) and, with a marginal signal, the
  // marginal emissions (4 doubles).
  const accountingBytes = (5 + (siteSeries(problem) === 8 ? 4 : 0)) * doubleBytes;
  const explanation = result.explanation;
  const explanationBytes = explanation
    ? 8 + stringBytes(explanation.valueUnit) + stringBytes(explanation.basis) +
      explanation.bindingHours.reduce((sum, value) => sum + siteHourValueBytes + siteId(value.site), 0) +
      explanation.jobs.reduce((sum, value) => sum + jobDeadlineValueBytes + stringBytes(problem.jobs[value.job].id) + (value.site >= 0 ? siteId(value.site) : 0) + stringBytes(value.note), 0)
    : 0;
  const scenarioBytes = result.scenarios
    ? 8 + 8 * doubleBytes + result.scenarios.outcomes.reduce((sum, outcome) => sum + scenarioResultBytes + stringBytes(outcome.name), 0)
    : 0;
  return scheduleBytes(result.plan) + scheduleBytes(result.baseline) + strings + 130 + accountingBytes + explanationBytes + scenarioBytes;
}

/** The most bytes WatchPlan adds around the PlanResponse: WatchPlanResponse's field tag and length (Plan adds none). */
export const watchPlanWrapperBytes = 6;
/** The most bytes a VariantResult adds around its plan besides its name: tags, lengths, termination, two VariantMetrics. */
const variantRowBytes = 200;

/** A message's size against a byte limit: estimated, or `exact` (encoded). */
export interface ResponseSize {
  bytes: number;
  exact: boolean;
}

/**
 * The size of the message that carries `result`'s PlanResponse, with `wrapperBytes` around it (0
 * for Plan, watchPlanWrapperBytes for WatchPlan), to hold against `maxResponseBytes`: estimated
 * (planResponseBytes) while the estimate is under half the limit, which it cannot be unless the
 * encoded size is under the limit; nearer the limit, encoded. Then `response` is the PlanResponse
 * built for it, for the caller to send rather than build again.
 */
export function sizePlanResponse(problem: Problem, result: PlanResult, maxResponseBytes: number, wrapperBytes = 0): ResponseSize & { response?: PlanResponse } {
  const estimate = planResponseBytes(problem, result) + wrapperBytes;
  if (estimate < maxResponseBytes / 2) return { bytes: estimate, exact: false };
  const response = toPlanResponse(problem, result);
  return { bytes: PlanResponse.encode(response).finish().length + wrapperBytes, exact: true, response };
}

/**
 * The size of CompareScenarios' final message with `rows` (toVariantResults of `planned`, with
 * their plans), to hold against `maxResponseBytes`: estimated from the plans (planResponseBytes)
 * and the rows' names while under half the limit, else the whole message encoded.
 */
export function sizeCompareResponse(planned: ReadonlyArray<{ problem: Problem; result: PlanResult }>, rows: readonly VariantResult[], maxResponseBytes: number): ResponseSize {
  const estimate = planned.reduce((sum, { problem, result }, i) => sum + planResponseBytes(problem, result) + variantRowBytes + stringBytes(rows[i]?.name), 16);
  if (estimate < maxResponseBytes / 2) return { bytes: estimate, exact: false };
  return { bytes: CompareScenariosResponse.encode({ event: { $case: 'result', value: { rows: [...rows] } } }).finish().length, exact: true };
}

/**
 * RESOURCE_EXHAUSTED, reason RESPONSE_TOO_LARGE (QuotaFailure subject `max_response_bytes`): a
 * response of `bytes` is over `maxResponseBytes`. `when` says how that is known: before solving
 * (a lower bound), after solving (an estimate), or encoded (exact).
 */
export function responseTooLarge(bytes: number, maxResponseBytes: number, when: 'before solving' | 'after solving' | 'encoded', name?: string): CoschedError {
  const estimate = when === 'before solving' ? `at least ${count.format(bytes)}` : when === 'after solving' ? `about ${count.format(bytes)}` : count.format(bytes);
  const description =
    `${name ? `${name}: ` : ''}the response would take ${estimate} bytes; this server sends at most ${count.format(maxResponseBytes)} (max_response_bytes). ` +
    'Plan fewer jobs, sites or hours per call';
  return new CoschedError('RESOURCE_EXHAUSTED', `response too large: ${description}`, {
    reason: 'RESPONSE_TOO_LARGE',
    violations: [{ field: 'max_response_bytes', description }],
  });
}

/**
 * Checks, after solving and before the response is sent, that the message carrying `result`'s
 * PlanResponse (with `wrapperBytes` around it) fits `maxResponseBytes` (sizePlanResponse); unset:
 * no check. Returns the PlanResponse when the check had to build it (near the limit), for the
 * caller to send.
 *
 * @throws CoschedError RESOURCE_EXHAUSTED, reason RESPONSE_TOO_LARGE, when it does not.
 */
export function assertResponseFits(problem: Problem, result: PlanResult, maxResponseBytes: number | undefined, wrapperBytes = 0): PlanResponse | undefined {
  if (maxResponseBytes === undefined) return undefined;
  const size = sizePlanResponse(problem, result, maxResponseBytes, wrapperBytes);
  if (size.bytes > maxResponseBytes) throw responseTooLarge(size.bytes, maxResponseBytes, size.exact ? 'encoded' : 'after solving');
  return size.response;
}
