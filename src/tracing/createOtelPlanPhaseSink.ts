import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { PlanPhaseSink, TraceCarrier } from './PlanPhaseSink.js';

/**
 * The PlanPhaseSink of OpenTelemetry: each recorded phase becomes a span (kind INTERNAL) with the
 * phase's own start and end times, a child of the span that was current when the plan began (the
 * gRPC server span of the call, or the span of a queue worker's plan or of a standing-planner run);
 * phases that failed get status ERROR with the message, and the plan's attributes go on that
 * parent span. Trace contexts cross processes with the globally registered propagator (W3C).
 */
export function createOtelPlanPhaseSink(tracer: Tracer): PlanPhaseSink {
  return {
    begin() {
      const parent = context.active();
      return (phases, attributes) => {
        if (Object.keys(attributes).length > 0) trace.getSpan(parent)?.setAttributes(attributes);
        for (const phase of phases) {
          const span = tracer.startSpan(phase.name, { startTime: phase.startMs, attributes: phase.attributes }, parent);
          if (phase.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: phase.error });
          span.end(phase.endMs);
        }
      };
    },
    inject() {
      const carrier: TraceCarrier = {};
      propagation.inject(context.active(), carrier);
      return carrier;
    },
    async within(name, carrier, attributes, run) {
      const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
      try {
        return await context.with(trace.setSpan(parent, span), run);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error).slice(0, 500) });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}
