import type { Problem } from '../../solver/problem/Problem.js';
import type { Explanation as CoreExplanation } from '../../solver/plan/Explanation.js';
import type { Explanation } from '../generated/cosched/v1/explanation.js';

const msPerHour = 3_600_000;

/**
 * The inverse of toExplanationMessage: the core's Explanation that `message` (from a server)
 * describes, for `problem` (the same request). Site ids become indices ('' becomes -1), hour
 * Timestamps horizon hours; numbers are taken as received.
 *
 * @throws Error when the message names a site or job that `problem` does not have.
 */
export function explanationFromMessage(problem: Problem, message: Explanation): CoreExplanation {
  const siteIndex = new Map(problem.sites.map((site, s) => [site.id, s]));
  const jobIndex = new Map(problem.jobs.map((job, j) => [job.id, j]));
  const site = (id: string): number => {
    const s = siteIndex.get(id);
    if (s === undefined) throw new Error(`the server's explanation does not fit this request: unknown site ${JSON.stringify(id)}`);
    return s;
  };
  return {
    available: message.available,
    valueUnit: message.valueUnit,
    basis: message.basis,
    bindingHours: message.bindingHours.map((value) => ({
      site: site(value.siteId),
      hour: ((value.hour?.seconds ?? 0) * 1000 + (value.hour?.nanos ?? 0) / 1_000_000 - problem.horizonStartMs) / msPerHour,
      gpuHourValue: value.gpuHourValue,
      greenMwhValue: value.greenMwhValue,
    })),
    jobs: message.jobs.map((value) => {
      const j = jobIndex.get(value.jobId);
      if (j === undefined) throw new Error(`the server's explanation does not fit this request: unknown job ${JSON.stringify(value.jobId)}`);
      return {
        job: j,
        deadlineValue: value.deadlineValue,
        site: value.siteId === '' ? -1 : site(value.siteId),
        valuePerGpuHour: value.valuePerGpuHour,
        gpus: value.gpus,
        workValuePerGpuHour: value.workValuePerGpuHour,
        note: value.note,
      };
    }),
  };
}
