import fc from 'fast-check';
import type { Problem } from '../../solver/problem/Problem.js';
import { arbitraryProblem } from './arbitraryProblems.js';

/**
 * Small random problems (2-3 sites; interruptible and block jobs) with data at every job's home
 * site (1-40 GB) and links between most pairs of sites (10-40 GB an hour, 0-2 kWh/GB).
 */
export function arbitraryLinkedProblem(): fc.Arbitrary<Problem> {
  return arbitraryProblem().filter((problem) => problem.sites.length >= 2).chain((problem) => {
    const pairs = problem.sites.flatMap((_, a) => problem.sites.map((__, b) => [a, b] as const)).filter(([a, b]) => a !== b);
    return fc
      .record({
        linked: fc.array(fc.integer({ min: 0, max: 3 }).map((k) => k > 0), { minLength: pairs.length, maxLength: pairs.length }),
        capacities: fc.array(fc.integer({ min: 10, max: 40 }), { minLength: pairs.length, maxLength: pairs.length }),
        energies: fc.array(fc.constantFrom(0, 0, 0.5, 2), { minLength: pairs.length, maxLength: pairs.length }),
        datasets: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: problem.jobs.length, maxLength: problem.jobs.length }),
      })
      .map(({ linked, capacities, energies, datasets }): Problem => ({
        ...problem,
        links: pairs.flatMap(([a, b], k) => (linked[k] ? [{ fromSite: a, toSite: b, capacityGbPerHour: capacities[k], energyKwhPerGb: energies[k] }] : [])),
        jobs: problem.jobs.map((j, i) => (datasets[i] > 0 ? { ...j, data: { datasetGb: datasets[i], dataSite: j.homeSite } } : j)),
      }));
  });
}
