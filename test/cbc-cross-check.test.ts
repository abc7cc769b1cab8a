/**
 * Issue 13: "Cross-checked against native CBC (Debian `coinor-cbc`) on random instances with every
 * extension on: same optimum within 1e-6 relative."
 *
 * Each random instance's first-stage model (buildModel, stage 'weighted', as `--dump-lp` writes it)
 * goes through writeLpFormat to an LP file, which native `cbc` solves (bench/nativeCbc.ts: the
 * command line and the solution file's first line, as the benchmark runs it); HiGHS solves the
 * same model in memory (solveModel). Both prove optimality (MIP gap 0; CBC's absolute gap 0 too)
 * and must agree: |HiGHS - CBC| <= 1e-6·max(1, |CBC|) (relative, absolute below 1: CBC prints 8
 * significant digits and HiGHS keeps its default absolute MIP gap of 1e-6).
 *
 * The extensions are a list (`extensions` below): each adds itself to a random instance and names
 * the features an instance then shows. After the runs, every feature must have been seen at least
 * once, so that the seeded instances really exercise each extension. Adding an extension (links
 * between sites, integer GPUs, …) is one more entry. CBC must be installed: vitest's globalSetup
 * (test/setup/ensureDebianPackages.ts) installs coinor-cbc on a fresh Debian machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cbcArguments, parseCbcSolutionFile, type CbcAnswer } from '../bench/nativeCbc.js';
import { buildModel } from '../solver/model/buildModel.js';
import type { LinearModel } from '../solver/model/LinearModel.js';
import { writeLpFormat } from '../solver/model/writeLpFormat.js';
import type { Problem, RiskMeasureData } from '../solver/problem/Problem.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { twoSitesOneHourLp, twoSitesOneHourLpOptimum } from './factories/linearModels.js';

const execFileAsync = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'cosched-cbc-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let lpFiles = 0;

/**
 * Writes `model` with writeLpFormat and solves the file with native CBC to a proven optimum (in a
 * child process, so that HiGHS's worker thread can solve the same model meanwhile).
 */
async function solveWithNativeCbc(model: LinearModel): Promise<CbcAnswer> {
  const name = `model${++lpFiles}`;
  const lpPath = join(workDir, `${name}.lp`);
  const solutionPath = join(workDir, `${name}.sol`);
  writeFileSync(lpPath, writeLpFormat(model, name));
  try {
    await execFileAsync('cbc', cbcArguments(lpPath, { timeLimitSeconds: 30, mipGap: 0, solutionPath }), { encoding: 'utf8', timeout: 60_000 });
  } catch (error) {
    const { code, stdout } = error as { code?: string | number; stdout?: string };
    throw new Error(code === 'ENOENT' ? 'cannot run cbc: install the Debian package coinor-cbc' : `cbc failed (${String(code)}): ${String(stdout ?? '').slice(-500)}`);
  }
  return parseCbcSolutionFile(readFileSync(solutionPath, 'utf8'));
}

/** |a - b| / max(1, |b|). */
const relativeDifference = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

/** One model extension on random instances: how an instance gets it, and what an instance then shows. */
interface Extension {
  name: string;
  /** The instance with this extension added (possibly switched off at random). */
  add: (p: Problem) => fc.Arbitrary<Problem>;
  /** The features of this extension that `p` exercises; every feature listed in `covers` must show up in some run. */
  features: (p: Problem, model: LinearModel) => string[];
  covers: string[];
}

const riskMeasures: fc.Arbitrary<RiskMeasureData> = fc.oneof(
  fc.constant({ kind: 'expected' as const }),
  fc.constant({ kind: 'worst' as const }),
  fc.constantFrom(0.5, 0.8).map((alpha) => ({ kind: 'cvar' as const, alpha })),
);

const extensions: Extension[] = [
  {
    // The base instances already have them (arbitraryProblem's options below); most of its sites
    // have a battery, so half of them lose it here: sites without one have the R5 offset.
    name: 'jobs, limits and storage',
    add: (p) =>
      fc.array(fc.boolean(), { minLength: p.sites.length, maxLength: p.sites.length }).map((keep) => ({
        ...p,
        sites: p.sites.map(({ storage, ...site }, s) => (keep[s] && storage ? { ...site, storage } : site)),
      })),
    features: (p) => [
      ...(p.jobs.some((j) => !j.interruptible) ? ['non-interruptible job'] : []),
      ...(p.jobs.some((j) => j.interruptible && j.minGpus > 0) ? ['minGpus'] : []),
      ...(p.sites.some((s) => Number.isFinite(s.gridImportLimitMw)) ? ['grid import limit'] : []),
      ...(p.sites.some((s) => s.storage?.chargeFromGrid === true) ? ['storage charging from the grid'] : []),
      ...(p.sites.some((s) => s.storage?.chargeFromGrid === false) ? ['storage charging from green supply only'] : []),
    ],
    covers: ['non-interruptible job', 'minGpus', 'grid import limit', 'storage charging from the grid', 'storage charging from green supply only'],
  },
  {
    name: 'forecast scenarios and risk measures',
    add: (p) =>
      fc
        .record({
          // 0 or 1: no scenarios (the sites' own forecasts); 2-3 scenarios otherwise.
          count: fc.integer({ min: 1, max: 3 }),
          factors: fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: p.hours, maxLength: p.hours }), { minLength: 3, maxLength: 3 }),
          intensityShift: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 3, maxLength: 3 }),
          weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
          risk: riskMeasures,
        })
        .map(({ count, factors, intensityShift, weights, risk }): Problem => {
          if (count === 1) return p;
          const total = weights.slice(0, count).reduce((a, b) => a + b, 0);
          return {
            ...p,
            objective: { ...p.objective, risk },
            scenarios: factors.slice(0, count).map((factor, k) => ({
              name: `k${k}`,
              probability: weights[k] / total,
              greenSupplyMw: p.sites.map((site) => site.greenSupplyMw.map((g, t) => (g * factor[t]) / 10)),
              carbonIntensityGPerKwh: p.sites.map((site) => site.carbonIntensityGPerKwh.map((c) => Math.max(0, c + intensityShift[k]))),
            })),
          };
        }),
    features: (p) => (p.scenarios ? [`scenarios, risk ${p.objective.risk?.kind ?? 'expected'}`] : []),
    covers: ['scenarios, risk expected', 'scenarios, risk worst', 'scenarios, risk cvar'],
  },
  {
    // Links from each job's home site to its other sites, and data at home for some jobs.
    name: 'links and job data',
    add: (p) =>
      fc.record({ on: fc.boolean(), gb: fc.constantFrom(1, 5, 20), capacity: fc.constantFrom(2, 10), energy: fc.constantFrom(0, 0.5) }).map(({ on, gb, capacity, energy }): Problem => {
        if (!on || p.sites.length < 2) return p;
        const links = p.sites.flatMap((_, from) => p.sites.map((__, to) => ({ fromSite: from, toSite: to, capacityGbPerHour: capacity, energyKwhPerGb: energy }))).filter((link) => link.fromSite !== link.toSite);
        return { ...p, links, jobs: p.jobs.map((job, j) => (j % 2 === 0 ? { ...job, data: { datasetGb: gb, dataSite: job.homeSite } } : job)) };
      }),
    features: (p) => (p.links && p.jobs.some((job) => job.data) ? ['links with job data'] : []),
    covers: ['links with job data'],
  },
  {
    // Whole GPUs, one site per hour, checkpoints.
    name: 'executable schedules',
    add: (p) =>
      fc.record({ integerGpus: fc.boolean(), checkpointMinutes: fc.constantFrom(0, 15) }).map(({ integerGpus, checkpointMinutes }): Problem => ({
        ...p,
        options: { ...p.options, ...(integerGpus ? { integerGpus: true } : {}) },
        jobs: p.jobs.map((job) => (job.interruptible && checkpointMinutes > 0 ? { ...job, checkpointMinutes } : job)),
      })),
    features: (p) => [...(p.options.integerGpus ? ['integer GPUs'] : []), ...(p.jobs.some((job) => (job.checkpointMinutes ?? 0) > 0) ? ['checkpoints'] : [])],
    covers: ['integer GPUs', 'checkpoints'],
  },
  {
    name: 'carbon and cost weights',
    add: (p) => fc.constantFrom(0, 0.5).map((costWeight) => ({ ...p, objective: { ...p.objective, costWeight } })),
    features: (p, model) => [...(p.objective.costWeight > 0 ? ['cost weight'] : []), ...(model.objectiveOffset !== 0 ? ['objective offset'] : [])],
    covers: ['cost weight', 'objective offset'],
  },
];

const withEveryExtension: fc.Arbitrary<Problem> = extensions.reduce(
  (instances, extension) => instances.chain(extension.add),
  arbitraryProblem({ withStorage: true, withLimits: true, withMinGpus: true, tightCapacity: true }),
);

describe('native CBC cross-check', () => {
  it('CBC reads what the LP writer writes: free, fixed, negative-bounded columns, ranged rows and the objective offset', async () => {
    const answer = await solveWithNativeCbc(twoSitesOneHourLp());
    expect(answer.status).toBe('optimal');
    expect(answer.objective).toBeCloseTo(twoSitesOneHourLpOptimum.objective, 9);
  });

  it('HiGHS and CBC find the same optimum on random instances with every extension on', async () => {
    const seen = new Map<string, number>();
    let integerModels = 0;
    await fc.assert(
      fc.asyncProperty(withEveryExtension, async (p) => {
        const { model } = buildModel(p, undefined, { start: false });
        for (const extension of extensions) for (const feature of extension.features(p, model)) seen.set(feature, (seen.get(feature) ?? 0) + 1);
        if (model.colInteger.some((flag) => flag !== 0)) integerModels++;
        const [highs, cbc] = await Promise.all([solveModel(model, 'highs', { timeLimitSeconds: 30, mipGap: 0 }), solveWithNativeCbc(model)]);
        expect(highs.termination).toBe('optimal');
        expect(cbc.status).toBe('optimal');
        expect(relativeDifference(highs.objective!, cbc.objective!)).toBeLessThanOrEqual(1e-6);
      }),
      { numRuns: 15, seed: 13 },
    );
    for (const feature of extensions.flatMap((e) => e.covers)) expect(seen.get(feature) ?? 0, `runs with ${feature}`).toBeGreaterThan(0);
    expect(integerModels, 'MILPs among the runs').toBeGreaterThan(0);
  });
});
