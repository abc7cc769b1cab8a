/**
 * Worker-thread entry that runs HiGHS for HighsThread: one solve at a time, off the main thread,
 * with one WebAssembly instance reused across solves. Speaks highsWorkerProtocol; the parent stops
 * a solve by terminating this thread.
 */
import { parentPort } from 'node:worker_threads';
import type { Highs, HighsCallbackMap, Model } from 'highs';
import type { HighsWorkerReply, HighsWorkerRequest } from './highsWorkerProtocol.js';
import type { SolveProgress } from './SolveOutcome.js';
import { loadHighs } from './loadHighs.js';

if (!parentPort) throw new Error('highsWorker must run in a worker thread');
const port = parentPort;

const loadStartedMs = performance.now();
// Loading starts when the thread starts, so it overlaps with the parent preparing the request.
// A failed load rejects unhandled, which ends the thread with an 'error' the parent reports.
const highsReady: Promise<Highs> = loadHighs();
void highsReady.then(() => post({ kind: 'ready', loadMs: performance.now() - loadStartedMs }));

port.on('message', (request: HighsWorkerRequest) => {
  void highsReady.then((highs) => solve(highs, request));
});

function post(reply: HighsWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function solve(highs: Highs, request: HighsWorkerRequest): void {
  const { id, model: m } = request;
  const numCols = m.colNames.length;
  const numRows = m.rowNames.length;
  const isMip = m.colInteger.some((flag) => flag !== 0);
  let model: Model | undefined;
  try {
    // Names stay out of HiGHS: passing them made createModel 7x slower (2.2 s instead of 0.3 s for
    // 300 k names) and nothing here reads them back; error messages get them from `m` instead.
    model = highs.createModel({
      numCols,
      numRows,
      offset: m.objectiveOffset,
      colCost: m.colCost,
      colLower: m.colLower,
      colUpper: m.colUpper,
      rowLower: m.rowLower,
      rowUpper: m.rowUpper,
      matrix: { format: 'csr', numRows, numCols, starts: m.rowStart, indices: m.index, values: m.value },
      integrality: isMip ? Int32Array.from(m.colInteger) : undefined,
    });
    setOption(model, 'output_flag', false);
    setOption(model, 'mip_rel_gap', request.mipGap);
    // The wrapper rejects an infinite time_limit; HiGHS's default already means "none".
    if (Number.isFinite(request.timeLimitSeconds)) setOption(model, 'time_limit', Math.max(0, request.timeLimitSeconds));
    const callbacks = progressCallbacks(highs, request, isMip);
    model.run(callbacks);

    const statuses = highs.constants.modelStatus;
    let modelStatus: number = model.getModelStatus();
    let resolvedWithoutPresolve = false;
    if (modelStatus === statuses.unboundedOrInfeasible) {
      // Presolve often cannot tell the two apart; the solver proper can. The time budget is
      // cumulative, so the re-solve only gets what is left of it.
      setOption(model, 'presolve', 'off');
      model.run(callbacks);
      const retried = model.getModelStatus();
      resolvedWithoutPresolve = true;
      if (retried === statuses.infeasible || retried === statuses.unbounded || retried === statuses.optimal) modelStatus = retried;
    }

    const primalFeasible = model.info.get('primal_solution_status') === highs.constants.solutionStatus.feasible;
    const values = primalFeasible ? model.getSolution().colValue : undefined;
    // HiGHS can return -0; -0 + 0 is +0, which keeps reports and equality checks plain.
    if (values) for (let j = 0; j < values.length; j++) values[j] += 0;
    post(
      {
        kind: 'result',
        id,
        modelStatus,
        primalFeasible,
        isMip,
        values,
        objective: primalFeasible ? model.getObjectiveValue() : undefined,
        mipGap: isMip ? Number(model.info.get('mip_gap')) : undefined,
        resolvedWithoutPresolve,
      },
      values ? [values.buffer as ArrayBuffer] : [],
    );
  } catch (error) {
    post({ kind: 'error', id, message: withNames(error instanceof Error ? `${error.name}: ${error.message}` : String(error), m) });
  } finally {
    try {
      model?.dispose();
    } catch {
      // After a WebAssembly abort dispose can throw too; the parent replaces this worker anyway.
    }
  }
}

/** Progress at most every `progressIntervalMs`: MIP bounds for a MILP, a heartbeat for an LP. */
function progressCallbacks(highs: Highs, request: HighsWorkerRequest, isMip: boolean): HighsCallbackMap {
  const intervalMs = request.progressIntervalMs;
  if (intervalMs <= 0) return {};
  let lastPostMs = performance.now();
  const maybePost = (progress: Omit<SolveProgress, 'elapsedMs'>): undefined => {
    const nowMs = performance.now();
    if (nowMs - lastPostMs < intervalMs) return;
    lastPostMs = nowMs;
    post({ kind: 'progress', id: request.id, progress });
  };
  const types = highs.constants.callbackType;
  if (isMip) {
    return {
      [types.mipInterrupt]: (event) =>
        maybePost({
          incumbent: finite(event.data.mip_primal_bound),
          bound: finite(event.data.mip_dual_bound),
          mipGap: finite(event.data.mip_gap),
        }),
    };
  }
  return {
    [types.simplexInterrupt]: () => maybePost({}),
    [types.ipmInterrupt]: () => maybePost({}),
  };
}

/** Sets one option; HiGHS's own error does not say which option or value it refused. */
function setOption(model: Model, name: string, value: boolean | number | string): void {
  try {
    model.options.set(name, value);
  } catch (error) {
    throw new Error(`HiGHS refused option ${name} = ${value}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Adds element names to HiGHS's index references: `colCost[3]` becomes `colCost[3] (gpus(j1,a,h0003))`. */
function withNames(message: string, m: HighsWorkerRequest['model']): string {
  return message.replace(/\b(col|row)(\w*)\[(\d+)\]/g, (match: string, axis: string, _field: string, i: string) => {
    const name = (axis === 'col' ? m.colNames : m.rowNames)[Number(i)];
    return name === undefined ? match : `${match} (${name})`;
  });
}

/** HiGHS reports "none yet" as null or ±Infinity; progress leaves such fields out. */
function finite(x: number | null | undefined): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}
