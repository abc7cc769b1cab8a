/**
 * The main thread's longest event-loop block while a server takes one large request: a real
 * server in this process, a raw client sending pre-encoded bytes (so the client costs nothing
 * proportional to the request), perf_hooks.monitorEventLoopDelay around the call.
 *
 *   node --import tsx bench/largeRequestBlock.ts [sites=50] [hours=8784] [jobs=2] [--inline]
 *
 * The response limit is raised to 64 MiB so that the plan is solved and answered.
 *
 * `--inline` sets DeferredRequest.minBytes to Infinity: every request decoded and prepared on the
 * main thread, as before request-preparation workers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { ValidatePlanRequestRequest, WatchPlanRequest } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { CoschedServer } from '../src/server/CoschedServer.js';
import { createLogger } from '../src/server/createLogger.js';
import { DeferredRequest } from '../src/server/DeferredRequest.js';
import { defaultServerConfig } from '../src/server/ServerConfig.js';
import { largePlanRequest } from '../test/factories/largePlanRequests.js';
import { rawClient, rawServerStream, rawUnary } from '../test/helpers/rawCalls.js';
import { checkHealth, healthClient } from '../test/helpers/standardClients.js';

const [sites = 50, hours = 8784, jobs = 2] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
if (process.argv.includes('--inline')) Object.defineProperty(DeferredRequest, 'minBytes', { value: Infinity });

const request = largePlanRequest(sites, hours, jobs);
const planBytes = PlanRequest.encode(request).finish();
const validateBytes = ValidatePlanRequestRequest.encode({ request }).finish();
const watchBytes = WatchPlanRequest.encode({ request }).finish();
const dataDir = mkdtempSync(join(tmpdir(), 'cosched-bench-'));
const server = await CoschedServer.start({ ...defaultServerConfig(), host: '127.0.0.1', port: 0, workers: 1, dataDir, maxResponseBytes: 64 * 1024 * 1024 }, createLogger('warn', new Writable({ write: (_c, _e, done) => done() })));
const client = rawClient(`127.0.0.1:${server.port}`);
const service = '/cosched.v1.CoSchedulerService';

async function measure(label: string, call: () => Promise<{ code: number; details: string }>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const startedMs = performance.now();
  const answer = await call();
  const ms = performance.now() - startedMs;
  loop.disable();
  console.log(`${label}: code ${answer.code}${answer.details ? ` (${answer.details.slice(0, 80)})` : ''}, ${ms.toFixed(0)} ms, longest event-loop block ${(loop.max / 1e6).toFixed(1)} ms`);
}

console.log(`${sites} sites × ${hours} h × ${jobs} jobs: ${(planBytes.length / 1048576).toFixed(2)} MiB; ${process.argv.includes('--inline') ? 'inline (before)' : `deferred at >= ${DeferredRequest.minBytes} bytes (after)`}`);
// A first call warms up the decoders and validation (JIT), here or in the worker.
await rawUnary(client, `${service}/ValidatePlanRequest`, validateBytes, 60_000);
await measure('ValidatePlanRequest', () => rawUnary(client, `${service}/ValidatePlanRequest`, validateBytes, 60_000));
await measure('Plan', () => rawUnary(client, `${service}/Plan`, planBytes, 120_000));
await measure('WatchPlan', () => rawServerStream(client, `${service}/WatchPlan`, watchBytes, 120_000));
// Up to the first progress event (VALIDATED: the Problem is ready and goes to the plan worker), and after it.
{
  await new Promise((resolve) => setTimeout(resolve, 200));
  let loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const startedMs = performance.now();
  await new Promise<void>((resolve) => {
    const stream = client.makeServerStreamRequest(`${service}/WatchPlan`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(watchBytes), new Metadata(), { deadline: Date.now() + 120_000 });
    let first = true;
    stream.on('data', () => {
      if (!first) return;
      first = false;
      loop.disable();
      console.log(`WatchPlan until VALIDATED: ${(performance.now() - startedMs).toFixed(0)} ms, longest event-loop block ${(loop.max / 1e6).toFixed(1)} ms`);
      loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
    });
    stream.on('error', () => undefined);
    stream.on('status', () => resolve());
  });
  loop.disable();
  console.log(`WatchPlan after VALIDATED (solving, response mapping and encoding): longest event-loop block ${(loop.max / 1e6).toFixed(1)} ms`);
}
// Health latency while four such requests are decoded and validated (pre-encoded; the sending stall is waited out).
{
  const health = healthClient(`127.0.0.1:${server.port}`);
  await checkHealth(health, '');
  const calls = Array.from({ length: 4 }, () => rawUnary(client, `${service}/ValidatePlanRequest`, validateBytes, 120_000));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const latenciesMs: number[] = [];
  let done = false;
  void Promise.all(calls).then(() => (done = true));
  while (!done && latenciesMs.length < 1_000) {
    const startedMs = performance.now();
    await checkHealth(health, '');
    latenciesMs.push(performance.now() - startedMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(calls);
  latenciesMs.sort((a, b) => a - b);
  const at = (q: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.ceil(latenciesMs.length * q) - 1)]!.toFixed(1);
  console.log(`health during four ValidatePlanRequest calls: ${latenciesMs.length} checks, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  health.close();
}
client.close();
await server.forceShutdown();
rmSync(dataDir, { recursive: true, force: true });
