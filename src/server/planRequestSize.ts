import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';

/** A plan's size as counted against the limits and logged: hours × sites × jobs = cells. */
export interface PlanSize {
  hours: number;
  sites: number;
  jobs: number;
  cells: number;
}

/**
 * The size of `request` as received, valid or not: horizon hours (0 when missing or not a whole
 * number >= 0), site and job counts, and their product. Cheap: reads no hourly data.
 */
export function planRequestSize(request: PlanRequest | undefined): PlanSize {
  const rawHours = request?.horizon?.hours;
  const hours = typeof rawHours === 'number' && Number.isInteger(rawHours) && rawHours > 0 ? rawHours : 0;
  const sites = request?.sites?.length ?? 0;
  const jobs = request?.jobs?.length ?? 0;
  return { hours, sites, jobs, cells: hours * sites * jobs };
}
