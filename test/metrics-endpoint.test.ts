import { afterAll, describe, expect, inject, it } from 'vitest';
import { callPlan, callValidate } from './helpers/grpcCalls.js';
import { removeQueue, startWorkerProcess, testQueueName, type WorkerProcess } from './helpers/queueWorkers.js';
import { standingClients, unary, waitDone } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { status } from '@grpc/grpc-js';
import { oneSiteFourHours, threeSitesFourHours } from './factories/planRequests.js';
import { checkHealth, healthClient } from './helpers/standardClients.js';

/** The metrics text, and one sample's value (undefined when absent). */
async function scrape(port: number): Promise<{ text: string; value(name: string, labels?: Record<string, string>): number | undefined }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  return {
    text,
    value(name, labels = {}) {
      for (const line of text.split('\n')) {
        const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
      }
      return undefined;
    },
  };
}

describe('Prometheus metrics', () => {
  const servers: TestServer[] = [];
  const workers: WorkerProcess[] = [];
  let queue: { url: string; name: string } | undefined;
  afterAll(async () => {
    for (const w of workers) if (!w.exited()) await w.stop('SIGTERM');
    for (const s of servers) await s.close();
    if (queue) await removeQueue(queue.url, queue.name);
  });

  it('a server counts plan waits and solves, plans in flight, threads and standing-planner runs at /metrics', async () => {
    const server = await startTestServer({ metricsPort: 0 });
    servers.push(server);
    const port = server.server.metricsServer!.port;
    const before = await scrape(port);
    expect(before.value('cosched_plan_worker_threads', { role: 'server' })).toBe(1);
    expect(before.value('cosched_plans_in_flight', { state: 'running' })).toBe(0);
    expect(before.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    // No queue here: no queue series.
    expect(before.value('cosched_queue_up')).toBeUndefined();
    expect(before.value('cosched_queue_workers_alive')).toBeUndefined();
    await callPlan(server.client, oneSiteFourHours());
    await callPlan(server.client, oneSiteFourHours());
    const clients = standingClients(server.address);
    const run = await unary(clients.planner, clients.planner.startPlanRun, { now: undefined, horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
    await waitDone(clients, run.name);
    clients.close();
    const after = await scrape(port);
    expect(after.value('cosched_plan_wait_seconds_count', { outcome: 'completed' })).toBe(2);
    expect(after.value('cosched_plan_solve_seconds_count', { outcome: 'completed' })).toBe(2);
    expect(after.value('cosched_plan_solve_seconds_sum', { outcome: 'completed' })).toBeGreaterThan(0);
    // The run had nothing to plan (an empty backlog): it succeeds without a solve.
    expect(after.value('cosched_plan_runs_total', { state: 'succeeded', trigger: 'api' })).toBe(1);
    const notFound = await fetch(`http://127.0.0.1:${port}/`);
    expect(notFound.status).toBe(404);
  });

  it('a server counts calls by method and code with their duration, plan latency, solver time and model size', async () => {
    const server = await startTestServer({ metricsPort: 0 });
    servers.push(server);
    const port = server.server.metricsServer!.port;
    const coScheduler = 'cosched.v1.CoSchedulerService';
    await callPlan(server.client, oneSiteFourHours());
    await callPlan(server.client, threeSitesFourHours());
    const refused = await callPlan(server.client, { ...oneSiteFourHours(), sites: [] }).then(
      () => undefined,
      (error: { code: number }) => error.code,
    );
    expect(refused).toBe(status.INVALID_ARGUMENT);
    await callValidate(server.client, oneSiteFourHours());
    const health = healthClient(server.address);
    await checkHealth(health, '');
    health.close();

    const after = await scrape(port);
    expect(after.value('cosched_grpc_calls_total', { service: coScheduler, method: 'Plan', code: 'OK' })).toBe(2);
    expect(after.value('cosched_grpc_calls_total', { service: coScheduler, method: 'Plan', code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(after.value('cosched_grpc_calls_total', { service: coScheduler, method: 'ValidatePlanRequest', code: 'OK' })).toBe(1);
    expect(after.value('cosched_grpc_calls_total', { service: 'grpc.health.v1.Health', method: 'Check', code: 'OK' })).toBe(1);
    expect(after.value('cosched_grpc_call_duration_seconds_count', { method: 'Plan', code: 'OK' })).toBe(2);
    expect(after.value('cosched_grpc_call_duration_seconds_sum', { method: 'Plan', code: 'OK' })).toBeGreaterThan(0);
    expect(after.value('cosched_plan_latency_seconds_count', { method: 'Plan', code: 'OK' })).toBe(2);
    expect(after.value('cosched_plan_latency_seconds_count', { method: 'Plan', code: 'INVALID_ARGUMENT' })).toBe(1);
    // Each call's latency is at least its plan's time on the worker.
    expect(after.value('cosched_plan_latency_seconds_sum', { method: 'Plan', code: 'OK' })).toBeGreaterThanOrEqual(after.value('cosched_plan_solve_seconds_sum', { outcome: 'completed' })!);
    expect(after.value('cosched_solver_seconds_count')).toBe(2);
    expect(after.value('cosched_solver_seconds_sum')).toBeGreaterThan(0);
    expect(after.value('cosched_solver_seconds_sum')).toBeLessThanOrEqual(after.value('cosched_plan_solve_seconds_sum', { outcome: 'completed' })!);
    // 4 × 1 × 1 and 4 × 3 × 1 cells (hours × sites × jobs).
    expect(after.value('cosched_plan_cells_count')).toBe(2);
    expect(after.value('cosched_plan_cells_sum')).toBe(4 + 12);
    expect(after.value('cosched_plan_lp_variables_count')).toBe(2);
    expect(after.value('cosched_plan_lp_variables_sum')).toBeGreaterThan(0);
    expect(after.value('cosched_plan_lp_constraints_count')).toBe(2);
  });

  it('with a queue: the server shows the queue and its workers; a worker shows the plans it ran', async () => {
    queue = { url: inject('coschedTestRedisUrl'), name: testQueueName('metrics') };
    const worker = await startWorkerProcess({ url: queue.url, queueName: queue.name, args: ['--metrics-port', '0', '--metrics-host', '127.0.0.1'] });
    workers.push(worker);
    const workerPort = (await worker.waitForLog((line) => line.msg === 'serving metrics at /metrics')).metricsPort as number;
    const server = await startTestServer({ metricsPort: 0, queue: queue.url, queueName: queue.name });
    servers.push(server);
    await callPlan(server.client, oneSiteFourHours());
    const fromServer = await scrape(server.server.metricsServer!.port);
    expect(fromServer.value('cosched_queue_workers_alive', { role: 'server' })).toBe(1);
    expect(fromServer.value('cosched_queue_up', { role: 'server' })).toBe(1);
    expect(fromServer.value('cosched_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(fromServer.value('cosched_plan_wait_seconds_count', { outcome: 'completed' })).toBe(1);
    const fromWorker = await scrape(workerPort);
    expect(fromWorker.value('cosched_plan_solve_seconds_count', { role: 'worker', outcome: 'completed' })).toBe(1);
    expect(fromWorker.value('cosched_plan_worker_threads', { role: 'worker' })).toBe(1);
  });
});
