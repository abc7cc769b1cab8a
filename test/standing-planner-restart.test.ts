import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { JobState, PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { timestampToMs } from '../src/data/timestampToMs.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { repoRoot } from './helpers/runCli.js';
import { runMetadata, standingClients, unary, waitDone } from './helpers/standingCalls.js';

/** `cosched serve` in a child process on `dataDir`; resolves once it serves. */
async function serve(dataDir: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--workers', '1', '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'cosched serving') resolve(entry.port as number);
    });
    child.on('exit', (code) => reject(new Error(`cosched serve exited with ${code}`)));
  });
  return { child, address: `127.0.0.1:${port}` };
}

const dataDir = mkdtempSync(join(tmpdir(), 'cosched-restart-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server killed with SIGKILL during a plan run (SQLite store)', () => {
  it('loses nothing it accepted: after a restart the run is FAILED with a reason, the jobs and progress are there, and the next run plans them', async () => {
    const request = competingBlocksMilp({ jobs: 30, timeLimitSeconds: 60 });
    const startMs = timestampToMs(request.horizon!.start!)!;
    const first = await serve(dataDir);
    children.push(first.child);
    let clients = standingClients(first.address);
    await unary(clients.planner, clients.planner.batchCreateJobs, { requests: request.jobs.map((job) => ({ job, requestId: '' })), requestId: '' });
    await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
      requests: request.sites.map((site) => ({ siteForecast: { name: '', site, start: request.horizon!.start, version: 0, createTime: undefined, source: '' }, requestId: '' })),
      requestId: '',
    });
    const interruptible = request.jobs.find((j) => j.interruptible) ?? request.jobs[0];
    const done = await unary(clients.planner, clients.planner.reportProgress, {
      records: [{ job: interruptible.id, siteId: interruptible.homeSite, start: request.horizon!.start, hours: 1, gpus: 1, finished: false }],
      requestId: '',
    });
    expect(done.jobs[0].doneGpuHours).toBe(1);
    const operation = await unary(clients.planner, clients.planner.startPlanRun, {
      now: request.horizon!.start,
      horizonHours: 0,
      objective: undefined,
      options: { timeLimitSeconds: 60, mipGap: 1e-9, solver: 0 },
      requestId: '',
    });
    // Wait until the run is solving, then kill the server outright.
    let state = PlanRunState.PLAN_RUN_STATE_QUEUED;
    for (let i = 0; i < 100 && state !== PlanRunState.PLAN_RUN_STATE_RUNNING; i++) {
      state = runMetadata(await unary(clients.operations, clients.operations.getOperation, { name: operation.name })).state;
      if (state !== PlanRunState.PLAN_RUN_STATE_RUNNING) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(state).toBe(PlanRunState.PLAN_RUN_STATE_RUNNING);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    clients.close();

    const second = await serve(dataDir);
    children.push(second.child);
    clients = standingClients(second.address);
    const orphan = await unary(clients.operations, clients.operations.getOperation, { name: operation.name });
    expect(orphan.done).toBe(true);
    expect(runMetadata(orphan).state).toBe(PlanRunState.PLAN_RUN_STATE_FAILED);
    expect(orphan.result?.$case).toBe('error');
    if (orphan.result?.$case === 'error') {
      expect(orphan.result.value.code).toBe(status.ABORTED);
      expect(orphan.result.value.message).toMatch(/stopped before it finished/);
    }
    const jobs = await unary(clients.planner, clients.planner.listJobs, { pageSize: 1000, pageToken: '', filter: '' });
    expect(jobs.jobs.map((j) => j.spec!.id)).toEqual(request.jobs.map((j) => j.id));
    expect(jobs.jobs.find((j) => j.spec!.id === interruptible.id)!.doneGpuHours).toBe(1);
    const runs = await unary(clients.operations, clients.operations.listOperations, { name: '', filter: '', pageSize: 0, pageToken: '' });
    expect(runs.operations.map((o) => o.name)).toContain(operation.name);

    // The next run plans them all (a quick, time-limited one).
    const next = await unary(clients.planner, clients.planner.startPlanRun, {
      now: { seconds: (startMs + 3_600_000) / 1000, nanos: 0 },
      horizonHours: 0,
      objective: undefined,
      options: { timeLimitSeconds: 5, mipGap: 0.05, solver: 0 },
      requestId: '',
    });
    const finished = await waitDone(clients, next.name, 60_000);
    expect(runMetadata(finished).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    expect(runMetadata(finished).jobs).toBe(request.jobs.length);
    const planned = await unary(clients.planner, clients.planner.listJobs, { pageSize: 1000, pageToken: '', filter: 'state = PENDING OR state = PLANNED OR state = RUNNING' });
    expect(planned.jobs.every((j) => j.planRun === next.name)).toBe(true);
    expect(planned.jobs.some((j) => j.state === JobState.JOB_STATE_PLANNED)).toBe(true);

    // A second server on the same data directory is refused while the first runs.
    const refused = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('exit', () => resolve(stderr));
    });
    expect(refused).toMatch(/in use by another cosched server \(pid \d+\)/);
    clients.close();
  }, 120_000);
});
