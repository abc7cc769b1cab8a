import { planProblem } from '../../solver/plan/planProblem.js';
import { HighsInThisThread } from '../../solver/solve/HighsInThisThread.js';
import type { PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import type { Override, Variant } from '../../src/generated/cosched/v1/what_if.js';
import type { Planner } from '../../src/whatif/Planner.js';
import { hour, job, request, site } from './planRequests.js';

const highs = new HighsInThisThread({ progressIntervalMs: 0 });

/**
 * planProblem with HiGHS loaded once in the test's own thread instead of a new worker thread per
 * solve (which costs about a second to start), so that what-if tests with many tiny plans stay
 * fast. Same baseline, model, solver and checker. Solves block the thread: tiny problems only.
 */
export const inThreadPlanner: Planner = (problem, onEvent) =>
  planProblem(problem, { onEvent, solve: (model, _engine, options) => highs.solve(model, options) });

/**
 * Two sites over six hours with prices. `north`: wind in the first three hours (10, 10, 5 kW of
 * green supply against a base load of 4 kW), a cleaner grid (300 g/kWh) at a higher price (80).
 * `east`: no green, coal (600 g/kWh), cheap (40). Jobs of 1 kW GPUs, 16 GPUs per site:
 * `j1` interruptible, home east, any site; `j2` not interruptible, home east, east or north;
 * `j3` interruptible, home north, north only. Valid.
 */
export function northEastSixHours(): PlanRequest {
  const six = (value: number) => [value, value, value, value, value, value];
  return request(
    6,
    [
      site('north', [0.01, 0.01, 0.005, 0, 0, 0], six(300), { pricePerMwh: six(80), baseLoadMw: six(0.004) }),
      site('east', six(0), six(600), { pricePerMwh: six(40) }),
    ],
    [
      job('j1', 'east', { gpuHours: 16, maxGpus: 8, gpuPowerKw: 1, deadline: hour(6) }),
      job('j2', 'east', { gpuHours: 12, maxGpus: 4, gpuPowerKw: 1, deadline: hour(6), interruptible: false, allowedSites: ['east', 'north'] }),
      job('j3', 'north', { gpuHours: 8, maxGpus: 4, gpuPowerKw: 1, deadline: hour(6), allowedSites: ['north'] }),
    ],
  );
}

/**
 * Three sites with flat forecasts over two hours and no green supply, a clean carbon-versus-cost
 * trade-off: `dirty` 800 g/kWh at 20 per MWh, `middle` 400 at 50, `clean` 50 at 120, pue 1,
 * 100 GPUs each; one interruptible job of 16 GPU-hours at 1 kW (0.016 MWh) homed at `dirty`.
 * All at dirty: 12.8 kg, cost 0.32; middle: 6.4 kg, 0.8; clean: 0.8 kg, 1.92. Each step to a
 * cleaner site is on the frontier: 75 per tonne from dirty to middle, 200 from middle to clean.
 */
export function cheapDirtyOrCleanDear(): PlanRequest {
  const flat = (value: number) => [value, value];
  const sites = [
    site('dirty', flat(0), flat(800), { pricePerMwh: flat(20), pue: 1, gpuCapacity: 100 }),
    site('middle', flat(0), flat(400), { pricePerMwh: flat(50), pue: 1, gpuCapacity: 100 }),
    site('clean', flat(0), flat(50), { pricePerMwh: flat(120), pue: 1, gpuCapacity: 100 }),
  ];
  return request(2, sites, [job('big', 'dirty', { gpuHours: 16, maxGpus: 8, gpuPowerKw: 1, release: hour(0), deadline: hour(2) })]);
}

/** A variant of the given overrides. */
export function variant(name: string, ...overrides: Override['change'][]): Variant {
  return { name, overrides: overrides.map((change) => ({ change })) };
}
