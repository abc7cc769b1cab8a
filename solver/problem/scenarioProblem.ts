import type { Problem } from './Problem.js';

/**
 * The problem as it is in forecast scenario `k`: every site's green supply and carbon intensity
 * replaced by the scenario's, no scenarios left. Used to account and check a schedule in one
 * scenario with the ordinary accounting and checker. Pure; shares the unchanged arrays.
 * @throws Error when the problem has no scenario k.
 */
export function scenarioProblem(problem: Problem, k: number): Problem {
  const scenario = problem.scenarios?.[k];
  if (!scenario) throw new Error(`scenarioProblem: no scenario ${k}`);
  const { scenarios: _, ...rest } = problem;
  return {
    ...rest,
    sites: problem.sites.map((site, s) => ({
      ...site,
      greenSupplyMw: scenario.greenSupplyMw[s],
      carbonIntensityGPerKwh: scenario.carbonIntensityGPerKwh[s],
    })),
  };
}
