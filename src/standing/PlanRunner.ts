import { status as grpcCode } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { checkRequiredTimestamp } from '../data/checkRequiredTimestamp.js';
import { timestampToMs } from '../data/timestampToMs.js';
import { objectiveAndOptionsViolations } from './objectiveAndOptionsViolations.js';
import { ViolationList } from '../data/ViolationList.js';
import { Job, Objective, PlanOptions, Site } from '../generated/cosched/v1/plan_request.js';
import { Allocation, PlanResponse, Termination } from '../generated/cosched/v1/plan_response.js';
import {
  type ExecutedWork,
  PlanRunInput,
  PlanRunMetadata,
  PlanRunState,
  PlanRunTrigger,
  StartPlanRunRequest,
} from '../generated/cosched/v1/standing_planner_service.js';
import { Operation, type ListOperationsRequest, type ListOperationsResponse } from '../generated/google/longrunning/operations.js';
import { Status } from '../generated/google/rpc/status.js';
import { checkNumber } from '../data/checkNumber.js';
import { toPlanResponse } from '../report/toPlanResponse.js';
import { toPlanProgress } from '../server/toPlanProgress.js';
import { sizePlanResponse } from '../server/planCost.js';
import { preparePlan } from '../server/preparePlan.js';
import { openJobStates, type PlannerStore, type RunState, type RunTrigger, type StoredJob, type StoredRun, type StoreTx } from '../store/PlannerStore.js';
import { accountExecutedWork } from './accountExecutedWork.js';
import { buildRunSnapshot } from './buildRunSnapshot.js';
import { decodePageToken, encodePageToken, pageSizeOf } from './pageTokens.js';
import { parseStateFilter } from './parseStateFilter.js';
import { operationsThatFit } from './operationsThatFit.js';
import { plannedStateOfCharge } from './plannedStateOfCharge.js';
import { makeRunId, operationName, parseOperationName } from './resourceNames.js';
import { msToTimestamp } from './toBacklogJob.js';
import { toOperation } from './toOperation.js';
import { withRequestId } from './withRequestId.js';
import { withinTraceSpan } from '../tracing/PlanPhaseSink.js';

const msPerHour = 3_600_000;
const runStateNames = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'MISSED'];
const doneStates: readonly RunState[] = ['succeeded', 'failed', 'cancelled', 'missed'];
/** How far ahead of the server's clock a run's `now` may be (a run is about the present). */
const maxFutureNowMs = 3_600_000;
const maxOperationsPageSize = 50;
/** How long a request_id is remembered (AIP-155 asks for at least an hour). */
const requestIdRetentionMs = 7 * 24 * 3_600_000;

/** Plans a Problem (the server's worker pool, or anything with its contract). */
export type PlanFunction = (problem: Problem, options: { signal: AbortSignal; onEvent?: (event: PlanEvent) => void }) => Promise<PlanResult>;

/** What a PlanRunner needs. */
export interface PlanRunnerOptions {
  store: PlannerStore;
  plan: PlanFunction;
  logger: Logger;
  /** This server replica's id (kept on the runs it executes). */
  runnerId: string;
  /** Largest plan accepted, as hours × sites × jobs (the server's max_cells). */
  maxCells: number;
  /** Largest model accepted, as variables + constraints (the server's max_model_size); unset: not checked. */
  maxModelSize?: number;
  /**
   * Largest ListOperations page, encoded (the server's max_response_bytes): a page ends early,
   * with a next_page_token, before the operation that would take it over. Unset: pages by count only.
   */
  maxResponseBytes?: number;
  /** How long a run's lease holds without renewal; renewed every third of it. Default 30 s. */
  leaseMs?: number;
  /**
   * True when this server owns the store alone (embedded SQLite, one server per data directory):
   * at start, every unfinished run is then known to be orphaned. Otherwise (shared PostgreSQL)
   * only runs whose lease expired are.
   */
  exclusiveStore: boolean;
  now?: () => number;
  /** Told when a run this server executed (or found orphaned, or recorded as missed) ends, for metrics. */
  onRunEnded?: (state: RunState, trigger: RunTrigger) => void;
}

/**
 * Plan runs kept as long-running operations (AIP-151): StartPlanRun, and the
 * google.longrunning.Operations methods (Get, List, Wait, Cancel, Delete) over the store.
 *
 * A run is inserted QUEUED (with its parameters; idempotent by request_id) and executed in the
 * background, one at a time per server: RUNNING once its inputs are snapshotted (buildRunSnapshot:
 * open jobs with their remaining work, started non-interruptible jobs pinned, the latest forecast
 * of each site) together with the accounts of the executed past since the previous run's plan
 * start (accountExecutedWork), then planned on the worker pool; SUCCEEDED with the PlanResponse,
 * updating each job's state and current plan in the same transaction; FAILED with a status when
 * its inputs cannot be planned or the planner fails; CANCELLED through CancelOperation (on any
 * replica: the owner sees the flag at its next lease renewal).
 *
 * While a run executes, its owner renews a lease in the store. At `start()` and then periodically,
 * runs whose lease expired (their server died, e.g. kill -9) are marked FAILED with the reason;
 * with an exclusive store, every unfinished run found at start is. Nothing accepted is lost: jobs,
 * forecasts and progress live in the store, and the next run plans them.
 */
export class PlanRunner {
  private readonly now: () => number;
  private readonly leaseMs: number;
  private queue: string[] = [];
  private active: { runId: string; controller: AbortController } | undefined;
  private draining: Promise<void> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Resolvers waiting for a run of this server to end (WaitOperation). */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly options: PlanRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /** Fails orphaned runs (see the class contract) and starts the periodic sweep. */
  async start(): Promise<void> {
    await this.failOrphans(this.options.exclusiveStore);
    // Request ids (AIP-155) are honoured for a week, then forgotten (checked at start and hourly).
    const prune = () =>
      this.options.store
        .write((tx) => tx.pruneRequestRecords(this.now() - requestIdRetentionMs))
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not prune old request ids'));
    await prune();
    this.pruneTimer = setInterval(() => void prune(), 3_600_000);
    this.pruneTimer.unref();
    this.sweepTimer = setInterval(() => {
      this.renewQueuedLeases()
        .then(() => this.failOrphans(false))
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'plan run lease sweep failed'));
    }, Math.max(250, Math.floor(this.leaseMs / 3)));
    this.sweepTimer.unref();
  }

  /** Keeps the leases of this server's queued runs alive while they wait (the running one renews its own). */
  private async renewQueuedLeases(): Promise<void> {
    if (this.queue.length === 0) return;
    const ids = [...this.queue];
    await this.options.store.write(async (tx) => {
      for (const id of ids) {
        const run = await tx.getRun(id);
        if (run && run.state === 'queued' && run.owner === this.options.runnerId) await tx.updateRun({ ...run, leaseUntilMs: this.now() + this.leaseMs });
      }
    });
  }

  /**
   * StartPlanRun: validates the parameters, inserts the run QUEUED and queues it. A retry with the
   * same request_id returns the run's current state (and does not queue it again).
   * @throws INVALID_ARGUMENT: `now` more than an hour ahead of the server's clock, horizonHours
   *   outside 0..8784, objective and options as in a PlanRequest; FAILED_PRECONDITION: `now`
   *   before the plan start of the newest succeeded run (its plan would be overwritten by an
   *   older one).
   */
  async startRun(request: StartPlanRunRequest, trigger: RunTrigger = 'api', scheduledMs = 0): Promise<Operation> {
    const violations = new ViolationList();
    const clockMs = this.now();
    let nowMs = clockMs;
    if (request.now !== undefined) nowMs = checkRequiredTimestamp(request.now, 'now', 'now', violations) ?? nowMs;
    if (nowMs > clockMs + maxFutureNowMs) {
      violations.add('now', `got ${new Date(nowMs).toISOString()}, more than an hour after the server's clock (${new Date(clockMs).toISOString()}); expected the present (hours before now are what ran)`);
    }
    checkNumber(request.horizonHours ?? 0, { integer: true, min: 0, max: 8_784 }, 'horizonHours', violations);
    for (const v of objectiveAndOptionsViolations(request.objective, request.options)) violations.add(v.field, v.description);
    if (violations.length > 0) throw CoschedError.invalid(violations.items, 'plan run request', 'INVALID_REQUEST');
    const params = StartPlanRunRequest.toJSON({ ...request, requestId: '' });
    let inserted = false;
    const run = await this.options.store.write((tx) =>
      withRequestId(tx, request.requestId, 'StartPlanRun', params, storedRunCodec, this.now(), async () => {
        const newest = await tx.latestSucceededRunBefore(Number.MAX_SAFE_INTEGER);
        const planStartMs = Math.floor(nowMs / msPerHour) * msPerHour;
        if (newest && planStartMs < newest.planStartMs) {
          const description = `got ${new Date(nowMs).toISOString()}, before the plan start ${new Date(newest.planStartMs).toISOString()} of ${operationName(newest.id)}, the newest plan; a run re-plans from its now on and would replace that plan with an older one`;
          throw new CoschedError('FAILED_PRECONDITION', `now ${description}`, { reason: 'NOW_BEFORE_NEWEST_PLAN', violations: [{ field: 'now', description }] });
        }
        inserted = true;
        return this.insertRun(tx, { nowMs, params, trigger, scheduledMs });
      }),
    );
    if (inserted) {
      this.enqueue(run.id);
      return toOperation(run);
    }
    return this.getOperation(operationName(run.id));
  }

  /** Inserts a QUEUED run (also used by the nightly schedule inside its claim transaction). */
  async insertRun(tx: StoreTx, run: { nowMs: number; params: unknown; trigger: RunTrigger; scheduledMs: number; state?: RunState; error?: Status }): Promise<StoredRun> {
    const createdMs = this.now();
    const id = makeRunId(createdMs);
    const planStartMs = Math.floor(run.nowMs / msPerHour) * msPerHour;
    const state = run.state ?? 'queued';
    const metadata: PlanRunMetadata = {
      ...PlanRunMetadata.fromPartial({}),
      run: operationName(id),
      trigger: run.trigger === 'nightly' ? PlanRunTrigger.PLAN_RUN_TRIGGER_NIGHTLY : PlanRunTrigger.PLAN_RUN_TRIGGER_API,
      createTime: msToTimestamp(createdMs),
      now: msToTimestamp(run.nowMs),
      planStart: msToTimestamp(planStartMs),
      scheduledTime: run.scheduledMs ? msToTimestamp(run.scheduledMs) : undefined,
      endTime: doneStates.includes(state) ? msToTimestamp(createdMs) : undefined,
    };
    return tx.insertRun({
      id,
      seq: 0,
      state,
      trigger: run.trigger,
      createdMs,
      nowMs: run.nowMs,
      planStartMs,
      horizonEndMs: planStartMs,
      paramsJson: JSON.stringify(run.params),
      metadataJson: JSON.stringify(PlanRunMetadata.toJSON(metadata)),
      inputJson: '',
      responseJson: '',
      errorJson: run.error ? JSON.stringify(Status.toJSON(run.error)) : '',
      owner: this.options.runnerId,
      leaseUntilMs: createdMs + this.leaseMs,
      cancelRequested: false,
      scheduledMs: run.scheduledMs,
    });
  }

  /** Queues a run inserted QUEUED by this server. */
  enqueue(runId: string): void {
    if (this.closed) return;
    this.queue.push(runId);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** GetOperation. @throws INVALID_ARGUMENT, NOT_FOUND. */
  async getOperation(name: string): Promise<Operation> {
    return toOperation(await this.requireRun(name));
  }

  /** GetPlanRunInput: the run's PlanRequest and carry-over. @throws NOT_FOUND; FAILED_PRECONDITION before the snapshot is taken. */
  async getInput(name: string): Promise<PlanRunInput> {
    const run = await this.requireRun(name);
    if (run.inputJson === '') {
      throw new CoschedError('FAILED_PRECONDITION', `${operationName(run.id)} has no inputs yet (state ${run.state.toUpperCase()}): they are kept once the run starts`, { reason: 'RUN_NOT_STARTED' });
    }
    return PlanRunInput.fromJSON(JSON.parse(run.inputJson));
  }

  /**
   * ListOperations: newest first, filtered by `state = NAME` terms. `name` must be '' or
   * `operations`. A page holds at most `page_size` (default and at most 50) operations and, with
   * `maxResponseBytes`, no more bytes than that: operations carry whole PlanResponses, so a page
   * ends early, with a next_page_token, before one that would take it over. It always holds one
   * (a single operation over the limit is sent as GetOperation sends it).
   */
  async listOperations(request: ListOperationsRequest): Promise<ListOperationsResponse> {
    if (request.name !== '' && request.name !== 'operations' && request.name !== undefined) {
      throw CoschedError.invalid([{ field: 'name', description: `got ${JSON.stringify(request.name)}; expected "" or "operations"` }], 'request', 'INVALID_REQUEST');
    }
    const states = parseStateFilter(request.filter, parseRunState, runStateNames);
    // Operations carry whole PlanResponses: a page holds at most 50.
    const limit = pageSizeOf(request.pageSize, maxOperationsPageSize);
    const query = `runs|${(states ?? []).join(',')}`;
    const beforeSeq = decodePageToken<number>(request.pageToken, query, 'number');
    const page = await this.options.store.read((tx) => tx.listRuns({ states, beforeSeq, limit: limit + 1 }));
    const runs = page.slice(0, limit);
    const operations = runs.map(toOperation);
    // The token of a page of the first `count`: none when no run is left after them.
    const tokenFor = (count: number): string => (count < page.length ? encodePageToken(runs[count - 1].seq, query) : '');
    const response = (count: number): ListOperationsResponse => ({ operations: operations.slice(0, count), nextPageToken: tokenFor(count) });
    const maxBytes = this.options.maxResponseBytes;
    if (maxBytes === undefined) return response(operations.length);
    const sizes = operations.map((operation) => Operation.encode(operation).finish().length);
    return response(operationsThatFit(sizes, (count) => Buffer.byteLength(tokenFor(count)), maxBytes));
  }

  /**
   * WaitOperation: the operation once done, or its latest state when `timeoutMs` passes or
   * `signal` aborts (the call's deadline). Polls the store (runs of other replicas) every
   * `pollMs`, and wakes at once when a run of this server ends.
   */
  async waitOperation(name: string, timeoutMs: number, signal: AbortSignal, pollMs = 250): Promise<Operation> {
    const runId = parseOperationName(name);
    const untilMs = this.now() + timeoutMs;
    for (;;) {
      const run = await this.requireRun(name);
      if (doneStates.includes(run.state) || this.now() >= untilMs || signal.aborted) return toOperation(run);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          const waiting = this.waiters.get(runId);
          waiting?.delete(wake);
          if (waiting?.size === 0) this.waiters.delete(runId);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, Math.min(pollMs, untilMs - this.now())));
        signal.addEventListener('abort', wake, { once: true });
        if (!this.waiters.has(runId)) this.waiters.set(runId, new Set());
        this.waiters.get(runId)?.add(wake);
      });
    }
  }

  /**
   * CancelOperation: a queued run is cancelled at once; a running one is flagged, and its owner
   * stops the solve (at once on this server, at its next lease renewal on another). A done run is
   * left as it is (AIP-151: cancelling a done operation does nothing).
   */
  async cancelOperation(name: string): Promise<void> {
    const runId = parseOperationName(name);
    await this.options.store.write(async (tx) => {
      const run = await requireRunIn(tx, runId);
      if (doneStates.includes(run.state)) return;
      if (run.state === 'queued' && run.owner === this.options.runnerId && this.queue.includes(runId)) {
        this.queue = this.queue.filter((id) => id !== runId);
        await tx.updateRun(endRun(run, 'cancelled', this.now(), { code: grpcCode.CANCELLED, message: 'cancelled before it started', details: [] }));
        return;
      }
      await tx.updateRun({ ...run, cancelRequested: true });
    });
    if (this.active?.runId === runId) this.active.controller.abort(new CoschedError('CANCELLED', 'the plan run was cancelled', { reason: 'RUN_CANCELLED' }));
    this.wake(runId);
  }

  /** DeleteOperation: deletes a done run's record. @throws FAILED_PRECONDITION for a run not done (cancel it first). */
  async deleteOperation(name: string): Promise<void> {
    const runId = parseOperationName(name);
    await this.options.store.write(async (tx) => {
      const run = await requireRunIn(tx, runId);
      if (!doneStates.includes(run.state)) {
        throw new CoschedError('FAILED_PRECONDITION', `${operationName(runId)} is ${run.state.toUpperCase()}; cancel it and wait for it to end before deleting it`, { reason: 'RUN_NOT_DONE' });
      }
      await tx.deleteRun(runId);
    });
  }

  /**
   * Stops: no new runs; the run in progress is stopped and marked FAILED ("the server shut
   * down"), queued ones too; waits for that to be written.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.pruneTimer);
    const queued = this.queue;
    this.queue = [];
    this.active?.controller.abort(new CoschedError('UNAVAILABLE', 'the server shut down during the run; start a new run', { reason: 'SERVER_SHUTDOWN' }));
    await this.draining;
    for (const runId of queued) {
      await this.options.store
        .write(async (tx) => {
          const run = await tx.getRun(runId);
          if (run && !doneStates.includes(run.state)) {
            await tx.updateRun(endRun(run, 'failed', this.now(), { code: grpcCode.UNAVAILABLE, message: 'the server shut down before the run started; start a new run', details: [] }));
          }
        })
        .catch((error: unknown) => this.options.logger.error({ err: error, runId }, 'could not mark a queued run failed at shutdown'));
    }
  }

  private async drain(): Promise<void> {
    for (let runId = this.queue.shift(); runId !== undefined; runId = this.queue.shift()) {
      const controller = new AbortController();
      this.active = { runId, controller };
      try {
        // With tracing on, each run is a trace of its own (plans it sends to queue workers continue it).
        await withinTraceSpan('cosched.plan_run', undefined, { 'cosched.run': runId }, () => this.execute(runId, controller));
      } catch (error) {
        this.options.logger.error({ err: error, runId }, 'plan run failed unexpectedly');
      } finally {
        this.active = undefined;
        this.wake(runId);
        await this.options.store
          .read((tx) => tx.getRun(runId))
          .then((run) => run && doneStates.includes(run.state) && run.owner === this.options.runnerId && this.noteEnded(run.state, run.trigger))
          .catch(() => undefined);
      }
    }
  }

  /** Tells onRunEnded (a throwing listener is ignored). */
  noteEnded(state: RunState, trigger: RunTrigger): void {
    try {
      this.options.onRunEnded?.(state, trigger);
    } catch {
      // Metrics must not break runs.
    }
  }

  private wake(runId: string): void {
    for (const wake of this.waiters.get(runId) ?? []) wake();
  }

  /** One run, from QUEUED to its end (see the class contract). */
  private async execute(runId: string, controller: AbortController): Promise<void> {
    const { store, logger } = this.options;
    const startedMs = this.now();
    // 1. Snapshot the inputs and account the executed past, in one transaction.
    let snapshot: Awaited<ReturnType<PlanRunner['takeSnapshot']>> | undefined;
    try {
      snapshot = await store.write(async (tx) => {
        const run = await tx.getRun(runId);
        if (!run || run.state !== 'queued' || run.owner !== this.options.runnerId) return undefined;
        if (run.cancelRequested) {
          await tx.updateRun(endRun(run, 'cancelled', this.now(), { code: grpcCode.CANCELLED, message: 'cancelled before it started', details: [] }));
          return undefined;
        }
        return this.takeSnapshot(tx, run);
      });
    } catch (error) {
      logger.error({ err: error, run: runId }, 'plan run failed while taking its inputs');
      await this.endIfOurs(runId, 'failed', { code: grpcCode.INTERNAL, message: `the run failed while taking its inputs: ${error instanceof Error ? error.message : String(error)}`, details: [] });
      return;
    }
    if (!snapshot) return;
    const { run, problemRequest, metadata } = snapshot;
    logger.info({ run: runId, jobs: metadata.jobs, horizonHours: metadata.horizonHours, planStart: new Date(run.planStartMs).toISOString() }, 'plan run started');

    // 2. Plan (or answer an empty plan), renewing the lease and watching for a cancel.
    let pendingProgress: PlanRunMetadata['progress'];
    let lastFlushMs = 0;
    let writing: Promise<void> = Promise.resolve();
    // Renews the lease, sees a cancel from another replica, and keeps the latest progress.
    const renew = () => {
      writing = writing.then(() =>
        store
          .write(async (tx) => {
            const current = await tx.getRun(runId);
            if (!current || current.state !== 'running' || current.owner !== this.options.runnerId) {
              controller.abort(new CoschedError('ABORTED', 'the run is no longer this server\'s (another replica ended it)', { reason: 'RUN_TAKEN_OVER' }));
              return;
            }
            if (current.cancelRequested) controller.abort(new CoschedError('CANCELLED', 'the plan run was cancelled', { reason: 'RUN_CANCELLED' }));
            const next: StoredRun = { ...current, leaseUntilMs: this.now() + this.leaseMs };
            if (pendingProgress) {
              const meta = PlanRunMetadata.fromJSON(JSON.parse(current.metadataJson));
              next.metadataJson = JSON.stringify(PlanRunMetadata.toJSON({ ...meta, progress: pendingProgress }));
            }
            await tx.updateRun(next);
          })
          .catch((error: unknown) => logger.warn({ err: error, run: runId }, 'plan run lease renewal failed')),
      );
    };
    const heartbeat = setInterval(renew, Math.max(100, Math.floor(this.leaseMs / 3)));
    let response: PlanResponse;
    try {
      if (problemRequest === undefined) {
        response = emptyResponse(metadata.warnings.length > 0 ? metadata.warnings : ['no open job with a site to plan at: nothing to plan']);
      } else {
        const problem = preparePlan(problemRequest, { maxCells: this.options.maxCells, maxModelSize: this.options.maxModelSize });
        const result = await this.options.plan(problem, {
          signal: controller.signal,
          onEvent: (event) => {
            const nowMs = this.now();
            pendingProgress = toPlanProgress(event, nowMs - startedMs);
            if (nowMs - lastFlushMs >= 1_000) {
              lastFlushMs = nowMs;
              renew();
            }
          },
        });
        response = this.responseWithinLimit(problem, result);
      }
    } catch (error) {
      clearInterval(heartbeat);
      await writing;
      const status = errorStatus(error);
      const state: RunState = status.code === grpcCode.CANCELLED ? 'cancelled' : 'failed';
      if (state === 'failed' && !(error instanceof CoschedError)) logger.error({ err: error, run: runId }, 'plan run failed');
      await this.endIfOurs(runId, state, status, pendingProgress);
      logger.info({ run: runId, state, message: status.message }, 'plan run ended');
      return;
    }
    clearInterval(heartbeat);
    await writing;

    // 3. Keep the answer and move the jobs, in one transaction (only while the run is still ours).
    try {
      const kept = await store.write(async (tx) => {
        const current = await tx.getRun(runId);
        if (!current || current.state !== 'running' || current.owner !== this.options.runnerId) return false;
        const meta = PlanRunMetadata.fromJSON(JSON.parse(current.metadataJson));
        const done: StoredRun = endRun(
          {
            ...current,
            responseJson: JSON.stringify(PlanResponse.toJSON(response)),
            metadataJson: JSON.stringify(PlanRunMetadata.toJSON({ ...meta, summary: response.summary, progress: pendingProgress ?? meta.progress })),
          },
          'succeeded',
          this.now(),
        );
        await tx.updateRun(done);
        // A newer plan (a later plan start, or the same and started after) already moved the jobs.
        const newest = await tx.latestSucceededRunBefore(Number.MAX_SAFE_INTEGER);
        if (newest && newest.id !== done.id && (newest.planStartMs > done.planStartMs || (newest.planStartMs === done.planStartMs && newest.seq > done.seq))) return true;
        await this.applyPlanToJobs(tx, done, response, snapshot.leftOut, snapshot.specJsonById);
        return true;
      });
      if (!kept) {
        logger.warn({ run: runId }, 'plan run result dropped: the run was ended by another replica (its lease expired) while it solved');
        return;
      }
    } catch (error) {
      logger.error({ err: error, run: runId }, 'plan run failed while keeping its result');
      await this.endIfOurs(runId, 'failed', { code: grpcCode.INTERNAL, message: `the run failed while keeping its result: ${error instanceof Error ? error.message : String(error)}`, details: [] });
      return;
    }
    logger.info(
      { run: runId, termination: Termination[response.termination], emissionsKg: response.summary?.emissionsKg, carbonSavedKg: response.summary?.carbonSavedKg, ms: this.now() - startedMs },
      'plan run ended',
    );
  }

  /**
   * The run's PlanResponse. One over `maxResponseBytes` is kept all the same (its jobs move, and
   * GetDispatch serves them), with a warning: GetOperation sends it whole.
   */
  private responseWithinLimit(problem: Problem, result: PlanResult): PlanResponse {
    const maxBytes = this.options.maxResponseBytes;
    if (maxBytes === undefined) return toPlanResponse(problem, result);
    const size = sizePlanResponse(problem, result, maxBytes);
    const response = size.response ?? toPlanResponse(problem, result);
    if (size.bytes > maxBytes) {
      response.warnings.push(
        `this plan's response takes ${size.bytes} bytes, over max_response_bytes ${maxBytes}: GetOperation and ListOperations send it whole, ` +
          'so a client needs a larger receive limit for it; GetDispatch serves it a site-hour at a time',
      );
    }
    return response;
  }

  /** Ends the run (failed, cancelled) in a transaction of its own, if it is still this server's and not done. */
  private async endIfOurs(runId: string, state: RunState, status: Status, progress?: PlanRunMetadata['progress']): Promise<void> {
    try {
      await this.options.store.write(async (tx) => {
        const current = await tx.getRun(runId);
        if (!current || doneStates.includes(current.state) || current.owner !== this.options.runnerId) return;
        const meta = PlanRunMetadata.fromJSON(JSON.parse(current.metadataJson));
        await tx.updateRun(endRun({ ...current, metadataJson: JSON.stringify(PlanRunMetadata.toJSON({ ...meta, progress: progress ?? meta.progress })) }, state, this.now(), status));
      });
    } catch (error) {
      this.options.logger.error({ err: error, run: runId }, 'could not mark a plan run ended; the lease sweep will');
    }
  }

  /** Step 1 of execute: inside the transaction, build and keep the run's inputs; mark jobs missed or done. */
  private async takeSnapshot(tx: StoreTx, run: StoredRun) {
    const params = StartPlanRunRequest.fromJSON(JSON.parse(run.paramsJson));
    const openJobs: StoredJob[] = [];
    for (let afterSeq = 0; ; ) {
      const page = await tx.listJobs({ states: openJobStates, afterSeq, limit: 1_000 });
      for (const job of page) openJobs.push(job);
      if (page.length < 1_000) break;
      afterSeq = page[page.length - 1].seq;
    }
    const specs = new Map(openJobs.map((job) => [job.id, Job.fromJSON(JSON.parse(job.specJson))]));
    const latest = await tx.latestForecasts();
    const progress = await tx.listProgress({ jobIds: openJobs.map((j) => j.id), toMs: run.planStartMs });
    const doneBefore = new Map<string, number>();
    for (const row of progress) doneBefore.set(row.jobId, (doneBefore.get(row.jobId) ?? 0) + row.gpus);
    // The plan this run replaces: where it left the batteries, and (below) the executed past since it.
    const previous = await tx.latestSucceededRunBefore(run.planStartMs + 1);
    const snapshot = buildRunSnapshot({
      nowMs: run.nowMs,
      horizonHours: params.horizonHours,
      objective: params.objective ? Objective.fromPartial(params.objective) : undefined,
      options: params.options ? PlanOptions.fromPartial(params.options) : undefined,
      // Work done before the plan start only: a run dated earlier than some progress plans those hours again.
      jobs: openJobs.map((job) => ({ id: job.id, spec: specs.get(job.id) as Job, doneGpuHours: doneBefore.get(job.id) ?? 0 })),
      progress,
      forecasts: latest.map((stored) => ({ stored, site: Site.fromJSON(JSON.parse(stored.siteJson)) })),
      plannedStateOfCharge: plannedStateOfCharge(await latestRunWithPlan(tx, previous), run.planStartMs),
    });

    // The executed past: what was reported from the previous run's plan start (or the first
    // report) to this plan start, and the corrections (late or revised reports for earlier hours)
    // that arrived since the previous run took its inputs.
    const snapshotMs = this.now();
    const previousSnapshotMs = previous ? (timestampToMs(PlanRunMetadata.fromJSON(JSON.parse(previous.metadataJson)).startTime ?? { seconds: 0, nanos: 0 }) ?? 0) : 0;
    const windowProgress = await tx.listProgress({ fromMs: previous?.planStartMs, toMs: run.planStartMs });
    let fromMs = previous?.planStartMs ?? run.planStartMs;
    for (const row of windowProgress) if (row.hourMs < fromMs) fromMs = row.hourMs;
    const changed = previous ? await tx.listProgress({ toMs: previous.planStartMs, changedAfterMs: previousSnapshotMs }) : [];
    let correctionFromMs = previous?.planStartMs ?? 0;
    for (const row of changed) if (row.hourMs < correctionFromMs) correctionFromMs = row.hourMs;
    const correctionNow = changed.length > 0 ? await tx.listProgress({ fromMs: correctionFromMs, toMs: previous!.planStartMs }) : [];
    const correctionThen = changed.length > 0 ? await tx.listProgress({ fromMs: correctionFromMs, toMs: previous!.planStartMs, asOfMs: previousSnapshotMs }) : [];
    const powers = new Map<string, number>();
    for (const row of [...windowProgress, ...correctionNow, ...correctionThen]) {
      if (powers.has(row.jobId)) continue;
      const spec = specs.get(row.jobId) ?? (await tx.getJob(row.jobId).then((job) => (job ? Job.fromJSON(JSON.parse(job.specJson)) : undefined)));
      if (spec) powers.set(row.jobId, spec.gpuPowerKw);
    }
    const accountsFrom = Math.min(fromMs, changed.length > 0 ? correctionFromMs : fromMs);
    const pastForecasts = accountsFrom < run.planStartMs
      ? (await tx.forecastsOverlapping(accountsFrom, run.planStartMs)).map((stored) => ({ stored, site: Site.fromJSON(JSON.parse(stored.siteJson)) }))
      : [];
    const executed = accountExecutedWork(fromMs, run.planStartMs, windowProgress, pastForecasts, powers);
    let corrections: ExecutedWork | undefined;
    if (changed.length > 0) {
      const now = accountExecutedWork(correctionFromMs, previous!.planStartMs, correctionNow, pastForecasts, powers);
      const then = accountExecutedWork(correctionFromMs, previous!.planStartMs, correctionThen, pastForecasts, powers);
      corrections = {
        start: now.start,
        end: now.end,
        gpuHours: now.gpuHours - then.gpuHours,
        records: changed.length,
        energyMwh: now.energyMwh - then.energyMwh,
        greenMwh: now.greenMwh - then.greenMwh,
        gridMwh: now.gridMwh - then.gridMwh,
        emissionsKg: now.emissionsKg - then.emissionsKg,
        cost: now.cost - then.cost,
        unaccountedGpuHours: now.unaccountedGpuHours - then.unaccountedGpuHours,
      };
    }

    const nowMs = this.now();
    for (const { id, reason } of snapshot.missed) {
      const job = openJobs.find((j) => j.id === id) as StoredJob;
      await tx.updateJob({ ...job, state: 'missed', stateReason: reason, plannedJson: '[]', updatedMs: nowMs });
    }
    for (const id of snapshot.done) {
      const job = openJobs.find((j) => j.id === id) as StoredJob;
      await tx.updateJob({ ...job, state: 'done', stateReason: 'all work reported done', plannedJson: '[]', updatedMs: nowMs });
    }
    const metadata: PlanRunMetadata = {
      ...PlanRunMetadata.fromJSON(JSON.parse(run.metadataJson)),
      // When the inputs were taken (inside this transaction): the next run's corrections start here.
      startTime: msToTimestamp(snapshotMs),
      horizonHours: snapshot.horizonHours,
      jobs: snapshot.request?.jobs.length ?? 0,
      forecastVersions: snapshot.forecastVersions,
      executed,
      corrections,
      warnings: [...snapshot.warnings, ...snapshot.leftOut.map(({ id, reason }) => `job ${id} left out: ${reason}`), ...snapshot.missed.map(({ id, reason }) => `job ${id} missed: ${reason}`)],
      replaces: previous ? operationName(previous.id) : '',
      runner: this.options.runnerId,
    };
    const input: PlanRunInput = { run: operationName(run.id), request: snapshot.request, forecastVersions: snapshot.forecastVersions, jobs: snapshot.carryOver };
    const running: StoredRun = {
      ...run,
      state: 'running',
      owner: this.options.runnerId,
      leaseUntilMs: nowMs + this.leaseMs,
      horizonEndMs: run.planStartMs + snapshot.horizonHours * msPerHour,
      inputJson: JSON.stringify(PlanRunInput.toJSON(input)),
      metadataJson: JSON.stringify(PlanRunMetadata.toJSON({ ...metadata, state: PlanRunState.PLAN_RUN_STATE_RUNNING })),
    };
    await tx.updateRun(running);
    const specJsonById = new Map(openJobs.map((job) => [job.id, job.specJson]));
    return { run: running, problemRequest: snapshot.request, metadata, leftOut: snapshot.leftOut, specJsonById };
  }

  /** Each planned job gets this run's allocations and state; left-out jobs get the reason. Closed jobs are not touched. */
  private async applyPlanToJobs(tx: StoreTx, run: StoredRun, response: PlanResponse, leftOut: Array<{ id: string; reason: string }>, specJsonById: ReadonlyMap<string, string>): Promise<void> {
    const nowMs = this.now();
    const hasPlan = response.sites.length > 0;
    for (const plan of response.jobs) {
      const job = await tx.getJob(plan.jobId);
      // Closed since the snapshot, or its spec updated (the plan was made for the old one): not this plan's.
      if (!job || !openJobStates.includes(job.state) || job.specJson !== specJsonById.get(job.id)) continue;
      const placed = plan.allocations.reduce((sum, a) => sum + a.gpus * a.hours, 0);
      const state = job.state === 'running' ? 'running' : hasPlan && placed > 0 ? 'planned' : 'pending';
      const reason = plan.unmetGpuHours > 1e-6 ? `the plan of ${operationName(run.id)} leaves ${Math.round(plan.unmetGpuHours * 1000) / 1000} GPU-hours unmet: ${plan.reason}` : '';
      await tx.updateJob({
        ...job,
        state,
        stateReason: reason,
        planRunId: run.id,
        plannedJson: JSON.stringify(plan.allocations.map((a) => Allocation.toJSON(a))),
        updatedMs: nowMs,
      });
    }
    for (const { id, reason } of leftOut) {
      const job = await tx.getJob(id);
      if (!job || !openJobStates.includes(job.state)) continue;
      const state = job.state === 'running' ? 'running' : 'pending';
      await tx.updateJob({ ...job, state, stateReason: `left out of ${operationName(run.id)}: ${reason}`, planRunId: run.id, plannedJson: '[]', updatedMs: nowMs });
    }
  }

  /** Marks orphaned runs FAILED: all unfinished ones (`all`, exclusive store at start) or those whose lease expired. */
  private async failOrphans(all: boolean): Promise<void> {
    const nowMs = this.now();
    const failed = await this.options.store.write(async (tx) => {
      const orphans = all ? [...(await tx.listRuns({ states: ['queued', 'running'], limit: 100_000 }))] : await tx.runsWithExpiredLease(nowMs);
      const ended: StoredRun[] = [];
      for (const run of orphans) {
        if (run.owner === this.options.runnerId && (this.active?.runId === run.id || this.queue.includes(run.id))) continue;
        const message = `the server running it (${run.owner}) stopped before it finished (${run.state}, lease until ${new Date(run.leaseUntilMs).toISOString()}); its jobs, forecasts and progress are kept: start a new run`;
        // The owner becomes this server, which ended it (a late owner sees the run is no longer its own).
        const next = { ...endRun(run, 'failed', nowMs, { code: grpcCode.ABORTED, message, details: [] }), owner: this.options.runnerId };
        await tx.updateRun(next);
        ended.push(next);
      }
      return ended;
    });
    for (const run of failed) {
      this.options.logger.warn({ run: run.id, owner: run.owner }, 'plan run orphaned by a stopped server: marked failed');
      this.noteEnded('failed', run.trigger);
    }
  }

  private async requireRun(name: string): Promise<StoredRun> {
    const runId = parseOperationName(name);
    return this.options.store.read((tx) => requireRunIn(tx, runId));
  }
}

async function requireRunIn(tx: StoreTx, runId: string): Promise<StoredRun> {
  const run = await tx.getRun(runId);
  if (!run) throw new CoschedError('NOT_FOUND', `operation ${operationName(runId)} not found`, { reason: 'RUN_NOT_FOUND' });
  return run;
}

/** The run in an end state at `nowMs`, with its error status (failed, cancelled, missed). */
export function endRun(run: StoredRun, state: RunState, nowMs: number, error?: Status): StoredRun {
  const meta = PlanRunMetadata.fromJSON(JSON.parse(run.metadataJson));
  return {
    ...run,
    state,
    leaseUntilMs: 0,
    errorJson: error ? JSON.stringify(Status.toJSON(error)) : '',
    metadataJson: JSON.stringify(PlanRunMetadata.toJSON({ ...meta, endTime: msToTimestamp(nowMs) })),
  };
}

function errorStatus(error: unknown): Status {
  if (error instanceof CoschedError) {
    const codes: Record<string, number> = {
      INVALID_ARGUMENT: grpcCode.FAILED_PRECONDITION,
      RESOURCE_EXHAUSTED: grpcCode.RESOURCE_EXHAUSTED,
      CANCELLED: grpcCode.CANCELLED,
      DEADLINE_EXCEEDED: grpcCode.DEADLINE_EXCEEDED,
      UNAVAILABLE: grpcCode.UNAVAILABLE,
    };
    const prefix = error.code === 'INVALID_ARGUMENT' ? "the run's inputs cannot be planned: " : '';
    return { code: codes[error.code] ?? grpcCode.INTERNAL, message: `${prefix}${error.message}`, details: [] };
  }
  return { code: grpcCode.INTERNAL, message: `the planner failed: ${error instanceof Error ? error.message : String(error)}`, details: [] };
}

/**
 * `run`, or when it planned nothing (no hour: an empty backlog), the latest succeeded run before it
 * that planned something: where the batteries were last planned. Looks back at most 100 runs.
 */
async function latestRunWithPlan(tx: StoreTx, run: StoredRun | undefined): Promise<StoredRun | undefined> {
  for (let k = 0; run && run.horizonEndMs <= run.planStartMs && k < 100; k++) run = await tx.latestSucceededRunBefore(run.planStartMs);
  return run;
}

/** A PlanResponse for a run with nothing to plan. */
function emptyResponse(warnings: string[]): PlanResponse {
  return PlanResponse.fromPartial({ termination: Termination.TERMINATION_OPTIMAL, summary: { sameWork: true }, check: { passed: true, checks: 0 }, warnings });
}

function parseRunState(text: string): RunState | undefined {
  const upper = text.trim().toUpperCase().replace(/^PLAN_RUN_STATE_/, '');
  return (['queued', 'running', 'succeeded', 'failed', 'cancelled', 'missed'] as RunState[]).find((s) => s.toUpperCase() === upper);
}

const storedRunCodec = {
  toJSON: (run: StoredRun) => run,
  fromJSON: (json: unknown) => json as StoredRun,
};
