import type { PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import { hour, job, request, site } from './planRequests.js';

/**
 * A MILP that HiGHS cannot finish quickly (the same instance as the Python client's
 * `slow_request_json`): `jobs` non-interruptible jobs of 3-7 hours on 8-32 GPUs competing for
 * the 48 GPUs of each of three sites over 72 hours with little green supply, and a requested gap
 * of 1e-9. Deterministic (no randomness). See server-deadlines.test.ts for measured times.
 */
export function competingBlocksMilp({ jobs = 30, timeLimitSeconds = 30 } = {}): PlanRequest {
  const hours = 72;
  const siteCount = 3;
  const sites = Array.from({ length: siteCount }, (_, s) =>
    site(
      `s${s}`,
      Array.from({ length: hours }, (_, h) => round(Math.max(0, 0.03 * Math.sin((h + 5 * s) / 3)), 4)),
      Array.from({ length: hours }, (_, h) => round(400 + 120 * Math.cos((h + 4 * s) / 4) + ((h * 13 + s * 7) % 11), 2)),
      { gpuCapacity: 48 },
    ),
  );
  const jobList = Array.from({ length: jobs }, (_, j) => {
    const maxGpus = 8 + 8 * (j % 4);
    const release = (j * 5) % (hours / 2);
    return job(`j${j}`, `s${j % siteCount}`, {
      interruptible: false,
      maxGpus,
      gpuHours: maxGpus * (3 + (j % 5)),
      gpuPowerKw: 0.7,
      release: hour(release),
      deadline: hour(Math.min(hours, release + 18 + (j % 3) * 6)),
    });
  });
  return request(hours, sites, jobList, { options: { timeLimitSeconds, mipGap: 1e-9, solver: 0 } });
}

function round(x: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}
