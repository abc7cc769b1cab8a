import type { JobData, Problem } from '../problem/Problem.js';
import { dataCanReach } from './dataLink.js';

/** Tolerance (GPU-hours or GPUs) below which a difference is numerical noise. */
export const workTolerance = 1e-6;

/**
 * What a job can physically do, before any competition for capacity: the shape of its block
 * when non-interruptible, the sites it can use at all, and the most work its window allows.
 */
export interface JobShape {
  /** Hours of the contiguous block at maxGpus: ceil(gpuHours / maxGpus). */
  blockHours: number;
  /** GPU-hours done in the block's last hour (the block finishes mid-hour unless this = maxGpus). */
  lastHourGpus: number;
  /**
   * Allowed sites whose capacity admits the job (>= maxGpus if non-interruptible, >= max(1, minGpus)
   * otherwise) and that its data can reach (its data site, or a link from there; see dataCanReach).
   */
  usableSites: number[];
  /** Hours in the job's window inside the horizon. */
  windowHours: number;
  /** An upper bound on the work the job can do, ignoring other jobs; gpuHours when it fits. */
  maxDoableGpuHours: number;
  /** Why maxDoableGpuHours < gpuHours; '' when the job fits. */
  structuralReason: string;
}

/** GPU-hours done in hour k (0-based) of a non-interruptible job's block. */
export function blockGpus(job: JobData, shape: JobShape, k: number): number {
  return k === shape.blockHours - 1 ? shape.lastHourGpus : job.maxGpus;
}

/**
 * Computes the job's shape. Pure; depends only on the job and site capacities.
 * Edge cases: an empty window gives maxDoableGpuHours 0; a non-interruptible job whose block
 * does not fit its window, or needs more GPUs than any allowed site has, can do nothing.
 */
export function jobShape(problem: Problem, job: JobData): JobShape {
  const blockHours = Math.max(1, Math.ceil(job.gpuHours / job.maxGpus - 1e-9));
  const lastHourGpus = job.gpuHours - job.maxGpus * (blockHours - 1);
  const windowHours = Math.max(0, job.windowEnd - job.windowStart);
  const needGpus = job.interruptible ? Math.max(1, job.minGpus) : job.maxGpus;
  const usableSites = job.allowedSites.filter((s) => problem.sites[s].gpuCapacity >= needGpus && dataCanReach(problem, job, s));
  const largest = Math.max(...job.allowedSites.map((s) => problem.sites[s].gpuCapacity));
  const siteNames = job.allowedSites.map((s) => problem.sites[s].id).join(', ');

  let maxDoableGpuHours: number;
  let structuralReason = '';
  if (windowHours === 0) {
    maxDoableGpuHours = 0;
    structuralReason = `window [release, deadline) holds no whole hour inside the horizon`;
  } else if (usableSites.length === 0) {
    maxDoableGpuHours = 0;
    structuralReason = job.interruptible
      ? `needs at least ${needGpus} GPUs when it runs; the largest allowed site (${siteNames}) has ${largest}`
      : `needs ${job.maxGpus} GPUs at once; the largest allowed site (${siteNames}) has ${largest}`;
  } else if (!job.interruptible) {
    if (blockHours > windowHours) {
      maxDoableGpuHours = 0;
      structuralReason = `needs a contiguous block of ${blockHours} h at ${job.maxGpus} GPUs; the window has only ${windowHours} h`;
    } else {
      maxDoableGpuHours = job.gpuHours;
    }
  } else {
    const perHour = Math.min(job.maxGpus, usableSites.reduce((sum, s) => sum + problem.sites[s].gpuCapacity, 0));
    maxDoableGpuHours = Math.min(job.gpuHours, perHour * windowHours);
    if (maxDoableGpuHours < job.gpuHours - workTolerance) {
      structuralReason =
        perHour < job.maxGpus
          ? `window of ${windowHours} h at ${perHour} GPUs (all allowed capacity) allows at most ${round(perHour * windowHours)} GPU-hours; needs ${round(job.gpuHours)}`
          : `window of ${windowHours} h at maxGpus ${job.maxGpus} allows at most ${round(perHour * windowHours)} GPU-hours; needs ${round(job.gpuHours)}`;
    }
  }
  return { blockHours, lastHourGpus, usableSites, windowHours, maxDoableGpuHours, structuralReason };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
