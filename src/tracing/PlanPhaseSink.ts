/** Values a span attribute may take. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** One phase of a plan, timed after the fact: epoch milliseconds (fractional). */
export interface PlanPhaseSpan {
  name: string;
  startMs: number;
  endMs: number;
  attributes: SpanAttributes;
  /** Set when the phase ended in an error. */
  error?: string;
}

/** W3C trace-context fields (`traceparent`, and `tracestate` when there is one), to carry a trace to another process. */
export type TraceCarrier = Record<string, string>;

/**
 * The tracing back end as cosched's plan code sees it, so that this code loads nothing of
 * OpenTelemetry (the implementation, createOtelPlanPhaseSink, is set by startTracing).
 */
export interface PlanPhaseSink {
  /**
   * Called when a plan starts, in the caller's async context; returns the function that records
   * phases as children of the span current then (it may be called more than once), and sets
   * `attributes` on that span itself.
   */
  begin(): (phases: PlanPhaseSpan[], attributes: SpanAttributes) => void;
  /** The current trace context, to carry along with a plan to another process. */
  inject(): TraceCarrier;
  /**
   * Runs `run` inside a new span `name` that continues `carrier` (none: a new trace), current for
   * everything `run` does; ends it when `run` settles, with status ERROR when it rejects.
   */
  within<T>(name: string, carrier: TraceCarrier | undefined, attributes: SpanAttributes, run: () => Promise<T>): Promise<T>;
}

let sink: PlanPhaseSink | undefined;

/** Turns tracing of plans on (with a sink) or off (undefined). Set by startTracing. */
export function setPlanPhaseSink(next: PlanPhaseSink | undefined): void {
  sink = next;
}

/** The sink when tracing is on, else undefined. */
export function planPhaseSink(): PlanPhaseSink | undefined {
  return sink;
}

/** The current trace context to put in a plan sent to another process; undefined when tracing is off. */
export function traceCarrier(): TraceCarrier | undefined {
  try {
    return sink?.inject();
  } catch {
    return undefined;
  }
}

/** `run` inside a span `name` continuing `carrier` when tracing is on (see PlanPhaseSink.within); just `run()` when off. */
export function withinTraceSpan<T>(name: string, carrier: TraceCarrier | undefined, attributes: SpanAttributes, run: () => Promise<T>): Promise<T> {
  return sink ? sink.within(name, carrier, attributes, run) : run();
}
