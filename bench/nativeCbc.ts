/**
 * Native CBC (Debian `coinor-cbc`, `cbc` 2.10) on an LP file written by writeLpFormat: the command
 * line and how to read its answers. Used by the benchmark (runBenchmark.ts, which runs it with a
 * watchdog and measures it) and by test/cbc-cross-check.test.ts (which compares its optimum with
 * HiGHS's on random instances).
 */

/** What CBC concluded. */
export type CbcStatus = 'optimal' | 'time_limit' | 'infeasible' | 'failed';

/** CBC's answer as read from its output. */
export interface CbcAnswer {
  status: CbcStatus;
  objective?: number;
  /** CBC's own `(Wallclock seconds)` figure, when printed. */
  reportedWallSeconds?: number;
  error?: string;
}

/** How to run CBC on one LP file. */
export interface CbcRunSettings {
  timeLimitSeconds: number;
  /** Relative MIP gap (`-ratio`); 0 asks for a proven optimum. */
  mipGap: number;
  /** Also write the solution file there (`-solution`): status line and every column's value. */
  solutionPath?: string;
}

/**
 * The arguments of `cbc` for `lpPath`: `FILE.lp -sec S -ratio GAP -solve [-solution OUT] -quit`.
 * With mipGap 0 the absolute gap is 0 too (`-allowableGap 0`), so that a MILP is closed exactly.
 */
export function cbcArguments(lpPath: string, settings: CbcRunSettings): string[] {
  const args = [lpPath, '-sec', String(settings.timeLimitSeconds), '-ratio', String(settings.mipGap)];
  if (settings.mipGap === 0) args.push('-allowableGap', '0');
  args.push('-solve');
  if (settings.solutionPath !== undefined) args.push('-solution', settings.solutionPath);
  args.push('-quit');
  return args;
}

/**
 * CBC 2.10's output: MILPs end with `Result - Optimal solution found` / `Result - Stopped on time
 * limit` and `Objective value: X`; LPs with `Optimal objective X - N iterations ...` (or
 * `Stopped objective X`, not a feasible point) and no Result line when optimal.
 * The printed objective has 8 significant digits at most; the solution file
 * (parseCbcSolutionFile) has the same.
 */
export function parseCbcOutput(text: string): CbcAnswer {
  const resultLine = /^Result - (.*)$/m.exec(text)?.[1] ?? '';
  const mipObjective = /^Objective value:\s+(\S+)/m.exec(text)?.[1];
  const lpOptimal = /^Optimal objective (\S+) - /m.exec(text)?.[1];
  const reportedWallSeconds = Number(/\(Wallclock seconds\):\s+(\S+)/.exec(text)?.[1] ?? NaN);
  const wall = Number.isFinite(reportedWallSeconds) ? reportedWallSeconds : undefined;
  if (/infeasible/i.test(resultLine) || /^(Problem is infeasible|Infeasible)/m.test(text)) return { status: 'infeasible', reportedWallSeconds: wall };
  if (/Optimal solution found/.test(resultLine) && mipObjective !== undefined) return { status: 'optimal', objective: Number(mipObjective), reportedWallSeconds: wall };
  if (/time limit/i.test(resultLine)) {
    return { status: 'time_limit', objective: mipObjective !== undefined ? Number(mipObjective) : undefined, reportedWallSeconds: wall };
  }
  if (lpOptimal !== undefined) return { status: 'optimal', objective: Number(lpOptimal), reportedWallSeconds: wall };
  return { status: 'failed', reportedWallSeconds: wall, error: text.trim().split('\n').slice(-3).join(' | ') };
}

/**
 * The first line of CBC's solution file (`-solution OUT`): `Optimal - objective value 30.5`,
 * `Stopped on time - objective value …`, `Infeasible - objective value …`. The same status and
 * objective for LPs and MILPs; a time limit counts as `time_limit` with the incumbent's objective.
 */
export function parseCbcSolutionFile(text: string): CbcAnswer {
  const first = text.split('\n', 1)[0].trim();
  const match = /^(.*?)\s+-\s+objective value\s+(\S+)/.exec(first);
  if (!match) return { status: 'failed', error: `unexpected first line of the solution file: ${JSON.stringify(first)}` };
  const [, head, value] = match;
  const objective = Number(value);
  if (/^Optimal/i.test(head)) return { status: 'optimal', objective };
  if (/infeasible/i.test(head)) return { status: 'infeasible' };
  if (/time/i.test(head)) return { status: 'time_limit', objective };
  return { status: 'failed', objective, error: `CBC's solution file says ${JSON.stringify(head)}` };
}
