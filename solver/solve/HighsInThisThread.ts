import type { Highs } from 'highs';
import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import { highsEngineName } from './engineNames.js';
import { highsRunOutcome } from './highsRunOutcome.js';
import { loadHighs, type LoadHighsOptions } from './loadHighs.js';
import { solveEmptyModel } from './solveEmptyModel.js';
import { solveHighsInThisThread } from './solveHighsInThisThread.js';
import { adapterTerminations } from './terminationTable.js';

/**
 * HiGHS loaded in the current thread, as a solver with the same contract as `solveWithHighs`
 * (a SolveOutcome for every solver-related case, never a rejection). For code that already runs
 * in a worker thread, such as a plan worker running all of `planProblem` off the main thread: it
 * avoids starting a second thread per solve and keeps one WebAssembly instance per thread.
 *
 * Differences from HighsThread, because the solve blocks this thread:
 * - `options.signal` is looked at only before the solve starts (an aborted signal gives
 *   'cancelled'); to stop a running solve, terminate the thread.
 * - There is no watchdog; HiGHS's own time limit applies.
 * - When HiGHS throws, the outcome is 'solver_error' with its message, and the instance is
 *   dropped (its WebAssembly state may be damaged): the next solve loads a fresh one.
 */
export class HighsInThisThread {
  private instance: Promise<Highs> | undefined;
  private readonly progressIntervalMs: number;
  private readonly loadOptions: LoadHighsOptions;

  /**
   * `progressIntervalMs`: minimum ms between progress reports, default 200. `quickStart`:
   * see LoadHighsOptions (for a few short solves in a short-lived process), default false.
   */
  constructor(options: { progressIntervalMs?: number } & LoadHighsOptions = {}) {
    this.progressIntervalMs = options.progressIntervalMs ?? 200;
    this.loadOptions = { quickStart: options.quickStart ?? false };
  }

  /** Loads HiGHS if not yet loaded; resolves with the load time in ms (0 when already loaded). Rejects if loading fails. */
  async load(): Promise<number> {
    const startedMs = performance.now();
    if (this.instance) {
      await this.instance;
      return 0;
    }
    this.instance = loadHighs(this.loadOptions);
    this.instance.catch(() => (this.instance = undefined));
    await this.instance;
    return performance.now() - startedMs;
  }

  /** Solves `model`; see the class contract. `options.onProgress` gets MIP incumbent/bound/gap as they come. */
  async solve(model: LinearModel, options: SolveRunOptions): Promise<SolveOutcome> {
    const startedMs = performance.now();
    const isMip = model.colInteger.some((flag) => flag !== 0);
    const failed = (solverStatus: string, termination = adapterTerminations.solverError): SolveOutcome => ({
      ...termination,
      mipGap: isMip ? Infinity : 0,
      solver: highsEngineName(),
      solverStatus,
      solveMs: performance.now() - startedMs,
    });
    if (options.signal?.aborted) return failed('cancelled by the caller', adapterTerminations.cancelled);
    const empty = solveEmptyModel(model, highsEngineName());
    if (empty) return empty;

    let highs: Highs;
    try {
      await this.load();
      highs = await this.instance!;
    } catch (error) {
      return failed(`cannot load HiGHS: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      const run = solveHighsInThisThread(
        highs,
        {
          model,
          timeLimitSeconds: options.timeLimitSeconds,
          mipGap: options.mipGap,
          progressIntervalMs: options.onProgress ? this.progressIntervalMs : 0,
          duals: options.duals ?? false,
        },
        (progress) => {
          try {
            options.onProgress?.({ elapsedMs: performance.now() - startedMs, ...withoutUndefined(progress) });
          } catch {
            // A failing progress listener must not end the solve.
          }
        },
      );
      return highsRunOutcome(run, startedMs);
    } catch (error) {
      this.instance = undefined;
      return failed(error instanceof Error ? error.message : String(error));
    }
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
