import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import { solveWithHighs } from './solveWithHighs.js';

/** The solver engines cosched can use. */
export type SolverEngine = 'highs' | 'jslp';

/**
 * Solves `model` with `engine`: 'highs' (the production solver, in a worker thread) or 'jslp'
 * (javascript-lp-solver, an LP cross-check for small instances that refuses MILPs). Resolves
 * with a SolveOutcome in every solver-related case; see the adapters for details. Rejects only
 * for an unknown engine name (a programming error).
 */
export function solveModel(model: LinearModel, engine: SolverEngine, options: SolveRunOptions): Promise<SolveOutcome> {
  switch (engine) {
    case 'highs':
      return solveWithHighs(model, options);
    case 'jslp':
      // Loaded on demand: javascript-lp-solver is 180 kB of JavaScript that a HiGHS plan does not need.
      return import('./solveWithJsLp.js').then(({ solveWithJsLp }) => solveWithJsLp(model, options));
    default: {
      const unknown: never = engine;
      return Promise.reject(new RangeError(`unknown solver engine ${JSON.stringify(unknown)}; use 'highs' or 'jslp'`));
    }
  }
}
