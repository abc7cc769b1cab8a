import type { StandingPlanner } from '../../client/connectStandingPlanner.js';
import { decodePlanRunOperation } from '../../client/decodePlanRunOperation.js';
import type { Operation } from '../../generated/google/longrunning/operations.js';
import { planRunProgressLine } from './planRunProgressLine.js';
import type { StandingIo } from './StandingIo.js';

/** How long each WaitOperation call waits on the server before the progress line is redrawn (ms). */
export const waitStepMs = 1_000;

/**
 * Waits for the plan run `name` to end, with WaitOperation calls of about a second each, showing
 * a live progress line on a terminal (planRunProgressLine). Resolves with the last Operation seen:
 * done, or not when the wait was interrupted.
 *
 * Ctrl-C (`io.signal`) stops the WAIT only: the run goes on on the server, and a note on stderr
 * says so and how to follow or cancel it (`interrupted: true`). With `cancelOnInterrupt`, Ctrl-C
 * sends CancelOperation instead and waits for the run to end (CANCELLED, or done if it finished
 * first); a second Ctrl-C then ends the process.
 *
 * @throws CoschedError (fromGrpcError) when a call fails for another reason.
 */
export async function waitForPlanRun(
  planner: StandingPlanner,
  name: string,
  io: StandingIo,
  options: { cancelOnInterrupt: boolean; initial?: Operation },
): Promise<{ operation: Operation; interrupted: boolean }> {
  const startedMs = Date.now();
  const line = planRunProgressLine(io.stderr);
  let operation = options.initial;
  let cancelling = false;
  try {
    for (;;) {
      if (operation?.done) return { operation, interrupted: false };
      if (!cancelling && io.signal.aborted) {
        line.end();
        if (!options.cancelOnInterrupt) {
          io.stderr.write(`cosched: Ctrl-C: stopped waiting; ${name} goes on on the server. Follow it with 'cosched runs get ${name}', stop it with 'cosched runs cancel ${name}'.\n`);
          return { operation: operation ?? (await planner.getOperation(name)), interrupted: true };
        }
        io.stderr.write(`cosched: Ctrl-C: cancelling ${name} (Ctrl-C again to stop waiting)\n`);
        await planner.cancelOperation(name);
        cancelling = true;
      }
      try {
        // Once cancelling, the wait is no longer cut by the (already aborted) signal.
        operation = await planner.waitOperation(name, waitStepMs, cancelling ? undefined : io.signal);
      } catch (error) {
        if (!cancelling && io.signal.aborted) continue;
        throw error;
      }
      line.update(decodePlanRunOperation(operation), Date.now() - startedMs);
    }
  } finally {
    line.end();
  }
}
