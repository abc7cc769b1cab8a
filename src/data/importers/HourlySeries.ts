/**
 * An hourly series imported from a forecast or trace file: hour i covers
 * [startMs + i·1h, startMs + (i+1)·1h), UTC. The arrays have one value per hour, no gaps.
 */
export interface HourlySeries {
  /** Start of hour 0, epoch milliseconds; always a whole UTC hour. */
  startMs: number;
  /** Grid carbon intensity per hour (gCO2eq/kWh), finite and >= 0. */
  carbonIntensityGPerKwh: number[];
  /** Share of renewable generation per hour (0..100), when the file has it. */
  renewablePercent?: number[];
  /** The grid zone or signal the values describe (e.g. `ES`, `Caiso_North`), when the file says. */
  zone?: string;
  /** Where the numbers come from, e.g. `electricity-maps:ES_2022_hourly.csv (direct)`. */
  source: string;
  /** What the importer chose or noticed (column, unit, estimated rows, short hours, ...). */
  notes: string[];
}

/** One hour in milliseconds. */
export const msPerHour = 3_600_000;
