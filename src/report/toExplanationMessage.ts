import type { Problem } from '../../solver/problem/Problem.js';
import type { Explanation as CoreExplanation } from '../../solver/plan/Explanation.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import type { Explanation } from '../generated/cosched/v1/explanation.js';
import type { Timestamp } from '../generated/google/protobuf/timestamp.js';

/**
 * The wire form of the core's Explanation, mechanically: site and job indices become ids (a job
 * value without a site gets site_id ''), horizon hours become the Timestamp of the hour's start,
 * every number is copied as it is (the independent checker has verified what it can).
 */
export function toExplanationMessage(problem: Problem, explanation: CoreExplanation): Explanation {
  return {
    available: explanation.available,
    valueUnit: explanation.valueUnit,
    basis: explanation.basis,
    bindingHours: explanation.bindingHours.map((value) => ({
      siteId: problem.sites[value.site].id,
      hour: hourStart(problem, value.hour),
      gpuHourValue: value.gpuHourValue,
      greenMwhValue: value.greenMwhValue,
    })),
    jobs: explanation.jobs.map((value) => ({
      jobId: problem.jobs[value.job].id,
      deadlineValue: value.deadlineValue,
      siteId: value.site >= 0 ? problem.sites[value.site].id : '',
      valuePerGpuHour: value.valuePerGpuHour,
      gpus: value.gpus,
      workValuePerGpuHour: value.workValuePerGpuHour,
      note: value.note,
    })),
  };
}

function hourStart(problem: Problem, hour: number): Timestamp {
  const ms = hourToMs(problem, hour);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}
