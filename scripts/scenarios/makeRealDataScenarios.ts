/**
 * Writes the real-data scenarios from the shared traces in ../shared/data (see its README.md):
 *
 * - scenarios/europe-2022.yaml: five sites in DE, FR, GB, SE-SE3 and ES with their real hourly
 *   2022 carbon intensities (123-zone file) for the week from Monday 2022-04-04 00:00Z; only the
 *   Madrid site has green supply, shaped by Spain's hourly `Renewable Percentage` (4-zone file).
 * - scenarios/california-solar.yaml: one CAISO site whose green supply is the real San Francisco
 *   solar trace (5-minute values → hourly means) × 4 MW of installed PV, with US-CAL-CISO hourly
 *   intensities of the same UTC hours of 2022 (both traces are 2022: no date shifting), and a
 *   marginal signal: WattTime's realised MOER of CAISO North for the same week of the year in 2023
 *   (the only MOER trace there is), aligned by weekday and local hour (Monday 00:00 PDT): a proxy
 *   for the 2022 margin, for the side-by-side accounting only (the planner does not read it).
 * - scenarios/caiso-forecast.yaml and scenarios/caiso-actual.yaml: the same request (one CAISO
 *   North site, same jobs) with WattTime's MOER as forecast before each hour and as realised. A
 *   planner plans on the forecast and is judged on the actual.
 * - scenarios/caiso-actual-forecasts.json: the realised intensities as a forecasts file the what-if
 *   engine can use to replace a scenario's forecasts. Format: the proto3 JSON mapping of
 *   cosched.v1.ReplaceForecasts (proto/cosched/v1/what_if.proto) without its `file` field:
 *
 *       { "sites": [ { "siteId": "<siteId>", "carbonIntensityGPerKwh": [<horizon.hours numbers>] } ] }
 *
 *   Each entry's non-empty arrays replace that site's hourly values (gCO2/kWh for hour h of the
 *   scenario's horizon); `greenSupplyMw` and `pricePerMwh` may be given the same way; sites not
 *   listed and arrays left out keep their values. Used as
 *   `cosched compare scenarios/caiso-forecast.yaml --variant actual:forecasts=scenarios/caiso-actual-forecasts.json`.
 *
 * WattTime unit: the shared data README says the MOER is in lbs/MWh (× 0.4536 for g/kWh), but the
 * publisher of this file, vessim (dos-group/vessim, docs/datasets.rst), says it has already been
 * converted to g/kWh; its values (17–462, a gas-fired margin near 400–460) agree with g/kWh and
 * would be implausibly low as lbs/MWh (8–210 g/kWh). So the values are used as g/kWh
 * (`moerGPerKwhPerFileUnit` = 1); set it to 0.4536 if the file is ever shown to hold lbs/MWh.
 *
 * Jobs are drawn with the seeded generator (mulberry32), so the output is deterministic.
 * Fails with a clear message if the shared data are missing (set COSCHED_SHARED_DATA to point
 * elsewhere). Attribution lines are kept in every header.
 *
 * Run from the repository root:  node --import tsx scripts/scenarios/makeRealDataScenarios.ts [OUT_DIR]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { carbonIntensityAttribution, readCarbonIntensityCsv } from '../paper/readCarbonIntensityCsv.js';
import { seededRandom } from '../seededRandom.js';
import { hourlyMeans } from './hourlyMeans.js';
import { isoHour, mean, msPerHour, round, scaleToMean, type LocalClock } from './hourlyShapes.js';
import { describeJobClasses, makeTrainingJobs, type JobClass } from './makeTrainingJobs.js';
import { parseUtcStamp } from './parseUtcStamp.js';
import { readCsvSeries, seriesByInstant } from './readCsvSeries.js';
import { readMoerActualHourly, readMoerForecastHourly } from './readWattTimeMoer.js';
import { sharedDataPath } from './sharedDataPath.js';
import { wrapLines } from './wrapLines.js';
import { writeCompactJson } from './writeCompactJson.js';
import { writeScenarioYaml } from './writeScenarioYaml.js';

/** Multiply the WattTime file's values by this to get g/kWh (see the module comment). */
const moerGPerKwhPerFileUnit = 1;

const files = {
  zones123: 'carbon-intensity-2022-123-zones/ci_2022_hourly.csv',
  spain2022: 'carbon-intensity-4-zones-2021-2023/ES_2022_hourly.csv',
  solar: 'solar-and-moer-traces/solar_example.csv',
  wattTime: 'solar-and-moer-traces/watttime2023_caiso-north.zip',
};
/** The solar trace's `time` column counts seconds from this instant (its diurnal peaks fit UTC). */
const solarTraceStartMs = Date.parse('2022-06-08T00:00:00Z');

const wattTimeAttribution = 'MOER data: WattTime (watttime.org), as published in dos-group/vessim (MIT licence)';
const solarAttribution = 'Solar data: Solcast (solcast.com), as published in dos-group/vessim (MIT licence)';

/** Base load = 25% of the pool at 1 kW/GPU, the rule of the China scenarios [assumption]. */
const baseLoadShare = 0.25;
const outDir = process.argv[2] ?? 'scenarios';
const written: string[] = [];

const baseLoad = (gpuCapacity: number, hours: number) => new Array<number>(hours).fill(round((baseLoadShare * gpuCapacity) / 1000, 3));
const header = (lines: string[]) => wrapLines(lines).join('\n');
function write(name: string, headerText: string, request: object): void {
  const path = join(outDir, name);
  const bytes = writeScenarioYaml(path, headerText, request);
  written.push(`${path} (${bytes.toLocaleString('en')} bytes)`);
}

/** Europe, 2022: five zones, one week of real intensities. */
function writeEurope2022(): void {
  const clock: LocalClock = { startMs: Date.parse('2022-04-04T00:00:00Z'), hours: 168, utcOffsetHours: 0 };
  const zones = ['DE', 'FR', 'GB', 'SE-SE3', 'ES'] as const;
  const series = readCarbonIntensityCsv(sharedDataPath(files.zones123), [...zones]);
  const firstHour = (clock.startMs - series.startMs) / msPerHour;
  const intensity = (zone: string) => series.byZone[zone].slice(firstHour, firstHour + clock.hours).map((v) => round(v, 2));

  const spainSource = sharedDataPath(files.spain2022);
  const spainText = readFileSync(spainSource, 'utf8');
  const renewableByMs = seriesByInstant(readCsvSeries(spainText, spainSource, 'Datetime (UTC)', 'Renewable Percentage', parseUtcStamp), spainSource);
  const renewablePercent = hourlyMeans((ms) => renewableByMs.get(ms), clock.startMs, clock.hours, spainSource, { pointsPerHour: 1 });

  const sites = [
    { id: 'frankfurt', zone: 'DE', name: 'Frankfurt (DE)', timeZone: 'Europe/Berlin', gpuCapacity: 2048, pue: 1.3 },
    { id: 'paris', zone: 'FR', name: 'Paris (FR)', timeZone: 'Europe/Paris', gpuCapacity: 1024, pue: 1.3 },
    { id: 'london', zone: 'GB', name: 'London (GB)', timeZone: 'Europe/London', gpuCapacity: 1536, pue: 1.3 },
    { id: 'stockholm', zone: 'SE-SE3', name: 'Stockholm (SE-SE3)', timeZone: 'Europe/Stockholm', gpuCapacity: 768, pue: 1.15 },
    { id: 'madrid', zone: 'ES', name: 'Madrid (ES), with a renewable PPA', timeZone: 'Europe/Madrid', gpuCapacity: 1024, pue: 1.3 },
  ];
  const madrid = sites[4];
  const madridBaseMw = baseLoad(madrid.gpuCapacity, 1)[0];
  // PPA: mean = 30% of the site's energy at 65% utilisation; hourly shape = Spain's renewable share.
  const ppaMeanMw = 0.3 * madrid.pue * (madridBaseMw + (0.65 * madrid.gpuCapacity) / 1000);
  const madridGreenMw = scaleToMean(renewablePercent, ppaMeanMw).map((v) => round(v, 3));

  const everywhere = () => undefined;
  const inEu = () => ['frankfurt', 'paris', 'stockholm', 'madrid'];
  const nearby = (home: string) => [home, 'paris', 'stockholm'];
  const jobClasses: JobClass[] = [
    { prefix: 'llm-pretrain', count: 2, gpuChoices: [512, 1024], fullWidthHours: [24, 48], windowHours: [96, 168], interruptible: true, gpuPowerKw: 1.1, homes: ['frankfurt'], allowedSites: everywhere },
    { prefix: 'sft', count: 8, gpuChoices: [64, 128, 256, 512], fullWidthHours: [6, 24], windowHours: [24, 96], interruptible: true, gpuPowerKw: 1.0, homes: ['frankfurt', 'london'], allowedSites: everywhere },
    { prefix: 'eu-data-sft', count: 3, gpuChoices: [64, 128, 256], fullWidthHours: [6, 24], windowHours: [24, 96], interruptible: true, gpuPowerKw: 1.0, homes: ['frankfurt'], allowedSites: inEu },
    { prefix: 'hparam-sweep', count: 5, gpuChoices: [32, 64, 128], fullWidthHours: [4, 12], windowHours: [24, 72], interruptible: true, gpuPowerKw: 0.9, homes: ['frankfurt', 'london'], allowedSites: everywhere },
    { prefix: 'rlhf', count: 2, gpuChoices: [128, 256], fullWidthHours: [8, 16], windowHours: [24, 30], interruptible: false, gpuPowerKw: 1.0, homes: ['frankfurt', 'london'], allowedSites: nearby },
    { prefix: 'eval-suite', count: 4, gpuChoices: [8, 16, 32, 64], fullWidthHours: [2, 6], windowHours: [24, 30], interruptible: false, gpuPowerKw: 0.7, homes: ['frankfurt', 'london'], allowedSites: nearby },
  ];
  const seed = 20_220_404;
  const capacityBySite = Object.fromEntries(sites.map((s) => [s.id, s.gpuCapacity]));
  const jobs = makeTrainingJobs(jobClasses, clock, capacityBySite, seededRandom(seed));

  const request = {
    horizon: { start: isoHour(clock, 0), hours: clock.hours },
    sites: sites.map((s) => ({
      id: s.id,
      name: s.name,
      timeZone: s.timeZone,
      gpuCapacity: s.gpuCapacity,
      pue: s.pue,
      greenSupplyMw: s.id === 'madrid' ? madridGreenMw : new Array<number>(clock.hours).fill(0),
      carbonIntensityGPerKwh: intensity(s.zone),
      baseLoadMw: baseLoad(s.gpuCapacity, clock.hours),
    })),
    jobs,
    options: { timeLimitSeconds: 60 },
  };
  const weekMean = (zone: string) => Math.round(mean(intensity(zone)));
  write(
    'europe-2022.yaml',
    header([
      'Generated by scripts/scenarios/makeRealDataScenarios.ts from ../shared/data; do not edit by hand.',
      'Regenerate with  node --import tsx scripts/scenarios/makeRealDataScenarios.ts',
      '',
      carbonIntensityAttribution,
      '',
      'Europe, one week of REAL 2022 grid intensities: 168 h from Monday 2022-04-04T00:00Z (UTC).',
      'carbonIntensityGPerKwh = the hourly life-cycle (LCA) intensity of each zone for the same UTC hours,',
      `from carbon-intensity-2022-123-zones/ci_2022_hourly.csv (week means: ${zones.map((z) => `${z} ${weekMean(z)}`).join(', ')} g/kWh).`,
      'greenSupplyMw: only madrid has green supply, a renewable PPA whose hourly shape is Spain\'s REAL',
      '`Renewable Percentage` (carbon-intensity-4-zones-2021-2023/ES_2022_hourly.csv, same hours)',
      `divided by its weekly mean (${round(mean(renewablePercent), 1)}%), scaled to a mean of ${round(ppaMeanMw, 3)} MW = 30% of the site's energy at`,
      '65% utilisation [assumption]. The other sites have none (0). No prices: cost is not counted.',
      'Pools, PUEs (1.3; 1.15 in Stockholm) and base loads (25% of the pool at 1 kW/GPU) are assumptions.',
      '',
      `Jobs (seeded generator, mulberry32 seed ${seed}; homed in Frankfurt and London; eu-data-sft may`,
      'not leave the EU, one-block jobs may use their home, Paris or Stockholm):',
      ...describeJobClasses(jobClasses),
    ]),
    request,
  );
}

/** California: a solar site from the real solar trace, with real CAISO intensities. */
function writeCaliforniaSolar(): void {
  const clock: LocalClock = { startMs: Date.parse('2022-06-13T07:00:00Z'), hours: 168, utcOffsetHours: -7 };
  const installedPvMw = 4;
  const solarPath = sharedDataPath(files.solar);
  const solarText = readFileSync(solarPath, 'utf8');
  const secondsToMs = (cell: string) => (/^\d+$/.test(cell.trim()) ? solarTraceStartMs + Number(cell) * 1000 : undefined);
  const solarByMs = seriesByInstant(readCsvSeries(solarText, solarPath, 'time', 'San Francisco', secondsToMs), solarPath);
  // Backward-filled 5-minute values: hour [T, T+1h) averages the samples stamped T+5 .. T+60 min.
  const solarFraction = hourlyMeans((ms) => solarByMs.get(ms), clock.startMs, clock.hours, solarPath, { firstOffsetMs: 300_000 });

  const series = readCarbonIntensityCsv(sharedDataPath(files.zones123), ['US-CAL-CISO']);
  const firstHour = (clock.startMs - series.startMs) / msPerHour;
  const intensity = series.byZone['US-CAL-CISO'].slice(firstHour, firstHour + clock.hours).map((v) => round(v, 2));

  // The MOER trace is June-July 2023 only: the same week of the year, from Monday 00:00 PDT.
  const moerStartMs = Date.parse('2023-06-12T07:00:00Z');
  const marginal = readMoerActualHourly(sharedDataPath(files.wattTime), moerStartMs, clock.hours).map((v) => round(v * moerGPerKwhPerFileUnit, 2));

  const site = { id: 'bay-area-solar', name: 'Bay Area data center with 4 MW of PV (US-CAL-CISO)', timeZone: 'America/Los_Angeles', gpuCapacity: 2048, pue: 1.25 };
  const here = () => [site.id];
  const jobClasses: JobClass[] = [
    { prefix: 'llm-pretrain', count: 2, gpuChoices: [512, 1024], fullWidthHours: [24, 48], windowHours: [96, 168], interruptible: true, gpuPowerKw: 1.1, homes: [site.id], allowedSites: here },
    { prefix: 'sft', count: 7, gpuChoices: [64, 128, 256, 512], fullWidthHours: [6, 24], windowHours: [24, 96], interruptible: true, gpuPowerKw: 1.0, homes: [site.id], allowedSites: here },
    { prefix: 'hparam-sweep', count: 4, gpuChoices: [32, 64, 128], fullWidthHours: [4, 12], windowHours: [24, 72], interruptible: true, gpuPowerKw: 0.9, homes: [site.id], allowedSites: here },
    { prefix: 'eval-suite', count: 3, gpuChoices: [8, 16, 32, 64], fullWidthHours: [2, 6], windowHours: [24, 30], interruptible: false, gpuPowerKw: 0.7, homes: [site.id], allowedSites: here },
  ];
  const seed = 20_220_613;
  const jobs = makeTrainingJobs(jobClasses, clock, { [site.id]: site.gpuCapacity }, seededRandom(seed));
  const request = {
    horizon: { start: isoHour(clock, 0), hours: clock.hours },
    sites: [
      {
        ...site,
        greenSupplyMw: solarFraction.map((f) => round(installedPvMw * f, 3)),
        carbonIntensityGPerKwh: intensity,
        baseLoadMw: baseLoad(site.gpuCapacity, clock.hours),
        marginalIntensityGPerKwh: marginal,
      },
    ],
    jobs,
    options: { timeLimitSeconds: 60 },
  };
  write(
    'california-solar.yaml',
    header([
      'Generated by scripts/scenarios/makeRealDataScenarios.ts from ../shared/data; do not edit by hand.',
      'Regenerate with  node --import tsx scripts/scenarios/makeRealDataScenarios.ts',
      '',
      carbonIntensityAttribution,
      solarAttribution,
      wattTimeAttribution,
      '',
      'California, one week: 168 h from 2022-06-13T07:00Z (Monday 00:00 PDT). Times are UTC.',
      `greenSupplyMw = ${installedPvMw} MW of installed PV [assumption] x the REAL normalised PV output of San Francisco`,
      '(solar-and-moer-traces/solar_example.csv; its `time` column counts seconds from 2022-06-08T00:00Z,',
      'UTC as its midday peaks show; 5-minute values valid for the 5 minutes before their stamp, so',
      `hour [T, T+1h) is the mean of the 12 samples stamped T+5 .. T+60 min). Weekly mean ${round(mean(solarFraction) * installedPvMw, 3)} MW.`,
      'carbonIntensityGPerKwh = REAL US-CAL-CISO hourly LCA intensity for the SAME UTC hours of 2022',
      `(carbon-intensity-2022-123-zones/ci_2022_hourly.csv; week mean ${Math.round(mean(intensity))} g/kWh). Both traces are`,
      'from 2022, so no date shifting was needed. No prices: cost is not counted.',
      'marginalIntensityGPerKwh = REAL WattTime MOER of CAISO North AS REALISED (hourly means of the',
      '5-minute values, as in caiso-actual.yaml; solar-and-moer-traces/watttime2023_caiso-north.zip).',
      'That trace covers only June-July 2023, so these are the hours of the same week of the year in',
      '2023, from Monday 2023-06-12T07:00Z (00:00 PDT): a PROXY for the 2022 margin, aligned by weekday',
      `and local hour (week mean ${round(mean(marginal), 1)} g/kWh, against ${Math.round(mean(intensity))} g/kWh average). Accounting only:`,
      'the plan still minimises location-based emissions; reports show marginal emissions beside them.',
      'Pool 2,048 GPUs, PUE 1.25 and base load 25% of the pool at 1 kW/GPU are assumptions.',
      '',
      `Jobs (seeded generator, mulberry32 seed ${seed}; all at this one site, so the plan can only shift`,
      'work in time, into the sunny and the cleaner hours):',
      ...describeJobClasses(jobClasses),
    ]),
    request,
  );
}

/** CAISO North, forecast versus actual (WattTime MOER, June 2023), and the forecasts file. */
function writeCaisoForecastAndActual(): void {
  const clock: LocalClock = { startMs: Date.parse('2023-06-12T07:00:00Z'), hours: 168, utcOffsetHours: -7 };
  const zipPath = sharedDataPath(files.wattTime);
  const toGPerKwh = (v: number) => round(v * moerGPerKwhPerFileUnit, 2);
  const actual = readMoerActualHourly(zipPath, clock.startMs, clock.hours).map(toGPerKwh);
  const forecast = readMoerForecastHourly(zipPath, clock.startMs, clock.hours);
  const forecastGPerKwh = forecast.hourlyMeans.map(toGPerKwh);
  const lateIssues = forecast.requestMs.filter((ms, h) => ms !== clock.startMs + h * msPerHour - 300_000).length;
  const meanAbsoluteError = mean(actual.map((a, h) => Math.abs(a - forecastGPerKwh[h])));

  const site = { id: 'caiso-north', name: 'Data center in CAISO North (WattTime region CAISO_NORTH)', timeZone: 'America/Los_Angeles', gpuCapacity: 1024, pue: 1.2 };
  const here = () => [site.id];
  const jobClasses: JobClass[] = [
    { prefix: 'llm-pretrain', count: 1, gpuChoices: [512], fullWidthHours: [24, 48], windowHours: [96, 168], interruptible: true, gpuPowerKw: 1.1, homes: [site.id], allowedSites: here },
    { prefix: 'sft', count: 6, gpuChoices: [64, 128, 256], fullWidthHours: [6, 24], windowHours: [24, 96], interruptible: true, gpuPowerKw: 1.0, homes: [site.id], allowedSites: here },
    { prefix: 'hparam-sweep', count: 4, gpuChoices: [32, 64, 128], fullWidthHours: [4, 12], windowHours: [24, 72], interruptible: true, gpuPowerKw: 0.9, homes: [site.id], allowedSites: here },
    { prefix: 'rlhf', count: 1, gpuChoices: [128, 256], fullWidthHours: [8, 12], windowHours: [24, 30], interruptible: false, gpuPowerKw: 1.0, homes: [site.id], allowedSites: here },
    { prefix: 'eval-suite', count: 4, gpuChoices: [8, 16, 32, 64], fullWidthHours: [2, 6], windowHours: [24, 30], interruptible: false, gpuPowerKw: 0.7, homes: [site.id], allowedSites: here },
  ];
  const seed = 20_230_612;
  const jobs = makeTrainingJobs(jobClasses, clock, { [site.id]: site.gpuCapacity }, seededRandom(seed));
  const requestWith = (carbonIntensityGPerKwh: number[]) => ({
    horizon: { start: isoHour(clock, 0), hours: clock.hours },
    sites: [{ ...site, greenSupplyMw: new Array<number>(clock.hours).fill(0), carbonIntensityGPerKwh, baseLoadMw: baseLoad(site.gpuCapacity, clock.hours) }],
    jobs,
    options: { timeLimitSeconds: 60 },
  });
  const common = [
    'Regenerate with  node --import tsx scripts/scenarios/makeRealDataScenarios.ts',
    '',
    wattTimeAttribution,
    '',
    'CAISO North, one week: 168 h from 2023-06-12T07:00Z (Monday 00:00 PDT). Times are UTC. One site,',
    'no green supply, no prices: the plan can only shift work in time, following the marginal',
    'emission rate (MOER) of CAISO North from solar-and-moer-traces/watttime2023_caiso-north.zip.',
    'Unit: the values are used as g/kWh, as the dataset\'s publisher (vessim, docs/datasets.rst) states',
    'they were converted; the shared data README\'s lbs/MWh (x 0.4536) would give implausibly low',
    'marginal rates (see makeRealDataScenarios.ts).',
    'caiso-forecast.yaml and caiso-actual.yaml are the same request except carbonIntensityGPerKwh:',
    '- forecast: for each hour [T, T+1h), the mean of the 12 five-minute values T .. T+55 min of the',
    '  latest forecast issued no later than T - 5 min (the file has forecasts only 65 min ahead,',
    `  issued every 5 min; ${lateIssues === 0 ? 'every hour used the one issued at T - 5 min' : `${lateIssues} hours used an earlier issue`}). This is a ROLLING HOUR-AHEAD`,
    '  forecast: no single forecast in the file covers more than an hour, so a fixed request time',
    '  cannot cover the week.',
    '- actual: the mean of the realised values stamped T .. T+55 min (each holds for 5 minutes).',
    `Mean absolute difference of the hourly means: ${round(meanAbsoluteError, 1)} g/kWh (week means: forecast ${round(mean(forecastGPerKwh), 1)},`,
    `actual ${round(mean(actual), 1)} g/kWh).`,
    'Plan on caiso-forecast.yaml, then judge the plan with the actual intensities (the forecasts file',
    'caiso-actual-forecasts.json holds them for the what-if engine).',
    'Pool 1,024 GPUs, PUE 1.2 and base load 25% of the pool at 1 kW/GPU are assumptions.',
    '',
    `Jobs (seeded generator, mulberry32 seed ${seed}):`,
    ...describeJobClasses(jobClasses),
  ];
  const generatedBy = 'Generated by scripts/scenarios/makeRealDataScenarios.ts from ../shared/data; do not edit by hand.';
  write('caiso-forecast.yaml', header([generatedBy, 'THIS FILE: the intensities AS FORECAST (rolling hour-ahead).', ...common]), requestWith(forecastGPerKwh));
  write('caiso-actual.yaml', header([generatedBy, 'THIS FILE: the intensities AS REALISED.', ...common]), requestWith(actual));
  const forecastsPath = join(outDir, 'caiso-actual-forecasts.json');
  const bytes = writeCompactJson(forecastsPath, { sites: [{ siteId: site.id, carbonIntensityGPerKwh: actual }] });
  written.push(`${forecastsPath} (${bytes.toLocaleString('en')} bytes)`);
}

try {
  // 1. Every input must be there before anything is written.
  for (const file of Object.values(files)) sharedDataPath(file);
  // 2. Write the scenarios.
  writeEurope2022();
  writeCaliforniaSolar();
  writeCaisoForecastAndActual();
  process.stdout.write(`wrote\n  ${written.join('\n  ')}\n`);
} catch (error) {
  process.stderr.write(`makeRealDataScenarios: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
