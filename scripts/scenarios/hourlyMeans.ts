import { msPerHour } from './hourlyShapes.js';

/**
 * Hourly means of a sub-hourly series. Hour h covers [startMs + h·1h, startMs + (h+1)·1h); its
 * mean is taken over the `pointsPerHour` samples at startMs + h·1h + firstOffsetMs + k·stepMs,
 * k = 0 .. pointsPerHour − 1, which lets the caller say which samples describe the hour:
 * a forward-filled 5-minute series (value valid for the next 5 minutes) uses offset 0; a
 * backward-filled one (valid for the 5 minutes before its stamp) uses offset 5 minutes.
 *
 * @throws Error naming `source` and the first missing sample's instant.
 */
export function hourlyMeans(
  valueAt: (ms: number) => number | undefined,
  startMs: number,
  hours: number,
  source: string,
  { firstOffsetMs = 0, stepMs = 300_000, pointsPerHour = 12 } = {},
): number[] {
  return Array.from({ length: hours }, (_, h) => {
    let sum = 0;
    for (let k = 0; k < pointsPerHour; k++) {
      const ms = startMs + h * msPerHour + firstOffsetMs + k * stepMs;
      const value = valueAt(ms);
      if (value === undefined) throw new Error(`${source}: no value at ${new Date(ms).toISOString()} (needed for the hour from ${new Date(startMs + h * msPerHour).toISOString()})`);
      sum += value;
    }
    return sum / pointsPerHour;
  });
}
