import { hoursIn2022 } from './readCarbonIntensityCsv.js';

/**
 * The temporal-shifting experiment of Sukprasert et al. (EuroSys 2024), as its artifact defines it.
 *
 * Hours count from 2022-01-01T00:00Z (8,760 of them). For every arrival hour i = 0 .. 8759 − J one
 * job of J hours at constant power arrives; it may run in [i, min(i + J + 24, 8760)) (24 h of
 * slack). The carbon-unaware baseline runs it at once, in [i, i + J). "defer" is a
 * non-interruptible job (the cheapest contiguous J-hour window), "interrupt" an interruptible one
 * (the J cheapest hours). A zone's saving is 100 × (1 − Σ shifted ÷ Σ baseline) over all arrivals.
 */
export type ShiftMode = 'defer' | 'interrupt';

/** One cell of the experiment: a job length and a mode. */
export interface ExperimentCell {
  jobHours: number;
  mode: ShiftMode;
}

/** Slack after the job's natural end: the job may finish up to this many hours late. */
export const slackHours = 24;

/** Job lengths of the published table, hours. */
export const paperJobHours = [1, 6, 12, 24] as const;

/** Zones of the published table. */
export const paperZones = ['US-CAL-CISO', 'DE'] as const;

/** The number of arrivals for jobs of `jobHours` hours in a series of `hours` hours: i = 0 .. hours − 1 − jobHours. */
export function arrivalCount(jobHours: number, hours: number = hoursIn2022): number {
  assertJobHours(jobHours, hours);
  return hours - jobHours;
}

/**
 * The window of the job arriving at hour `arrival`: release = arrival, deadline =
 * min(arrival + jobHours + slackHours, hours), both in hours from the series start (integers).
 */
export function jobWindow(arrival: number, jobHours: number, hours: number = hoursIn2022): { release: number; deadline: number } {
  assertJobHours(jobHours, hours);
  if (!Number.isInteger(arrival) || arrival < 0 || arrival >= arrivalCount(jobHours, hours)) {
    throw new Error(`arrival ${arrival} is not an integer in [0, ${arrivalCount(jobHours, hours)}) for ${jobHours}-hour jobs`);
  }
  return { release: arrival, deadline: Math.min(arrival + jobHours + slackHours, hours) };
}

/** Every cell of the published table (J = 1 only once: defer and interrupt coincide). */
export function paperCells(): ExperimentCell[] {
  return paperJobHours.flatMap((jobHours): ExperimentCell[] =>
    jobHours === 1 ? [{ jobHours, mode: 'defer' }] : [{ jobHours, mode: 'defer' }, { jobHours, mode: 'interrupt' }],
  );
}

function assertJobHours(jobHours: number, hours: number): void {
  if (!Number.isInteger(jobHours) || jobHours < 1 || jobHours >= hours) throw new Error(`job length ${jobHours} h is not an integer in [1, ${hours})`);
}
