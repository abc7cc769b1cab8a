import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { repoRoot } from './runCli.js';

/** A real `cosched worker` process (TypeScript through tsx) and the JSON lines it logged. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Its worker id (from `cosched worker ready`). */
  id: string;
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line (already written or to come) that `matches`; rejects after `timeoutMs`. */
  waitForLog(matches: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Log lines about job `jobId`. */
  jobLines(jobId: string): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code once it exited and its output was read (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): boolean;
}

/** A queue name of one test file's own, so files sharing a Redis do not interfere. */
export function testQueueName(what: string): string {
  return `test-${what}-${randomBytes(4).toString('hex')}`;
}

/**
 * Spawns `node --import tsx src/cli/main.ts worker --queue URL --queue-name NAME --workers N` with
 * short lock and stalled-check times (4 s and 1 s: a killed worker's plan moves on within about 5 s, and a loaded machine does not make a false stall) unless
 * `args` say otherwise, and waits for its `cosched worker ready` line.
 */
export async function startWorkerProcess(options: { url: string; queueName: string; workers?: number; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<WorkerProcess> {
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'worker',
    '--queue',
    options.url,
    '--queue-name',
    options.queueName,
    '--workers',
    String(options.workers ?? 1),
    '--lock-duration-ms',
    '4000',
    '--stalled-interval-ms',
    '1000',
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<{ matches: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_000)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.matches(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  // 'close': the process has exited and its output has been read to the end.
  const exitedPromise = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitForLog = (matches: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const found = logs.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const waiter = {
        matches,
        resolve: (line: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching worker log line within ${timeoutMs} ms; logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };
  const ready = await Promise.race([
    waitForLog((line) => line.msg === 'cosched worker ready', 30_000),
    exitedPromise.then((code) => {
      throw new Error(`the worker exited with ${code} before it was ready:\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    }),
  ]);
  return {
    child,
    id: String(ready.worker),
    logs,
    waitForLog,
    jobLines: (jobId) => logs.filter((line) => line.job === jobId),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exitedPromise;
    },
  };
}

/** Removes every key of queue `queueName` (BullMQ's and cosched's) from the Redis at `url`. */
export async function removeQueue(url: string, queueName: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  try {
    await queue.obliterate({ force: true });
    const keys = await redis.keys(`cosched:${queueName}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/**
 * Resolves once `condition()` holds, checking every 20 ms; rejects after `timeoutMs`. For what a
 * worker logged: its lines come through a pipe, a little after the gRPC answers they go with.
 */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const untilMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > untilMs) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
