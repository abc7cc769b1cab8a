/**
 * Benchmark helper, run by runBenchmark.ts in a child process of its own: N concurrent gRPC
 * clients call CoSchedulerService.Plan on a running server and the latency of every call is
 * recorded.
 *
 *   node --import tsx bench/grpcLoad.ts HOST:PORT INSTANCE.json [CLIENTS] [CALLS] [WARMUP]
 *        [--mode closed|paced] [--interval-ms MS] [--seed N] [--token-prefix PREFIX]
 *
 * With `--token-prefix`, client i sends `authorization: Bearer PREFIX<i>` (loadTokens), so that
 * against a server started with the matching tokens file (loadTokensFile) each client is a client
 * of its own for the per-client limits, as separate schedulers would be. Without it every client
 * is the same client (the peer's IP address) and the per-client limits (32 plans in flight, 200
 * calls/s by default) refuse most calls RESOURCE_EXHAUSTED.
 *
 * Each client has its own channel and connection (a local subchannel pool). First every client
 * makes WARMUP calls (default 1: connections, the server's workers loading HiGHS), one after
 * another, not counted. Then the measured calls, CALLS per client (default 20):
 *
 * - `--mode closed` (the default): closed loop. All clients at once make their calls one after
 *   another, each sent when the client's previous answer arrives, so CLIENTS calls are always in
 *   flight and the load is whatever the server can take (saturation throughput; latency is then
 *   mostly queueing: mean ≈ CLIENTS / throughput).
 * - `--mode paced`: open loop at a fixed offered rate. Each client sends one call every
 *   `--interval-ms` ms (default 1000), its first at a random phase in [0, interval) drawn from a
 *   seeded PRNG (scripts/seededRandom.ts, `--seed`, default 1), without waiting for earlier
 *   answers: a slow answer does not delay the next send, and calls of a client may overlap.
 *   Offered load: CLIENTS × 1000 / interval plans/s.
 *
 * Every measured call's latency is client side, from the call's start to its answer (queueing on
 * the server included). Prints one JSON line: mode, percentiles, errors by gRPC status code,
 * offered (paced only) and achieved rate; in paced mode also how late the sends left against
 * their schedule (a busy load generator sends late, and that delay is not in the latencies), and
 * this process's CPU time during the measured calls.
 */
import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadTokens } from './loadTokens.js';
import { seededRandom } from '../scripts/seededRandom.js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';

export type GrpcLoadMode = 'closed' | 'paced';

/** What the load generator prints. */
export interface GrpcLoadReport {
  mode: GrpcLoadMode;
  clients: number;
  callsPerClient: number;
  calls: number;
  /** Paced mode: the time between two sends of one client. */
  intervalMs?: number;
  /** Paced mode: the PRNG seed of the clients' phases. */
  seed?: number;
  /** Paced mode: clients × 1000 / intervalMs. */
  offeredPlansPerSecond?: number;
  errors: Record<string, number>;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  meanMs?: number;
  /** Paced mode: how late the sends left against their schedule (ms; timers and a busy event loop). */
  sendLagP50Ms?: number;
  sendLagP99Ms?: number;
  sendLagMaxMs?: number;
  /** From the start of the measured calls (the schedule's origin in paced mode) to the last answer. */
  wallMs: number;
  /** This process's CPU seconds (user + system) during the measured calls (warm-up and start-up not included). */
  clientCpuSeconds?: number;
  /** Achieved rate: answered calls (errors excluded) / wallMs. */
  plansPerSecond: number;
}

function callOnce(client: CoSchedulerServiceClient, request: PlanRequest, token: string | undefined): Promise<{ ms: number; error?: string }> {
  const started = performance.now();
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.plan(request, metadata, { deadline: Date.now() + 120_000 }, (error: ServiceError | null) => {
      resolve({ ms: performance.now() - started, error: error ? `code ${error.code}` : undefined });
    });
  });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const usage = 'usage: grpcLoad.ts HOST:PORT INSTANCE.json [CLIENTS] [CALLS] [WARMUP] [--mode closed|paced] [--interval-ms MS] [--seed N] [--token-prefix PREFIX]';

interface Options {
  address: string;
  instancePath: string;
  clients: number;
  callsPerClient: number;
  warmup: number;
  mode: GrpcLoadMode;
  intervalMs: number;
  seed: number;
  tokenPrefix?: string;
}

function parseOptions(argv: string[]): Options {
  const positional: string[] = [];
  let mode: GrpcLoadMode = 'closed';
  let intervalMs = 1000;
  let seed = 1;
  let tokenPrefix: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const take = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag}: missing value\n${usage}`);
      return v;
    };
    switch (flag) {
      case '--mode': {
        const v = take();
        if (v !== 'closed' && v !== 'paced') throw new Error(`--mode '${v}': expected closed or paced\n${usage}`);
        mode = v;
        break;
      }
      case '--interval-ms':
        intervalMs = Number(take());
        if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`--interval-ms: expected a number > 0\n${usage}`);
        break;
      case '--seed':
        seed = Number(take());
        if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer\n${usage}`);
        break;
      case '--token-prefix':
        tokenPrefix = take();
        break;
      default:
        if (flag.startsWith('--')) throw new Error(`unknown flag '${flag}'\n${usage}`);
        positional.push(argv[i]);
    }
  }
  const [address, instancePath, clientsText = '50', callsText = '20', warmupText = '1', ...rest] = positional;
  if (!address || !instancePath || rest.length > 0) throw new Error(usage);
  const count = (text: string, name: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} '${text}': expected an integer ≥ ${min}\n${usage}`);
    return n;
  };
  return {
    address,
    instancePath,
    clients: count(clientsText, 'CLIENTS', 1),
    callsPerClient: count(callsText, 'CALLS', 1),
    warmup: count(warmupText, 'WARMUP', 0),
    mode,
    intervalMs,
    seed,
    tokenPrefix,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function load(argv: string[]): Promise<GrpcLoadReport> {
  const options = parseOptions(argv);
  const { clients: clientCount, callsPerClient, warmup, mode, intervalMs } = options;
  const request = PlanRequest.fromJSON(JSON.parse(readFileSync(options.instancePath, 'utf8')));
  const clients = Array.from(
    { length: clientCount },
    () => new CoSchedulerServiceClient(options.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  const tokens = options.tokenPrefix === undefined ? undefined : loadTokens(options.tokenPrefix, clientCount);
  const call = (c: number) => callOnce(clients[c], request, tokens?.[c]);
  try {
    await Promise.all(
      clients.map(async (_, c) => {
        for (let i = 0; i < warmup; i++) await call(c);
      }),
    );
    const latencies: number[] = [];
    const lags: number[] = [];
    const errors: Record<string, number> = {};
    const record = ({ ms, error }: { ms: number; error?: string }) => {
      if (error) errors[error] = (errors[error] ?? 0) + 1;
      else latencies.push(ms);
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    if (mode === 'closed') {
      await Promise.all(
        clients.map(async (_, c) => {
          for (let i = 0; i < callsPerClient; i++) record(await call(c));
        }),
      );
    } else {
      // Phases drawn up front, in client order, so that a seed always gives the same schedule.
      const random = seededRandom(options.seed);
      const phases = clients.map(() => random() * intervalMs);
      await Promise.all(
        clients.map(async (_, c) => {
          const inFlight: Array<Promise<void>> = [];
          for (let i = 0; i < callsPerClient; i++) {
            const due = started + phases[c] + i * intervalMs;
            await sleep(due - performance.now());
            lags.push(performance.now() - due);
            inFlight.push(call(c).then(record));
          }
          await Promise.all(inFlight);
        }),
      );
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    latencies.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    return {
      mode,
      clients: clientCount,
      callsPerClient,
      calls: clientCount * callsPerClient,
      ...(mode === 'paced' ? { intervalMs, seed: options.seed, offeredPlansPerSecond: (1000 * clientCount) / intervalMs } : {}),
      errors,
      p50Ms: percentile(latencies, 0.5),
      p90Ms: percentile(latencies, 0.9),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1],
      meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : undefined,
      ...(mode === 'paced' ? { sendLagP50Ms: percentile(lags, 0.5), sendLagP99Ms: percentile(lags, 0.99), sendLagMaxMs: lags[lags.length - 1] } : {}),
      wallMs,
      plansPerSecond: (1000 * latencies.length) / wallMs,
      clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
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
