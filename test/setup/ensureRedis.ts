/**
 * Vitest globalSetup: makes sure a Redis is there for the plan queue tests.
 *
 * COSCHED_TEST_REDIS_URL selects it (default redis://127.0.0.1:6379). When it answers PING,
 * nothing else happens. When it does not, a throwaway redis-server (Debian's; `apt-get install
 * redis-server` when missing and we are root) is started on a free 127.0.0.1 port without
 * persistence, and stopped at teardown. Each test file uses queues of its own (random names), so
 * files sharing one Redis do not interfere.
 *
 * The URL in use reaches the test files as `inject('coschedTestRedisUrl')` and as
 * process.env.COSCHED_TEST_REDIS_URL (so processes the tests spawn see it too).
 */
import type { TestProject } from 'vitest/node';
import { pingRedis, startRedisServer } from '../helpers/redisServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis the plan queue tests use. */
    coschedTestRedisUrl: string;
  }
}

export const defaultTestRedisUrl = 'redis://127.0.0.1:6379';

export default async function ensureRedis(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const wanted = process.env.COSCHED_TEST_REDIS_URL || defaultTestRedisUrl;
  const problem = await pingRedis(wanted);
  if (problem === undefined) {
    publish(project, wanted);
    return undefined;
  }
  const server = await startRedisServer();
  console.warn(`[ensureRedis] Redis not reachable at ${wanted.replace(/:[^/@:]*@/, ':***@')} (${problem}); started a throwaway one at ${server.url}`);
  publish(project, server.url);
  return server.stop;
}

function publish(project: TestProject, url: string): void {
  process.env.COSCHED_TEST_REDIS_URL = url;
  project.provide('coschedTestRedisUrl', url);
}
