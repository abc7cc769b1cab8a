import { describe, expect, it } from 'vitest';
import { generateInstance, type InstanceSpec } from '../bench/generateInstance.js';
import { planRequestFromJson } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { buildModel, defaultUnmetPenalty } from '../solver/model/buildModel.js';
import { modelSize } from '../solver/model/LinearModel.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { Problem } from '../solver/problem/Problem.js';
import { solveSmallModelsHere } from '../solver/solve/solveSmallModelsHere.js';
import { inThisThreadLimits, mayPlanInThisThread, solvesInThisThread } from '../solver/solve/solvesInThisThread.js';
import { job, problem, site } from './factories/problems.js';

/**
 * Issue 15: small LPs are solved with HiGHS in the calling thread (no worker thread, no warm-up,
 * no optimising compiler). The plan must be the one the worker makes, and HiGHS's time limit must
 * still stop a solve there.
 */

/** A benchmark instance (bench/generateInstance.ts) as the CLI reads it. */
function benchmarkProblem(spec: InstanceSpec): Problem {
  const json = JSON.parse(JSON.stringify(generateInstance(spec, { seed: 1 }))) as unknown;
  return validatePlanRequest(planRequestFromJson(json));
}

function firstStageModel(p: Problem) {
  return buildModel(p, { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) }, { start: true }).model;
}

describe('solvesInThisThread', () => {
  it('takes LPs up to the limits, and no MILP however small', () => {
    const { variables, nonzeros } = inThisThreadLimits;
    expect(solvesInThisThread({ variables, nonzeros, integerVariables: 0 })).toBe(true);
    expect(solvesInThisThread({ variables: variables + 1, nonzeros, integerVariables: 0 })).toBe(false);
    expect(solvesInThisThread({ variables, nonzeros: nonzeros + 1, integerVariables: 0 })).toBe(false);
    expect(solvesInThisThread({ variables: 10, nonzeros: 20, integerVariables: 1 })).toBe(false);
  });

  it('guesses from the integers asked for and the job-site-hours whether a plan may be solved here', () => {
    const hours = 48;
    const sites = Array.from({ length: 10 }, (_, s) => site(`s${s}`, Array(hours).fill(1), Array(hours).fill(400)));
    const allSites = sites.map((_, s) => s);
    const jobsOf = (n: number) => Array.from({ length: n }, (_, j) => job(`j${j}`, hours, { allowedSites: allSites }));
    // 10 sites × 48 hours × n jobs job-site-hours, plus 480 site-hours (grid), against the
    // 10,000-variable limit: 19 jobs make 9,600 columns, 20 make 10,080.
    expect(mayPlanInThisThread(problem(hours, sites, jobsOf(19)))).toBe(true);
    expect(mayPlanInThisThread(problem(hours, sites, jobsOf(20)))).toBe(false);
    // Integers make a MILP, which is never solved here, however small.
    const small = jobsOf(1);
    expect(mayPlanInThisThread(problem(hours, sites, small, { options: { timeLimitSeconds: 30, mipGap: 1e-4, solver: 'highs', integerGpus: true } }))).toBe(false);
    expect(mayPlanInThisThread(problem(hours, sites, [{ ...small[0], interruptible: false }]))).toBe(false);
    expect(mayPlanInThisThread(problem(hours, sites, [{ ...small[0], minGpus: 1 }]))).toBe(false);
    expect(mayPlanInThisThread(problem(hours, sites, [{ ...small[0], checkpointMinutes: 10 }]))).toBe(false);
    // Data over a link: its ready gates are binaries. Data without a link to move it over is not.
    const withData = [{ ...small[0], data: { datasetGb: 100, dataSite: 0 } }];
    expect(mayPlanInThisThread(problem(hours, sites, withData))).toBe(true);
    expect(mayPlanInThisThread(problem(hours, sites, withData, { links: [{ fromSite: 0, toSite: 1, capacityGbPerHour: 450, energyKwhPerGb: 0 }] }))).toBe(false);
  });
});

describe('solveSmallModelsHere', () => {
  it('gives the benchmark tiny plan (3×24×10) the same plan as HiGHS in its worker thread', async () => {
    const p = benchmarkProblem({ sites: 3, hours: 24, jobs: 10, nonInterruptibleShare: 0 });
    expect(mayPlanInThisThread(p)).toBe(true);
    expect(solvesInThisThread(modelSize(firstStageModel(p)))).toBe(true);

    const here = await planProblem(p, { solve: solveSmallModelsHere });
    const inWorker = await planProblem(p); // solveModel: HiGHS in its worker thread
    expect(here.termination).toBe('optimal');
    expect(inWorker.termination).toBe('optimal');
    const a = here.solve.objective;
    const b = inWorker.solve.objective;
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    expect(here.solve.stages).toBe(inWorker.solve.stages);
    expect(here.plan).toEqual(inWorker.plan);
    expect(here.summary).toEqual(inWorker.summary);
    expect(here.check.passed).toBe(true);
  });

  it("stops at HiGHS's time limit in this thread too", async () => {
    // 4×48×25: 2,342 variables, within the limits; HiGHS needs tens of milliseconds for it, far
    // more than the 1 ms it is given.
    const model = firstStageModel(benchmarkProblem({ sites: 4, hours: 48, jobs: 25, nonInterruptibleShare: 0 }));
    expect(solvesInThisThread(modelSize(model))).toBe(true);
    const limited = await solveSmallModelsHere(model, 'highs', { timeLimitSeconds: 0.001, mipGap: 1e-4 });
    expect(limited.termination).toBe('time_limit_feasible');
    expect(limited.values).toBeDefined();
    const full = await solveSmallModelsHere(model, 'highs', { timeLimitSeconds: 60, mipGap: 1e-4 });
    expect(full.termination).toBe('optimal');
  });
});
