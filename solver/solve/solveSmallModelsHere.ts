import type { LinearModel } from '../model/LinearModel.js';
import { modelSize } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import { HighsInThisThread } from './HighsInThisThread.js';
import { solveModel, type SolverEngine } from './solveModel.js';
import { solvesInThisThread } from './solvesInThisThread.js';
import { restoreWasmTiering } from './loadHighs.js';

/** Loaded on the first small model; kept for the next ones. */
let here: HighsInThisThread | undefined;

/**
 * `solveModel` with a shortcut for small models, for planProblem's `callbacks.solve`: a HiGHS LP
 * that passes solvesInThisThread is solved in the calling thread (HighsInThisThread: no worker
 * thread to start, no warm-up solve, one HiGHS instance per thread kept across calls, compiled
 * for a quick start: see LoadHighsOptions.quickStart); any other
 * model goes to `solveModel` (HiGHS in its worker thread, or jslp). Same contract as solveModel,
 * except that a model solved here blocks the thread for its solve, so aborting `options.signal`
 * during it has no effect (HiGHS's time limit still holds; see solvesInThisThread).
 */
export async function solveSmallModelsHere(model: LinearModel, engine: SolverEngine, options: SolveRunOptions): Promise<SolveOutcome> {
  if (engine === 'highs' && solvesInThisThread(modelSize(model))) {
    here ??= new HighsInThisThread({ quickStart: true });
    return here.solve(model, options);
  }
  // A quick-start load turns V8's WebAssembly tier-up off for the process (see loadHighs): a HiGHS
  // worker started now would run its long solve unoptimised. Let a load in progress finish, then
  // turn tier-up back on before the worker compiles.
  if (engine === 'highs') {
    if (preloading) await preloading;
    restoreWasmTiering();
  }
  return solveModel(model, engine, options);
}

/** The preload in progress, until it settles. */
let preloading: Promise<unknown> | undefined;

/**
 * Starts loading the HiGHS instance that solveSmallModelsHere uses, so that a small model solved
 * soon after does not wait for it (the CLI calls this once a plan looks small, see
 * mayPlanInThisThread). Never rejects: a failed load is reported by the solve, as without it.
 */
export function preloadSmallModelSolver(): void {
  here ??= new HighsInThisThread({ quickStart: true });
  const load: Promise<unknown> = here.load().catch(() => undefined);
  preloading = load;
  void load.then(() => {
    if (preloading === load) preloading = undefined;
  });
}

