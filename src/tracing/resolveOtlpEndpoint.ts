/** The variables that turn tracing on, most specific first (after the --otlp-endpoint flag). */
export const otlpEndpointVariables = ['COSCHED_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const;

/**
 * Where `serve` and `worker` send their traces (OTLP over HTTP), or undefined when tracing is off.
 * The first that is set (an empty variable counts as unset) wins:
 * - the `--otlp-endpoint` flag, then COSCHED_OTLP_ENDPOINT: the collector's base URL, such as
 *   http://127.0.0.1:4318; `/v1/traces` is appended unless the path already ends with it;
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full traces URL, used as it is (as the OpenTelemetry
 *   specification has it);
 * - OTEL_EXPORTER_OTLP_ENDPOINT: a base URL, `/v1/traces` appended.
 *
 * @returns the traces URL and where it came from (the flag or the variable's name).
 * @throws Error naming the flag or variable when the value is not an http:// or https:// URL
 *   (callers turn it into their usage error).
 */
export function resolveOtlpEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): { tracesUrl: string; source: string } | undefined {
  const given =
    flag !== undefined
      ? { value: flag, source: '--otlp-endpoint', base: true }
      : otlpEndpointVariables
          .map((name) => ({ value: env[name] ?? '', source: name, base: name !== 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' }))
          .find((candidate) => candidate.value !== '');
  if (!given) return undefined;
  let url: URL;
  try {
    url = new URL(given.value);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${given.source} '${given.value}': expected the http:// or https:// URL of an OTLP/HTTP receiver, such as http://127.0.0.1:4318`);
  }
  if (given.base && !url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return { tracesUrl: url.href, source: given.source };
}
