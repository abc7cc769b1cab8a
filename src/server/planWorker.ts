/**
 * Worker-thread entry that runs whole plans for PlanWorkerPool: `planProblem` (baseline, model
 * building, every solve stage, accounting and the independent check) off the main thread, with
 * HiGHS solving in this same thread (HighsInThisThread), its WebAssembly instance loaded once and
 * reused across plans. Speaks planWorkerProtocol. The pool stops a plan by terminating the thread.
 */
import { parentPort } from 'node:worker_threads';
import type { PlanCallbacks } from '../../solver/plan/PlanCallbacks.js';
import { planProblem } from '../../solver/plan/planProblem.js';
import { HighsInThisThread } from '../../solver/solve/HighsInThisThread.js';
import { solveModel } from '../../solver/solve/solveModel.js';
import type { PlanWorkerReply, PlanWorkerRequest } from './planWorkerProtocol.js';
import { toPlanWorkerError } from './toPlanWorkerError.js';

if (!parentPort) throw new Error('planWorker must run in a worker thread');
const port = parentPort;
const highs = new HighsInThisThread();

/** HiGHS here, in this thread; javascript-lp-solver (synchronous anyway) through solveModel. */
const solve: NonNullable<PlanCallbacks['solve']> = (model, engine, options) => (engine === 'highs' ? highs.solve(model, options) : solveModel(model, engine, options));

// A failed load rejects unhandled, which ends the thread with an 'error' the pool reports.
void highs.load().then((loadMs) => post({ kind: 'ready', loadMs }));

port.on('message', (request: PlanWorkerRequest) => void plan(request));

async function plan({ id, problem, events }: PlanWorkerRequest): Promise<void> {
  try {
    const result = await planProblem(problem, { solve, onEvent: events ? (event) => post({ kind: 'event', id, event }) : undefined });
    post({ kind: 'result', id, result });
  } catch (error) {
    post({ kind: 'failed', id, error: toPlanWorkerError(error) });
  }
}

function post(reply: PlanWorkerReply): void {
  port.postMessage(reply);
}
