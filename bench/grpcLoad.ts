/**
 * Benchmark helper, run by runBenchmark.ts in a child process of its own: N concurrent gRPC
 * clients call CoSchedulerService.Plan on a running server and the latency of every call is
 * recorded.
 *
 *   node --import tsx bench/grpcLoad.ts HOST:PORT INSTANCE.json [CLIENTS] [CALLS] [WARMUP]
 *
 * Each client has its own channel and connection (a local subchannel pool). First every client
 * makes WARMUP calls (default 1: connections, the server's workers loading HiGHS), not counted;
 * then all clients at once make CALLS calls each (default 20), one after another, and every
 * call's latency (client side, call start to answer, queueing on the server included) is
 * recorded. Prints one JSON line: percentiles, errors by gRPC status code, throughput.
 */
import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';

/** What the load generator prints. */
export interface GrpcLoadReport {
  clients: number;
  callsPerClient: number;
  calls: number;
  errors: Record<string, number>;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  meanMs?: number;
  wallMs: number;
  plansPerSecond: number;
}

function callOnce(client: CoSchedulerServiceClient, request: PlanRequest): Promise<{ ms: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    client.plan(request, new Metadata(), { deadline: Date.now() + 120_000 }, (error: ServiceError | null) => {
      resolve({ ms: performance.now() - started, error: error ? `code ${error.code}` : undefined });
    });
  });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function load(argv: string[]): Promise<GrpcLoadReport> {
  const [address, instancePath, clientsText = '50', callsText = '20', warmupText = '1'] = argv;
  if (!address || !instancePath) throw new Error('usage: grpcLoad.ts HOST:PORT INSTANCE.json [CLIENTS] [CALLS] [WARMUP]');
  const clientCount = Number(clientsText);
  const callsPerClient = Number(callsText);
  const warmup = Number(warmupText);
  const request = PlanRequest.fromJSON(JSON.parse(readFileSync(instancePath, 'utf8')));
  const clients = Array.from(
    { length: clientCount },
    () => new CoSchedulerServiceClient(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < warmup; i++) await callOnce(client, request);
      }),
    );
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < callsPerClient; i++) {
          const { ms, error } = await callOnce(client, request);
          if (error) errors[error] = (errors[error] ?? 0) + 1;
          else latencies.push(ms);
        }
      }),
    );
    const wallMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    return {
      clients: clientCount,
      callsPerClient,
      calls: clientCount * callsPerClient,
      errors,
      p50Ms: percentile(latencies, 0.5),
      p90Ms: percentile(latencies, 0.9),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1],
      meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : undefined,
      wallMs,
      plansPerSecond: (1000 * latencies.length) / wallMs,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

try {
  process.stdout.write(`${JSON.stringify(await load(process.argv.slice(2)))}\n`);
} catch (error) {
  process.stderr.write(`grpcLoad: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
