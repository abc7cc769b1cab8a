import type { Worker } from 'node:worker_threads';
import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import type { HighsWorkerReply, HighsWorkerRequest } from './highsWorkerProtocol.js';
import { highsEngineName } from './engineNames.js';
import { highsRunOutcome } from './highsRunOutcome.js';
import { solveEmptyModel } from './solveEmptyModel.js';
import { startWorkerThread } from './startWorkerThread.js';
import { adapterTerminations, type Termination } from './terminationTable.js';

/** Settings for a HighsThread. */
export interface HighsThreadOptions {
  /** Minimum ms between progress reports. Default 200. */
  progressIntervalMs?: number;
  /**
   * How long past its time limit HiGHS may run (model transfer and setup included) before the
   * watchdog stops the worker. Default: 10 s plus a quarter of the limit.
   */
  overrunGraceMs?: (timeLimitSeconds: number) => number;
}

interface RunningSolve {
  id: number;
  startedMs: number;
  isMip: boolean;
  options: SolveRunOptions;
  /** Set once the worker is being terminated; replies and exit events no longer count. */
  stopping: boolean;
  finish: (outcome: SolveOutcome) => void;
}

/**
 * One HiGHS worker thread, kept alive across solves so that the WebAssembly instance is loaded
 * once. `solveWithHighs` uses one shared instance. (The gRPC server runs whole plans in its own
 * worker threads instead, with HiGHS in those threads: see HighsInThisThread.)
 *
 * Contract:
 * - The worker starts lazily on the first `solve()` (or `warmUp()`), and does not keep the process
 *   alive while idle.
 * - One solve at a time: `solve()` while `busy` rejects. It otherwise never rejects: every engine
 *   result, failure, crash or cancellation resolves as a SolveOutcome.
 * - Aborting `options.signal` terminates the worker at once (stopping the WebAssembly solve and
 *   freeing its CPU) and resolves 'cancelled' once the thread is gone; the next `solve()` starts
 *   a fresh worker. The same happens after an engine error, a worker crash, or a watchdog stop
 *   (HiGHS still running well past its time limit).
 * - The caller's model is copied for transfer, never detached or modified.
 */
export class HighsThread {
  private worker: Worker | undefined;
  private ready: Promise<number> | undefined;
  private running: RunningSolve | undefined;
  private nextId = 1;
  private readonly progressIntervalMs: number;
  private readonly overrunGraceMs: (timeLimitSeconds: number) => number;

  constructor(options: HighsThreadOptions = {}) {
    this.progressIntervalMs = options.progressIntervalMs ?? 200;
    this.overrunGraceMs = options.overrunGraceMs ?? ((limitSeconds) => 10_000 + 250 * limitSeconds);
  }

  /** True while a solve is in progress (including the moments its worker takes to stop). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** True while a worker thread exists (started and not yet exited or terminated). */
  get alive(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Starts the worker if needed and resolves with HiGHS's load time in ms once it is ready.
   * Rejects if the worker fails to start or to load HiGHS.
   */
  warmUp(): Promise<number> {
    this.ensureWorker();
    return this.ready!;
  }

  /**
   * Solves `model` with HiGHS in the worker; see the class contract. `options.onProgress`
   * receives MIP incumbent/bound/gap (for an LP an elapsed-time heartbeat) at most every
   * `progressIntervalMs`. A non-finite time limit means none (and no watchdog).
   */
  solve(model: LinearModel, options: SolveRunOptions): Promise<SolveOutcome> {
    if (this.running) return Promise.reject(new Error('HighsThread is busy: one solve at a time'));
    const startedMs = performance.now();
    const isMip = model.colInteger.some((flag) => flag !== 0);
    if (options.signal?.aborted) return Promise.resolve(cancelledOutcome(startedMs, isMip));
    const empty = solveEmptyModel(model, highsEngineName());
    if (empty) return Promise.resolve(empty);

    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (error) {
      return Promise.resolve(failedOutcome(startedMs, isMip, `cannot start the HiGHS worker: ${String(error)}`, adapterTerminations.solverError));
    }
    const cleanups: Array<() => void> = [];
    return new Promise<SolveOutcome>((resolve) => {
      const running: RunningSolve = {
        id: this.nextId++,
        startedMs,
        isMip,
        options,
        stopping: false,
        finish: (outcome) => {
          if (this.running !== running) return;
          this.running = undefined;
          for (const cleanup of cleanups) cleanup();
          this.worker?.unref();
          resolve(outcome);
        },
      };
      this.running = running;

      const signal = options.signal;
      if (signal) {
        const onAbort = () => void this.stop(running, () => cancelledOutcome(startedMs, isMip));
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
      if (Number.isFinite(options.timeLimitSeconds)) {
        const graceMs = this.overrunGraceMs(options.timeLimitSeconds);
        const timer = setTimeout(
          () =>
            void this.stop(running, () =>
              failedOutcome(startedMs, isMip, `HiGHS was stopped ${Math.round(graceMs)} ms after its ${options.timeLimitSeconds} s time limit`, adapterTerminations.overrun),
            ),
          Math.max(0, options.timeLimitSeconds * 1000) + graceMs,
        );
        cleanups.push(() => clearTimeout(timer));
      }

      worker.ref();
      try {
        const request = transferableRequest(running.id, model, options, options.onProgress ? this.progressIntervalMs : 0);
        worker.postMessage(request.message, request.transfer);
      } catch (error) {
        // E.g. a model that cannot be cloned; the worker is fine but idle.
        running.finish(failedOutcome(startedMs, isMip, `cannot send the model to the HiGHS worker: ${String(error)}`, adapterTerminations.solverError));
      }
    });
  }

  /** Terminates the worker; a solve in progress resolves 'cancelled'. */
  async close(): Promise<void> {
    const running = this.running;
    if (running) await this.stop(running, () => cancelledOutcome(running.startedMs, running.isMip));
    else await this.terminateWorker();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorkerThread(new URL('./highsWorker.js', import.meta.url));
    this.worker = worker;
    this.ready = new Promise<number>((resolve, reject) => {
      worker.on('message', (reply: HighsWorkerReply) => {
        if (reply.kind === 'ready') resolve(reply.loadMs);
        else this.onReply(worker, reply);
      });
      worker.on('error', (error) => {
        reject(error);
        this.onWorkerGone(worker, `HiGHS worker failed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        reject(new Error(`HiGHS worker exited with code ${code} before it was ready`));
        this.onWorkerGone(worker, `HiGHS worker exited with code ${code}`);
      });
    });
    // Nobody need wait on `ready`; a failure also reaches the running solve through onWorkerGone.
    this.ready.catch(() => undefined);
    // After the listeners: adding a 'message' listener refs the worker's port again, and an idle
    // worker must not keep the process alive (a CLI that fails on its input must still exit).
    worker.unref();
    return worker;
  }

  private onReply(worker: Worker, reply: Exclude<HighsWorkerReply, { kind: 'ready' }>): void {
    const running = this.running;
    if (!running || running.stopping || reply.id !== running.id || worker !== this.worker) return;
    if (reply.kind === 'progress') {
      try {
        running.options.onProgress?.({ elapsedMs: performance.now() - running.startedMs, ...withoutUndefined(reply.progress) });
      } catch {
        // A failing progress listener (say, a closed stream) must not crash the process or the solve.
      }
    } else if (reply.kind === 'error') {
      // HiGHS threw: its WebAssembly state may be damaged, so this worker is not reused.
      void this.stop(running, () => failedOutcome(running.startedMs, running.isMip, reply.message, adapterTerminations.solverError));
    } else {
      running.finish(highsRunOutcome(reply, running.startedMs));
    }
  }

  private onWorkerGone(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.ready = undefined;
    const running = this.running;
    if (running && !running.stopping) running.finish(failedOutcome(running.startedMs, running.isMip, reason, adapterTerminations.solverError));
  }

  /** Ends `running` by terminating the worker, then finishes it with `outcome()`. */
  private async stop(running: RunningSolve, outcome: () => SolveOutcome): Promise<void> {
    if (running.stopping || this.running !== running) return;
    running.stopping = true;
    await this.terminateWorker();
    running.finish(outcome());
  }

  private async terminateWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.ready = undefined;
    await worker.terminate();
  }
}

function cancelledOutcome(startedMs: number, isMip: boolean): SolveOutcome {
  return failedOutcome(startedMs, isMip, 'cancelled by the caller', adapterTerminations.cancelled);
}

/** An outcome without a solution: its gap is unknown (Infinity) for a MILP, 0 for an LP. */
function failedOutcome(startedMs: number, isMip: boolean, solverStatus: string, termination: Termination): SolveOutcome {
  return { ...termination, mipGap: isMip ? Infinity : 0, solver: highsEngineName(), solverStatus, solveMs: performance.now() - startedMs };
}

/** Copies the model's typed arrays so they can be transferred without detaching the caller's. */
function transferableRequest(
  id: number,
  model: LinearModel,
  options: SolveRunOptions,
  progressIntervalMs: number,
): { message: HighsWorkerRequest; transfer: ArrayBuffer[] } {
  const copy: LinearModel = {
    colNames: model.colNames,
    colLower: model.colLower.slice(),
    colUpper: model.colUpper.slice(),
    colCost: model.colCost.slice(),
    colInteger: model.colInteger.slice(),
    rowNames: model.rowNames,
    rowLower: model.rowLower.slice(),
    rowUpper: model.rowUpper.slice(),
    rowStart: model.rowStart.slice(),
    index: model.index.slice(),
    value: model.value.slice(),
    objectiveOffset: model.objectiveOffset,
    ...(model.start ? { start: model.start.slice() } : {}),
    ...(model.cutRows ? { cutRows: model.cutRows.slice() } : {}),
  };
  const transfer = [copy.colLower, copy.colUpper, copy.colCost, copy.colInteger, copy.rowLower, copy.rowUpper, copy.rowStart, copy.index, copy.value, copy.start, copy.cutRows]
    .filter((array) => array !== undefined)
    .map((array) => array.buffer as ArrayBuffer);
  return {
    message: { kind: 'solve', id, model: copy, timeLimitSeconds: options.timeLimitSeconds, mipGap: options.mipGap, progressIntervalMs, duals: options.duals ?? false },
    transfer,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
