import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { decodeStatusDetails } from '../../src/client/decodeStatusDetails.js';
import { ValidatePlanRequestRequest, ValidatePlanRequestResponse } from '../../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import { CreateJobRequest, CreateSiteForecastRequest } from '../../src/generated/cosched/v1/standing_planner_service.js';
import { hour, job, oneSiteFourHours, request, site, threeSitesFourHours, twoSitesSixHoursFullySpecified } from '../factories/planRequests.js';
import type { Client } from '@grpc/grpc-js';
import { rawServerStream, rawUnary, type RawAnswer } from '../helpers/rawCalls.js';

/**
 * The fuzzing corpus shared by test/fuzz-requests.test.ts (a short seeded run in the suite) and
 * test/fuzz/runFuzz.ts (`npm run fuzz`, a long one): request bytes for Plan, ValidatePlanRequest
 * and the standing planner's CreateJob and CreateSiteForecast, in four categories (random bytes,
 * truncated and bit-flipped encodings of valid requests, valid encodings with semantic faults),
 * and the rule every answer must obey (checkAnswer).
 */

export const paths = {
  plan: '/cosched.v1.CoSchedulerService/Plan',
  watchPlan: '/cosched.v1.CoSchedulerService/WatchPlan',
  validate: '/cosched.v1.CoSchedulerService/ValidatePlanRequest',
  createJob: '/cosched.v1.StandingPlannerService/CreateJob',
  createSiteForecast: '/cosched.v1.StandingPlannerService/CreateSiteForecast',
} as const;

export type Category = 'random-bytes' | 'truncated' | 'bit-flipped' | 'semantic' | 'huge';

/** Valid PlanRequests to start from: small, so the plans of mutations that stay valid are quick. */
export function basePlanRequests(): PlanRequest[] {
  const tight = oneSiteFourHours();
  tight.options = { timeLimitSeconds: 5, mipGap: 0, solver: 0 };
  return [tight, threeSitesFourHours(), twoSitesSixHoursFullySpecified()];
}

let jobNumber = 0;

/** A valid CreateJob request with a job id of its own (a repeated id is ALREADY_EXISTS, a fair answer but a dull one). */
function baseCreateJob(): CreateJobRequest {
  return { job: job(`fuzz-job-${jobNumber++}`, 'a', { allowedSites: ['a', 'b'] }), requestId: '' };
}

function baseCreateSiteForecast(): CreateSiteForecastRequest {
  return { siteForecast: { name: '', site: site('a', [1, 2, 3, 4], [400, 300, 200, 100], { pricePerMwh: [50, 40, 30, 20] }), start: hour(0), version: 0, createTime: undefined, source: '' }, requestId: '' };
}

/** One request to send: the method path, its bytes, and how it was made. */
export interface FuzzRequest {
  category: Category;
  method: keyof typeof paths;
  bytes: Uint8Array;
  /** What was done, for failure reports. */
  label: string;
}

/** Where a request of a category goes: plan requests to Plan and ValidatePlanRequest (paired), or a standing planner method. */
export type Target = 'plan' | 'createJob' | 'createSiteForecast';

function encodeFor(target: Target, message: unknown): Uint8Array {
  if (target === 'createJob') return CreateJobRequest.encode(message as CreateJobRequest).finish();
  if (target === 'createSiteForecast') return CreateSiteForecastRequest.encode(message as CreateSiteForecastRequest).finish();
  return PlanRequest.encode(message as PlanRequest).finish();
}

function baseFor(target: Target, index: number): unknown {
  if (target === 'createJob') return baseCreateJob();
  if (target === 'createSiteForecast') return baseCreateSiteForecast();
  const bases = basePlanRequests();
  return bases[index % bases.length];
}

/** Plan-request bytes wrapped for ValidatePlanRequest (field 1, length-delimited), valid or not. */
export function wrapForValidate(planRequestBytes: Uint8Array): Uint8Array {
  const header = ValidatePlanRequestRequest.encode({ request: undefined }).finish();
  const length: number[] = [];
  for (let n = planRequestBytes.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      length.push(n);
      break;
    }
    length.push((n % 128) | 128);
  }
  return Uint8Array.from([...header, 0x0a, ...length, ...planRequestBytes]);
}

const numbers = [NaN, Infinity, -Infinity, -1, 0, -0, 1e-300, 0.5, 3, 1e6 + 1, 1e9 + 1, 1e12, 1e30, 1e300, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, -(2 ** 53)];
const strings = ['', 'nowhere', 'a', 'b', 'A', 'fuzz-job', 'Asia/Shanghai', 'Mars/Olympus', ' ', '\u0000', '𝔘nicode', 'x'.repeat(65), 'y'.repeat(4_000)];
const secondsValues = [-62_135_596_801, -1, 0, 253_402_300_800, 1e13, 2 ** 53 - 1, 1_782_864_000 + 1_800];
const nanosValues = [-1, 1, 100, 999_999_999, 1_000_000_000, 2 ** 31 - 1];

/** One fault: which leaf (by index, modulo the count), which kind of change, and a choice. */
interface Mutation {
  pick: number;
  kind: number;
  choice: number;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({ pick: fc.nat(), kind: fc.nat(7), choice: fc.nat() });

type Path = Array<string | number>;

/** Every path in `value` to a number, string, array or timestamp-like object, depth first. */
function leaves(value: unknown, path: Path = [], out: Array<{ path: Path; value: unknown }> = []): Array<{ path: Path; value: unknown }> {
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    out.push({ path, value });
    value.forEach((element, i) => leaves(element, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    if ('seconds' in value && 'nanos' in value) out.push({ path, value });
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
  } else {
    out.push({ path, value });
  }
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  if (path.length === 0) return;
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}

/** Applies one mutation to `message` (in place); returns its label. */
function mutate(message: unknown, mutation: Mutation): string {
  const all = leaves(message);
  if (all.length === 0) return 'none';
  const { path, value } = all[mutation.pick % all.length];
  const where = path.join('.');
  const choose = <T>(list: readonly T[]): T => list[mutation.choice % list.length];
  if (Array.isArray(value)) {
    const copy = [...value];
    switch (mutation.kind % 4) {
      case 0:
        copy.splice(mutation.choice % Math.max(1, copy.length), 1);
        break;
      case 1:
        if (copy.length > 0) copy.push(copy[mutation.choice % copy.length]);
        break;
      case 2:
        copy.length = 0;
        break;
      default:
        copy.push(...copy, ...copy);
    }
    setAt(message, path, copy);
    return `${where}: array change ${mutation.kind % 4}`;
  }
  if (value !== null && typeof value === 'object') {
    const timestamp = value as { seconds: number; nanos: number };
    if (mutation.kind % 2 === 0) timestamp.seconds = choose(secondsValues);
    else timestamp.nanos = choose(nanosValues);
    // A job whose window is inverted: swap release and deadline of the same job.
    if (mutation.kind % 7 === 6 && path[path.length - 1] === 'release') {
      const owner = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, message as Record<string, unknown>);
      [owner.release, owner.deadline] = [owner.deadline, owner.release];
    }
    return `${where}: timestamp ${JSON.stringify(timestamp)}`;
  }
  if (typeof value === 'number') {
    const replacement = choose(numbers);
    setAt(message, path, replacement);
    return `${where}: ${replacement}`;
  }
  if (typeof value === 'string') {
    const replacement = choose(strings);
    setAt(message, path, replacement);
    return `${where}: ${JSON.stringify(replacement.slice(0, 20))}${replacement.length > 20 ? `... (${replacement.length} chars)` : ''}`;
  }
  if (typeof value === 'boolean') {
    setAt(message, path, !value);
    return `${where}: ${!value}`;
  }
  return 'none';
}

/** A seeded description of one case of `category` for `target`, turned into bytes by `build`. */
export interface CaseSeed {
  category: Exclude<Category, 'huge'>;
  target: Target;
  base: number;
  cut: number;
  flips: number[];
  randomBytes: Uint8Array;
  mutations: Mutation[];
}

/** Cases of every category except `huge`, for `targets`. */
export function caseArbitrary(targets: readonly Target[]): fc.Arbitrary<CaseSeed> {
  return fc.record({
    category: fc.constantFrom<CaseSeed['category']>('random-bytes', 'truncated', 'bit-flipped', 'semantic', 'semantic'),
    target: fc.constantFrom(...targets),
    base: fc.nat(10),
    cut: fc.nat(),
    flips: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    randomBytes: fc.uint8Array({ maxLength: 600 }),
    mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
  });
}

/** The bytes and label of a case, or undefined when its semantic fault cannot be encoded at all (e.g. 1e300 in an int32 field). */
export function buildCase(seed: CaseSeed): { bytes: Uint8Array; label: string } | undefined {
  const valid = () => encodeFor(seed.target, baseFor(seed.target, seed.base));
  switch (seed.category) {
    case 'random-bytes':
      return { bytes: seed.randomBytes, label: `${seed.randomBytes.length} random bytes` };
    case 'truncated': {
      const bytes = valid();
      const length = seed.cut % bytes.length;
      return { bytes: bytes.slice(0, length), label: `first ${length} of ${bytes.length} bytes` };
    }
    case 'bit-flipped': {
      const bytes = valid().slice();
      for (const bit of seed.flips) bytes[Math.floor(bit / 8) % bytes.length] ^= 1 << bit % 8;
      return { bytes, label: `bits ${seed.flips.map((bit) => `${Math.floor(bit / 8) % bytes.length}:${bit % 8}`).join(',')} flipped` };
    }
    case 'semantic': {
      const message = baseFor(seed.target, seed.base);
      const labels = seed.mutations.map((m) => mutate(message, m));
      try {
        return { bytes: encodeFor(seed.target, message), label: labels.join('; ') };
      } catch {
        return undefined;
      }
    }
  }
}

/** The few big requests: 100k jobs, megabyte strings, a huge hourly array. Each is sent once. */
export function hugeCases(): Array<{ target: Target; bytes: Uint8Array; label: string }> {
  const megabyte = 'm'.repeat(1_000_000);
  const manyJobs = request(4, [site('a', [1, 1, 1, 1], [300, 300, 300, 300])], Array.from({ length: 100_000 }, (_, i) => job(`j${i}`, 'a')));
  const duplicateJobs = request(4, [site('a', [1, 1, 1, 1], [300, 300, 300, 300])], Array.from({ length: 100_000 }, () => job('same', 'ä')));
  const unknownRefs = request(
    1,
    Array.from({ length: 5_000 }, (_, i) => site(`site-${i}`.padEnd(64, 'x'), [1], [1])),
    Array.from({ length: 300 }, (_, i) => job(`j${i}`, `home-${i}`.padEnd(64, 'y'), { allowedSites: Array.from({ length: 100 }, (_, k) => `unknown-${i}-${k}`.padEnd(64, 'z')) })),
  );
  const longId = oneSiteFourHours();
  longId.sites[0].id = megabyte;
  const longHome = oneSiteFourHours();
  longHome.jobs[0].homeSite = megabyte;
  longHome.jobs[0].allowedSites = [megabyte, `${megabyte}x`];
  const longZone = oneSiteFourHours();
  longZone.sites[0].timeZone = megabyte;
  const longArray = oneSiteFourHours();
  longArray.sites[0].greenSupplyMw = Array.from({ length: 500_000 }, (_, i) => (i % 3 === 0 ? -1 : 1));
  const longJob = baseCreateJob();
  (longJob.job as { id: string }).id = megabyte;
  return [
    { target: 'plan', bytes: PlanRequest.encode(manyJobs).finish(), label: '100,000 jobs' },
    { target: 'plan', bytes: PlanRequest.encode(duplicateJobs).finish(), label: '100,000 jobs with one id and an unknown home site' },
    { target: 'plan', bytes: PlanRequest.encode(unknownRefs).finish(), label: '5,000 sites, 30,000 unknown 64-character site ids' },
    { target: 'plan', bytes: PlanRequest.encode(longId).finish(), label: 'a 1 MB site id' },
    { target: 'plan', bytes: PlanRequest.encode(longHome).finish(), label: 'a 1 MB home site and allowed sites' },
    { target: 'plan', bytes: PlanRequest.encode(longZone).finish(), label: 'a 1 MB time zone' },
    { target: 'plan', bytes: PlanRequest.encode(longArray).finish(), label: 'a 500,000-value hourly array' },
    { target: 'createJob', bytes: CreateJobRequest.encode(longJob).finish(), label: 'CreateJob with a 1 MB job id' },
  ];
}

/** The codes a fuzzed request may get. */
export const allowedCodes = new Set([status.OK, status.INVALID_ARGUMENT, status.RESOURCE_EXHAUSTED]);
/** The standing planner may also say a job id or request id is taken (with the field path). */
const standingCodes = new Set([...allowedCodes, status.ALREADY_EXISTS]);

/**
 * What is wrong with an answer, or undefined when it obeys the rule: OK, INVALID_ARGUMENT with a
 * google.rpc.BadRequest of at least one violation, each with a field path and a description, or
 * RESOURCE_EXHAUSTED; for the standing planner also ALREADY_EXISTS (a job id or request id
 * taken), with field paths too. A ValidatePlanRequest answered OK must say valid, or list violations with
 * field paths.
 */
export function checkAnswer(answer: RawAnswer, method: keyof typeof paths): string | undefined {
  const standing = method === 'createJob' || method === 'createSiteForecast';
  if (!(standing ? standingCodes : allowedCodes).has(answer.code)) return `code ${status[answer.code]}: ${answer.details.slice(0, 300)}`;
  if (answer.code === status.INVALID_ARGUMENT || answer.code === status.ALREADY_EXISTS) {
    const violations = decodeStatusDetails(answer.metadata).badRequest?.fieldViolations ?? [];
    if (violations.length === 0) return `${status[answer.code]} without BadRequest field violations: ${answer.details.slice(0, 300)}`;
    const bad = violations.find((v) => v.field === '' || v.description === '');
    if (bad) return `a violation without field or description: ${JSON.stringify(bad)}`;
  }
  if (answer.code === status.OK && method === 'validate' && answer.response) {
    const response = ValidatePlanRequestResponse.decode(answer.response);
    if (!response.valid && (response.violations.length === 0 || response.violations.some((v) => v.field === ''))) return 'ValidatePlanRequest invalid without field paths';
  }
  return undefined;
}

/** Whether a ValidatePlanRequest answer said valid (undefined unless it answered OK). */
export function saidValid(answer: RawAnswer): boolean | undefined {
  if (answer.code !== status.OK || !answer.response) return undefined;
  return ValidatePlanRequestResponse.decode(answer.response).valid;
}

/** One call of a case and what was wrong with its answer (undefined when nothing). */
export interface CallOutcome {
  method: keyof typeof paths;
  code: status;
  problem: string | undefined;
}

/**
 * Sends one case and checks every answer (checkAnswer). Plan-request bytes go to
 * ValidatePlanRequest (wrapped), then to Plan, and with `watch` also to WatchPlan; unless a limit
 * refused one of them (RESOURCE_EXHAUSTED), the answers must agree: valid means Plan and WatchPlan
 * answer OK (the planner did not fail), not valid means INVALID_ARGUMENT (but see framingOnly). Every call has `deadlineMs`;
 * DEADLINE_EXCEEDED counts as a hang.
 */
export async function runCase(client: Client, target: Target, bytes: Uint8Array, deadlineMs: number, watch = false): Promise<CallOutcome[]> {
  if (target !== 'plan') {
    const method = target;
    const answer = await rawUnary(client, paths[method], bytes, deadlineMs);
    return [{ method, code: answer.code, problem: checkAnswer(answer, method) }];
  }
  const validation = await rawUnary(client, paths.validate, wrapForValidate(bytes), deadlineMs);
  const plan = await rawUnary(client, paths.plan, bytes, deadlineMs);
  const outcomes: CallOutcome[] = [
    { method: 'validate', code: validation.code, problem: checkAnswer(validation, 'validate') },
    { method: 'plan', code: plan.code, problem: checkAnswer(plan, 'plan') },
  ];
  // A limit (RESOURCE_EXHAUSTED) may refuse either call, valid or not; otherwise they must agree.
  const valid = saidValid(validation);
  const refusedByLimit = validation.code === status.RESOURCE_EXHAUSTED || plan.code === status.RESOURCE_EXHAUSTED;
  if (!refusedByLimit && valid === true && plan.code !== status.OK) outcomes[1].problem ??= `ValidatePlanRequest said valid, Plan answered ${status[plan.code]}: ${plan.details.slice(0, 300)}`;
  // The generated decoder stops at a zero or end-group tag, so bytes with such a tag and garbage
  // after it decode as a Plan request yet not nested in ValidatePlanRequest (the garbage is then
  // read as ValidatePlanRequestRequest fields): undecodable there, Plan may still answer OK.
  const framingOnly = validation.code === status.INVALID_ARGUMENT && plan.code === status.OK;
  if (!refusedByLimit && !framingOnly && valid !== true && plan.code !== status.INVALID_ARGUMENT) {
    outcomes[1].problem ??= `ValidatePlanRequest said invalid (${status[validation.code]}), Plan answered ${status[plan.code]}`;
  }
  if (watch) {
    // WatchPlan wraps the request as ValidatePlanRequest does, so it must agree with that.
    const watched = await rawServerStream(client, paths.watchPlan, wrapForValidate(bytes), deadlineMs);
    const expected = valid === true ? status.OK : status.INVALID_ARGUMENT;
    const agree = watched.code === expected || watched.code === status.RESOURCE_EXHAUSTED || validation.code === status.RESOURCE_EXHAUSTED;
    const problem = checkAnswer(watched, 'watchPlan') ?? (agree ? undefined : `WatchPlan answered ${status[watched.code]}, ValidatePlanRequest ${valid === true ? 'valid' : 'invalid'}`);
    outcomes.push({ method: 'watchPlan', code: watched.code, problem });
  }
  return outcomes;
}
