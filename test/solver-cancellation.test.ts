import { describe, expect, it } from 'vitest';
import type { SolveOutcome } from '../solver/solve/SolveOutcome.js';
import { HighsThread } from '../solver/solve/HighsThread.js';
import { solveWithHighs } from '../solver/solve/solveWithHighs.js';
import { solveWithJsLp } from '../solver/solve/solveWithJsLp.js';
import { multiDimensionalKnapsack, twoSitesOneHourLp } from './factories/linearModels.js';

/** Generous: measured 10–90 ms on a loaded 2-core machine; the solve itself needs > 5 s. */
const quicklyMs = 2_000;

/** Starts a long knapsack solve and aborts it once HiGHS reports an incumbent (mid-search). */
async function cancelMidSolve(solve: (signal: AbortSignal, onIncumbent: () => void) => Promise<SolveOutcome>) {
  const controller = new AbortController();
  let abortedAtMs = 0;
  const abort = () => {
    if (abortedAtMs) return;
    abortedAtMs = performance.now();
    controller.abort();
  };
  // Fallback in case no progress arrives (it should within ~200 ms of the search starting).
  const fallback = setTimeout(abort, 3_000);
  const outcome = await solve(controller.signal, abort);
  clearTimeout(fallback);
  return { outcome, latencyMs: performance.now() - abortedAtMs };
}

describe('solver cancellation', () => {
  it('stops a running MILP promptly with "cancelled" and ends its worker; the next solve gets a new one', async () => {
    const thread = new HighsThread();
    const { outcome, latencyMs } = await cancelMidSolve((signal, onIncumbent) =>
      thread.solve(multiDimensionalKnapsack(), {
        timeLimitSeconds: 60,
        mipGap: 0,
        signal,
        onProgress: (p) => p.incumbent !== undefined && onIncumbent(),
      }),
    );

    expect(outcome).toMatchObject({ status: 'warning', termination: 'cancelled' });
    expect(outcome.values).toBeUndefined();
    expect(latencyMs).toBeLessThan(quicklyMs);
    expect(thread.alive).toBe(false);
    expect(thread.busy).toBe(false);

    const next = await thread.solve(twoSitesOneHourLp(), { timeLimitSeconds: 30, mipGap: 0 });
    expect(next.termination).toBe('optimal');
    await thread.close();
    expect(thread.alive).toBe(false);
  });

  it('cancels through solveWithHighs too, and the shared worker is replaced', async () => {
    const { outcome, latencyMs } = await cancelMidSolve((signal, onIncumbent) =>
      solveWithHighs(multiDimensionalKnapsack({ seed: 7 }), {
        timeLimitSeconds: 60,
        mipGap: 0,
        signal,
        onProgress: (p) => p.incumbent !== undefined && onIncumbent(),
      }),
    );
    expect(outcome.termination).toBe('cancelled');
    expect(latencyMs).toBeLessThan(quicklyMs);
    expect((await solveWithHighs(twoSitesOneHourLp(), { timeLimitSeconds: 30, mipGap: 0 })).termination).toBe('optimal');
  });

  it('does not start a worker for an already aborted signal', async () => {
    const thread = new HighsThread();
    const outcome = await thread.solve(twoSitesOneHourLp(), { timeLimitSeconds: 30, mipGap: 0, signal: AbortSignal.abort() });
    expect(outcome.termination).toBe('cancelled');
    expect(thread.alive).toBe(false);
  });

  it('lets javascript-lp-solver see an abort issued right after the call', async () => {
    const controller = new AbortController();
    const pending = solveWithJsLp(twoSitesOneHourLp(), { timeLimitSeconds: 30, mipGap: 0, signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ status: 'warning', termination: 'cancelled' });
  });

  it('closing a thread mid-solve resolves the solve as cancelled', async () => {
    const thread = new HighsThread();
    let resolveStarted!: () => void;
    const started = new Promise<void>((resolve) => (resolveStarted = resolve));
    const pending = thread.solve(multiDimensionalKnapsack(), { timeLimitSeconds: 60, mipGap: 0, onProgress: () => resolveStarted() });
    await started;
    await thread.close();
    expect((await pending).termination).toBe('cancelled');
    expect(thread.alive).toBe(false);
  });
});
