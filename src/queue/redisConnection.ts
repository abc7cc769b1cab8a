import { Redis, type RedisOptions } from 'ioredis';
import type { RedisAddress } from './parseRedisUrl.js';

/** How long a lost connection waits before each new attempt: 200 ms, doubling, at most 2 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2_000);
}

/**
 * ioredis options for a connection to `address` named `connectionName` (CLIENT LIST shows it):
 * commands wait for a reconnection rather than fail after some retries (BullMQ requires
 * `maxRetriesPerRequest: null` for its blocking connections), reconnecting every
 * reconnectDelayMs for as long as it takes. With `offlineQueue: false` commands fail at once
 * while the connection is down, for a caller that must answer fast.
 */
export function redisOptions(address: RedisAddress, connectionName: string, { offlineQueue = true } = {}): RedisOptions & { retryStrategy: (attempt: number) => number } {
  return { ...address.options, connectionName, maxRetriesPerRequest: null, enableOfflineQueue: offlineQueue, retryStrategy: reconnectDelayMs };
}

/** A new ioredis client with redisOptions (it connects at once; see waitForRedis). */
export function openRedis(address: RedisAddress, connectionName: string, settings: { offlineQueue?: boolean } = {}): Redis {
  return new Redis(redisOptions(address, connectionName, settings));
}

/**
 * Resolves once `client` is ready; rejects after `timeoutMs` with an Error naming the address
 * and the last connection error (e.g. `cannot reach Redis at redis://127.0.0.1:6390 within
 * 10 s: connect ECONNREFUSED 127.0.0.1:6390`). The client keeps trying either way.
 */
export function waitForRedis(client: Redis, address: RedisAddress, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (error: Error) => (lastError = error.message || String((error as { code?: string }).code ?? error.name));
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`cannot reach Redis at ${address.display} within ${timeoutMs / 1000} s: ${lastError}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off('error', onError);
      client.off('ready', onReady);
    };
    client.on('error', onError);
    client.on('ready', onReady);
  });
}
