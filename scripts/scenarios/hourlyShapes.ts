/**
 * Small building blocks for SYNTHETIC hourly curves: daily cosines, a clear-sky solar arc,
 * time-of-use tariffs, and rescaling to a stated mean. Hour h of a horizon starting at a whole
 * UTC hour covers [start + h, start + h + 1); "local" means UTC + utcOffsetHours.
 */

export const msPerHour = 3_600_000;

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));
export const clamp = (x: number, low: number, high: number): number => Math.min(high, Math.max(low, x));
export const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** A horizon and the local clock of the sites in it. */
export interface LocalClock {
  startMs: number;
  hours: number;
  utcOffsetHours: number;
}

/** 0, 1, ..., hours - 1. */
export const hourIndices = (clock: LocalClock): number[] => Array.from({ length: clock.hours }, (_, h) => h);

/** Local hour of day (0..23) at the start of horizon hour h. */
export function localHour(clock: LocalClock, h: number): number {
  const utcHour = new Date(clock.startMs + h * msPerHour).getUTCHours();
  return (((utcHour + clock.utcOffsetHours) % 24) + 24) % 24;
}

/** Local calendar day index (0 for the horizon's first local day) of horizon hour h. */
export function localDay(clock: LocalClock, h: number): number {
  const localMs = (ms: number) => ms + clock.utcOffsetHours * msPerHour;
  const dayOf = (ms: number) => Math.floor(localMs(ms) / (24 * msPerHour));
  return dayOf(clock.startMs + h * msPerHour) - dayOf(clock.startMs);
}

/** cos bump over the day at the middle of horizon hour h: 1 at local hour `peak`, -1 twelve hours later. */
export const cos24 = (clock: LocalClock, h: number, peak: number): number => Math.cos((2 * Math.PI * (localHour(clock, h) + 0.5 - peak)) / 24);

/** Clear-sky solar shape at the middle of hour h: a sine arc over local daylight [sunrise, sunset), 0 at night. */
export function sunArc(clock: LocalClock, h: number, sunrise: number, sunset: number): number {
  const l = localHour(clock, h) + 0.5;
  return l <= sunrise || l >= sunset ? 0 : Math.sin((Math.PI * (l - sunrise)) / (sunset - sunrise));
}

/** A time-of-use tariff: price levels and the local hours of peak and valley ([from, to), wrapping past midnight). */
export interface TimeOfUseTariff {
  flat: number;
  peak: number;
  valley: number;
  peakHours: Array<[number, number]>;
  valleyHours: Array<[number, number]>;
}

/** The tariff's price in horizon hour h (peak, valley, or flat otherwise). */
export function timeOfUse(clock: LocalClock, h: number, tariff: TimeOfUseTariff): number {
  const l = localHour(clock, h);
  const within = (ranges: Array<[number, number]>) => ranges.some(([from, to]) => (from <= to ? l >= from && l < to : l >= from || l < to));
  return within(tariff.peakHours) ? tariff.peak : within(tariff.valleyHours) ? tariff.valley : tariff.flat;
}

/** `values` multiplied so that their mean is `target` (all zeros stay zeros). */
export function scaleToMean(values: readonly number[], target: number): number[] {
  const m = mean(values);
  return m === 0 ? values.map(() => 0) : values.map((v) => (v * target) / m);
}

/** "2026-07-05T16:00:00Z" for horizon hour h. */
export const isoHour = (clock: LocalClock, h: number): string => new Date(clock.startMs + h * msPerHour).toISOString().replace('.000Z', 'Z');
