/**
 * Worker-thread entry that runs HiGHS for HighsThread: one solve at a time, off the main thread,
 * with one WebAssembly instance reused across solves. Speaks highsWorkerProtocol; the parent stops
 * a solve by terminating this thread. The solve itself is solveHighsInThisThread.
 */
import { parentPort } from 'node:worker_threads';
import type { Highs } from 'highs';
import type { HighsWorkerReply, HighsWorkerRequest } from './highsWorkerProtocol.js';
import { loadHighs } from './loadHighs.js';
import { solveHighsInThisThread } from './solveHighsInThisThread.js';
import { warmUpModel } from './warmUpModel.js';

if (!parentPort) throw new Error('highsWorker must run in a worker thread');
const port = parentPort;

const loadStartedMs = performance.now();
// Loading starts when the thread starts, so it overlaps with the parent preparing the request.
// A failed load rejects unhandled, which ends the thread with an 'error' the parent reports.
// The warm-up solve (about 50 ms) compiles the simplex's hot code before the first real model
// arrives; a failure there is ignored, as the real solve reports its own.
const highsReady: Promise<Highs> = loadHighs().then((highs) => {
  try {
    solveHighsInThisThread(highs, { model: warmUpModel(), timeLimitSeconds: 5, mipGap: 1e-4, progressIntervalMs: 0 });
  } catch {
    // Nothing to do: see above.
  }
  return highs;
});
void highsReady.then(() => post({ kind: 'ready', loadMs: performance.now() - loadStartedMs }));

port.on('message', (request: HighsWorkerRequest) => {
  void highsReady.then((highs) => solve(highs, request));
});

function post(reply: HighsWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function solve(highs: Highs, request: HighsWorkerRequest): void {
  const { id } = request;
  try {
    const result = solveHighsInThisThread(highs, request, (progress) => post({ kind: 'progress', id, progress }));
    const transfer = [result.values, result.rowDuals, result.colDuals].filter((array) => array !== undefined).map((array) => array.buffer as ArrayBuffer);
    post({ kind: 'result', id, ...result }, transfer);
  } catch (error) {
    post({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
}
