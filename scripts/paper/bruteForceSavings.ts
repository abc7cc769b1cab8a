import { arrivalCount, jobWindow, type ShiftMode } from './paperExperiment.js';

/** Baseline and shifted emissions of one arrival's job (kg, for a job drawing 1 kW). */
export interface ArrivalEmissions {
  arrival: number;
  baselineKg: number;
  shiftedKg: number;
  /** The hours the shifted job runs in, ascending (first cheapest on ties). */
  hours: number[];
}

/** The zone's saving over all arrivals, with the sums it is made of. */
export interface ZoneSavings {
  /** 100 × (1 − shiftedKg ÷ baselineKg). */
  savingPercent: number;
  /** Σ baseline emissions over all arrivals, kg (1 kW jobs). */
  baselineKg: number;
  /** Σ shifted emissions over all arrivals, kg (1 kW jobs). */
  shiftedKg: number;
  arrivals: number;
}

/**
 * The reference schedule of one arrival, with no solver: the job of `jobHours` hours at 1 kW
 * arriving at hour `arrival` (window per `jobWindow`) runs at once in the baseline; shifted, it
 * takes the cheapest contiguous `jobHours` window ('defer') or the `jobHours` cheapest hours
 * ('interrupt') of its window. Emissions are Σ carbon intensity (g/kWh) × 1 kWh ÷ 1000, in kg.
 * Ties go to the earliest hours. `carbonIntensity` has one value per hour from the series start.
 */
export function bruteForceArrival(carbonIntensity: ArrayLike<number>, arrival: number, jobHours: number, mode: ShiftMode): ArrivalEmissions {
  const { release, deadline } = jobWindow(arrival, jobHours, carbonIntensity.length);
  let baseline = 0;
  for (let t = release; t < release + jobHours; t++) baseline += carbonIntensity[t];

  let hours: number[];
  if (mode === 'defer') {
    let best = Infinity;
    let bestStart = release;
    for (let start = release; start + jobHours <= deadline; start++) {
      let sum = 0;
      for (let t = start; t < start + jobHours; t++) sum += carbonIntensity[t];
      if (sum < best) {
        best = sum;
        bestStart = start;
      }
    }
    hours = Array.from({ length: jobHours }, (_, k) => bestStart + k);
  } else {
    const window = Array.from({ length: deadline - release }, (_, k) => release + k);
    window.sort((a, b) => carbonIntensity[a] - carbonIntensity[b] || a - b);
    hours = window.slice(0, jobHours).sort((a, b) => a - b);
  }
  let shifted = 0;
  for (const t of hours) shifted += carbonIntensity[t];
  return { arrival, baselineKg: baseline / 1000, shiftedKg: shifted / 1000, hours };
}

/**
 * The zone saving (%) of the experiment for one job length and mode, computed by brute force
 * over every arrival (see paperExperiment.ts): 100 × (1 − Σ shifted ÷ Σ baseline). Pure; about
 * a millisecond per thousand arrivals.
 */
export function bruteForceSavings(carbonIntensity: ArrayLike<number>, jobHours: number, mode: ShiftMode): ZoneSavings {
  const arrivals = arrivalCount(jobHours, carbonIntensity.length);
  let baselineKg = 0;
  let shiftedKg = 0;
  for (let i = 0; i < arrivals; i++) {
    const one = bruteForceArrival(carbonIntensity, i, jobHours, mode);
    baselineKg += one.baselineKg;
    shiftedKg += one.shiftedKg;
  }
  return { savingPercent: 100 * (1 - shiftedKg / baselineKg), baselineKg, shiftedKg, arrivals };
}
