import { ViolationList } from '../data/ViolationList.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { Variant } from '../generated/cosched/v1/what_if.js';
import { applyVariant } from './applyVariant.js';
import { invalidVariantError } from './invalidVariantError.js';
import type { ReadTextFile } from './loadSiteForecasts.js';

/**
 * The base request with the variant's overrides applied in order: a new PlanRequest; `base` is
 * never modified (pure, apart from `readFile`). What each override does (proto/cosched/v1/what_if.proto):
 * - scaleGreenSupply: green supply × factor (unset: 1) + addMw in every hour, at `siteId` or at every site
 *   when it is empty; factor >= 0; a negative addMw that would go below zero stops at 0 MW.
 * - addSite: appends the site (a new id; the rest is checked by validatePlanRequest) and, when
 *   `alsoAllow` is set, appends it to the non-empty allowedSites of the jobs it selects (an empty
 *   allowedSites already allows every site).
 * - removeSite: removes the site and drops it from every allowedSites; jobs homed there move home
 *   to their first remaining allowed site (the first site of the request when allowedSites is
 *   empty). Refused for the only site, or when a job's allowedSites lists only that site.
 * - setCapacity: at `siteId` or every site; factor > 0: capacity = floor(capacity × factor)
 *   (gpuCapacity must then be 0); factor 0: capacity = gpuCapacity.
 * - shiftDeadlines: deadline + hours for the selected jobs; moved earlier, a deadline stops one
 *   hour after release (or where it was, if that is earlier), so the request stays valid.
 * - scaleDeadlines: deadline = release + factor × (deadline − release), factor > 0.
 * - setInterruptible: sets `interruptible` of the selected jobs.
 * - restrictSites: the selected jobs' allowedSites become the given list, plus the job's home
 *   site when the list lacks it (appended, so it is tried last if the home is removed later).
 * - setCarbonPrice: objective = {carbonWeight: pricePerTonne / 1000 (per kg), costWeight: 1},
 *   i.e. cost + price × tonnes; pricePerTonne >= 0.
 * - replaceForecasts: replaces the non-empty arrays of each listed site, from `sites` or from
 *   `file` (read with `readFile`, which only the CLI passes; without it a file is an error).
 * A JobSelector picks every job when unset or empty, else the jobs named in jobIds plus the jobs
 * homed at homeSites (as they are when the override applies).
 *
 * Every bad override is reported, each at its path under `variantPath`, e.g.
 * `variants[2].overrides[0].removeSite.siteId: "datong2" is not a site id; known: ...`. The result
 * is not validated: prepareScenarios does that (and maps the violations back to the variant).
 *
 * @param readFile reads a ReplaceForecasts file; paths are passed as written.
 * @param variantPath the variant's path in the caller's message, e.g. `variants[2]`.
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_VARIANT) listing every bad override.
 */
export function applyOverrides(base: PlanRequest, variant: Variant, readFile?: ReadTextFile, variantPath = 'variant'): PlanRequest {
  const violations = new ViolationList();
  const { request } = applyVariant(base, variant, variantPath, violations, readFile);
  if (violations.length > 0) throw invalidVariantError(violations.items, `variant ${JSON.stringify(variant.name)}`);
  return request;
}
