import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { PlanRunInput } from '../generated/cosched/v1/standing_planner_service.js';
import type { StoredRun } from '../store/PlannerStore.js';
import { parseForecastName } from './resourceNames.js';

const msPerHour = 3_600_000;

/** A battery's state of charge at an hour's start as a run planned it. */
export interface PlannedStateOfCharge {
  stateOfChargeMwh: number;
  /** The forecast version of the site that run planned with (`sites/{site}/forecasts/{version}`). */
  forecastVersion: string;
  /** That run's plan start. */
  runPlanStartMs: number;
}

/**
 * The state of charge (MWh) that succeeded run `run` planned for each site's battery at the start
 * of hour `hourMs`, by site id, with the forecast version it planned that site with: the run's
 * input `initialMwh` when its plan starts at `hourMs`; else the planned state at the end of the
 * hour before (`SiteProfile.state_of_charge_mwh`), or at the end of its plan's last hour when
 * `hourMs` is later (nothing is planned after it: the battery rests). Sites without storage in
 * that run are absent, and so is every site when `run` is undefined, not succeeded, planned
 * nothing (no input request) or starts after `hourMs`, and, after its first hour, when it has no
 * plan. Pure; parses the run's stored input and response.
 */
export function plannedStateOfCharge(run: StoredRun | undefined, hourMs: number): Map<string, PlannedStateOfCharge> {
  const states = new Map<string, PlannedStateOfCharge>();
  if (!run || run.state !== 'succeeded' || run.inputJson === '' || hourMs < run.planStartMs) return states;
  const input = PlanRunInput.fromJSON(JSON.parse(run.inputJson));
  const request = input.request;
  if (!request) return states;
  const versionBySite = new Map(input.forecastVersions.map((name) => [parseForecastName(name).siteId, name]));
  const versionOf = (siteId: string): string => versionBySite.get(siteId) ?? '';
  const hour = Math.round((hourMs - run.planStartMs) / msPerHour);
  if (hour === 0) {
    for (const site of request.sites) {
      if (site.storage) states.set(site.id, { stateOfChargeMwh: site.storage.initialMwh, forecastVersion: versionOf(site.id), runPlanStartMs: run.planStartMs });
    }
    return states;
  }
  if (run.responseJson === '') return states;
  const withStorage = new Set(request.sites.filter((site) => site.storage).map((site) => site.id));
  for (const profile of PlanResponse.fromJSON(JSON.parse(run.responseJson)).sites) {
    const values = profile.stateOfChargeMwh;
    if (!withStorage.has(profile.siteId) || values.length === 0) continue;
    states.set(profile.siteId, { stateOfChargeMwh: values[Math.min(hour, values.length) - 1], forecastVersion: versionOf(profile.siteId), runPlanStartMs: run.planStartMs });
  }
  return states;
}
