import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import { planPhaseSink, type PlanPhaseSink, type PlanPhaseSpan, type SpanAttributes } from './PlanPhaseSink.js';

/**
 * Epoch milliseconds with sub-millisecond precision, anchored to the wall clock the way
 * OpenTelemetry's own span clock is (Date.now() at the anchor plus the monotonic time since), so
 * that phase spans and the call's span line up.
 */
function anchoredClock(): () => number {
  const anchorMs = Date.now() - performance.now();
  return () => anchorMs + performance.now();
}

/**
 * Times the phases of one plan for tracing, without loading anything of OpenTelemetry: the plan
 * code tells it where it is (`validated`, `workerTook`, each PlanEvent, `planned` or `failed`),
 * and it hands the phases to the PlanPhaseSink, as spans with explicit start and end times:
 * - `cosched.validate`: from `start()` to `validated()`; hours, sites, jobs, cells;
 * - `cosched.wait_for_worker`: from `validated()` until a worker took the plan (a queue worker,
 *   which receives a validated plan, starts its recorder with `workerTook()`);
 * - `cosched.baseline`: from then to the first model build (the carbon-unaware baseline, and the
 *   message to the worker thread);
 * - `cosched.build_model` and `cosched.solve` per solver stage, from the events' own durations
 *   (buildMs, solveMs) ending when each event arrived; stage, variables, constraints, termination;
 * - `cosched.check`: from the last solve to the `checked` event (the schedule's accounts and the
 *   independent check); checks, passed;
 * - `cosched.respond`: the response mapping, timed by `respond()`.
 * Phases the plan never reached are left out. A failure adds one phase with the error:
 * `cosched.validate` or `cosched.wait_for_worker` when it happened there, else
 * `cosched.plan_in_worker` from the end of the last phase.
 * The call's span gets `cosched.cells`, `cosched.termination`, `cosched.objective` and
 * `cosched.stages`.
 */
export class PlanPhaseRecorder {
  private readonly phases: PlanPhaseSpan[] = [];
  private readonly now = anchoredClock();
  private readonly startedMs = this.now();
  private validatedMs?: number;
  private workerTookMs?: number;
  private lastMs?: number;
  private readonly record: ReturnType<PlanPhaseSink['begin']>;

  private constructor(activeSink: PlanPhaseSink) {
    this.record = activeSink.begin();
  }

  /** A recorder for a plan starting now, or undefined when tracing is off (then nothing is timed). */
  static start(): PlanPhaseRecorder | undefined {
    const sink = planPhaseSink();
    return sink ? new PlanPhaseRecorder(sink) : undefined;
  }

  /** The request passed validation and the size limit. */
  validated(size: { hours: number; sites: number; jobs: number; cells: number }): void {
    this.validatedMs = this.now();
    this.phases.push({ name: 'cosched.validate', startMs: this.startedMs, endMs: this.validatedMs, attributes: { 'cosched.hours': size.hours, 'cosched.sites': size.sites, 'cosched.jobs': size.jobs, 'cosched.cells': size.cells } });
  }

  /** A worker took the plan (PlanExecutor asks for the time limit then). */
  workerTook(): void {
    if (this.workerTookMs !== undefined) return;
    this.workerTookMs = this.now();
    this.lastMs = this.workerTookMs;
    if (this.validatedMs !== undefined) this.phases.push({ name: 'cosched.wait_for_worker', startMs: this.validatedMs, endMs: this.workerTookMs, attributes: {} });
  }

  /** A planner event, as it arrives on this thread. */
  event(event: PlanEvent): void {
    const arrivedMs = this.now();
    const floorMs = this.lastMs ?? this.workerTookMs ?? this.validatedMs ?? this.startedMs;
    switch (event.kind) {
      case 'model_built': {
        const startMs = Math.max(floorMs, arrivedMs - event.buildMs);
        if (event.stage === 1 && this.workerTookMs !== undefined && startMs > this.workerTookMs) {
          this.phases.push({ name: 'cosched.baseline', startMs: this.workerTookMs, endMs: startMs, attributes: {} });
        }
        this.phases.push({
          name: 'cosched.build_model',
          startMs,
          endMs: arrivedMs,
          attributes: { 'cosched.stage': event.stage, 'cosched.variables': event.variables, 'cosched.constraints': event.constraints, 'cosched.integer_variables': event.integerVariables },
        });
        break;
      }
      case 'solved':
        this.phases.push({ name: 'cosched.solve', startMs: Math.max(floorMs, arrivedMs - event.solveMs), endMs: arrivedMs, attributes: { 'cosched.stage': event.stage, 'cosched.termination': event.termination } });
        break;
      case 'checked':
        this.phases.push({ name: 'cosched.check', startMs: floorMs, endMs: arrivedMs, attributes: { 'cosched.checks': event.checks, 'cosched.check_passed': event.passed } });
        break;
      case 'solver_progress':
        return;
    }
    this.lastMs = arrivedMs;
  }

  /** The plan came back: records the phases so far and the result on the call's span. */
  planned(result: PlanResult): void {
    this.flush({ 'cosched.termination': result.termination, 'cosched.objective': result.solve.objective, 'cosched.stages': result.solve.stages });
  }

  /** The plan failed (validation, a full queue, cancellation, a crash): records the phases so far, the last one with the error. */
  failed(error: unknown): void {
    const endMs = this.now();
    const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error).slice(0, 500);
    const name = this.workerTookMs !== undefined ? 'cosched.plan_in_worker' : this.validatedMs === undefined ? 'cosched.validate' : 'cosched.wait_for_worker';
    this.phases.push({ name, startMs: this.lastMs ?? this.validatedMs ?? this.startedMs, endMs, attributes: {}, error: message });
    this.flush({});
  }

  /** Times `build` (the response mapping) as `cosched.respond` and returns its value. */
  respond<T>(build: () => T): T {
    const startMs = this.now();
    const value = build();
    this.safely([{ name: 'cosched.respond', startMs, endMs: this.now(), attributes: {} }], {});
    return value;
  }

  private flush(attributes: SpanAttributes): void {
    this.safely(this.phases.splice(0), attributes);
  }

  private safely(phases: PlanPhaseSpan[], attributes: SpanAttributes): void {
    try {
      this.record(phases, attributes);
    } catch {
      // Tracing must never break a plan.
    }
  }
}
