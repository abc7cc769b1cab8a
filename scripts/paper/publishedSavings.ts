import type { ShiftMode } from './paperExperiment.js';

/** Tolerance for matching a published value, percentage points (the table is printed to 0.01). */
export const publishedTolerancePp = 0.01;

/**
 * Published zone savings (%) of Sukprasert et al., "On the Limitations of Carbon-Aware Temporal
 * and Spatial Workload Shifting in the Cloud" (EuroSys 2024), for 24 h of slack, keyed by zone,
 * then `${jobHours}:${mode}`. For J = 1, defer and interrupt coincide and both keys are present.
 */
export const publishedSavings: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'US-CAL-CISO': table(32.83, [29.99, 30.66], [19.07, 25.78], [3.57, 18.71]),
  DE: table(23.35, [20.23, 20.98], [13.67, 17.43], [6.89, 13.47]),
};

/** The published saving (%) for a zone and cell; throws when the table has none. */
export function publishedSaving(zone: string, jobHours: number, mode: ShiftMode): number {
  const value = publishedSavings[zone]?.[key(jobHours, mode)];
  if (value === undefined) throw new Error(`no published saving for ${zone}, J = ${jobHours}, ${mode}`);
  return value;
}

function key(jobHours: number, mode: ShiftMode): string {
  return `${jobHours}:${mode}`;
}

function table(one: number, six: [number, number], twelve: [number, number], day: [number, number]): Record<string, number> {
  const rows: Record<string, number> = { [key(1, 'defer')]: one, [key(1, 'interrupt')]: one };
  for (const [jobHours, [defer, interrupt]] of [[6, six], [12, twelve], [24, day]] as const) {
    rows[key(jobHours, 'defer')] = defer;
    rows[key(jobHours, 'interrupt')] = interrupt;
  }
  return rows;
}
