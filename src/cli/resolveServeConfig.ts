import { defaultServerConfig, type ServerConfig } from '../server/ServerConfig.js';
import { logLevels, type LogLevel } from '../server/createLogger.js';
import type { ServeFlags } from './parseCommandLine.js';
import { UsageError } from './UsageError.js';

/** Everything `cosched serve` runs with. */
export interface ServeConfig {
  server: ServerConfig;
  logLevel: LogLevel;
}

/** Each setting: its flag, its environment variable, and how to read it. */
const settings = [
  { flag: 'host', env: 'COSCHED_HOST', key: 'host' },
  { flag: 'port', env: 'COSCHED_PORT', key: 'port' },
  { flag: 'workers', env: 'COSCHED_WORKERS', key: 'workers' },
  { flag: 'max-queued-plans', env: 'COSCHED_MAX_QUEUED_PLANS', key: 'maxQueuedPlans' },
  { flag: 'max-message-bytes', env: 'COSCHED_MAX_MESSAGE_BYTES', key: 'maxMessageBytes' },
  { flag: 'max-cells', env: 'COSCHED_MAX_CELLS', key: 'maxCells' },
  { flag: 'shutdown-grace-seconds', env: 'COSCHED_SHUTDOWN_GRACE_SECONDS', key: 'shutdownGraceSeconds' },
  { flag: 'deadline-margin-ms', env: 'COSCHED_DEADLINE_MARGIN_MS', key: 'deadlineMarginMs' },
  { flag: 'log-level', env: 'COSCHED_LOG_LEVEL', key: 'logLevel' },
  { flag: 'tls-cert', env: 'COSCHED_TLS_CERT', key: 'tlsCert' },
  { flag: 'tls-key', env: 'COSCHED_TLS_KEY', key: 'tlsKey' },
] as const satisfies ReadonlyArray<{ flag: string; env: string; key: keyof ServeFlags }>;

/** The environment variables `cosched serve` reads (each has a flag that wins over it). */
export const serveEnvironmentVariables = settings.map((s) => s.env);

/**
 * The server's configuration from the `serve` flags, then the environment (COSCHED_PORT,
 * COSCHED_HOST, COSCHED_WORKERS, COSCHED_MAX_QUEUED_PLANS, COSCHED_MAX_MESSAGE_BYTES,
 * COSCHED_MAX_CELLS, COSCHED_SHUTDOWN_GRACE_SECONDS, COSCHED_DEADLINE_MARGIN_MS,
 * COSCHED_LOG_LEVEL, COSCHED_TLS_CERT, COSCHED_TLS_KEY), then the defaults (defaultServerConfig;
 * log level info). A flag wins over its variable; an empty variable counts as unset.
 *
 * @throws UsageError naming the flag or variable for a value that is not allowed: a port outside
 *   0..65535, a count that is not a whole number >= 1 (max queued plans >= 0), a grace period or
 *   margin < 0, an unknown log level, or only one of the TLS certificate and key.
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
  return {
    server: {
      host,
      port: integer('port', 0, 65_535, defaults.port),
      workers: integer('workers', 1, 1_024, defaults.workers),
      maxQueuedPlans: integer('maxQueuedPlans', 0, 1_000_000, defaults.maxQueuedPlans),
      maxMessageBytes: integer('maxMessageBytes', 1_024, 2 ** 31 - 1, defaults.maxMessageBytes),
      maxCells: integer('maxCells', 1, Number.MAX_SAFE_INTEGER, defaults.maxCells),
      shutdownGraceMs,
      deadlineMarginMs: integer('deadlineMarginMs', 0, 3_600_000, defaults.deadlineMarginMs),
      tls: cert && key ? { certPath: cert.value, keyPath: key.value } : undefined,
    },
    logLevel: (level?.value as LogLevel | undefined) ?? 'info',
  };
}
