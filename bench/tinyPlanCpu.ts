/**
 * Where a tiny plan's CPU goes, stage by stage, on one thread (issue 15): the bench's tiny
 * instance goes through what the server does for a Plan call, each stage timed with
 * process.cpuUsage over many repetitions (this thread is the only busy one in the process, so
 * its CPU time is the stage's): protobuf decoding, validation (preparePlan), the structured clone
 * of the problem to a plan worker and of the result back (as postMessage copies them), the
 * baseline, model building (with the greedy start), the HiGHS solve (in this thread), decoding
 * and accounting, the independent check, the response mapping and protobuf encoding.
 *
 *   node --expose-gc --max-semi-space-size=256 --import tsx bench/tinyPlanCpu.ts [INSTANCE.json] [--plans N]
 *
 * INSTANCE.json: a PlanRequest in JSON (default: the bench's tiny instance, seed 1, synthetic
 * solar). Prints a table of ms of CPU per plan per stage, and the whole planProblem once more as
 * one figure.
 */
import { readFileSync } from 'node:fs';
import { generateInstance, benchmarkSizes } from './generateInstance.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { runBaseline } from '../solver/baseline/runBaseline.js';
import { dispatchSelfConsumption } from '../solver/baseline/dispatchSelfConsumption.js';
import { accountSchedule } from '../solver/accounting/accountSchedule.js';
import { buildModel, defaultUnmetPenalty } from '../solver/model/buildModel.js';
import { decodeSolution } from '../solver/model/decodeSolution.js';
import { checkPlanResult } from '../solver/check/checkPlanResult.js';
import type { PlanCallbacks } from '../solver/plan/PlanCallbacks.js';
import { HighsInThisThread } from '../solver/solve/HighsInThisThread.js';

const args = process.argv.slice(2);
const plansFlag = args.indexOf('--plans');
const plans = plansFlag >= 0 ? Number(args[plansFlag + 1]) : 300;
const instancePath = args.find((a, i) => !a.startsWith('--') && (plansFlag < 0 || i !== plansFlag + 1));
const json = instancePath ? JSON.parse(readFileSync(instancePath, 'utf8')) : generateInstance(benchmarkSizes.tiny, { seed: 1 });
const bytes = PlanRequest.encode(PlanRequest.fromJSON(json)).finish();
const limits = { maxCells: 20_000_000, maxModelSize: 1_500_000, maxResponseBytes: 4 * 1024 * 1024 };
const highs = new HighsInThisThread();
await highs.load();
const solve: NonNullable<PlanCallbacks['solve']> = (model, _engine, options) => highs.solve(model, options);

const rows: Array<[string, number, number | undefined]> = [];
const collect = (globalThis as { gc?: () => void }).gc;
/** CPU ms per call of `work`, over `plans` calls after as many warm-up calls. */
async function time<T>(stage: string, work: () => T | Promise<T>): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < Math.max(20, plans / 4); i++) last = await work();
  const before = process.cpuUsage();
  for (let i = 0; i < plans; i++) last = await work();
  const used = process.cpuUsage(before);
  // Allocation: the heap's growth over a few more calls after a full collection (with a young
  // generation large enough that none runs meanwhile: see the usage line).
  collect?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const allocCalls = 10;
  for (let i = 0; i < allocCalls; i++) last = await work();
  const heapAfter = process.memoryUsage().heapUsed;
  rows.push([stage, (used.user + used.system) / 1000 / plans, collect ? (heapAfter - heapBefore) / allocCalls / 1024 : undefined]);
  return last as T;
}

const request = await time('protobuf decode (grpc-js deserialize)', () => PlanRequest.decode(bytes));
const problem = await time('validate: preparePlan', () => preparePlan(request, limits));
await time('structured clone of the problem (postMessage)', () => structuredClone(problem));
const baselineJobs = await time('baseline: runBaseline', () => runBaseline(problem));
const built = await time('buildModel (stage 1, with the greedy start)', () => buildModel(problem, { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(problem) }, { start: true }));
const outcome = await time('HiGHS solve (in this thread)', () => solve(built.model, 'highs', { timeLimitSeconds: 60, mipGap: problem.options.mipGap }));
const jobs = await time('decodeSolution', () => decodeSolution(problem, built, outcome.values!));
await time('accounting: baseline + plan (accountSchedule)', () => {
  accountSchedule(problem, baselineJobs, dispatchSelfConsumption(problem, baselineJobs));
  return accountSchedule(problem, jobs, []);
});
const result = await time('planProblem whole (baseline .. check)', () => planProblem(problem, { solve }));
const { check: _check, ...withoutCheck } = result;
await time('independent check: checkPlanResult', () => checkPlanResult(problem, withoutCheck));
await time('structured clone of the result (postMessage)', () => structuredClone(result));
const response = await time('toPlanResponse', () => toPlanResponse(problem, result));
const encoded = await time('protobuf encode (grpc-js serialize)', () => PlanResponse.encode(response).finish());

const width = Math.max(...rows.map(([s]) => s.length));
process.stdout.write(`tiny plan CPU per stage, ${plans} plans each (request ${bytes.length} B, response ${encoded.length} B, model ${built.model.colNames.length} columns)\n`);
process.stdout.write(`${'stage'.padEnd(width)}  CPU ms  allocated KB (? = not measured: run node with --expose-gc --max-semi-space-size=256)\n`);
for (const [stage, ms, kb] of rows) process.stdout.write(`${stage.padEnd(width)}  ${ms.toFixed(3).padStart(6)}  ${kb === undefined ? '?' : kb.toFixed(0)}\n`);
process.stdout.write(JSON.stringify({ stages: result.solve.stages, solverStatus: result.solve.solverStatus, solveMs: result.solve.solveMs, buildMs: result.solve.buildMs, unmet: result.summary.unmetGpuHours }) + '\n');
