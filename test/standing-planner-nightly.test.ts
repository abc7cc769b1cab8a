import { afterAll, describe, expect, it } from 'vitest';
import { PlanRunState, PlanRunTrigger } from '../src/generated/cosched/v1/standing_planner_service.js';
import { timestampToMs } from '../src/data/timestampToMs.js';
import { runMetadata, standingClients, unary } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { openTestStore, type TestStore } from './helpers/testStores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nightly runs on two servers sharing one PostgreSQL', () => {
  let testStore: TestStore;
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
    await testStore?.dispose();
  });

  it('happen once per scheduled time, not once per server; fires missed while no server ran are kept as MISSED runs', async () => {
    testStore = await openTestStore('postgres');
    // Every second, so that the test sees several fires; two replicas on the same database.
    const nightly = { cron: '* * * * * *', timeZone: 'Asia/Shanghai' };
    const a = await startTestServer({ store: testStore.url, nightly });
    const b = await startTestServer({ store: testStore.url, nightly });
    servers.push(a, b);
    await sleep(3_500);
    await a.close();
    await b.close();

    const listRuns = async (server: TestServer) => {
      const c = standingClients(server.address);
      try {
        return (await unary(c.operations, c.operations.listOperations, { name: '', filter: '', pageSize: 1000, pageToken: '' })).operations.map(runMetadata);
      } finally {
        c.close();
      }
    };
    // Down for about 3 s, then one server again.
    await sleep(3_000);
    const c = await startTestServer({ store: testStore.url, nightly: { cron: '* * * * * *', timeZone: 'Asia/Shanghai' } });
    servers.push(c);
    const runs = await listRuns(c);
    await c.close();

    const nightlyRuns = runs.filter((r) => r.trigger === PlanRunTrigger.PLAN_RUN_TRIGGER_NIGHTLY);
    const times = nightlyRuns.map((r) => timestampToMs(r.scheduledTime!)!);
    expect(nightlyRuns.length).toBeGreaterThanOrEqual(5);
    // One run per scheduled time, whichever server took it.
    expect(new Set(times).size).toBe(times.length);
    expect(times.every((t) => t % 1000 === 0)).toBe(true);
    const ran = nightlyRuns.filter((r) => r.state === PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    expect(ran.length).toBeGreaterThanOrEqual(3);
    // Every nightly run that ran was run by one of the two replicas.
    expect(ran.every((r) => r.runner !== '')).toBe(true);
    const missed = nightlyRuns.filter((r) => r.state === PlanRunState.PLAN_RUN_STATE_MISSED);
    expect(missed.length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
