import type { JobDataset, Problem, StorageData } from '../../solver/problem/Problem.js';

/**
 * A Problem laid out for postMessage from a worker thread: strings joined into one string with
 * offsets, every number in a typed array (their buffers transferred, not copied), so that the
 * receiving thread deserializes a few large objects, not one object per job or hourly value, and
 * can rebuild it in slices (unpackProblem).
 */
export interface PackedProblem {
  horizonStartMs: number;
  hours: number;
  objective: Problem['objective'];
  options: Problem['options'];
  siteCount: number;
  jobCount: number;
  /** Per site: id, name, timeZone; per job: id; one after the other. */
  text: string;
  /** UTF-16 offsets into `text`: 3 per site, then 1 per job, then the end (3 × sites + jobs + 1). */
  textOffsets: Int32Array;
  /** Per site: gpuCapacity, pue, gridImportLimitMw. */
  siteNumbers: Float64Array;
  /** Per site: its storage (a few numbers, cloned as they are), or null without. */
  siteStorage: (StorageData | null)[];
  /** The forecast scenarios, cloned as they are (absent without). */
  scenarios?: Problem['scenarios'];
  /** The links, cloned as they are (absent without). */
  links?: Problem['links'];
  /** Per job: its executable-schedule fields (checkpointMinutes, splitSites), or null without; absent when no job has them. */
  jobRules?: ({ checkpointMinutes?: number; splitSites?: boolean } | null)[];
  /** Per job: its dataset, or null without; absent when no job has data. */
  jobData?: (JobDataset | null)[];
  /** Per site, `hours` values each: greenSupplyMw, carbonIntensityGPerKwh, pricePerMwh, baseLoadMw. */
  hourly: Float64Array;
  /** Per site, `hours` values each: marginalIntensityGPerKwh; undefined when the sites have none (all or none do). */
  marginalHourly: Float64Array | undefined;
  /** Per job: gpuHours, maxGpus, minGpus, gpuPowerKw, windowStart, windowEnd, releaseHour, deadlineHour, homeSite, interruptible (1/0). */
  jobNumbers: Float64Array;
  /** Offsets into `allowedSites`, per job and the end (jobs + 1). */
  allowedOffsets: Int32Array;
  allowedSites: Int32Array;
}

/** Numbers per site in `siteNumbers`, per job in `jobNumbers`, and hourly series per site in `hourly`. */
export const packedWidths = { site: 3, job: 10, hourlySeries: 4 } as const;

/**
 * `problem` as a PackedProblem and the buffers to transfer with it (pass both to postMessage).
 * Linear in the problem's size; never throws for a Problem from validatePlanRequest.
 */
export function packProblem(problem: Problem): { packed: PackedProblem; transfer: ArrayBuffer[] } {
  const { hours, sites, jobs } = problem;
  const texts: string[] = [];
  const textOffsets = new Int32Array(3 * sites.length + jobs.length + 1);
  let offset = 0;
  let t = 0;
  const addText = (value: string) => {
    textOffsets[t++] = offset;
    texts.push(value);
    offset += value.length;
  };
  const siteNumbers = new Float64Array(packedWidths.site * sites.length);
  const hourly = new Float64Array(packedWidths.hourlySeries * hours * sites.length);
  const marginalHourly = sites.some((site) => site.marginalIntensityGPerKwh) ? new Float64Array(hours * sites.length) : undefined;
  sites.forEach((site, s) => {
    addText(site.id);
    addText(site.name);
    addText(site.timeZone);
    siteNumbers.set([site.gpuCapacity, site.pue, site.gridImportLimitMw], packedWidths.site * s);
    const base = packedWidths.hourlySeries * hours * s;
    hourly.set(site.greenSupplyMw, base);
    hourly.set(site.carbonIntensityGPerKwh, base + hours);
    hourly.set(site.pricePerMwh, base + 2 * hours);
    hourly.set(site.baseLoadMw, base + 3 * hours);
    if (marginalHourly && site.marginalIntensityGPerKwh) marginalHourly.set(site.marginalIntensityGPerKwh, hours * s);
  });
  const jobNumbers = new Float64Array(packedWidths.job * jobs.length);
  const allowedOffsets = new Int32Array(jobs.length + 1);
  let allowedCount = 0;
  jobs.forEach((job, j) => {
    addText(job.id);
    jobNumbers.set(
      [job.gpuHours, job.maxGpus, job.minGpus, job.gpuPowerKw, job.windowStart, job.windowEnd, job.releaseHour, job.deadlineHour, job.homeSite, job.interruptible ? 1 : 0],
      packedWidths.job * j,
    );
    allowedOffsets[j] = allowedCount;
    allowedCount += job.allowedSites.length;
  });
  allowedOffsets[jobs.length] = allowedCount;
  textOffsets[t] = offset;
  const allowedSites = new Int32Array(allowedCount);
  jobs.forEach((job, j) => allowedSites.set(job.allowedSites, allowedOffsets[j]));
  const packed: PackedProblem = {
    horizonStartMs: problem.horizonStartMs,
    hours,
    objective: problem.objective,
    options: problem.options,
    siteCount: sites.length,
    jobCount: jobs.length,
    text: texts.join(''),
    textOffsets,
    siteNumbers,
    siteStorage: sites.map((site) => (site.storage ? { ...site.storage } : null)),
    ...(problem.scenarios ? { scenarios: problem.scenarios } : {}),
    ...(problem.links ? { links: problem.links } : {}),
    ...(jobs.some((job) => job.data) ? { jobData: jobs.map((job) => (job.data ? { ...job.data } : null)) } : {}),
    ...(jobs.some((job) => job.checkpointMinutes !== undefined || job.splitSites !== undefined)
      ? {
          jobRules: jobs.map((job) =>
            job.checkpointMinutes !== undefined || job.splitSites !== undefined
              ? { ...(job.checkpointMinutes !== undefined ? { checkpointMinutes: job.checkpointMinutes } : {}), ...(job.splitSites !== undefined ? { splitSites: job.splitSites } : {}) }
              : null,
          ),
        }
      : {}),
    hourly,
    marginalHourly,
    jobNumbers,
    allowedOffsets,
    allowedSites,
  };
  const transfer = [textOffsets.buffer, siteNumbers.buffer, hourly.buffer, jobNumbers.buffer, allowedOffsets.buffer, allowedSites.buffer];
  if (marginalHourly) transfer.push(marginalHourly.buffer);
  return { packed, transfer };
}
