import type { Problem } from '../../solver/problem/Problem.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import { ViolationList } from '../data/ViolationList.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { Variant } from '../generated/cosched/v1/what_if.js';
import { applyVariant, type AppliedVariant } from './applyVariant.js';
import { invalidVariantError } from './invalidVariantError.js';
import type { ReadTextFile } from './loadSiteForecasts.js';

/** The name of the unchanged request's row; no variant may take it. */
export const baseScenarioName = 'base';

/**
 * Variant names: letters, digits, '_', '-', '.' as what_if.proto says, and '+' as in `wind+300`;
 * 1..64 characters, starting with a letter or digit.
 */
export const variantNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;

/** One request to plan: the base or a variant, validated. */
export interface Scenario {
  /** `base`, or the variant's name. */
  name: string;
  request: PlanRequest;
  problem: Problem;
}

/**
 * The base request and each variant of it, applied (applyOverrides) and validated
 * (validatePlanRequest), base first. Nothing is planned, so a caller can refuse bad input before
 * it starts any solve.
 *
 * Variant names must match variantNamePattern, be unique and not be `base`. Every violation of
 * every variant is collected before anything is thrown: bad overrides at their paths
 * (`variants[2].overrides[0].removeSite.siteId`); violations of a variant's resulting request at
 * the added site's path when they concern a site an addSite override added
 * (`variants[1].overrides[0].addSite.site.pue`), otherwise on `variants[i]` with a description
 * prefixed with the variant name (`variant "price100" makes an invalid request:
 * sites[0].pricePerMwh[3]: ...`).
 *
 * @throws CoschedError INVALID_ARGUMENT: the base's own violations (as validatePlanRequest
 *   reports them) when the base is invalid; else every variant violation (reason INVALID_VARIANT).
 */
export function prepareScenarios(base: PlanRequest, variants: readonly Variant[], readFile?: ReadTextFile): Scenario[] {
  const baseProblem = validatePlanRequest(base);
  const violations = new ViolationList();
  checkNames(variants, violations);
  const scenarios: Scenario[] = [{ name: baseScenarioName, request: base, problem: baseProblem }];
  variants.forEach((variant, i) => {
    const path = `variants[${i}]`;
    const before = violations.length;
    const applied = applyVariant(base, variant, path, violations, readFile);
    if (violations.length > before) return;
    try {
      scenarios.push({ name: variant.name, request: applied.request, problem: validatePlanRequest(applied.request) });
    } catch (error) {
      if (!(error instanceof CoschedError) || error.code !== 'INVALID_ARGUMENT') throw error;
      for (const violation of error.violations) {
        const mapped = mapViolation(violation.field, violation.description, applied, variant.name, path);
        violations.add(mapped.field, mapped.description);
      }
    }
  });
  if (violations.length > 0) throw invalidVariantError(violations.items, 'variants');
  return scenarios;
}

function checkNames(variants: readonly Variant[], violations: ViolationList): void {
  const firstIndex = new Map<string, number>();
  variants.forEach((variant, i) => {
    const path = `variants[${i}].name`;
    const name = variant.name;
    if (typeof name !== 'string' || !variantNamePattern.test(name)) {
      const got = name === '' ? 'got ""; a name is required' : `got ${describeJsonValue(name)}`;
      violations.add(path, `${got}: expected 1..64 letters, digits, '_', '-', '.' or '+', starting with a letter or digit`);
    } else if (name === baseScenarioName) {
      violations.add(path, `got "${baseScenarioName}", the name of the unchanged request's row; expected another name`);
    } else if (firstIndex.has(name)) {
      violations.add(path, `got ${describeJsonValue(name)} again (already variants[${firstIndex.get(name)}].name); expected unique names`);
    } else {
      firstIndex.set(name, i);
    }
  });
}

/** A violation of a variant's resulting request, placed where the variant can be fixed. */
function mapViolation(field: string, description: string, applied: AppliedVariant, name: string, path: string): { field: string; description: string } {
  const match = /^sites\[(\d+)\]/.exec(field);
  const site = match ? applied.request.sites[Number(match[1])] : undefined;
  const sitePath = site === undefined ? undefined : applied.addedSites.get(site);
  if (match && sitePath !== undefined) return { field: sitePath + field.slice(match[0].length), description };
  return { field: path, description: `variant ${JSON.stringify(name)} makes an invalid request: ${field}: ${description}` };
}
