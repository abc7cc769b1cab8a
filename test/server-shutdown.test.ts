import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { CoSchedulerServiceClient, PlanPhase } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callValidate, watchPlan } from './helpers/grpcCalls.js';
import { repoRoot } from './helpers/runCli.js';
import { healthClient } from './helpers/standardClients.js';

interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts `cosched serve --port 0` (TypeScript through tsx) and waits for its start line, which names the port. */
async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cosched-shutdown-data-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'cosched serving') resolve(entry.port as number);
    });
    void exited.then((code) => reject(new Error(`cosched serve exited with ${code} before serving`)));
  });
  return { child, port, logs, exited };
}

const started: ServerProcess[] = [];
afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

describe('SIGTERM during a call', () => {
  it('lets the call finish, refuses new calls, reports NOT_SERVING, and exits 0', async () => {
    const server = await startServerProcess(['--workers', '1', '--shutdown-grace-seconds', '20']);
    started.push(server);
    const address = `127.0.0.1:${server.port}`;
    const client = new CoSchedulerServiceClient(address, credentials.createInsecure());
    const health = healthClient(address);
    try {
      // A health watcher, as a load balancer would keep.
      const statuses: string[] = [];
      const watch = health.watch({ service: '' });
      watch.on('data', (reply: { status: string }) => statuses.push(reply.status));
      watch.on('error', () => undefined);
      await expect.poll(() => statuses).toEqual(['SERVING']);

      // A plan that runs into its 3 s time limit; SIGTERM once HiGHS is at work.
      let signalledAtMs = 0;
      const call = watchPlan(client, competingBlocksMilp({ timeLimitSeconds: 3 }), {
        onProgress: (progress) => {
          if (progress.phase === PlanPhase.PLAN_PHASE_MODEL_BUILT && !signalledAtMs) {
            signalledAtMs = performance.now();
            server.child.kill('SIGTERM');
          }
        },
      });

      await expect.poll(() => statuses, { timeout: 5_000 }).toEqual(['SERVING', 'NOT_SERVING']);
      // A new call, on a new connection: refused.
      const latecomer = new CoSchedulerServiceClient(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      const refused = (await callValidate(latecomer, oneSiteFourHours()).catch((e: unknown) => e)) as ServiceError;
      const refusedAtMs = performance.now();
      latecomer.close();
      const plan = await call;
      const answeredAtMs = performance.now();

      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refusedAtMs).toBeLessThan(answeredAtMs);
      expect(plan.error).toBeUndefined();
      expect(plan.plan?.termination).toBe(Termination.TERMINATION_TIME_LIMIT_FEASIBLE);
      expect(plan.plan?.check?.passed).toBe(true);
      expect(await server.exited).toBe(0);
      expect(server.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['cosched serving', 'cosched shutting down', 'cosched stopped']));
      expect(server.logs.find((l) => l.msg === 'cosched stopped')).toMatchObject({ forced: false });
      expect(server.logs.find((l) => l.msg === 'call done' && l.method === 'WatchPlan')).toMatchObject({ code: 'OK', jobs: 30, sites: 3, hours: 72 });
      console.info(`SIGTERM: the call in flight finished ${Math.round(answeredAtMs - signalledAtMs)} ms later; exit 0`);
    } finally {
      client.close();
      health.close();
    }
  });

  it('cuts calls still running when the grace period ends, and still exits 0', async () => {
    const server = await startServerProcess(['--workers', '1', '--shutdown-grace-seconds', '0.5']);
    started.push(server);
    const client = new CoSchedulerServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      let signalled = false;
      const call = watchPlan(client, competingBlocksMilp({ timeLimitSeconds: 30 }), {
        onProgress: (progress) => {
          if (progress.phase === PlanPhase.PLAN_PHASE_MODEL_BUILT && !signalled) {
            signalled = true;
            server.child.kill('SIGTERM');
          }
        },
      });

      const plan = await call;

      expect(plan.error?.code).toBeDefined();
      expect(plan.plan).toBeUndefined();
      expect(await server.exited).toBe(0);
      expect(server.logs.find((l) => l.msg === 'cosched stopped')).toMatchObject({ forced: true });
    } finally {
      client.close();
    }
  });
});
