import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { PlanRunInput } from '../generated/cosched/v1/standing_planner_service.js';
import type { StoredRun } from '../store/PlannerStore.js';

const msPerHour = 3_600_000;

/** A battery's state of charge at an hour's start as a run planned it. */
export interface PlannedStateOfCharge {
  stateOfChargeMwh: number;
  /** The plan start of the run that planned it. */
  runPlanStartMs: number;
}

/**
 * The state of charge (MWh) that succeeded run `run` planned for each site's battery at the start
 * of hour `hourMs`, by site id: its input's `initialMwh` when the run's plan starts at `hourMs`,
 * else the planned state at the end of the hour before (`SiteProfile.state_of_charge_mwh`), when
 * its plan covers that hour. Sites without storage in that run, and every site when `run` is
 * undefined, not succeeded, or its plan does not reach `hourMs`, are absent. Pure; parses the
 * run's stored input and response.
 */
export function plannedStateOfCharge(run: StoredRun | undefined, hourMs: number): Map<string, PlannedStateOfCharge> {
  const states = new Map<string, PlannedStateOfCharge>();
  if (!run || run.state !== 'succeeded' || run.inputJson === '' || hourMs < run.planStartMs || hourMs > run.horizonEndMs) return states;
  const hour = Math.round((hourMs - run.planStartMs) / msPerHour);
  const request = PlanRunInput.fromJSON(JSON.parse(run.inputJson)).request;
  if (!request) return states;
  if (hour === 0) {
    for (const site of request.sites) {
      if (site.storage) states.set(site.id, { stateOfChargeMwh: site.storage.initialMwh, runPlanStartMs: run.planStartMs });
    }
    return states;
  }
  const response = PlanResponse.fromJSON(JSON.parse(run.responseJson));
  for (const profile of response.sites) {
    const mwh = profile.stateOfChargeMwh[hour - 1];
    if (mwh !== undefined) states.set(profile.siteId, { stateOfChargeMwh: mwh, runPlanStartMs: run.planStartMs });
  }
  return states;
}
