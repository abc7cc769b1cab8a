import { formatNumber } from '../../report/formatNumber.js';
import { jobStateToJSON, type BacklogJob, type JobState } from '../../generated/cosched/v1/standing_planner_service.js';
import { formatTable, truncateText } from './formatTable.js';
import { formatTimestamp } from './timestamps.js';

/** `PLANNED` for JOB_STATE_PLANNED. */
export function jobStateName(state: JobState): string {
  return jobStateToJSON(state).replace(/^JOB_STATE_/, '');
}

/** GPU-hours: whole numbers as integers, others with one decimal. */
export function formatGpuHours(gpuHours: number): string {
  return formatNumber(gpuHours, Math.abs(gpuHours - Math.round(gpuHours)) < 0.05 ? 0 : 1);
}

/** Just-submitted jobs: name, state, GPU-hours and window (release to deadline). */
export function formatSubmittedJobs(jobs: readonly BacklogJob[]): string {
  const rows = jobs.map((job) => [job.name, jobStateName(job.state), formatGpuHours(job.spec?.gpuHours ?? 0), `${formatTimestamp(job.spec?.release)} to ${formatTimestamp(job.spec?.deadline)}`]);
  return formatTable(['job', 'state', 'GPU-hours', 'window'], rows, [2]);
}

/** The backlog: job, state, done/total GPU-hours, planned GPU-hours, plan run, reason (cut to 60 characters). */
export function formatJobList(jobs: readonly BacklogJob[]): string {
  const rows = jobs.map((job) => [
    job.name,
    jobStateName(job.state),
    `${formatGpuHours(job.doneGpuHours)}/${formatGpuHours(job.spec?.gpuHours ?? 0)}`,
    formatGpuHours(job.plannedGpuHours),
    job.planRun === '' ? '-' : job.planRun,
    truncateText(job.stateReason, 60),
  ]);
  return formatTable(['job', 'state', 'done/total GPU-h', 'planned GPU-h', 'plan run', 'reason'], rows, [2, 3]);
}

/** One job in full: spec, progress, its place in the current plan, and the planned allocations. */
export function formatJobDetail(job: BacklogJob): string {
  const spec = job.spec;
  const minGpus = spec?.minGpus ?? 0;
  const gpus = spec ? (minGpus > 0 && minGpus !== spec.maxGpus ? `${minGpus}..${spec.maxGpus}` : `${spec.maxGpus}`) : '-';
  const lines = [
    `${job.name}: ${jobStateName(job.state)}${job.stateReason ? ` (${job.stateReason})` : ''}`,
    `  work       ${formatGpuHours(spec?.gpuHours ?? 0)} GPU-hours on ${gpus} GPUs at ${formatNumber(spec?.gpuPowerKw ?? 0, 2)} kW each, ${spec?.interruptible ? 'interruptible' : 'not interruptible'}`,
    `  window     ${formatTimestamp(spec?.release)} to ${formatTimestamp(spec?.deadline)}`,
    `  sites      ${spec?.allowedSites.length ? spec.allowedSites.join(', ') : 'any'}; home ${spec?.homeSite || '-'}${job.runningSite ? `; running at ${job.runningSite}` : ''}`,
    `  done       ${formatGpuHours(job.doneGpuHours)} GPU-hours; remaining ${formatGpuHours(job.remainingGpuHours)}`,
    `  plan run   ${job.planRun || '-'}; ${formatGpuHours(job.plannedGpuHours)} GPU-hours planned`,
    `  updated    ${formatTimestamp(job.updateTime)} (created ${formatTimestamp(job.createTime)})`,
  ];
  let text = `${lines.join('\n')}\n`;
  if (job.planned.length > 0) {
    const rows = job.planned.map((a) => [a.siteId, formatTimestamp(a.start), String(a.hours), formatNumber(a.gpus, Number.isInteger(a.gpus) ? 0 : 1)]);
    text += `\n${formatTable(['site', 'start', 'hours', 'GPUs'], rows, [2, 3])}`;
  }
  return text;
}
