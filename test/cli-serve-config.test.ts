import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli/parseCommandLine.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { UsageError } from '../src/cli/UsageError.js';

describe('cosched serve configuration', () => {
  it('defaults to 127.0.0.1:50051, one worker per core, 64 MiB messages, 20,000,000 cells, 30 s grace, plaintext, SQLite in ./cosched-data, no nightly runs', () => {
    expect(resolveServeConfig({}, {})).toEqual({
      server: {
        host: '127.0.0.1',
        port: 50_051,
        workers: availableParallelism(),
        maxQueuedPlans: 64,
        maxMessageBytes: 67_108_864,
        maxCells: 20_000_000,
        maxModelSize: 1_500_000,
        maxResponseBytes: 4_194_304,
        requestsPerSecondPerClient: 200,
        requestBurstPerClient: 400,
        maxPlansInFlightPerClient: 32,
        maxConnections: 1_024,
        maxConnectionsPerIp: 256,
        connectionIdleMs: 300_000,
        maxStreamsPerConnection: 100,
        firstRequestTimeoutMs: 10_000,
        shutdownGraceMs: 30_000,
        deadlineMarginMs: 1_000,
        tls: undefined,
        dataDir: './cosched-data',
        store: undefined,
        nightly: undefined,
        runLeaseMs: 30_000,
        workerHeapMb: 2_048,
      },
      logLevel: 'info',
    });
  });

  it('reads the standing planner settings: data dir, PostgreSQL store, nightly schedule and zone, run lease', () => {
    const command = parseCommandLine(['serve', '--nightly', '0 2 * * *', '--nightly-tz', 'Asia/Shanghai', '--store', 'postgres://cosched@db:5432/cosched']);
    const config = resolveServeConfig(command.kind === 'serve' ? command.flags : {}, { COSCHED_DATA_DIR: '/var/lib/cosched', COSCHED_RUN_LEASE_SECONDS: '5' });
    expect(config.server).toMatchObject({
      dataDir: '/var/lib/cosched',
      store: 'postgres://cosched@db:5432/cosched',
      nightly: { cron: '0 2 * * *', timeZone: 'Asia/Shanghai' },
      runLeaseMs: 5_000,
    });
    expect(resolveServeConfig({ nightly: '30 1 * * *' }, {}).server.nightly).toEqual({ cron: '30 1 * * *', timeZone: 'UTC' });
    expect(resolveServeConfig(parseCommandLine(['serve', '--metrics-port', '9464']).kind === 'serve' ? { metricsPort: '9464' } : {}, {}).server.metricsPort).toBe(9_464);
    expect(resolveServeConfig({}, { COSCHED_METRICS_PORT: '0' }).server.metricsPort).toBe(0);
    expect(resolveServeConfig({}, {}).server.metricsPort).toBeUndefined();
    expect(() => resolveServeConfig({ metricsPort: '70000' }, {})).toThrow(/--metrics-port '70000': expected a whole number from 0 to 65535/);
  });

  it('refuses a bad nightly schedule, zone, store URL or lease, naming the flag or variable and the value', () => {
    expect(() => resolveServeConfig({ nightly: '0 25 * * *', nightlyTz: 'Mars/Olympus' }, {})).toThrow(/--nightly .*0 25 \* \* \*.*; --nightly-tz .*Mars\/Olympus/);
    expect(() => resolveServeConfig({ nightlyTz: 'Asia/Shanghai' }, {})).toThrow(/--nightly-tz needs --nightly/);
    expect(() => resolveServeConfig({}, { COSCHED_STORE: 'mysql://x' })).toThrow(/COSCHED_STORE 'mysql:\/\/x': expected a PostgreSQL URL/);
    expect(() => resolveServeConfig({ runLeaseSeconds: '0' }, {})).toThrow(/--run-lease-seconds '0': expected a number of seconds from 1 to 3600/);
  });

  it('reads COSCHED_* variables, and a flag wins over its variable', () => {
    const command = parseCommandLine(['serve', '--port', '6000', '--max-cells', '1_000', '--tls-cert', 'c.pem', '--tls-key', 'k.pem']);
    expect(command.kind).toBe('serve');
    const env = { COSCHED_PORT: '7000', COSCHED_HOST: '0.0.0.0', COSCHED_WORKERS: '3', COSCHED_SHUTDOWN_GRACE_SECONDS: '2.5', COSCHED_LOG_LEVEL: 'warn', COSCHED_MAX_QUEUED_PLANS: '' };

    const config = resolveServeConfig(command.kind === 'serve' ? command.flags : {}, env);

    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 6_000, workers: 3, maxCells: 1_000, shutdownGraceMs: 2_500, maxQueuedPlans: 64, tls: { certPath: 'c.pem', keyPath: 'k.pem' } });
    expect(config.logLevel).toBe('warn');
  });

  it('refuses bad values naming the flag or the variable', () => {
    expect(() => resolveServeConfig({ port: '70000' }, {})).toThrow(new UsageError("--port '70000': expected a whole number from 0 to 65535"));
    expect(() => resolveServeConfig({}, { COSCHED_WORKERS: '0' })).toThrow(/^COSCHED_WORKERS '0': expected a whole number from 1/);
    expect(() => resolveServeConfig({ logLevel: 'loud' }, {})).toThrow(/--log-level 'loud': expected one of fatal, error/);
    expect(() => resolveServeConfig({ tlsCert: 'c.pem' }, {})).toThrow(/--tls-cert needs --tls-key/);
  });

  it('keeps plan and serve flags apart', () => {
    expect(() => parseCommandLine(['serve', '--json'])).toThrow(/serve: --json is not a serve option/);
    expect(() => parseCommandLine(['plan', 'a.yaml', '--port', '1'])).toThrow(/plan: --port is not a plan option/);
    expect(() => parseCommandLine(['plan', 'a.yaml', '--server', 'localhost'])).toThrow(/--server 'localhost': expected HOST:PORT/);
    expect(parseCommandLine(['plan', 'a.yaml', '--server', 'localhost:50051'])).toMatchObject({ kind: 'plan', server: 'localhost:50051' });
  });
});
