import type { FieldViolation } from '../../solver/errors/CoschedError.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import type { Objective, PlanOptions } from '../generated/cosched/v1/plan_request.js';

/**
 * The violations of an objective and solver options by the rules of a PlanRequest (weights
 * finite >= 0 and not both 0, time limit 0..86400 s, MIP gap in [0, 1), a known solver), with
 * paths `objective.*` and `options.*`: the same checks Plan makes, applied before a plan run is
 * accepted rather than when it is solved. Checked on a one-site, one-job request that is valid
 * in every other field.
 */
export function objectiveAndOptionsViolations(objective: Objective | undefined, options: PlanOptions | undefined): FieldViolation[] {
  const hour = { seconds: 1_767_225_600, nanos: 0 };
  try {
    validatePlanRequest({
      horizon: { start: hour, hours: 1 },
      sites: [{ id: 's', name: '', timeZone: '', gpuCapacity: 1, pue: 1, greenSupplyMw: [0], carbonIntensityGPerKwh: [0], pricePerMwh: [], baseLoadMw: [], gridImportLimitMw: undefined, storage: undefined, marginalIntensityGPerKwh: [] }],
      jobs: [{ id: 'j', gpuHours: 1, maxGpus: 1, minGpus: undefined, gpuPowerKw: 1, release: hour, deadline: { seconds: hour.seconds + 3_600, nanos: 0 }, allowedSites: [], homeSite: 's', interruptible: true, datasetGb: undefined, dataSite: '' }],
      objective,
      options,
      forecastScenarios: [],
      links: [],
    });
    return [];
  } catch (error) {
    if (!(error instanceof CoschedError) || error.code !== 'INVALID_ARGUMENT') throw error;
    return error.violations.filter((v) => v.field.startsWith('objective') || v.field.startsWith('options'));
  }
}
