import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli/parseCommandLine.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { UsageError } from '../src/cli/UsageError.js';

describe('cosched serve configuration', () => {
  it('defaults to 127.0.0.1:50051, one worker per core, 64 MiB messages, 20,000,000 cells, 30 s grace, plaintext', () => {
    expect(resolveServeConfig({}, {})).toEqual({
      server: {
        host: '127.0.0.1',
        port: 50_051,
        workers: availableParallelism(),
        maxQueuedPlans: 64,
        maxMessageBytes: 67_108_864,
        maxCells: 20_000_000,
        shutdownGraceMs: 30_000,
        deadlineMarginMs: 1_000,
        tls: undefined,
      },
      logLevel: 'info',
    });
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
