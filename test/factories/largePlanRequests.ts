import type { PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import { hour, job, request, site } from './planRequests.js';

/**
 * A valid request over `hours` hours with `sites` sites (green supply, carbon intensity and
 * prices for every hour, varying by site and hour) and `jobs` small jobs (16 GPU-hours within the
 * first day, each allowed at every site): about 24 bytes per site-hour on the wire, e.g. 10 MiB
 * for 50 sites × 8,784 h. Its model stays small: the jobs' windows cover 24 hours.
 */
export function largePlanRequest(sites: number, hours: number, jobs: number): PlanRequest {
  const siteIds = Array.from({ length: sites }, (_, s) => `site-${s}`);
  return request(
    hours,
    siteIds.map((id, s) =>
      site(
        id,
        Array.from({ length: hours }, (_, h) => 0.5 + ((h * 7 + s * 13) % 17) / 10),
        Array.from({ length: hours }, (_, h) => 100 + ((h * 11 + s * 5) % 23) * 17.5),
        { pricePerMwh: Array.from({ length: hours }, (_, h) => 40 + ((h * 3 + s) % 29) * 1.25) },
      ),
    ),
    Array.from({ length: jobs }, (_, j) => job(`job-${j}`, siteIds[j % sites]!, { release: hour(0), deadline: hour(24), allowedSites: siteIds })),
  );
}
