import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { CoschedError } from '../../../solver/errors/CoschedError.js';
import { readForecastSeriesFile } from '../../data/importers/readForecastSeriesFile.js';
import { seriesToSiteForecast } from '../../data/importers/seriesToSiteForecast.js';
import { readPlanRequestFile } from '../../data/loadPlanRequest.js';
import { BatchCreateSiteForecastsResponse, ListSiteForecastsResponse, SiteForecast } from '../../generated/cosched/v1/standing_planner_service.js';
import { formatNumber } from '../../report/formatNumber.js';
import { exitCodes } from '../exitCodes.js';
import { formatJson } from './formatJson.js';
import { formatTable } from './formatTable.js';
import type { StandingCommand } from './parseStandingCommand.js';
import type { StandingRunner } from './StandingIo.js';
import { formatTimestamp } from './timestamps.js';

type ForecastsCommand = Extract<StandingCommand, { name: 'forecasts put' | 'forecasts import' | 'forecasts list' }>;

const msPerHour = 3_600_000;

/**
 * `cosched forecasts put FILE [--request-id ID]`: FILE is a scenario (PlanRequest); each of its
 * sites becomes that site's next forecast version, starting at horizon.start, in one
 * BatchCreateSiteForecasts call (all or none).
 * `cosched forecasts import FILE --site SITE [--format F] [--from ISO] [--hours N]
 * [--green-supply-mw MW] [--gpu-capacity N] [--pue X] [--signal intensity|marginal]`: a
 * carbon-intensity series from an Electricity Maps or WattTime CSV (readForecastSeriesFile)
 * becomes the site's next forecast (seriesToSiteForecast), on top of its latest forecast when it
 * has one (its facts, green supply, price and base load); with `--signal marginal` the series
 * becomes the marginal signal beside the latest forecast's carbon intensity instead. What was
 * filled in is printed on stderr. One CreateSiteForecast call.
 * `cosched forecasts list [--site SITE] [--latest] [--all-pages]`: newest first.
 *
 * @throws CoschedError: a bad file or options (every problem listed), the server's errors.
 */
export const runForecastsCommand: StandingRunner<ForecastsCommand> = async (planner, command, io) => {
  switch (command.name) {
    case 'forecasts put': {
      const request = await readPlanRequestFile(command.file);
      const what = `scenario file ${command.file}`;
      if (request.horizon?.start === undefined) throw CoschedError.invalid([{ field: 'horizon.start', description: "got nothing; expected hour 0 of the sites' hourly arrays" }], what);
      if (request.sites.length === 0) throw CoschedError.invalid([{ field: 'sites', description: 'got no sites; expected at least one site to put a forecast for' }], what);
      const source = `scenario:${basename(command.file)}`;
      const response = await planner.batchCreateSiteForecasts({
        requests: request.sites.map((site) => ({ siteForecast: { name: '', site, start: request.horizon?.start, version: 0, createTime: undefined, source }, requestId: '' })),
        requestId: command.requestId ?? randomUUID(),
      });
      if (command.json) return { output: formatJson(BatchCreateSiteForecastsResponse.toJSON(response)), exitCode: exitCodes.ok };
      const count = response.siteForecasts.length;
      return { output: `put ${count} site forecast${count === 1 ? '' : 's'}\n${formatForecasts(response.siteForecasts, false)}`, exitCode: exitCodes.ok };
    }
    case 'forecasts import': {
      const series = readForecastSeriesFile(command.file, { format: command.format });
      let base: SiteForecast | undefined;
      try {
        base = await planner.getSiteForecast(`sites/${command.siteId}/forecasts/latest`);
      } catch (error) {
        if (!(error instanceof CoschedError && error.code === 'NOT_FOUND')) throw error;
      }
      let built;
      try {
        built = seriesToSiteForecast(series, {
          siteId: command.siteId,
          base,
          from: command.fromMs,
          hours: command.hours,
          greenSupplyMw: command.greenSupplyMw,
          gpuCapacity: command.gpuCapacity,
          pue: command.pue,
          signal: command.signal,
        });
      } catch (error) {
        throw error instanceof CoschedError && error.code === 'INVALID_ARGUMENT' ? namedByFlags(error, base) : error;
      }
      const { siteForecast, warnings } = built;
      for (const note of series.notes) io.stderr.write(`cosched: note: ${note}\n`);
      for (const warning of warnings) io.stderr.write(`cosched: warning: ${warning}\n`);
      const created = await planner.createSiteForecast({ siteForecast, requestId: command.requestId ?? randomUUID() });
      if (command.json) return { output: formatJson(SiteForecast.toJSON(created)), exitCode: exitCodes.ok };
      const on = base === undefined ? 'the site had no forecast' : `on top of ${base.name}`;
      return { output: `put ${created.name} from ${created.source} (${on})\n${formatForecasts([created], false)}`, exitCode: exitCodes.ok };
    }
    case 'forecasts list': {
      const all: ListSiteForecastsResponse = { siteForecasts: [], nextPageToken: '' };
      do {
        const page = await planner.listSiteForecasts({
          parent: command.siteId === undefined ? 'sites/-' : `sites/${command.siteId}`,
          pageSize: command.allPages ? 1_000 : 0,
          pageToken: all.nextPageToken,
          latestOnly: command.latestOnly,
        });
        all.siteForecasts.push(...page.siteForecasts);
        all.nextPageToken = page.nextPageToken;
      } while (command.allPages && all.nextPageToken !== '');
      if (command.json) return { output: formatJson(ListSiteForecastsResponse.toJSON(all)), exitCode: exitCodes.ok };
      if (all.nextPageToken !== '') io.stderr.write(`cosched: showing the newest ${all.siteForecasts.length} forecasts; --all-pages lists them all\n`);
      const output = all.siteForecasts.length === 0 ? 'no site forecasts\n' : formatForecasts(all.siteForecasts, true);
      return { output, exitCode: exitCodes.ok };
    }
  }
};

/** seriesToSiteForecast's options, by the flag that gives them. */
const flagOfOption: Record<string, string> = {
  siteId: '--site',
  from: '--from',
  hours: '--hours',
  greenSupplyMw: '--green-supply-mw',
  gpuCapacity: '--gpu-capacity',
  pue: '--pue',
  signal: '--signal',
};

/** seriesToSiteForecast's error with its `options.X` fields (and "pass X" hints) named by their flags, and `options.base` by the base forecast. */
function namedByFlags(error: CoschedError, base: SiteForecast | undefined): CoschedError {
  const rename = (text: string) =>
    text
      .replace(/\boptions\.base\b/g, base?.name ?? 'base')
      .replace(/\boptions\.(\w+)/g, (match, key: string) => flagOfOption[key] ?? match)
      .replace(/\bpass (\w+)/g, (match, key: string) => (flagOfOption[key] ? `pass ${flagOfOption[key]}` : match));
  const violations = error.violations.map((v) => ({ field: rename(v.field), description: rename(v.description) }));
  return violations.length > 0 ? CoschedError.invalid(violations, 'forecast import') : error;
}

/** Forecast versions: name, hours covered, capacity and PUE (and, in a listing, source and creation time). */
function formatForecasts(forecasts: readonly SiteForecast[], listing: boolean): string {
  const rows = forecasts.map((f) => {
    const hours = f.site?.greenSupplyMw.length ?? 0;
    const startMs = f.start === undefined ? undefined : Number(f.start.seconds) * 1000;
    const range = startMs === undefined ? '-' : `${formatTimestamp(f.start)} to ${formatTimestamp({ seconds: (startMs + hours * msPerHour) / 1000, nanos: 0 })} (${hours} h)`;
    const row = [f.name, range, String(f.site?.gpuCapacity ?? 0), formatNumber(f.site?.pue ?? 0, 2)];
    return listing ? [...row, f.source || '-', formatTimestamp(f.createTime)] : row;
  });
  const header = ['forecast', 'hours', 'GPUs', 'PUE'];
  return formatTable(listing ? [...header, 'source', 'created'] : header, rows, [2, 3]);
}
