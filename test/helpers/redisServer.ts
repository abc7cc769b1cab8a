import { freePort } from './freePort.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** A redis-server child process on 127.0.0.1 (no persistence), which a test may stop and start again on the same port. */
export interface RedisServerProcess {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, SIGKILL after 3 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
}

/**
 * Starts Debian's `redis-server --port PORT --bind 127.0.0.1 --save "" --appendonly no` as a child
 * (PORT: a free one unless given) and waits until it answers. Installs the `redis-server` Debian
 * package when the binary is missing and we are root; otherwise throws with the command to run.
 */
export { freePort };

export async function startRedisServer(port?: number): Promise<RedisServerProcess> {
  const binary = await redisServerBinary();
  const chosenPort = port ?? (await freePort());
  const url = `redis://127.0.0.1:${chosenPort}`;
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    output = '';
    child = spawn(binary, ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4_000)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4_000)));
    const untilMs = Date.now() + 10_000;
    while ((await pingRedis(url)) !== undefined) {
      if (child.exitCode !== null || Date.now() > untilMs) throw new Error(`redis-server on port ${chosenPort} did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return { url, port: chosenPort, stop, start };
}

/** Undefined when `url` answers PING within 2 s, else why not. */
export async function pingRedis(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let connectionError: string | undefined;
  client.on('error', (error: Error) => (connectionError = error.message));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return connectionError ?? (error instanceof Error ? error.message || error.name : String(error));
  } finally {
    client.disconnect();
  }
}

/** The redis-server binary, installing Debian's package when missing and root. */
export async function redisServerBinary(): Promise<string> {
  const found = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
  if (found) return found;
  const command = 'apt-get update && apt-get install -y --no-install-recommends redis-server';
  if (!isRoot) throw new Error(`redis-server is missing; run: sudo ${command.replace('&& apt-get', '&& sudo apt-get')}  (or set COSCHED_TEST_REDIS_URL to a reachable Redis)`);
  console.warn(`[redis] redis-server missing; running: ${command}`);
  await run('sh', ['-c', command], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
  if (!existsSync('/usr/bin/redis-server')) throw new Error('[redis] installed redis-server but /usr/bin/redis-server is missing');
  return '/usr/bin/redis-server';
}

