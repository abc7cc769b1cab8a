import type { Redis } from 'ioredis';
import { queueKeys } from './queueNames.js';

/** A `cosched worker` process as it announces itself on its queue. */
export interface QueueWorkerInfo {
  /** HOST:PID:RANDOM, also the BullMQ worker name. */
  id: string;
  host: string;
  pid: number;
  /** Plan worker threads: how many plans it runs at once. */
  threads: number;
  /** ISO time it started. */
  startedAt: string;
}

/** How often a worker says it is alive. */
export const workerHeartbeatMs = 2_000;

/** A worker silent for this long counts as gone (killed, or cut off from Redis). */
export const workerSilenceMs = 3 * workerHeartbeatMs;

/**
 * The workers alive on a queue, kept in Redis as a sorted set (cosched:<queue>:workers) of their
 * descriptions scored by their last heartbeat, so any server replica can count them and their
 * threads. A worker reports every workerHeartbeatMs and removes itself when it stops; one that
 * died drops out after workerSilenceMs.
 */
export const workerRegistry = {
  /** Records `worker` as alive now. */
  async heartbeat(redis: Redis, queueName: string, worker: QueueWorkerInfo): Promise<void> {
    await redis.zadd(queueKeys(queueName).workers, Date.now(), JSON.stringify(worker));
  },

  /** Removes `worker` (it is stopping). */
  async remove(redis: Redis, queueName: string, worker: QueueWorkerInfo): Promise<void> {
    await redis.zrem(queueKeys(queueName).workers, JSON.stringify(worker));
  },

  /** The workers heard from within workerSilenceMs; forgets those silent for ten times longer. */
  async alive(redis: Redis, queueName: string): Promise<QueueWorkerInfo[]> {
    const key = queueKeys(queueName).workers;
    const nowMs = Date.now();
    const [, members] = await Promise.all([redis.zremrangebyscore(key, '-inf', nowMs - 10 * workerSilenceMs), redis.zrangebyscore(key, nowMs - workerSilenceMs, '+inf')]);
    return members.flatMap((member) => {
      try {
        return [JSON.parse(member) as QueueWorkerInfo];
      } catch {
        return [];
      }
    });
  },
};
