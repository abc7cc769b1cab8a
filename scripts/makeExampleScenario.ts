/**
 * Writes the bundled example scenario, scenarios/two-hubs-48h.yaml: three sites (two western
 * 东数西算 hubs and Shanghai) and eight training jobs over 48 hours from 2026-07-01T00:00Z.
 *
 * The hourly curves are SYNTHETIC: smooth daily shapes (formulas below) scaled to public figures,
 * plus a small deterministic wobble from a seeded generator. Same code, same file, byte for byte.
 *
 * Run from the repository root:  node --import tsx scripts/makeExampleScenario.ts [OUT.yaml]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, Scalar, visit } from 'yaml';
import { seededRandom } from './seededRandom.js';

const horizonStart = '2026-07-01T00:00:00Z';
const horizonHours = 48;
/** China Standard Time (all three sites): local hour = UTC hour + 8. */
const utcOffsetHours = 8;

// mulberry32 (scripts/seededRandom.ts), so the wobble is the same on every run.
const random = seededRandom(20_260_701);
/** Uniform in [-amplitude, amplitude]. */
const wobble = (amplitude: number) => (2 * random() - 1) * amplitude;

const hours = Array.from({ length: horizonHours }, (_, h) => h);
const localHour = (h: number) => (h + utcOffsetHours) % 24;
const localDay = (h: number) => Math.floor((h + utcOffsetHours) / 24);
const round = (x: number, digits: number) => Number(x.toFixed(digits));
const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));
/** cos bump over the day, 1 at local hour `peak`, -1 twelve hours later. */
const daily = (h: number, peak: number) => Math.cos((2 * Math.PI * (localHour(h) - peak)) / 24);
/** Clear-sky solar shape: sin over daylight [sunrise, sunset) local, 0 at night. */
const solarShape = (h: number, sunrise: number, sunset: number) => {
  const l = localHour(h) + 0.5;
  return l <= sunrise || l >= sunset ? 0 : Math.sin((Math.PI * (l - sunrise)) / (sunset - sunrise));
};

/** Time-of-use price (CNY/MWh) by local hour: peak, flat or valley. */
function timeOfUse(h: number, prices: { peak: number; flat: number; valley: number }, peakHours: number[][], valleyHours: number[][]): number {
  const l = localHour(h);
  const within = (ranges: number[][]) => ranges.some(([from, to]) => (from <= to ? l >= from && l < to : l >= from || l < to));
  return within(peakHours) ? prices.peak : within(valleyHours) ? prices.valley : prices.flat;
}

// Helingeer (和林格尔, Hohhot): a 0.25% slice of the cluster's green direct-supply project
// (300 MW wind + 60 MW PV) -> 0.75 MW wind + 0.15 MW PV. Summer wind capacity factor
// 0.28 ± 0.16 over the day, peaking at 02:00 local, with a windier second night (a passing front).
const helingeerWindCf = hours.map((h) => clamp(0.28 + 0.16 * daily(h, 2) + 0.07 * Math.exp(-(((h - 42) / 6) ** 2)) + wobble(0.03), 0.03, 0.9));
const helingeer = {
  greenSupplyMw: hours.map((h, i) => round(0.75 * helingeerWindCf[i] + 0.15 * 0.85 * solarShape(h, 5.5, 20), 3)),
  // Mengxi grid: coal-heavy, lower when wind is high: 690 ± 70 g/kWh.
  carbonIntensityGPerKwh: hours.map((_, i) => Math.round(690 - 70 * ((helingeerWindCf[i] - 0.28) / 0.16))),
  pricePerMwh: hours.map((h) => timeOfUse(h, { peak: 620, flat: 400, valley: 190 }, [[17, 22]], [[23, 7]])),
  baseLoadMw: hours.map(() => 0.05),
};

// Gui'an (贵安, Guizhou): hydro contract, steady 0.25 MW with a small evening dispatch bump.
const guian = {
  greenSupplyMw: hours.map((h) => round(0.25 * (1 + 0.04 * daily(h, 19)) + wobble(0.005), 3)),
  // Guizhou grid: coal plus hydro, 470 ± 25 g/kWh, highest in the evening peak.
  carbonIntensityGPerKwh: hours.map((h) => Math.round(470 + 25 * daily(h, 20) + wobble(5))),
  pricePerMwh: hours.map((h) => timeOfUse(h, { peak: 850, flat: 560, valley: 250 }, [[9, 12], [17, 22]], [[0, 8]])),
  baseLoadMw: hours.map(() => 0.04),
};

// Shanghai-Qingpu (上海青浦): 0.06 MW rooftop PV (a cloudier second day); East China grid,
// coal-heavy, 585 ± 12 g/kWh with a midday solar dip, kept within 560-600 g/kWh.
const shanghai = {
  greenSupplyMw: hours.map((h) => round(0.06 * (localDay(h) === 1 ? 0.85 : 0.7) * solarShape(h, 5, 19), 3)),
  carbonIntensityGPerKwh: hours.map((h) => Math.round(clamp(585 + 12 * daily(h, 20) - 10 * solarShape(h, 5, 19) + wobble(4), 560, 600))),
  pricePerMwh: hours.map((h) => timeOfUse(h, { peak: 1150, flat: 680, valley: 300 }, [[8, 11], [18, 21]], [[22, 6]])),
  baseLoadMw: hours.map(() => 0.12),
};

const at = (hour: number) => new Date(Date.parse(horizonStart) + hour * 3_600_000).toISOString().replace('.000Z', 'Z');
const allSites = ['helingeer', 'guian', 'shanghai-qingpu'];

const request = {
  horizon: { start: horizonStart, hours: horizonHours },
  sites: [
    { id: 'helingeer', name: 'Helingeer cluster, Hohhot (Inner Mongolia hub)', timeZone: 'Asia/Shanghai', gpuCapacity: 768, pue: 1.18, ...helingeer },
    { id: 'guian', name: "Gui'an cluster, Guizhou (Guizhou hub)", timeZone: 'Asia/Shanghai', gpuCapacity: 512, pue: 1.2, ...guian },
    { id: 'shanghai-qingpu', name: 'Qingpu, Shanghai (Yangtze River Delta hub)', timeZone: 'Asia/Shanghai', gpuCapacity: 1024, pue: 1.3, ...shanghai },
  ],
  jobs: [
    { id: 'llm-pretrain-13b', gpuHours: 9216, maxGpus: 512, minGpus: 64, gpuPowerKw: 0.95, release: at(0), deadline: at(48), allowedSites: [...allSites], homeSite: 'shanghai-qingpu', interruptible: true },
    { id: 'vision-finetune', gpuHours: 384, maxGpus: 64, gpuPowerKw: 0.75, release: at(2), deadline: at(20), allowedSites: [...allSites], homeSite: 'shanghai-qingpu', interruptible: false },
    { id: 'rlhf-reward-model', gpuHours: 1024, maxGpus: 128, gpuPowerKw: 0.9, release: at(4), deadline: at(36), allowedSites: [...allSites], homeSite: 'shanghai-qingpu', interruptible: true },
    { id: 'asr-conformer', gpuHours: 384, maxGpus: 32, gpuPowerKw: 0.7, release: at(0), deadline: at(48), allowedSites: [...allSites], homeSite: 'shanghai-qingpu', interruptible: true },
    { id: 'embed-refresh', gpuHours: 16, maxGpus: 8, gpuPowerKw: 0.7, release: at(0), deadline: at(12), allowedSites: ['shanghai-qingpu'], homeSite: 'shanghai-qingpu', interruptible: false },
    { id: 'moe-ablation', gpuHours: 2560, maxGpus: 256, gpuPowerKw: 1.0, release: at(6), deadline: at(40), allowedSites: [...allSites], homeSite: 'shanghai-qingpu', interruptible: false },
    { id: 'code-llm-sft', gpuHours: 2048, maxGpus: 128, gpuPowerKw: 0.9, release: at(12), deadline: at(48), allowedSites: ['guian', 'shanghai-qingpu'], homeSite: 'shanghai-qingpu', interruptible: true },
    { id: 'eval-sweep', gpuHours: 64, maxGpus: 16, gpuPowerKw: 0.8, release: at(20), deadline: at(32), allowedSites: ['shanghai-qingpu'], homeSite: 'shanghai-qingpu', interruptible: false },
  ],
  options: { timeLimitSeconds: 60 },
};

const header = `\
Generated by scripts/makeExampleScenario.ts; do not edit by hand. Regenerate with
  node --import tsx scripts/makeExampleScenario.ts

cosched's bundled example: two western 东数西算 hubs and Shanghai, 48 hours from
2026-07-01T00:00Z, eight training jobs homed in Shanghai. Times are UTC; local time
(Asia/Shanghai) is UTC+8.

THE HOURLY CURVES ARE SYNTHETIC. They are smooth daily shapes scaled to public figures,
plus a small wobble from a seeded generator (mulberry32, seed 20260701), not measurements
or forecasts. With L the local hour, cos24(p) = cos(2π(L - p)/24) and sun(a, b) a sine arc
over local daylight [a, b):
- helingeer (和林格尔, Hohhot, Inner Mongolia hub): wind-heavy. Green supply = 0.75 MW wind
  x capacity factor (0.28 + 0.16 cos24(2), night peak at 02:00 local, a windier second night)
  + 0.15 MW PV x 0.85 sun(5.5, 20). That is a 0.25% slice of the cluster's green-power
  direct-supply demonstration project (300 MW wind + 60 MW PV, 64.8 MW / 259.2 MWh storage,
  about 760 GWh a year, all for data-center load; reported by Xinhua). The green-power share
  of the cluster's data centers is reported above 86%. Grid: the coal-heavy Mengxi grid,
  690 g/kWh, lower when the wind blows (±70).
- guian (贵安, Guizhou hub): hydro contract, steady 0.25 MW (+4% cos24(19) evening dispatch).
  Grid: Guizhou coal plus hydro, 470 + 25 cos24(20) g/kWh.
- shanghai-qingpu (青浦, Yangtze River Delta hub, eastern): 0.06 MW rooftop PV
  (sun(5, 19), 70% / 85% of clear sky). Grid: East China, coal-heavy, 585 + 12 cos24(20)
  minus a 10 g/kWh midday solar dip, kept within 560-600 g/kWh (China's national average
  power emission factor published by MEE/NBS is of the same order, about 0.54-0.57 kg/kWh).
Base load (other, non-shiftable IT in the same pools, MW): 0.05 helingeer, 0.04 guian,
0.12 shanghai-qingpu.

Capacities and PUE: gpuCapacity is the GPU pool open to these batch jobs, an illustrative
slice of campuses that hold tens of thousands of racks. PUE 1.18 (helingeer, cold dry
climate) and 1.20 (guian) follow the hub plan's target of PUE <= 1.2 for western clusters;
1.30 for Shanghai reflects existing eastern stock (new builds in the Yangtze River Delta
cluster must stay within 1.25).

Prices (pricePerMwh, CNY/MWh) are time-of-use tariffs (峰谷电价) by local hour, illustrative
levels in the shape of provincial tariffs; NDRC's 2021 notice (发改价格〔2021〕1093号) asks for a
peak/valley ratio of at least 3:1 (4:1 where the load's peak-valley gap exceeds 40%):
  helingeer        peak 17-22 620, valley 23-07 190, flat otherwise 400
  guian            peak 09-12 and 17-22 850, valley 00-08 250, flat 560
  shanghai-qingpu  peak 08-11 and 18-21 1150, valley 22-06 300, flat 680
The objective is unset (minimise carbon); cost is reported, not optimised.

Jobs: 8 to 512 GPUs, 2 to 18 hours at full width, deadlines 12 to 48 h out. Interruptible
jobs may be spread over hours and sites; the others run one block at one site. embed-refresh
and eval-sweep must stay in Shanghai; code-llm-sft may not go to Inner Mongolia.`;

const doc = new Document(request);
visit(doc, {
  Seq(_, node) {
    if (node.items.every((item) => typeof (item as Scalar).value === 'number')) node.flow = true;
  },
  Scalar(_, node) {
    if (typeof node.value === 'string' && /^\d{4}-\d\d-\d\dT/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
  },
});
for (const [key, data] of [['helingeer', helingeer], ['guian', guian], ['shanghai', shanghai]] as const) {
  for (const values of Object.values(data)) {
    if (values.length !== horizonHours) throw new Error(`${key}: ${values.length} values, expected ${horizonHours}`);
  }
}

const outPath = process.argv[2] ?? 'scenarios/two-hubs-48h.yaml';
mkdirSync(dirname(outPath), { recursive: true });
const comment = header
  .split('\n')
  .map((line) => (line ? `# ${line}` : '#'))
  .join('\n');
writeFileSync(outPath, `${comment}\n\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`);
process.stdout.write(`wrote ${outPath}\n`);
