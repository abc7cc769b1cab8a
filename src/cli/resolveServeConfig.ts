import { defaultServerConfig, type ServerConfig } from '../server/ServerConfig.js';
import { logLevels, type LogLevel } from '../server/createLogger.js';
import type { ServeFlags } from './parseCommandLine.js';
import { UsageError } from './UsageError.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { NightlySchedule } from '../standing/NightlySchedule.js';
import { parseRedisUrl } from '../queue/parseRedisUrl.js';
import { queueNameProblem } from '../queue/queueNames.js';
import { otlpEndpointVariables, resolveOtlpEndpoint } from '../tracing/resolveOtlpEndpoint.js';

/** Everything `cosched serve` runs with. */
export interface ServeConfig {
  server: ServerConfig;
  logLevel: LogLevel;
  /** Where traces go over OTLP/HTTP (--otlp-endpoint, see resolveOtlpEndpoint); unset: no tracing. */
  otlpTracesUrl?: string;
}

/** Each setting: its flag, its environment variable, and how to read it. */
const settings = [
  { flag: 'host', env: 'COSCHED_HOST', key: 'host' },
  { flag: 'port', env: 'COSCHED_PORT', key: 'port' },
  { flag: 'workers', env: 'COSCHED_WORKERS', key: 'workers' },
  { flag: 'max-queued-plans', env: 'COSCHED_MAX_QUEUED_PLANS', key: 'maxQueuedPlans' },
  { flag: 'max-message-bytes', env: 'COSCHED_MAX_MESSAGE_BYTES', key: 'maxMessageBytes' },
  { flag: 'max-cells', env: 'COSCHED_MAX_CELLS', key: 'maxCells' },
  { flag: 'max-model-size', env: 'COSCHED_MAX_MODEL_SIZE', key: 'maxModelSize' },
  { flag: 'max-response-bytes', env: 'COSCHED_MAX_RESPONSE_BYTES', key: 'maxResponseBytes' },
  { flag: 'max-requests-per-second', env: 'COSCHED_MAX_REQUESTS_PER_SECOND', key: 'maxRequestsPerSecond' },
  { flag: 'request-burst', env: 'COSCHED_REQUEST_BURST', key: 'requestBurst' },
  { flag: 'max-plans-in-flight-per-client', env: 'COSCHED_MAX_PLANS_IN_FLIGHT_PER_CLIENT', key: 'maxPlansInFlightPerClient' },
  { flag: 'max-connections', env: 'COSCHED_MAX_CONNECTIONS', key: 'maxConnections' },
  { flag: 'max-connections-per-ip', env: 'COSCHED_MAX_CONNECTIONS_PER_IP', key: 'maxConnectionsPerIp' },
  { flag: 'connection-idle-seconds', env: 'COSCHED_CONNECTION_IDLE_SECONDS', key: 'connectionIdleSeconds' },
  { flag: 'max-streams-per-connection', env: 'COSCHED_MAX_STREAMS_PER_CONNECTION', key: 'maxStreamsPerConnection' },
  { flag: 'first-request-timeout-seconds', env: 'COSCHED_FIRST_REQUEST_TIMEOUT_SECONDS', key: 'firstRequestTimeoutSeconds' },
  { flag: 'worker-heap-mb', env: 'COSCHED_WORKER_HEAP_MB', key: 'workerHeapMb' },
  { flag: 'shutdown-grace-seconds', env: 'COSCHED_SHUTDOWN_GRACE_SECONDS', key: 'shutdownGraceSeconds' },
  { flag: 'deadline-margin-ms', env: 'COSCHED_DEADLINE_MARGIN_MS', key: 'deadlineMarginMs' },
  { flag: 'log-level', env: 'COSCHED_LOG_LEVEL', key: 'logLevel' },
  { flag: 'tls-cert', env: 'COSCHED_TLS_CERT', key: 'tlsCert' },
  { flag: 'tls-key', env: 'COSCHED_TLS_KEY', key: 'tlsKey' },
  { flag: 'data-dir', env: 'COSCHED_DATA_DIR', key: 'dataDir' },
  { flag: 'store', env: 'COSCHED_STORE', key: 'store' },
  { flag: 'nightly', env: 'COSCHED_NIGHTLY', key: 'nightly' },
  { flag: 'nightly-tz', env: 'COSCHED_NIGHTLY_TZ', key: 'nightlyTz' },
  { flag: 'run-lease-seconds', env: 'COSCHED_RUN_LEASE_SECONDS', key: 'runLeaseSeconds' },
  { flag: 'metrics-port', env: 'COSCHED_METRICS_PORT', key: 'metricsPort' },
  { flag: 'queue', env: 'COSCHED_QUEUE', key: 'queue' },
  { flag: 'queue-name', env: 'COSCHED_QUEUE_NAME', key: 'queueName' },
  { flag: 'tokens-file', env: 'COSCHED_TOKENS_FILE', key: 'tokensFile' },
  { flag: 'tls-client-ca', env: 'COSCHED_TLS_CLIENT_CA', key: 'tlsClientCa' },
  { flag: 'health-reflection', env: 'COSCHED_HEALTH_REFLECTION', key: 'healthReflection' },
] as const satisfies ReadonlyArray<{ flag: string; env: string; key: keyof ServeFlags }>;

/** The environment variables `cosched serve` reads (each has a flag that wins over it). */
export const serveEnvironmentVariables = [...settings.map((s) => s.env), ...otlpEndpointVariables];

/**
 * The server's configuration from the `serve` flags, then the environment (COSCHED_PORT,
 * COSCHED_HOST, COSCHED_WORKERS, COSCHED_MAX_QUEUED_PLANS, COSCHED_MAX_MESSAGE_BYTES,
 * COSCHED_MAX_CELLS, the limits of README "Limits" (COSCHED_MAX_MODEL_SIZE,
 * COSCHED_MAX_RESPONSE_BYTES, COSCHED_MAX_REQUESTS_PER_SECOND, COSCHED_REQUEST_BURST,
 * COSCHED_MAX_PLANS_IN_FLIGHT_PER_CLIENT, COSCHED_MAX_CONNECTIONS, COSCHED_MAX_CONNECTIONS_PER_IP,
 * COSCHED_CONNECTION_IDLE_SECONDS, COSCHED_FIRST_REQUEST_TIMEOUT_SECONDS),
 * COSCHED_WORKER_HEAP_MB, COSCHED_SHUTDOWN_GRACE_SECONDS, COSCHED_DEADLINE_MARGIN_MS,
 * COSCHED_LOG_LEVEL, COSCHED_TLS_CERT, COSCHED_TLS_KEY, COSCHED_DATA_DIR, COSCHED_STORE,
 * COSCHED_NIGHTLY, COSCHED_NIGHTLY_TZ, COSCHED_RUN_LEASE_SECONDS, COSCHED_QUEUE,
 * COSCHED_QUEUE_NAME, COSCHED_TOKENS_FILE, COSCHED_TLS_CLIENT_CA, COSCHED_HEALTH_REFLECTION; for --otlp-endpoint COSCHED_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * OTEL_EXPORTER_OTLP_ENDPOINT, see resolveOtlpEndpoint), then the defaults
 * (defaultServerConfig; log level info; nightly zone UTC). A flag wins over its variable; an
 * empty variable counts as unset.
 *
 * @throws UsageError naming the flag or variable for a value that is not allowed: a port outside
 *   0..65535, a count that is not a whole number >= 1 (max queued plans, requests per second and
 *   plans in flight per client >= 0: 0 = no limit), a grace period or margin < 0, a connection idle
 *   time outside 1..86400 s or first-request timeout outside 0.1..3600 s, an unknown log level, only one of the TLS certificate and key, a --store that is
 *   not a postgres:// URL, a bad --nightly cron or --nightly-tz zone, --nightly-tz without --nightly,
 *   a --queue that is not a redis:// or rediss:// URL, or a bad --queue-name or one without --queue,
 *   --tls-client-ca without --tls-cert/--tls-key or without --tokens-file, a --health-reflection
 *   other than open or closed, or closed without --tokens-file. (The tokens file itself is read
 *   when the server starts.)
 */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const raw = (key: keyof ServeFlags): { value: string; source: string } | undefined => {
    const setting = settings.find((s) => s.key === key)!;
    if (flags[key] !== undefined) return { value: flags[key], source: `--${setting.flag}` };
    const fromEnv = env[setting.env];
    return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, source: setting.env };
  };
  const integer = (key: keyof ServeFlags, min: number, max: number, fallback: number): number => {
    const given = raw(key);
    if (!given) return fallback;
    const value = Number(given.value.replaceAll('_', ''));
    if (given.value.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`${given.source} '${given.value}': expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
  /** A number of seconds in [min, max] (fractions allowed), as milliseconds. */
  const secondsAsMs = (key: keyof ServeFlags, min: number, max: number, fallbackMs: number): number => {
    const given = raw(key);
    if (!given) return fallbackMs;
    const seconds = Number(given.value);
    if (given.value.trim() === '' || !Number.isFinite(seconds) || seconds < min || seconds > max) {
      throw new UsageError(`${given.source} '${given.value}': expected a number of seconds from ${min} to ${max}`);
    }
    return Math.round(seconds * 1000);
  };
  const defaults = defaultServerConfig();
  const host = raw('host')?.value ?? defaults.host;
  const graceSeconds = raw('shutdownGraceSeconds');
  let shutdownGraceMs = defaults.shutdownGraceMs;
  if (graceSeconds) {
    const seconds = Number(graceSeconds.value);
    if (graceSeconds.value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
      throw new UsageError(`${graceSeconds.source} '${graceSeconds.value}': expected a number of seconds >= 0`);
    }
    shutdownGraceMs = seconds * 1000;
  }
  const level = raw('logLevel');
  if (level && !(logLevels as readonly string[]).includes(level.value)) {
    throw new UsageError(`${level.source} '${level.value}': expected one of ${logLevels.join(', ')}`);
  }
  const cert = raw('tlsCert');
  const key = raw('tlsKey');
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert ? [cert.source, '--tls-key (or COSCHED_TLS_KEY)'] : [key!.source, '--tls-cert (or COSCHED_TLS_CERT)'];
    throw new UsageError(`${given} needs ${missing}: TLS takes a certificate and its key`);
  }
  const store = raw('store');
  if (store && !/^postgres(ql)?:\/\/\S+$/.test(store.value)) {
    throw new UsageError(`${store.source} '${store.value}': expected a PostgreSQL URL such as postgres://user@host:5432/cosched (leave it unset for the embedded SQLite store in --data-dir)`);
  }
  const nightlyCron = raw('nightly');
  const nightlyTz = raw('nightlyTz');
  if (nightlyTz && !nightlyCron) throw new UsageError(`${nightlyTz.source} needs --nightly (or COSCHED_NIGHTLY): the cron schedule of the nightly runs`);
  let nightly: ServerConfig['nightly'];
  if (nightlyCron) {
    nightly = { cron: nightlyCron.value, timeZone: nightlyTz?.value ?? 'UTC' };
    try {
      NightlySchedule.parse(nightly.cron, nightly.timeZone);
    } catch (error) {
      const lines = error instanceof CoschedError ? error.violations.map((v) => `${v.field === '--nightly' ? nightlyCron.source : (nightlyTz?.source ?? v.field)} ${v.description}`) : [String(error)];
      throw new UsageError(lines.join('; '));
    }
  }
  const leaseSeconds = raw('runLeaseSeconds');
  let runLeaseMs = defaults.runLeaseMs;
  if (leaseSeconds) {
    const seconds = Number(leaseSeconds.value);
    if (leaseSeconds.value.trim() === '' || !Number.isFinite(seconds) || seconds < 1 || seconds > 3_600) {
      throw new UsageError(`${leaseSeconds.source} '${leaseSeconds.value}': expected a number of seconds from 1 to 3600`);
    }
    runLeaseMs = seconds * 1000;
  }
  const queue = raw('queue');
  if (queue) {
    try {
      parseRedisUrl(queue.value);
    } catch (error) {
      throw new UsageError(`${queue.source}: ${(error as Error).message}`);
    }
  }
  const queueName = raw('queueName');
  if (queueName && !queue) throw new UsageError(`${queueName.source} needs --queue (or COSCHED_QUEUE): the Redis URL of the plan queue`);
  const queueNameIssue = queueName && queueNameProblem(queueName.value);
  if (queueNameIssue) throw new UsageError(`${queueName!.source} '${queueName!.value}': ${queueNameIssue}`);
  const tokensFile = raw('tokensFile');
  const clientCa = raw('tlsClientCa');
  if (clientCa && !(cert && key)) throw new UsageError(`${clientCa.source} needs --tls-cert and --tls-key (or COSCHED_TLS_CERT and COSCHED_TLS_KEY): client certificates are checked over TLS`);
  if (clientCa && !tokensFile) throw new UsageError(`${clientCa.source} needs --tokens-file (or COSCHED_TOKENS_FILE): its certificates entries give each client certificate its role`);
  const healthReflection = raw('healthReflection');
  if (healthReflection && healthReflection.value !== 'open' && healthReflection.value !== 'closed') {
    throw new UsageError(`${healthReflection.source} '${healthReflection.value}': expected open (anyone may call health and reflection) or closed (only with a valid token or certificate)`);
  }
  if (healthReflection?.value === 'closed' && !tokensFile) throw new UsageError(`${healthReflection.source} closed needs --tokens-file (or COSCHED_TOKENS_FILE): without it there are no credentials to check`);
  let otlp: ReturnType<typeof resolveOtlpEndpoint>;
  try {
    otlp = resolveOtlpEndpoint(flags.otlpEndpoint, env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    server: {
      host,
      port: integer('port', 0, 65_535, defaults.port),
      workers: integer('workers', 1, 1_024, defaults.workers),
      maxQueuedPlans: integer('maxQueuedPlans', 0, 1_000_000, defaults.maxQueuedPlans),
      maxMessageBytes: integer('maxMessageBytes', 1_024, 2 ** 31 - 1, defaults.maxMessageBytes),
      maxCells: integer('maxCells', 1, Number.MAX_SAFE_INTEGER, defaults.maxCells),
      maxModelSize: integer('maxModelSize', 1, Number.MAX_SAFE_INTEGER, defaults.maxModelSize),
      maxResponseBytes: integer('maxResponseBytes', 1_024, 2 ** 31 - 1, defaults.maxResponseBytes),
      requestsPerSecondPerClient: integer('maxRequestsPerSecond', 0, 1_000_000, defaults.requestsPerSecondPerClient),
      requestBurstPerClient: integer('requestBurst', 1, 1_000_000, defaults.requestBurstPerClient),
      maxPlansInFlightPerClient: integer('maxPlansInFlightPerClient', 0, 1_000_000, defaults.maxPlansInFlightPerClient),
      maxConnections: integer('maxConnections', 1, 1_000_000, defaults.maxConnections),
      maxConnectionsPerIp: integer('maxConnectionsPerIp', 1, 1_000_000, defaults.maxConnectionsPerIp),
      maxStreamsPerConnection: integer('maxStreamsPerConnection', 1, 1_000_000, defaults.maxStreamsPerConnection),
      connectionIdleMs: secondsAsMs('connectionIdleSeconds', 1, 86_400, defaults.connectionIdleMs),
      firstRequestTimeoutMs: secondsAsMs('firstRequestTimeoutSeconds', 0.1, 3_600, defaults.firstRequestTimeoutMs),
      workerHeapMb: integer('workerHeapMb', 64, 1_048_576, defaults.workerHeapMb),
      shutdownGraceMs,
      deadlineMarginMs: integer('deadlineMarginMs', 0, 3_600_000, defaults.deadlineMarginMs),
      tls: cert && key ? { certPath: cert.value, keyPath: key.value } : undefined,
      tokensFile: tokensFile?.value,
      tlsClientCaPath: clientCa?.value,
      // Set only when closed, so that the defaults keep the shape they had before it existed.
      ...(healthReflection?.value === 'closed' ? { closeHealthAndReflection: true } : {}),
      dataDir: raw('dataDir')?.value ?? defaults.dataDir,
      store: store?.value,
      nightly,
      runLeaseMs,
      queue: queue?.value,
      queueName: queueName?.value,
      metricsPort: raw('metricsPort') ? integer('metricsPort', 0, 65_535, 0) : undefined,
    },
    logLevel: (level?.value as LogLevel | undefined) ?? 'info',
    otlpTracesUrl: otlp?.tracesUrl,
  };
}
