import { describe, expect, it } from 'vitest';
import { loadHighs } from '../solver/solve/loadHighs.js';
import { highsStatusCode, highsStatusName, highsTermination, jsLpTermination, type HighsModelStatusName } from '../solver/solve/terminationTable.js';

const code = (name: HighsModelStatusName) => highsStatusCode(name);

describe('the termination table', () => {
  it('knows every HiGHS model status of the installed highs, under the same code', async () => {
    const highs = await loadHighs();
    for (const [name, value] of Object.entries(highs.constants.modelStatus)) {
      expect(highsStatusName(value), name).toBe(name);
    }
  });

  it('maps HiGHS statuses to a status level and termination', () => {
    const cases: Array<[HighsModelStatusName, boolean, string, string]> = [
      ['optimal', true, 'ok', 'optimal'],
      ['infeasible', false, 'warning', 'infeasible'],
      ['unbounded', true, 'warning', 'unbounded'],
      ['unboundedOrInfeasible', false, 'warning', 'infeasible'],
      ['timeLimit', true, 'ok', 'time_limit_feasible'],
      ['timeLimit', false, 'warning', 'time_limit_no_solution'],
      ['iterationLimit', true, 'ok', 'time_limit_feasible'],
      ['solutionLimit', true, 'ok', 'time_limit_feasible'],
      ['objectiveTarget', false, 'warning', 'time_limit_no_solution'],
      ['interrupted', true, 'warning', 'cancelled'],
      ['modelError', false, 'error', 'solver_error'],
      ['notSet', false, 'error', 'solver_error'],
    ];
    for (const [name, primalFeasible, status, termination] of cases) {
      expect(highsTermination({ modelStatus: code(name), primalFeasible }), name).toMatchObject({ status, termination });
    }
    expect(highsTermination({ modelStatus: code('timeLimit'), primalFeasible: true }).text).toBe('Time limit reached');
  });

  it('never calls an answer without a feasible point optimal, and names unknown codes', () => {
    expect(highsTermination({ modelStatus: code('optimal'), primalFeasible: false })).toMatchObject({ termination: 'solver_error' });
    expect(highsTermination({ modelStatus: 99, primalFeasible: true })).toEqual({ status: 'error', termination: 'solver_error', text: 'HiGHS model status 99' });
  });

  it('never labels a javascript-lp-solver MILP optimal or infeasible when its time limit hit', () => {
    const base = { bounded: true, isMilp: true, hitTimeLimit: true, cycled: false };
    expect(jsLpTermination({ ...base, feasible: true, integral: true }).termination).toBe('time_limit_feasible');
    expect(jsLpTermination({ ...base, feasible: true, integral: false }).termination).toBe('time_limit_no_solution');
    expect(jsLpTermination({ ...base, feasible: false, integral: false }).termination).toBe('time_limit_no_solution');
    expect(jsLpTermination({ ...base, hitTimeLimit: false, feasible: true, integral: true }).termination).toBe('optimal');
  });

  it('maps javascript-lp-solver LP flags, treating a detected cycle as a solver error', () => {
    const lp = { isMilp: false, hitTimeLimit: false, cycled: false, integral: false };
    expect(jsLpTermination({ ...lp, feasible: true, bounded: true })).toEqual({ status: 'ok', termination: 'optimal' });
    expect(jsLpTermination({ ...lp, feasible: true, bounded: false })).toEqual({ status: 'warning', termination: 'unbounded' });
    expect(jsLpTermination({ ...lp, feasible: false, bounded: true })).toEqual({ status: 'warning', termination: 'infeasible' });
    expect(jsLpTermination({ ...lp, feasible: false, bounded: true, cycled: true })).toEqual({ status: 'error', termination: 'solver_error' });
  });
});
