import type { Worker } from 'node:worker_threads';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { startWorkerThread } from '../../solver/solve/startWorkerThread.js';
import type { ValidatePlanRequestResponse } from '../generated/cosched/v1/co_scheduler_service.js';
import type { EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import type { CallContext } from './CallContext.js';
import type { DeferredRequest } from './DeferredRequest.js';
import { fromPlanWorkerError } from './fromPlanWorkerError.js';
import type { PlanSize } from './planRequestSize.js';
import type { PlanLimits } from './preparePlan.js';
import type { RequestPrepOutcome, RequestPrepReply, RequestPrepRequest } from './requestPrepProtocol.js';
import { UndecodableRequest } from './UndecodableRequest.js';
import { unpackProblem } from './unpackProblem.js';

/** Settings for a RequestPrepPool. */
export interface RequestPrepPoolOptions {
  /** Worker threads, >= 1. Default 1. */
  workers?: number;
  /** Told about workers that crash or fail to start (the pool replaces them). Default: ignore. */
  onWorkerError?: (error: Error) => void;
  /** Delay before starting a replacement after a replacement failed to start. Default 1_000 ms. */
  restartDelayMs?: number;
  /** The worker's entry module (a .js URL; see startWorkerThread). Default: requestPrepWorker.js beside this file. */
  workerModule?: URL;
}

interface Pending {
  resolve: (outcome: RequestPrepOutcome) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Requests sent to this worker and not yet answered, by id. */
  pending: Map<number, Pending>;
}

/**
 * A few worker threads (requestPrepWorker.ts) that decode, validate and prepare the large Plan,
 * WatchPlan and ValidatePlanRequest requests that withTolerantDecoding deferred (DeferredRequest),
 * so that the main thread spends on them only a copy of the bytes and the receipt of the result
 * (a packed Problem, rebuilt in slices: packProblem, unpackProblem).
 *
 * Contract:
 * - `start()` resolves once every worker is ready; it rejects (and terminates them) if one fails.
 *   `create()` starts none: the workers start with the first request (a server that never gets a
 *   large request never pays for them); if they cannot start, the requests waiting for them fail
 *   with CoschedError INTERNAL (reason REQUEST_WORKER_UNAVAILABLE) and the next request tries again.
 * - `prepare()` copies the bytes into a transferred ArrayBuffer and hands them to the worker with
 *   the fewest requests in hand (waiting for one to be ready if none is); each worker prepares its
 *   requests one at a time, in order. Aborting `signal` rejects at once with its reason (a
 *   CoschedError from CallContext, else CANCELLED); the worker's later answer is dropped.
 * - `plan()` and `validate()` turn an outcome into what the handlers need, recording the request's
 *   size (planRequestSize) in the call's log fields as the main-thread path does: undecodable bytes
 *   reject as UndecodableRequest.reject does (INVALID_ARGUMENT, reason UNDECODABLE_REQUEST), a
 *   refused request with its CoschedError (code, message, reason, violations).
 * - A worker that crashes fails its requests with CoschedError INTERNAL (reason
 *   REQUEST_WORKER_CRASHED) and is replaced.
 * - `close()` rejects every request in hand (CANCELLED, SERVER_SHUTTING_DOWN) and terminates the workers.
 * Workers are unref'd: an idle pool does not keep the process alive.
 */
export class RequestPrepPool {
  readonly size: number;
  private readonly slots = new Set<Slot>();
  /** Requests waiting for a ready worker (only while every worker is starting). */
  private readonly waiting: Array<{ id: number; request: RequestPrepRequest; pending: Pending }> = [];
  private readonly onWorkerError: (error: Error) => void;
  private readonly restartDelayMs: number;
  private readonly workerModule: URL;
  private nextId = 1;
  private closed = false;

  private constructor(options: RequestPrepPoolOptions) {
    this.size = options.workers ?? 1;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`workers must be an integer >= 1, got ${options.workers}`);
    this.onWorkerError = options.onWorkerError ?? (() => undefined);
    this.restartDelayMs = options.restartDelayMs ?? 1_000;
    this.workerModule = options.workerModule ?? new URL('./requestPrepWorker.js', import.meta.url);
  }

  /** Starts a pool and waits until every worker is ready; see the class contract. */
  static async start(options: RequestPrepPoolOptions = {}): Promise<RequestPrepPool> {
    const pool = new RequestPrepPool(options);
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.startWorker()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** A pool whose workers start with its first request; see the class contract. */
  static create(options: RequestPrepPoolOptions = {}): RequestPrepPool {
    return new RequestPrepPool(options);
  }

  /** Starts workers up to `size` when none is running or starting (the first request of a `create()`d pool, or after every start failed). */
  private ensureWorkers(): void {
    if (this.slots.size > 0 || this.closed) return;
    for (let i = 0; i < this.size; i++) {
      let started: Promise<void>;
      try {
        started = this.startWorker();
      } catch (error) {
        started = Promise.reject(error);
      }
      started.catch((error: unknown) => {
        if (this.slots.size > 0) return;
        const message = error instanceof Error ? error.message : String(error);
        for (const { pending } of this.waiting.splice(0)) {
          pending.reject(new CoschedError('INTERNAL', `the request preparation worker could not start: ${message}`, { reason: 'REQUEST_WORKER_UNAVAILABLE', cause: error }));
        }
      });
    }
  }

  /** Decodes and prepares `deferred` in a worker; see the class contract. */
  prepare(deferred: DeferredRequest, limits: PlanLimits, signal?: AbortSignal): Promise<RequestPrepOutcome> {
    if (this.closed) return Promise.reject(shuttingDown());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const { bytes } = deferred;
    // A copy the worker owns (grpc-js's Buffer may be a slice of a larger pooled one).
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const id = this.nextId++;
    const request: RequestPrepRequest = { kind: 'prepare', id, methodPath: deferred.methodPath, bytes: copy, limits };
    return new Promise<RequestPrepOutcome>((resolve, reject) => {
      const onAbort = () => {
        this.forget(id);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const pending: Pending = {
        resolve: (outcome) => (signal?.removeEventListener('abort', onAbort), resolve(outcome)),
        reject: (error) => (signal?.removeEventListener('abort', onAbort), reject(error)),
      };
      const slot = this.leastBusyReadySlot();
      if (slot) this.send(slot, id, request, pending);
      else {
        this.waiting.push({ id, request, pending });
        this.ensureWorkers();
      }
    });
  }

  /**
   * The Problem of a deferred Plan or WatchPlan request and its size, prepared in a worker with
   * `limits` (see preparePlan); records the size in `context.logFields`.
   * @throws what preparePlan throws, UndecodableRequest's error for bytes that do not decode, and
   *   the signal's reason when the call ends first.
   */
  async plan(deferred: DeferredRequest, limits: PlanLimits, context: Pick<CallContext, 'signal' | 'logFields'>): Promise<{ problem: Problem; size: PlanSize }> {
    const outcome = await this.settled(deferred, limits, context);
    if (outcome.kind !== 'prepared') throw new CoschedError('INTERNAL', `request preparation answered ${outcome.kind} for ${deferred.methodPath}`);
    // Rebuilt in slices, a turn each (the worker sent it packed, as a few typed arrays).
    return { problem: await unpackProblem(outcome.problem), size: outcome.size };
  }

  /**
   * ValidatePlanRequest's answer for a deferred request (answerValidatePlanRequest, in a worker);
   * records the size in `context.logFields`. @throws as `plan()`.
   */
  async validate(deferred: DeferredRequest, context: Pick<CallContext, 'signal' | 'logFields'>): Promise<ValidatePlanRequestResponse> {
    const outcome = await this.settled(deferred, { maxCells: Infinity }, context);
    if (outcome.kind !== 'validated') throw new CoschedError('INTERNAL', `request preparation answered ${outcome.kind} for ${deferred.methodPath}`);
    return outcome.response;
  }

  /**
   * EvaluatePlan's answer for a deferred request (evaluateOnThisThread, in a worker, within
   * `maxCells`); records the actuals' size in `context.logFields`. @throws as `plan()`.
   */
  async evaluate(deferred: DeferredRequest, maxCells: number, context: Pick<CallContext, 'signal' | 'logFields'>): Promise<EvaluatePlanResponse> {
    const outcome = await this.settled(deferred, { maxCells }, context);
    if (outcome.kind !== 'evaluated') throw new CoschedError('INTERNAL', `request preparation answered ${outcome.kind} for ${deferred.methodPath}`);
    return outcome.response;
  }

  /** Refuses new requests, rejects those in hand and terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.waiting.splice(0)) pending.reject(shuttingDown());
    const terminations: Promise<unknown>[] = [];
    for (const slot of [...this.slots]) {
      this.slots.delete(slot);
      for (const pending of slot.pending.values()) pending.reject(shuttingDown());
      slot.pending.clear();
      terminations.push(slot.worker.terminate());
    }
    await Promise.allSettled(terminations);
  }

  /** The outcome of `deferred`, with the size logged; undecodable and failed outcomes rejected. */
  private async settled(
    deferred: DeferredRequest,
    limits: PlanLimits,
    context: Pick<CallContext, 'signal' | 'logFields'>,
  ): Promise<Exclude<RequestPrepOutcome, { kind: 'undecodable' | 'failed' }>> {
    const outcome = await this.prepare(deferred, limits, context.signal);
    if (outcome.kind === 'undecodable') {
      return new UndecodableRequest(outcome.typeName, outcome.byteLength, outcome.decoderMessage, outcome.field).reject(context.logFields);
    }
    if (outcome.size) Object.assign(context.logFields, outcome.size);
    if (outcome.kind === 'failed') throw fromPlanWorkerError(outcome.error);
    return outcome;
  }

  private leastBusyReadySlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.ready && (!best || slot.pending.size < best.pending.size)) best = slot;
    return best;
  }

  private send(slot: Slot, id: number, request: RequestPrepRequest, pending: Pending): void {
    slot.pending.set(id, pending);
    try {
      slot.worker.postMessage(request, [request.bytes]);
    } catch (error) {
      slot.pending.delete(id);
      pending.reject(error);
    }
  }

  /** Drops request `id` (its caller left): its answer, when it comes, is ignored. */
  private forget(id: number): void {
    const queued = this.waiting.findIndex((w) => w.id === id);
    if (queued >= 0) this.waiting.splice(queued, 1);
    for (const slot of this.slots) slot.pending.delete(id);
  }

  /** Starts one worker; resolves when it is ready, rejects if it fails before that. */
  private startWorker(): Promise<void> {
    const worker = startWorkerThread(this.workerModule);
    worker.unref();
    const slot: Slot = { worker, ready: false, pending: new Map() };
    this.slots.add(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: RequestPrepReply) => {
        if (!this.slots.has(slot)) return;
        if (reply.kind === 'ready') {
          slot.ready = true;
          resolve();
          for (const { id, request, pending } of this.waiting.splice(0)) this.send(this.leastBusyReadySlot() ?? slot, id, request, pending);
          return;
        }
        const pending = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        pending?.resolve(reply.outcome);
      });
      worker.on('error', (error) => {
        reject(error);
        this.onWorkerGone(slot, `the request preparation worker failed: ${error.message}`, error);
      });
      worker.on('exit', (code) => {
        const error = new Error(`the request preparation worker exited with code ${code}`);
        reject(error);
        this.onWorkerGone(slot, error.message, error);
      });
    });
  }

  private onWorkerGone(slot: Slot, message: string, error: Error): void {
    if (!this.slots.delete(slot)) return;
    this.onWorkerError(error);
    for (const pending of slot.pending.values()) {
      pending.reject(new CoschedError('INTERNAL', `${message} while preparing the request (a bug or a lack of memory in cosched)`, { reason: 'REQUEST_WORKER_CRASHED', cause: error }));
    }
    slot.pending.clear();
    void slot.worker.terminate();
    if (slot.ready) this.replace();
  }

  private replace(): void {
    if (this.closed) return;
    this.startWorker().catch(() => {
      if (this.closed) return;
      setTimeout(() => this.replace(), this.restartDelayMs).unref();
    });
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CoschedError('CANCELLED', 'the call was cancelled', { reason: 'CALL_CANCELLED' });
}

function shuttingDown(): CoschedError {
  return new CoschedError('CANCELLED', 'the server is shutting down; the request was not prepared', { reason: 'SERVER_SHUTTING_DOWN' });
}
