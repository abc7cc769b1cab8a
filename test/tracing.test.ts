import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { Termination, type PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { resolveOtlpEndpoint } from '../src/tracing/resolveOtlpEndpoint.js';
import { oneSiteFourHours, request } from './factories/planRequests.js';
import { removeQueue, testQueueName } from './helpers/queueWorkers.js';
import { watchPlan } from './helpers/grpcCalls.js';
import { repoRoot } from './helpers/runCli.js';
import { healthClient } from './helpers/standardClients.js';
import { standingClients, unary, waitDone } from './helpers/standingCalls.js';

// Spawns the compiled CLI (bin/cosched.js runs dist/): run `npx tsc -p tsconfig.json` after changing src/.

/** A span as OTLP/HTTP JSON carries it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number; message?: string };
}

interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  resources: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A tiny OTLP/HTTP receiver: accepts JSON POSTs to /v1/traces and keeps their spans. */
async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const resources: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(404).end();
        return;
      }
      const payload = JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const resourceSpans of payload.resourceSpans) {
        resources.push(attributesOf(resourceSpans.resource.attributes));
        for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, resources, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function attributesOf(attributes: OtlpSpan['attributes']): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

const ms = (nanos: string) => Number(BigInt(nanos) / 1_000n) / 1_000;

interface CoschedProcess {
  child: ChildProcess;
  port: number;
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * `node bin/cosched.js serve --port 0` (or `worker`, with `command`) with the OpenTelemetry load
 * recorder preloaded, without any OTLP variable from this environment; waits for the start line.
 */
async function startCosched(args: string[], command: 'serve' | 'worker' = 'serve'): Promise<CoschedProcess> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_') || name === 'COSCHED_OTLP_ENDPOINT') delete env[name];
  const dataDir = mkdtempSync(join(tmpdir(), 'cosched-tracing-'));
  const commandArgs = command === 'serve' ? ['serve', '--port', '0', '--workers', '1', '--data-dir', dataDir] : ['worker', '--workers', '1'];
  const child = spawn(process.execPath, ['--import', './test/fixtures/recordOpenTelemetryLoads.mjs', 'bin/cosched.js', ...commandArgs, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line }; // not ours (a library's console output)
      }
      logs.push(entry);
      if (entry.msg === 'cosched serving' || entry.msg === 'cosched worker ready') resolve((entry.port as number | undefined) ?? 0);
    });
    void exited.then((code) => reject(new Error(`cosched serve exited with ${code} before serving: ${stderr}`)));
  });
  started.push(child);
  return { child, port, logs, stderr: () => stderr, exited };
}

/** What the recorder says this process loaded of OpenTelemetry. */
function openTelemetryModules(stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith('otel-modules: '));
  if (!line) throw new Error(`no otel-modules line in stderr: ${stderr}`);
  return JSON.parse(line.slice('otel-modules: '.length)) as string[];
}

function plan(client: CoSchedulerServiceClient, planRequest: PlanRequest, traceparent: string): Promise<PlanResponse> {
  const metadata = new Metadata();
  metadata.set('traceparent', traceparent);
  return new Promise((resolve, reject) => client.plan(planRequest, metadata, { deadline: Date.now() + 20_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

const randomHex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');

const redisUrl = inject('coschedTestRedisUrl');
const started: ChildProcess[] = [];
const receivers: OtlpReceiver[] = [];
const queues: string[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([...receivers.map((r) => r.close()), ...queues.map((name) => removeQueue(redisUrl, name))]);
});

// The three processes start side by side (each test uses its own expect).
describe('tracing in cosched serve', () => {
  it.concurrent('with --otlp-endpoint: exports a server span per call that continues the caller traceparent, with a span per plan phase under it, and flushes on SIGTERM', async ({ expect }) => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const server = await startCosched(['--otlp-endpoint', receiver.url]);
    const address = `127.0.0.1:${server.port}`;
    const client = new CoSchedulerServiceClient(address, credentials.createInsecure());
    const health = healthClient(address);
    const standing = standingClients(address);
    const okTrace = { traceId: randomHex(16), parentId: randomHex(8) };
    const badTrace = { traceId: randomHex(16), parentId: randomHex(8) };
    try {
      const response = await plan(client, oneSiteFourHours(), `00-${okTrace.traceId}-${okTrace.parentId}-01`);
      expect(response.termination).toBe(Termination.TERMINATION_OPTIMAL);
      const refused = (await plan(client, request(4, [], []), `00-${badTrace.traceId}-${badTrace.parentId}-01`).catch((e: unknown) => e)) as ServiceError;
      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      const watched = await watchPlan(client, oneSiteFourHours());
      expect(watched.plan?.termination).toBe(Termination.TERMINATION_OPTIMAL);
      expect(watched.progress.length).toBeGreaterThanOrEqual(4);
      await new Promise<void>((resolve, reject) => health.check({ service: '' }, {}, (error) => (error ? reject(error) : resolve())));
      // A standing-planner run (an empty backlog: nothing to plan, it ends at once).
      const run = await unary(standing.planner, standing.planner.startPlanRun, { now: undefined, horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
      expect((await waitDone(standing, run.name)).done).toBe(true);
    } finally {
      client.close();
      health.close();
      standing.close();
    }

    // Spans still in the batch are exported at shutdown.
    const signalledMs = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(performance.now() - signalledMs).toBeLessThan(15_000);
    expect(server.logs.find((l) => l.msg === 'exporting traces over OTLP/HTTP')?.otlpTracesUrl).toBe(`${receiver.url}/v1/traces`);
    expect(openTelemetryModules(server.stderr()).some((m) => m.includes('@opentelemetry/instrumentation-grpc'))).toBe(true);
    expect(receiver.resources[0]).toMatchObject({ 'service.name': 'cosched', 'service.version': expect.stringMatching(/^\d+\.\d+\.\d+/) });

    // The Plan call: a SERVER span (kind 2) that continues the caller's trace.
    const okSpans = receiver.spans.filter((s) => s.traceId === okTrace.traceId);
    const call = okSpans.find((s) => s.kind === 2)!;
    expect(call).toMatchObject({ name: 'grpc.cosched.v1.CoSchedulerService/Plan', parentSpanId: okTrace.parentId });
    expect(attributesOf(call.attributes)).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'cosched.v1.CoSchedulerService',
      'rpc.method': 'Plan',
      'rpc.grpc.status_code': 0,
      'cosched.termination': 'optimal',
      'cosched.stages': 1,
    });
    expect(typeof attributesOf(call.attributes)['cosched.objective']).toBe('number');

    // Its phases: children of the call's span, in order, inside it, each start <= end.
    const phases = okSpans.filter((s) => s !== call);
    for (const phase of phases) expect(phase.parentSpanId, phase.name).toBe(call.spanId);
    const names = [...phases].sort((a, b) => ms(a.startTimeUnixNano) - ms(b.startTimeUnixNano) || ms(a.endTimeUnixNano) - ms(b.endTimeUnixNano)).map((s) => s.name);
    expect(names).toEqual(['cosched.validate', 'cosched.wait_for_worker', 'cosched.baseline', 'cosched.build_model', 'cosched.solve', 'cosched.check', 'cosched.respond']);
    const toleranceMs = 2; // the call's span and the phases read the clock separately
    let previousEndMs = ms(call.startTimeUnixNano) - toleranceMs;
    for (const name of names) {
      const phase = phases.find((s) => s.name === name)!;
      const [startMs, endMs] = [ms(phase.startTimeUnixNano), ms(phase.endTimeUnixNano)];
      expect(startMs, name).toBeGreaterThanOrEqual(previousEndMs - 0.01);
      expect(endMs, name).toBeGreaterThanOrEqual(startMs);
      expect(endMs, name).toBeLessThanOrEqual(ms(call.endTimeUnixNano) + toleranceMs);
      previousEndMs = endMs;
    }
    const attributes = (name: string) => attributesOf(phases.find((s) => s.name === name)!.attributes);
    expect(attributes('cosched.validate')).toEqual({ 'cosched.hours': 4, 'cosched.sites': 1, 'cosched.jobs': 1, 'cosched.cells': 4 });
    expect(attributes('cosched.build_model')).toMatchObject({ 'cosched.stage': 1, 'cosched.variables': expect.any(Number), 'cosched.constraints': expect.any(Number) });
    expect(attributes('cosched.solve')).toEqual({ 'cosched.stage': 1, 'cosched.termination': 'optimal' });
    expect(attributes('cosched.check')).toMatchObject({ 'cosched.check_passed': true });

    // The refused call: INVALID_ARGUMENT on the call's span, its validation phase marked as the error.
    const badSpans = receiver.spans.filter((s) => s.traceId === badTrace.traceId);
    const badCall = badSpans.find((s) => s.kind === 2)!;
    expect(badCall.parentSpanId).toBe(badTrace.parentId);
    expect(attributesOf(badCall.attributes)['rpc.grpc.status_code']).toBe(status.INVALID_ARGUMENT);
    expect(badCall.status?.code).toBe(2);
    expect(badSpans.filter((s) => s !== badCall).map((s) => [s.name, s.parentSpanId, s.status?.code])).toEqual([['cosched.validate', badCall.spanId, 2]]);

    // WatchPlan: its stream still gets the progress (above), and its span the same phases.
    const watchCall = receiver.spans.find((s) => s.name === 'grpc.cosched.v1.CoSchedulerService/WatchPlan')!;
    expect(attributesOf(watchCall.attributes)).toMatchObject({ 'rpc.method': 'WatchPlan', 'rpc.grpc.status_code': 0, 'cosched.termination': 'optimal' });
    expect(receiver.spans.filter((s) => s.parentSpanId === watchCall.spanId).map((s) => s.name).sort()).toEqual(
      ['cosched.baseline', 'cosched.build_model', 'cosched.check', 'cosched.respond', 'cosched.solve', 'cosched.validate', 'cosched.wait_for_worker'],
    );

    // The run: a trace of its own.
    const runSpan = receiver.spans.find((s) => s.name === 'cosched.plan_run')!;
    expect(runSpan.parentSpanId ?? '').toBe('');
    expect(attributesOf(runSpan.attributes)['cosched.run']).toEqual(expect.any(String));
    expect(ms(runSpan.endTimeUnixNano)).toBeGreaterThanOrEqual(ms(runSpan.startTimeUnixNano));

    // Health checks are not traced.
    expect(receiver.spans.filter((s) => s.name.includes('grpc.health'))).toEqual([]);
  }, 60_000);

  it.concurrent('with --queue: the worker continues the trace, its plan span a child of the call span and the phases under it', async ({ expect }) => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const queueName = testQueueName('tracing');
    queues.push(queueName);
    const queueArgs = ['--queue', redisUrl, '--queue-name', queueName, '--otlp-endpoint', receiver.url];
    const [server, worker] = await Promise.all([startCosched(queueArgs), startCosched(queueArgs, 'worker')]);
    const client = new CoSchedulerServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const caller = { traceId: randomHex(16), parentId: randomHex(8) };
    try {
      expect((await plan(client, oneSiteFourHours(), `00-${caller.traceId}-${caller.parentId}-01`)).termination).toBe(Termination.TERMINATION_OPTIMAL);
    } finally {
      client.close();
    }
    server.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await Promise.all([server.exited, worker.exited])).toEqual([0, 0]);
    expect(worker.logs.find((l) => l.msg === 'exporting traces over OTLP/HTTP')?.otlpTracesUrl).toBe(`${receiver.url}/v1/traces`);
    // The worker does not serve gRPC: it loads no gRPC instrumentation.
    expect(openTelemetryModules(worker.stderr()).filter((m) => m.includes('instrumentation-grpc'))).toEqual([]);

    const spans = receiver.spans.filter((s) => s.traceId === caller.traceId);
    const call = spans.find((s) => s.kind === 2)!;
    expect(call).toMatchObject({ name: 'grpc.cosched.v1.CoSchedulerService/Plan', parentSpanId: caller.parentId });
    const workerPlan = spans.find((s) => s.name === 'cosched.worker_plan')!;
    expect(workerPlan.parentSpanId).toBe(call.spanId);
    expect(attributesOf(workerPlan.attributes)).toMatchObject({ 'cosched.attempt': 1, 'cosched.termination': 'optimal', 'cosched.job': expect.any(String) });
    expect(ms(workerPlan.startTimeUnixNano)).toBeGreaterThanOrEqual(ms(call.startTimeUnixNano));
    expect(ms(workerPlan.endTimeUnixNano)).toBeLessThanOrEqual(ms(call.endTimeUnixNano) + 50); // two processes, two clocks (same machine)
    const inWorker = spans.filter((s) => s.parentSpanId === workerPlan.spanId).map((s) => s.name);
    expect(inWorker).toEqual(expect.arrayContaining(['cosched.build_model', 'cosched.solve', 'cosched.check']));
    for (const s of spans.filter((s) => s.parentSpanId === workerPlan.spanId)) {
      expect(ms(s.startTimeUnixNano), s.name).toBeGreaterThanOrEqual(ms(workerPlan.startTimeUnixNano) - 2);
      expect(ms(s.endTimeUnixNano), s.name).toBeLessThanOrEqual(ms(workerPlan.endTimeUnixNano) + 2);
    }
  }, 60_000);

  it.concurrent('without an endpoint: loads no OpenTelemetry module in cosched serve, even while it plans', async ({ expect }) => {
    const server = await startCosched([]);
    const client = new CoSchedulerServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      await plan(client, oneSiteFourHours(), `00-${randomHex(16)}-${randomHex(8)}-01`);
    } finally {
      client.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logs.some((l) => l.msg === 'exporting traces over OTLP/HTTP')).toBe(false);
    // prom-client (the metrics) requires @opentelemetry/api, the no-op API, for its exemplars:
    // that one package may be there; nothing of the SDK, the exporter, the instrumentation or the hooks.
    const loaded = openTelemetryModules(server.stderr());
    expect(loaded.filter((path) => !path.includes('/node_modules/@opentelemetry/api/'))).toEqual([]);
  }, 60_000);

  it.concurrent('loads no OpenTelemetry module at all for cosched --help', async ({ expect }) => {
    const child = spawn(process.execPath, ['--import', './test/fixtures/recordOpenTelemetryLoads.mjs', 'bin/cosched.js', '--help'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    expect(openTelemetryModules(stderr)).toEqual([]);
  }, 30_000);
});

describe('resolveOtlpEndpoint', () => {
  it('takes the flag, then COSCHED_OTLP_ENDPOINT, then the standard OTEL_ variables', () => {
    const env = { COSCHED_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/custom/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel:4318/base/' };
    expect(resolveOtlpEndpoint('http://flag:4318', env)).toEqual({ tracesUrl: 'http://flag:4318/v1/traces', source: '--otlp-endpoint' });
    expect(resolveOtlpEndpoint(undefined, env)).toEqual({ tracesUrl: 'http://collector:4318/v1/traces', source: 'COSCHED_OTLP_ENDPOINT' });
    expect(resolveOtlpEndpoint(undefined, { ...env, COSCHED_OTLP_ENDPOINT: '' })?.tracesUrl).toBe('http://jaeger:4318/custom/traces');
    expect(resolveOtlpEndpoint(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel:4318/base/' })?.tracesUrl).toBe('https://otel:4318/base/v1/traces');
    expect(resolveOtlpEndpoint('http://c:4318/v1/traces', {})?.tracesUrl).toBe('http://c:4318/v1/traces');
    expect(resolveOtlpEndpoint(undefined, {})).toBeUndefined();
  });

  it('refuses what is not an http(s) URL, naming where it came from', () => {
    expect(() => resolveOtlpEndpoint('collector:4318', {})).toThrow("--otlp-endpoint 'collector:4318': expected the http:// or https:// URL of an OTLP/HTTP receiver");
    expect(() => resolveOtlpEndpoint(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x:4317' })).toThrow("OTEL_EXPORTER_OTLP_ENDPOINT 'grpc://x:4317'");
  });
});
