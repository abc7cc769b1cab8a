import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { credentials } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../../src/generated/cosched/v1/co_scheduler_service.js';
import { CoschedServer } from '../../src/server/CoschedServer.js';
import { createLogger } from '../../src/server/createLogger.js';
import { defaultServerConfig, type ServerConfig } from '../../src/server/ServerConfig.js';

/** A real server on 127.0.0.1:0 with a real client; close() closes both. */
export interface TestServer {
  server: CoschedServer;
  client: CoSchedulerServiceClient;
  address: string;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts a server (one worker unless `overrides` say otherwise) on 127.0.0.1:0 and a client for it. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // Each server keeps its standing-planner store in a fresh directory of its own, removed on close.
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'cosched-test-data-'));
  const config: ServerConfig = { ...defaultServerConfig(), host: '127.0.0.1', port: 0, workers: 1, dataDir, ...overrides };
  const server = await CoschedServer.start(config, createLogger('info', sink));
  const address = `127.0.0.1:${server.port}`;
  const client = new CoSchedulerServiceClient(address, credentials.createInsecure());
  return {
    server,
    client,
    address,
    logs,
    async close() {
      client.close();
      await server.forceShutdown();
      if (overrides.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
