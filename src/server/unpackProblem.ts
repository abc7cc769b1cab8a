import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { JobData, JobDataset, Problem, SiteData } from '../../solver/problem/Problem.js';
import { packedWidths, type PackedProblem } from './packProblem.js';

/**
 * Values copied per event-loop turn while unpacking: about 1-3 ms of work, so that a large
 * problem never blocks the main thread for long.
 */
const valuesPerTurn = 50_000;

/**
 * The Problem that packProblem packed, equal to the original, rebuilt in slices of about
 * `valuesPerTurn` values with an event-loop turn between them. Never throws for a packProblem result.
 */
export async function unpackProblem(packed: PackedProblem): Promise<Problem> {
  const { hours, siteCount, jobCount, text, textOffsets, siteNumbers, hourly, marginalHourly, jobNumbers, allowedOffsets, allowedSites } = packed;
  const textAt = (i: number) => text.slice(textOffsets[i], textOffsets[i + 1]);
  const series = (start: number, from: Float64Array = hourly) => {
    const values: number[] = [];
    for (let h = 0; h < hours; h++) values.push(from[start + h]);
    return values;
  };
  let copied = 0;
  const sites: SiteData[] = [];
  for (let s = 0; s < siteCount; s++) {
    const base = packedWidths.hourlySeries * hours * s;
    const n = packedWidths.site * s;
    const storage = packed.siteStorage[s];
    sites.push({
      id: textAt(3 * s),
      name: textAt(3 * s + 1),
      timeZone: textAt(3 * s + 2),
      gpuCapacity: siteNumbers[n],
      pue: siteNumbers[n + 1],
      greenSupplyMw: series(base),
      carbonIntensityGPerKwh: series(base + hours),
      pricePerMwh: series(base + 2 * hours),
      baseLoadMw: series(base + 3 * hours),
      gridImportLimitMw: siteNumbers[n + 2],
      ...(storage ? { storage } : {}),
      ...(marginalHourly ? { marginalIntensityGPerKwh: series(hours * s, marginalHourly) } : {}),
    });
    copied += packedWidths.hourlySeries * hours + 8;
    if (copied >= valuesPerTurn) {
      copied = 0;
      await yieldToEventLoop();
    }
  }
  const jobs: JobData[] = [];
  for (let j = 0; j < jobCount; j++) {
    const n = packedWidths.job * j;
    const allowed: number[] = [];
    for (let k = allowedOffsets[j]; k < allowedOffsets[j + 1]; k++) allowed.push(allowedSites[k]);
    jobs.push({
      id: textAt(3 * siteCount + j),
      gpuHours: jobNumbers[n],
      maxGpus: jobNumbers[n + 1],
      minGpus: jobNumbers[n + 2],
      gpuPowerKw: jobNumbers[n + 3],
      windowStart: jobNumbers[n + 4],
      windowEnd: jobNumbers[n + 5],
      releaseHour: jobNumbers[n + 6],
      deadlineHour: jobNumbers[n + 7],
      allowedSites: allowed,
      homeSite: jobNumbers[n + 8],
      interruptible: jobNumbers[n + 9] === 1,
      ...dataOf(packed.jobData?.[j]),
      ...(packed.jobRules?.[j] ?? {}),
    });
    copied += allowed.length + 12;
    if (copied >= valuesPerTurn) {
      copied = 0;
      await yieldToEventLoop();
    }
  }
  return {
    horizonStartMs: packed.horizonStartMs,
    hours,
    sites,
    jobs,
    objective: packed.objective,
    options: packed.options,
    ...(packed.scenarios ? { scenarios: packed.scenarios } : {}),
    ...(packed.links ? { links: packed.links } : {}),
  };
}

function dataOf(data: JobDataset | null | undefined): { data?: JobDataset } {
  return data ? { data } : {};
}
