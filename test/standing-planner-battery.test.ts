import { afterAll, describe, expect, it } from 'vitest';
import { PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { hour, job, site } from './factories/planRequests.js';
import { runMetadata, runResponse, standingClients, unary, waitDone, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

describe('the standing planner with a battery', () => {
  let server: TestServer;
  let clients: StandingClients;
  afterAll(async () => {
    clients?.close();
    await server?.close();
  });

  it('starts each run where the previous plan left the battery, and a forecast from the plan start resets it', async () => {
    server = await startTestServer();
    clients = standingClients(server.address);
    const hours = 12;
    // No green power; the grid is dirtiest at first and clean from hour 6: the battery (full, 2 MWh)
    // serves the job's first hours and may end empty; the job runs every hour.
    const battery = site('a', Array(hours).fill(0), Array.from({ length: hours }, (_, t) => (t < 6 ? 900 - 50 * t : 100)), {
      gpuCapacity: 200,
      storage: { energyMwh: 2, powerMw: 0.5, roundTripEfficiency: 0.9, initialMwh: 2, finalMwhMin: 0, chargeFromGrid: false },
    });
    const work = job('j1', 'a', { gpuHours: 2_400, maxGpus: 200, gpuPowerKw: 1, release: hour(0), deadline: hour(hours) });
    await unary(clients.planner, clients.planner.batchCreateJobs, { requests: [{ job: work, requestId: '' }], requestId: '' });
    const putForecast = (start: number, initialMwh: number) =>
      unary(clients.planner, clients.planner.createSiteForecast, {
        siteForecast: {
          name: '',
          site: { ...battery, greenSupplyMw: battery.greenSupplyMw.slice(start), carbonIntensityGPerKwh: battery.carbonIntensityGPerKwh.slice(start), storage: { ...battery.storage!, initialMwh } },
          start: hour(start),
          version: 0,
          createTime: undefined,
          source: '',
        },
        requestId: '',
      });
    const run = async (now: number) => {
      const started = await unary(clients.planner, clients.planner.startPlanRun, { now: hour(now), horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
      const done = await waitDone(clients, started.name, 30_000);
      expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
      const input = await unary(clients.planner, clients.planner.getPlanRunInput, { name: started.name });
      return { response: runResponse(done), storage: input.request!.sites[0].storage!, warnings: runMetadata(done).warnings };
    };

    await putForecast(0, 2);
    const first = await run(0);
    expect(first.storage.initialMwh).toBe(2);
    const soc = first.response.sites[0].stateOfChargeMwh;
    expect(soc[2]).toBeLessThan(2 - 0.1); // the battery has served the dirty hours 0-2

    // Three hours on, with the same forecast: the battery holds what the first plan left at the end of hour 2.
    const second = await run(3);
    expect(second.storage.initialMwh).toBeCloseTo(soc[2], 9);
    expect(second.warnings.join('\n')).not.toMatch(/battery/);
    // A re-plan in the same hour starts from the charge the run it replaces started from.
    const again = await run(3);
    expect(again.storage.initialMwh).toBe(second.storage.initialMwh);

    // The operator states the charge at hour 4 in a new forecast from hour 4: that wins.
    await putForecast(4, 1.5);
    const third = await run(4);
    expect(third.storage.initialMwh).toBe(1.5);

    // A run with nothing to plan (the job cancelled) does not break the chain: the next run after a
    // new job starts from the third plan's charge at its plan start.
    const before = third.response.sites[0].stateOfChargeMwh;
    await unary(clients.planner, clients.planner.cancelJob, { name: 'jobs/j1', reason: 'done elsewhere' });
    const empty = await unary(clients.planner, clients.planner.startPlanRun, { now: hour(5), horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
    expect(runMetadata(await waitDone(clients, empty.name, 30_000)).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    await unary(clients.planner, clients.planner.batchCreateJobs, { requests: [{ job: { ...work, id: 'j2', gpuHours: 100, release: hour(6) }, requestId: '' }], requestId: '' });
    const fourth = await run(6);
    expect(fourth.storage.initialMwh).toBeCloseTo(before[1], 9);
  });
});
