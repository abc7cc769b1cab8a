import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { logLevels, type LogLevel } from '../server/createLogger.js';
import { parseRedisUrl } from '../queue/parseRedisUrl.js';
import { queueNameProblem } from '../queue/queueNames.js';
import type { QueueWorkerOptions } from '../queue/QueueWorker.js';
import { otlpEndpointVariables, resolveOtlpEndpoint } from '../tracing/resolveOtlpEndpoint.js';
import { defaultServerConfig } from '../server/ServerConfig.js';
import { UsageError } from './UsageError.js';

/** Everything `cosched worker` runs with. */
export interface WorkerConfig {
  worker: Omit<QueueWorkerOptions, 'logger' | 'planWorkerModule'>;
  logLevel: LogLevel;
  /** On SIGTERM/SIGINT, how long running plans may take to finish before they are given back to the queue. */
  shutdownGraceMs: number;
  /** Serve Prometheus metrics at http://metricsHost:metricsPort/metrics; unset: none. */
  metricsPort?: number;
  /** Default 0.0.0.0 (the worker has no other listening address to follow). */
  metricsHost: string;
  /** Where traces go over OTLP/HTTP (--otlp-endpoint, see resolveOtlpEndpoint); unset: no tracing. */
  otlpTracesUrl?: string;
}

/** Each setting: its flag, its environment variable. */
const settings = {
  queue: { flag: 'queue', env: 'COSCHED_QUEUE' },
  queueName: { flag: 'queue-name', env: 'COSCHED_QUEUE_NAME' },
  workers: { flag: 'workers', env: 'COSCHED_WORKERS' },
  workerHeapMb: { flag: 'worker-heap-mb', env: 'COSCHED_WORKER_HEAP_MB' },
  logLevel: { flag: 'log-level', env: 'COSCHED_LOG_LEVEL' },
  shutdownGraceSeconds: { flag: 'shutdown-grace-seconds', env: 'COSCHED_SHUTDOWN_GRACE_SECONDS' },
  lockDurationMs: { flag: 'lock-duration-ms', env: 'COSCHED_QUEUE_LOCK_DURATION_MS' },
  stalledIntervalMs: { flag: 'stalled-interval-ms', env: 'COSCHED_QUEUE_STALLED_INTERVAL_MS' },
  maxStalledCount: { flag: 'max-stalled-count', env: 'COSCHED_QUEUE_MAX_STALLED_COUNT' },
  metricsPort: { flag: 'metrics-port', env: 'COSCHED_METRICS_PORT' },
  metricsHost: { flag: 'metrics-host', env: 'COSCHED_METRICS_HOST' },
  otlpEndpoint: { flag: 'otlp-endpoint', env: 'COSCHED_OTLP_ENDPOINT' },
} as const;

/** The environment variables `cosched worker` reads (each has a flag that wins over it). */
export const workerEnvironmentVariables = [...new Set([...Object.values(settings).map((s) => s.env), ...otlpEndpointVariables])];

/**
 * The worker's configuration from the arguments after `worker` (`--queue URL [--queue-name NAME]
 * [--workers N] [--worker-heap-mb MB] [--log-level LEVEL] [--shutdown-grace-seconds S] [--lock-duration-ms MS]
 * [--stalled-interval-ms MS] [--max-stalled-count N] [--metrics-port P [--metrics-host H]]
 * [--otlp-endpoint URL]`), then the environment (see settings), then
 * the defaults: the queue cosched-plans, one thread per core, a 2048 MB heap per thread (as
 * serve), log level info, 20 s grace, and
 * QueueWorker's lock (30 s), stalled check (15 s) and stalled limit (1). A flag wins over its
 * variable; an empty variable counts as unset.
 *
 * @throws UsageError naming the flag or variable: an unknown flag or an argument, no queue, a
 *   queue that is not a redis:// or rediss:// URL, a bad queue name, a count that is not a whole
 *   number in range, a grace < 0, an unknown log level.
 */
export function resolveWorkerConfig(args: string[], env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(Object.values(settings).map((s) => [s.flag, { type: 'string' as const }])),
    });
    values = parsed.values as Record<string, string | undefined>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown ? `worker: unknown flag ${unknown[1]}` : `worker: ${message.split('. ')[0]}`);
  }
  const raw = (key: keyof typeof settings): { value: string; source: string } | undefined => {
    const setting = settings[key];
    const fromFlag = values[setting.flag];
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${setting.flag}` };
    const fromEnv = env[setting.env];
    return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, source: setting.env };
  };
  const integer = (key: keyof typeof settings, min: number, max: number): number | undefined => {
    const given = raw(key);
    if (!given) return undefined;
    const value = Number(given.value.replaceAll('_', ''));
    if (given.value.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`${given.source} '${given.value}': expected a whole number from ${min} to ${max}`);
    }
    return value;
  };

  const queue = raw('queue');
  if (!queue) throw new UsageError('worker: missing --queue (or COSCHED_QUEUE): the Redis URL of the plan queue, e.g. redis://127.0.0.1:6379');
  try {
    parseRedisUrl(queue.value);
  } catch (error) {
    throw new UsageError(`${queue.source}: ${(error as Error).message}`);
  }
  const queueName = raw('queueName');
  const nameProblem = queueName && queueNameProblem(queueName.value);
  if (nameProblem) throw new UsageError(`${queueName!.source} '${queueName!.value}': ${nameProblem}`);
  const level = raw('logLevel');
  if (level && !(logLevels as readonly string[]).includes(level.value)) throw new UsageError(`${level.source} '${level.value}': expected one of ${logLevels.join(', ')}`);
  const grace = raw('shutdownGraceSeconds');
  let shutdownGraceMs = 20_000;
  if (grace) {
    const seconds = Number(grace.value);
    if (grace.value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`${grace.source} '${grace.value}': expected a number of seconds >= 0`);
    shutdownGraceMs = seconds * 1000;
  }
  let otlp: ReturnType<typeof resolveOtlpEndpoint>;
  try {
    otlp = resolveOtlpEndpoint(values['otlp-endpoint'], env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    worker: {
      url: queue.value,
      queueName: queueName?.value,
      workers: integer('workers', 1, 1_024) ?? availableParallelism(),
      maxHeapMb: integer('workerHeapMb', 64, 1_048_576) ?? defaultServerConfig().workerHeapMb,
      lockDurationMs: integer('lockDurationMs', 1_000, 3_600_000),
      stalledIntervalMs: integer('stalledIntervalMs', 100, 3_600_000),
      maxStalledCount: integer('maxStalledCount', 0, 100),
    },
    logLevel: (level?.value as LogLevel | undefined) ?? 'info',
    shutdownGraceMs,
    metricsPort: integer('metricsPort', 0, 65_535),
    metricsHost: raw('metricsHost')?.value ?? '0.0.0.0',
    otlpTracesUrl: otlp?.tracesUrl,
  };
}
