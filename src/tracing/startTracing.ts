/**
 * OpenTelemetry tracing for `cosched serve` and `cosched worker`. Only main.ts imports this module,
 * and only when an OTLP endpoint is configured: without one nothing of OpenTelemetry is loaded.
 */
import { register } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { createOtelPlanPhaseSink } from './createOtelPlanPhaseSink.js';
import { setPlanPhaseSink } from './PlanPhaseSink.js';

/** Tracing once started: `shutdown()` exports the spans still buffered and stops. */
export interface Tracing {
  /** Where the spans go. */
  readonly tracesUrl: string;
  /**
   * Exports the buffered spans and stops the exporter; resolves within `timeoutMs` even when the
   * receiver does not answer (the spans not yet sent are then dropped). Never rejects.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Health checks and reflection are not traced: probes would bury the plans. */
const untracedMethods = ['Check', 'Watch', 'ServerReflectionInfo'];

/**
 * Starts tracing: a NodeTracerProvider (service.name `cosched`, service.version `serviceVersion`)
 * whose BatchSpanProcessor exports over OTLP/HTTP (JSON) to `tracesUrl`, registered globally with
 * the W3C trace-context (and baggage) propagator and the AsyncLocalStorage context manager; the
 * plan phase spans (PlanPhaseRecorder) are turned on. With `instrumentGrpc`, the grpc-js
 * instrumentation makes every gRPC call a SERVER span that continues the caller's `traceparent`
 * (health Check/Watch and reflection are left out).
 *
 * Must run before @grpc/grpc-js is first imported: our code is ES modules, and the instrumentation
 * reaches grpc-js through the import-in-the-middle loader hook registered here (limited to
 * @grpc/grpc-js); require hooks alone never see a CommonJS package imported from ESM.
 * The exporter also reads the standard OTEL_EXPORTER_OTLP_HEADERS (and _TRACES_HEADERS).
 */
export async function startTracing(options: { tracesUrl: string; serviceVersion: string; instrumentGrpc: boolean }): Promise<Tracing> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'cosched', [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl, timeoutMillis: 5_000 }), { scheduledDelayMillis: 1_000 })],
  });
  provider.register();
  const unregister = options.instrumentGrpc ? await instrumentGrpc() : () => undefined;
  setPlanPhaseSink(createOtelPlanPhaseSink(trace.getTracer('cosched', options.serviceVersion)));
  return {
    tracesUrl: options.tracesUrl,
    async shutdown(timeoutMs = 5_000) {
      setPlanPhaseSink(undefined);
      unregister();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** Registers the loader hook and the grpc-js instrumentation (loaded only here: `worker` needs neither); returns what unregisters it. */
async function instrumentGrpc(): Promise<() => void> {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['@grpc/grpc-js'] } });
  const [{ registerInstrumentations }, { GrpcInstrumentation }] = await Promise.all([import('@opentelemetry/instrumentation'), import('@opentelemetry/instrumentation-grpc')]);
  return registerInstrumentations({ instrumentations: [new GrpcInstrumentation({ ignoreGrpcMethods: untracedMethods })] });
}
