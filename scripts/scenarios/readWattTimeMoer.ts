import { hourlyMeans } from './hourlyMeans.js';
import { parseUtcStamp } from './parseUtcStamp.js';
import { readCsvSeries, seriesByInstant } from './readCsvSeries.js';
import { readZipEntry } from './readZipEntry.js';

/** The two files inside watttime2023_caiso-north.zip. */
export const wattTimeEntries = {
  actual: 'watttime2023_caiso-north_actual.csv',
  forecast: 'watttime2023_caiso-north_forecast.csv',
} as const;

const valueColumn = 'Caiso_North';
const fiveMinutesMs = 300_000;

/**
 * Hourly means of the realised CAISO-North MOER for `hours` hours from `startMs`. The file's
 * 5-minute values are forward-filled (each holds for the 5 minutes after its stamp, as vessim's
 * dataset notes say), so hour [T, T+1h) averages the values stamped T, T+5 min, ..., T+55 min.
 * Values are returned in the file's unit (see makeRealDataScenarios.ts on which unit that is).
 */
export function readMoerActualHourly(zipPath: string, startMs: number, hours: number): number[] {
  const source = `${zipPath}:${wattTimeEntries.actual}`;
  const text = readZipEntry(zipPath, wattTimeEntries.actual).toString('utf8');
  const byMs = seriesByInstant(readCsvSeries(text, source, 'time', valueColumn, parseUtcStamp), source);
  return hourlyMeans((ms) => byMs.get(ms), startMs, hours, source);
}

/** Which issued forecast was used for each hour, for the scenario header. */
export interface ForecastChoice {
  hourlyMeans: number[];
  /** Issue time (epoch ms) of the forecast used for each hour. */
  requestMs: number[];
}

/**
 * Hourly means of the CAISO-North MOER as forecast BEFORE each hour began. The file holds, for a
 * request every 5 minutes, forecasts of the next 65 minutes only, so no single request covers more
 * than one hour; each hour [T, T+1h) therefore takes the latest forecast issued no later than
 * T − 5 min that covers all twelve samples T .. T+55 min (normally the one issued at T − 5 min),
 * and averages those samples. A planner holding these values at the horizon's start would have
 * needed forecasts issued up to a week later: this is a rolling hour-ahead forecast, not a
 * week-ahead one.
 *
 * @throws Error when no forecast issued within the hour before T covers the hour.
 */
export function readMoerForecastHourly(zipPath: string, startMs: number, hours: number): ForecastChoice {
  const source = `${zipPath}:${wattTimeEntries.forecast}`;
  const text = readZipEntry(zipPath, wattTimeEntries.forecast).toString('utf8');
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((name) => name.trim());
  const [requestIndex, forecastIndex, valueIndex] = ['request_time', 'forecast_time', valueColumn].map((name) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${source}: no column "${name}"; columns: ${header.join(', ')}`);
    return index;
  });
  const byRequest = new Map<number, Map<number, number>>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split(',');
    const requestMs = parseUtcStamp(cells[requestIndex] ?? '');
    const forecastMs = parseUtcStamp(cells[forecastIndex] ?? '');
    const value = Number(cells[valueIndex]);
    if (requestMs === undefined || forecastMs === undefined || !Number.isFinite(value)) throw new Error(`${source} row ${i + 1}: cannot read "${lines[i]}"`);
    let forecast = byRequest.get(requestMs);
    if (!forecast) byRequest.set(requestMs, (forecast = new Map()));
    forecast.set(forecastMs, value);
  }

  const requestMs: number[] = [];
  const means: number[] = [];
  for (let h = 0; h < hours; h++) {
    const hourStartMs = startMs + h * 3_600_000;
    let chosen: number[] | undefined;
    for (let issued = hourStartMs - fiveMinutesMs; issued >= hourStartMs - 3_600_000 && !chosen; issued -= fiveMinutesMs) {
      const forecast = byRequest.get(issued);
      if (!forecast) continue;
      try {
        chosen = hourlyMeans((ms) => forecast.get(ms), hourStartMs, 1, source);
        requestMs.push(issued);
      } catch {
        // this issue does not reach the end of the hour; try an earlier one
      }
    }
    if (!chosen) throw new Error(`${source}: no forecast issued in the hour before ${new Date(hourStartMs).toISOString()} covers that hour`);
    means.push(chosen[0]);
  }
  return { hourlyMeans: means, requestMs };
}
