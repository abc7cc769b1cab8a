import { Job } from '../generated/cosched/v1/plan_request.js';
import { Allocation } from '../generated/cosched/v1/plan_response.js';
import { JobState, type BacklogJob } from '../generated/cosched/v1/standing_planner_service.js';
import type { JobState as StoredJobState, StoredJob } from '../store/PlannerStore.js';
import { jobName, operationName } from './resourceNames.js';

const stateEnum: Record<StoredJobState, JobState> = {
  pending: JobState.JOB_STATE_PENDING,
  planned: JobState.JOB_STATE_PLANNED,
  running: JobState.JOB_STATE_RUNNING,
  done: JobState.JOB_STATE_DONE,
  cancelled: JobState.JOB_STATE_CANCELLED,
  missed: JobState.JOB_STATE_MISSED,
};

/** The proto JobState of a stored state. */
export function toJobStateEnum(state: StoredJobState): JobState {
  return stateEnum[state];
}

/** The stored state of a proto JobState name or number (`PENDING`, `JOB_STATE_PENDING`, 1), or undefined. */
export function parseJobState(text: string): StoredJobState | undefined {
  const upper = text.trim().toUpperCase().replace(/^JOB_STATE_/, '');
  const found = (Object.keys(stateEnum) as StoredJobState[]).find((state) => state.toUpperCase() === upper);
  return found;
}

/** The allocations a stored job's current plan gives it. */
export function plannedAllocations(job: StoredJob): Allocation[] {
  const list = JSON.parse(job.plannedJson || '[]') as unknown[];
  return list.map((a) => Allocation.fromJSON(a));
}

/** The BacklogJob resource of a stored job. */
export function toBacklogJob(job: StoredJob): BacklogJob {
  const spec = Job.fromJSON(JSON.parse(job.specJson));
  const planned = plannedAllocations(job);
  const remaining = job.state === 'done' ? 0 : Math.max(0, spec.gpuHours - job.doneGpuHours);
  return {
    name: jobName(job.id),
    spec,
    state: toJobStateEnum(job.state),
    stateReason: job.stateReason,
    doneGpuHours: job.doneGpuHours,
    remainingGpuHours: remaining,
    planRun: job.planRunId === '' ? '' : operationName(job.planRunId),
    planned,
    plannedGpuHours: planned.reduce((sum, a) => sum + a.gpus * a.hours, 0),
    runningSite: job.runningSite,
    createTime: msToTimestamp(job.createdMs),
    updateTime: msToTimestamp(job.updatedMs),
  };
}

/** A Timestamp of epoch milliseconds. */
export function msToTimestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}
