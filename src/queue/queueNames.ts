/** The queue a server and its workers share when no name is given. */
export const defaultQueueName = 'cosched-plans';

/** The BullMQ job name of a plan. */
export const planJobName = 'plan';

/**
 * Why `name` cannot name a plan queue, or undefined when it can: 1 to 100 letters, digits, `.`,
 * `_` or `-` (BullMQ refuses `:`, and the name is part of Redis keys).
 */
export function queueNameProblem(name: string): string | undefined {
  if (/^[A-Za-z0-9._-]{1,100}$/.test(name)) return undefined;
  return 'expected 1 to 100 letters, digits, dots, underscores or hyphens (no colons or spaces)';
}

/**
 * cosched's own Redis keys and channels beside BullMQ's (`bull:<queue>:...`), all under
 * `cosched:<queue>:`, so that one Redis can hold several queues.
 */
export function queueKeys(queueName: string) {
  const base = `cosched:${queueName}`;
  return {
    /** Pub/sub channel: a message is the id of a job whose caller left; the worker running it stops it. */
    cancelChannel: `${base}:cancel`,
    /** A job whose caller left before a worker took it (the worker checks this before starting). */
    cancelled: (jobId: string) => `${base}:cancelled:${jobId}`,
    /** Sorted set of the workers alive: member = the worker's JSON description, score = last heartbeat (epoch ms). */
    workers: `${base}:workers`,
  };
}
