import { clamp, cos24, hourIndices, localDay, mean, round, scaleToMean, sunArc, timeOfUse, type LocalClock, type TimeOfUseTariff } from './hourlyShapes.js';

/**
 * China's 东数西算 hubs (and three eastern demand sites) as cosched sites, with SYNTHETIC hourly
 * curves built from public annual figures. Each fact carries its provenance in `notes`, which the
 * scenario headers print: [issue] = a figure given in the cosched issue, [found] = a public figure
 * found by search (source in `sources` below), [assumption] = our choice.
 *
 * How a site is built (the same for every site):
 * - gpuCapacity: the GPU pool open to the batch = 1% of the hub's accelerators, rounded to a
 *   multiple of 256. Accelerators = reported AI compute (PFLOPS, FP16) / 0.3 PFLOPS per card,
 *   the ratio in Guizhou's plan (600,000 chips for 180 EFLOPS) [found: S2], unless a card count or
 *   a power figure is all there is (then the note says how).
 * - baseLoadMw: other non-shiftable IT in the same pool, 25% of the pool at 1 kW/GPU [assumption].
 * - greenSupplyMw: mean = greenShare x pue x (baseLoadMw + 65% of the pool at 1 kW/GPU), i.e. the
 *   reported green share of the site's energy at the 65% utilisation the clusters must reach
 *   (上架率 >= 65%, NDRC [found: S10]); the hourly shape mixes wind, solar and hydro shapes in the
 *   site's energy proportions.
 * - carbonIntensityGPerKwh: the hourly shape of the site's kind of grid, scaled so that its weekly
 *   mean is the published 2022 average CO2 factor of the province or region [found: S1]. These
 *   are operational (direct) factors, not life-cycle ones.
 * - pricePerMwh: a time-of-use tariff (峰谷电价): flat level x (1.5 peak, 0.5 valley: 3:1) in the
 *   west and (1.6, 0.4: 4:1) in the east, the minimum ratios of NDRC's 2021 notice [found: S14];
 *   levels and hours are illustrative unless a note says otherwise.
 */

/** Where a fact comes from; printed in the scenario headers. */
export const sources: Record<string, string> = {
  S1: "MEE/NBS, 2022 electricity CO2 emission factors (公告, 2024-12-20), as reported by 新京报 (reprint: daydaynews.cc/zh-hant/finance/3899452.html): national 536.6, North China 677.6, Northwest 585.7, East China 561.7, Southern 386.9, Southwest 226.8 g/kWh; Hebei 725.2, Shanxi 709.6, Inner Mongolia 684.9, Anhui 678.2, Sichuan 140.4",
  S2: 'Guizhou plan: >= 600,000 AI chips and >= 180 EFLOPS by end-2025 (news.qx162.com/gz/2024/0823/391462.shtml)',
  S3: 'Inner Mongolia: 126,000 P of compute (116,000 P AI); data-center green-power share 84.57% in Q1 2025 (goinnermongolia.com.cn, 2025-07-14)',
  S4: "Helingeer cluster's green direct-supply project: 300 MW wind + 60 MW PV, storage 18% x 4 h (studentannounce.com reprint of a Helingeer report)",
  S5: 'Agricultural Bank of China Inner Mongolia data center phase 3 (Helingeer): PUE 1.18 (d9book.com/zixun/bPj9XJnp76.html)',
  S6: 'GDS-Ulanqab agreement: gigawatt-scale parks, > 80% green power (aspirehk.ltd/zh-hans/real-time-quotes-and-news/1157203)',
  S7: 'Zhangjiakou: 255,000 P AI compute, 1.83 M servers, wind 25.34 GW + PV 17.08 GW by June 2025 (Caixin, 2025-09-01, reprint stevenpotter.cn); data centers used 4.071 TWh in H1 2025, about one third green (State Grid Zhangjiakou, 383tm.com, 2025-08-07)',
  S8: 'Datong: 234,000 racks, 558,000 servers, > 4 TWh in 2024 (新京报 2024-11-15, reprint mm.chinapower.com.cn); new energy > 50% of installed capacity (yangliuju.com/news/jujiao/440017.html)',
  S9: 'Wuhu cluster compute platform: about 26,000 P of AI compute (udn.com/news/story/7333/9025153, 2025-09-24)',
  S10: "NDRC approval of the Shaoguan cluster: PUE <= 1.25, rack utilisation >= 65% (2022, reprint shennongbaicaogaogw.com); Shaoguan: cluster used 26.34 GWh in January 2026, green > 60% of installed capacity, power 0.134 CNY/kWh cheaper than the Pearl River Delta (udn.com/news/story/7333/9340112)",
  S11: 'Tianfu (Sichuan): 云上天府 cloud computing center, annual PUE < 1.2 (scjjzx.hrnewspaper.com, 2022-06-25)',
  S12: 'Qingyang: 31,000 racks, 51,000 P by end-2024 (China Daily, 2025-03-12); a Qingyang AI computing center > 65% green (bdfblog.com/hangye/6151.html); China Mobile Qingyang: power 0.398 CNY/kWh, PUE 1.07 with immersion cooling (chinadailybrief.com)',
  S13: 'Zhongwei: 130,000 P in 2025 (jlsxsq.com/article-104090-1.html); PUE <= 1.15, green > 50%, 0.36 CNY/kWh (oryoy.com, a secondary source)',
  S14: "NDRC's 2021 time-of-use notice (发改价格〔2021〕1093号): peak/valley ratio >= 3:1, >= 4:1 where the load's peak-valley gap exceeds 40%",
};

/** The grid's hourly shape (and the green supply's weather region). */
export type GridKind = 'north-wind' | 'northwest-solar' | 'southwest-hydro' | 'east-coal';

export interface HubFacts {
  id: string;
  name: string;
  kind: GridKind;
  gpuCapacity: number;
  pue: number;
  /** Share of the site's energy that is green at 65% utilisation (0..1). */
  greenShare: number;
  /** Weekly mean grid intensity, gCO2/kWh. */
  gridFactorGPerKwh: number;
  /** Energy proportions of the green supply (sum 1). */
  mix: { wind: number; solar: number; hydro: number };
  /** Local sunrise and sunset (China Standard Time) in early July at the site's longitude. */
  daylight: [number, number];
  /** Hours the site's wind lags the region's weather fronts (fronts move west to east). */
  windLagHours: number;
  tariff: TimeOfUseTariff;
  /** One line per fact: the figure, and where it comes from. */
  notes: string[];
}

const westTariff = (flat: number, peakHours: Array<[number, number]>, valleyHours: Array<[number, number]>): TimeOfUseTariff => ({
  flat,
  peak: Math.round(flat * 1.5),
  valley: Math.round(flat * 0.5),
  peakHours,
  valleyHours,
});
const eastTariff = (flat: number, peakHours: Array<[number, number]>, valleyHours: Array<[number, number]>): TimeOfUseTariff => ({
  flat,
  peak: Math.round(flat * 1.6),
  valley: Math.round(flat * 0.4),
  peakHours,
  valleyHours,
});

/** The ten hubs of the issue, west to east within each region. */
export const chinaHubs: HubFacts[] = [
  {
    id: 'helingeer',
    name: 'Helingeer cluster, Hohhot (Inner Mongolia hub)',
    kind: 'north-wind',
    gpuCapacity: 3072,
    pue: 1.18,
    greenShare: 0.86,
    gridFactorGPerKwh: 684.9,
    mix: { wind: 0.88, solar: 0.12, hydro: 0 },
    daylight: [5.0, 20.0],
    windLagHours: 0,
    tariff: westTariff(380, [[17, 22]], [[23, 7]]),
    notes: [
      'pool 3,072 GPUs: Hohhot 9.1万P (91,000 P) [issue] / 0.3 P per card = 303,000 cards x 1%',
      'PUE 1.18: ABC Inner Mongolia data center phase 3 [found: S5]',
      'green share 0.86: Helingeer data centers above 86% [issue] (Inner Mongolia 84.57% in Q1 2025 [found: S3])',
      'green mix 88% wind / 12% solar: energy of the 300 MW wind + 60 MW PV direct-supply project at capacity factors 0.30 / 0.20 [found: S4; factors assumption]',
      'grid 684.9 g/kWh: Inner Mongolia 2022 [found: S1]',
      'tariff flat 380 CNY/MWh: Hohhot standard charge 0.38 CNY/kWh (China Daily, 2015) [found, old]; peak 17-22, valley 23-07 [assumption]',
    ],
  },
  {
    id: 'ulanqab',
    name: 'Jining big data park, Ulanqab (Helingeer cluster, Inner Mongolia hub)',
    kind: 'north-wind',
    gpuCapacity: 1280,
    pue: 1.2,
    greenShare: 0.8,
    gridFactorGPerKwh: 684.9,
    mix: { wind: 0.9, solar: 0.1, hydro: 0 },
    daylight: [4.9, 19.9],
    windLagHours: 2,
    tariff: westTariff(380, [[17, 22]], [[23, 7]]),
    notes: [
      'pool 1,280 GPUs: Inner Mongolia 126,000 P [found: S3] minus Hohhot 91,000 P [issue] = 35,000 P, taken as Ulanqab [assumption] / 0.3 x 1%',
      "PUE 1.2: the hub plan's target for western clusters [assumption]",
      'green share 0.80: GDS Ulanqab parks target > 80% [found: S6]',
      'green mix 90% wind / 10% solar [assumption]; fronts reach it 2 h after Hohhot',
      'grid 684.9 g/kWh: Inner Mongolia 2022 [found: S1]; tariff as Hohhot [assumption]',
    ],
  },
  {
    id: 'zhangjiakou',
    name: 'Zhangjiakou cluster (Beijing-Tianjin-Hebei hub)',
    kind: 'north-wind',
    gpuCapacity: 8448,
    pue: 1.2,
    greenShare: 0.33,
    gridFactorGPerKwh: 725.2,
    mix: { wind: 0.72, solar: 0.28, hydro: 0 },
    daylight: [4.9, 19.7],
    windLagHours: 4,
    tariff: eastTariff(450, [[16, 22]], [[0, 7]]),
    notes: [
      'pool 8,448 GPUs: 255,000 P of AI compute [found: S7] / 0.3 x 1%',
      'PUE 1.2 [assumption; Alibaba Zhangbei reports about 1.19]',
      'green share 0.33: about one third of its data centers\' 4.071 TWh in H1 2025 [found: S7]',
      'green mix 72% wind / 28% solar: 25.34 GW wind + 17.08 GW PV [found: S7] at capacity factors 0.28 / 0.16 [assumption]',
      'grid 725.2 g/kWh: Hebei 2022 [found: S1]',
      'tariff flat 450 CNY/MWh, peak 16-22, valley 00-07, 4:1 (serves Beijing) [assumption]',
    ],
  },
  {
    id: 'datong',
    name: 'Datong data center base, Shanxi (next to the Beijing-Tianjin-Hebei hub)',
    kind: 'north-wind',
    gpuCapacity: 1024,
    pue: 1.25,
    greenShare: 0.4,
    gridFactorGPerKwh: 709.6,
    mix: { wind: 0.6, solar: 0.4, hydro: 0 },
    daylight: [5.1, 19.9],
    windLagHours: 3,
    tariff: westTariff(420, [[17, 22]], [[23, 7]]),
    notes: [
      'pool 1,024 GPUs: ~1 GW of IT load and 4.3 TWh a year [issue] (234,000 racks, > 4 TWh in 2024 [found: S8]); 4.3 TWh / 8,760 h / PUE 1.25 = 393 MW of IT, a quarter of it AI accelerators at 1 kW [assumption] = 98,000 cards x 1%',
      'PUE 1.25 [assumption]',
      'green share 0.40 [assumption; new energy is > 50% of Datong\'s installed capacity, found: S8]',
      'green mix 60% wind / 40% solar [assumption]',
      'grid 709.6 g/kWh: Shanxi 2022 [found: S1]; tariff flat 420 CNY/MWh [assumption]',
    ],
  },
  {
    id: 'qingyang',
    name: 'Qingyang cluster (Gansu hub)',
    kind: 'northwest-solar',
    gpuCapacity: 1792,
    pue: 1.15,
    greenShare: 0.65,
    gridFactorGPerKwh: 585.7,
    mix: { wind: 0.3, solar: 0.7, hydro: 0 },
    daylight: [5.6, 20.1],
    windLagHours: 0,
    tariff: westTariff(398, [[18, 23]], [[10, 16]]),
    notes: [
      'pool 1,792 GPUs: 51,000 P by end-2024 [found: S12] / 0.3 x 1%',
      'PUE 1.15 [assumption, between the reported 1.07 of an immersion-cooled hall (S12) and the western target of 1.2]',
      'green share 0.65: a Qingyang AI computing center reports > 65% [found: S12]',
      'green mix 70% solar / 30% wind [assumption]',
      'grid 585.7 g/kWh: Northwest China 2022 [found: S1]',
      'tariff flat 398 CNY/MWh: 0.398 CNY/kWh reported [found: S12]; valley at midday 10-16 to follow the solar surplus, peak 18-23 [assumption]',
    ],
  },
  {
    id: 'zhongwei',
    name: 'Zhongwei cluster, Western Cloud Base (Ningxia hub)',
    kind: 'northwest-solar',
    gpuCapacity: 4352,
    pue: 1.15,
    greenShare: 0.55,
    gridFactorGPerKwh: 585.7,
    mix: { wind: 0.25, solar: 0.75, hydro: 0 },
    daylight: [5.8, 20.3],
    windLagHours: -2,
    tariff: westTariff(360, [[18, 23]], [[10, 16]]),
    notes: [
      'pool 4,352 GPUs: 130,000 P in 2025 [found: S13] / 0.3 x 1%',
      'PUE 1.15: reported <= 1.15 [found: S13, secondary source]',
      'green share 0.55: reported > 50% [found: S13, secondary source]',
      'green mix 75% solar / 25% wind [assumption]',
      'grid 585.7 g/kWh: Northwest China 2022 [found: S1]',
      'tariff flat 360 CNY/MWh: 0.36 CNY/kWh reported [found: S13]; valley 10-16, peak 18-23 [assumption]',
    ],
  },
  {
    id: 'tianfu-chongqing',
    name: 'Tianfu and Chongqing clusters (Chengdu-Chongqing hub)',
    kind: 'southwest-hydro',
    gpuCapacity: 1024,
    pue: 1.2,
    greenShare: 0.6,
    gridFactorGPerKwh: 226.8,
    mix: { wind: 0, solar: 0.1, hydro: 0.9 },
    daylight: [6.1, 20.2],
    windLagHours: 0,
    tariff: westTariff(500, [[10, 12], [17, 22]], [[23, 7]]),
    notes: [
      'pool 1,024 GPUs: 100,000 cards [assumption; no compute figure found]',
      'PUE 1.2: 云上天府 reports < 1.2 [found: S11]',
      'green share 0.60: hydro contracts [assumption; Sichuan\'s grid factor of 140.4 g/kWh (S1) shows a mostly hydro grid]',
      'green mix 90% hydro (July is the flood season) / 10% solar [assumption]',
      'grid 226.8 g/kWh: Southwest China 2022 [found: S1]; tariff flat 500 CNY/MWh [assumption]',
    ],
  },
  {
    id: 'guian',
    name: "Gui'an cluster, Guizhou (Guizhou hub)",
    kind: 'southwest-hydro',
    gpuCapacity: 1024,
    pue: 1.2,
    greenShare: 0.45,
    gridFactorGPerKwh: 470,
    mix: { wind: 0, solar: 0.15, hydro: 0.85 },
    daylight: [6.0, 20.0],
    windLagHours: 0,
    tariff: westTariff(450, [[9, 12], [17, 22]], [[0, 8]]),
    notes: [
      "pool 1,024 GPUs: Gui'an's ~100k accelerator cards [issue] x 1%",
      "PUE 1.2: the hub plan's target for western clusters [assumption]",
      'green share 0.45: hydro contracts [assumption]',
      'green mix 85% hydro / 15% solar [assumption]',
      "grid 470 g/kWh [assumption, as in two-hubs-48h: no Guizhou factor found; the Southern region's is 386.9 (S1), Guizhou burns more coal]",
      'tariff flat 450 CNY/MWh, peak 09-12 and 17-22, valley 00-08 [assumption]',
    ],
  },
  {
    id: 'wuhu',
    name: 'Wuhu cluster, Anhui (Yangtze River Delta hub)',
    kind: 'east-coal',
    gpuCapacity: 768,
    pue: 1.25,
    greenShare: 0.1,
    gridFactorGPerKwh: 561.7,
    mix: { wind: 0, solar: 1, hydro: 0 },
    daylight: [5.0, 19.2],
    windLagHours: 0,
    tariff: eastTariff(620, [[8, 11], [18, 21]], [[22, 6]]),
    notes: [
      'pool 768 GPUs: about 26,000 P on the cluster platform [found: S9] / 0.3 x 1%',
      'PUE 1.25: the limit for eastern clusters [found: S10]',
      'green share 0.10: rooftop PV and green-power trades [assumption]',
      "grid 561.7 g/kWh: East China 2022 [found: S1] (Anhui's own factor is 678.2, but it exports coal power to the delta)",
      'tariff flat 620 CNY/MWh, peak 08-11 and 18-21, valley 22-06 [assumption]',
    ],
  },
  {
    id: 'shaoguan',
    name: 'Shaoguan cluster, Guangdong (Greater Bay Area hub)',
    kind: 'east-coal',
    gpuCapacity: 256,
    pue: 1.25,
    greenShare: 0.3,
    gridFactorGPerKwh: 386.9,
    mix: { wind: 0, solar: 0.5, hydro: 0.5 },
    daylight: [5.7, 19.3],
    windLagHours: 0,
    tariff: eastTariff(566, [[10, 12], [14, 19]], [[0, 8]]),
    notes: [
      'pool 256 GPUs: the cluster used 26.34 GWh in January 2026 [found: S10] = 35 MW / PUE 1.25 = 28 MW of IT at 1 kW per card [assumption] = 28,000 cards x 1%',
      'PUE 1.25: NDRC limit for the cluster [found: S10]',
      'green share 0.30 [assumption; green is > 60% of Shaoguan\'s installed capacity, found: S10]',
      'green mix 50% hydro / 50% solar [assumption]',
      'grid 386.9 g/kWh: Southern China 2022 [found: S1] (no Guangdong factor found)',
      'tariff flat 566 CNY/MWh: a Pearl River Delta flat rate of 700 [assumption] minus the 134 reported [found: S10]; peak 10-12 and 14-19, valley 00-08 [assumption]',
    ],
  },
];

/** Eastern demand sites of the east-west scenario (Beijing, Shanghai, Guangdong). */
export const easternSites: HubFacts[] = [
  {
    id: 'beijing',
    name: 'Beijing (data homed in the capital)',
    kind: 'east-coal',
    gpuCapacity: 2048,
    pue: 1.3,
    greenShare: 0.03,
    gridFactorGPerKwh: 677.6,
    mix: { wind: 0, solar: 1, hydro: 0 },
    daylight: [4.8, 19.8],
    windLagHours: 0,
    tariff: eastTariff(750, [[10, 15], [18, 21]], [[23, 7]]),
    notes: [
      'pool 2,048 GPUs, PUE 1.3 (existing urban stock), green share 0.03 (rooftop PV) [assumptions]',
      'grid 677.6 g/kWh: North China 2022 [found: S1]; tariff flat 750 CNY/MWh [assumption]',
    ],
  },
  {
    id: 'shanghai',
    name: 'Shanghai (data homed in the Yangtze River Delta)',
    kind: 'east-coal',
    gpuCapacity: 2048,
    pue: 1.3,
    greenShare: 0.03,
    gridFactorGPerKwh: 561.7,
    mix: { wind: 0, solar: 1, hydro: 0 },
    daylight: [4.9, 19.0],
    windLagHours: 0,
    tariff: eastTariff(720, [[8, 11], [18, 21]], [[22, 6]]),
    notes: [
      'pool 2,048 GPUs, PUE 1.3, green share 0.03 (rooftop PV) [assumptions]',
      'grid 561.7 g/kWh: East China 2022 [found: S1]; tariff flat 720 CNY/MWh [assumption]',
    ],
  },
  {
    id: 'guangdong',
    name: 'Guangzhou-Shenzhen (data homed in the Greater Bay Area)',
    kind: 'east-coal',
    gpuCapacity: 2048,
    pue: 1.3,
    greenShare: 0.03,
    gridFactorGPerKwh: 386.9,
    mix: { wind: 0, solar: 1, hydro: 0 },
    daylight: [5.7, 19.2],
    windLagHours: 0,
    tariff: eastTariff(700, [[10, 12], [14, 19]], [[0, 8]]),
    notes: [
      'pool 2,048 GPUs, PUE 1.3, green share 0.03 (rooftop PV) [assumptions]',
      'grid 386.9 g/kWh: Southern China 2022 [found: S1]; no Guangdong factor was found, and the regional one includes Yunnan and Guangxi hydro, so this grid is cleaner than Beijing\'s or Shanghai\'s; tariff flat 700 CNY/MWh [assumption]',
    ],
  },
];

/** Share of the pool busy at the reference point of the green share (上架率 >= 65%, S10). */
export const referenceUtilisation = 0.65;
/** Base load as a share of the pool's full IT power [assumption]. */
export const baseLoadShare = 0.25;
/** IT power per GPU used to size pools and supplies (kW) [assumption]. */
export const referenceGpuKw = 1.0;

/** A weather front: a bump in wind capacity factor centred on `centreHour`. */
interface Front {
  centreHour: number;
  widthHours: number;
  strength: number;
}

/**
 * The week's synthetic weather, shared by all sites so that neighbours are correlated: wind
 * fronts per region and a clearness (0..1) per local day per region.
 */
export interface Weather {
  fronts: Record<'north' | 'northwest', Front[]>;
  clearness: Record<GridKind, number[]>;
}

/** Draws the weather for `clock` from `random`: a front every ~2.5 days per windy region, daily clearness per region. */
export function drawWeather(clock: LocalClock, random: () => number): Weather {
  const days = localDay(clock, clock.hours - 1) + 1;
  const drawFronts = (): Front[] =>
    Array.from({ length: Math.ceil(clock.hours / 60) + 1 }, () => ({
      centreHour: -12 + random() * (clock.hours + 24),
      widthHours: 6 + random() * 8,
      strength: 0.12 + random() * 0.18,
    }));
  const daily = (low: number, high: number) => Array.from({ length: days }, () => round(low + random() * (high - low), 3));
  return {
    fronts: { north: drawFronts(), northwest: drawFronts() },
    clearness: {
      'north-wind': daily(0.55, 1),
      'northwest-solar': daily(0.7, 1),
      'southwest-hydro': daily(0.4, 0.85),
      'east-coal': daily(0.5, 0.95),
    },
  };
}

/** The hourly arrays of one site, in the proto3 JSON field names. */
export interface HubSiteJson {
  id: string;
  name: string;
  timeZone: string;
  gpuCapacity: number;
  pue: number;
  greenSupplyMw: number[];
  carbonIntensityGPerKwh: number[];
  pricePerMwh: number[];
  baseLoadMw: number[];
}

/**
 * Builds one site's synthetic hourly curves (see the module comment for the rules). `random`
 * supplies the site's small hourly wobble; `weather` is shared by all sites of the scenario.
 */
export function buildHubSite(hub: HubFacts, clock: LocalClock, weather: Weather, random: () => number): HubSiteJson {
  const hours = hourIndices(clock);
  const wobble = (amplitude: number) => (2 * random() - 1) * amplitude;
  const region = hub.kind === 'northwest-solar' ? 'northwest' : 'north';

  // Wind capacity factor: a night peak at 02:00 local, plus passing fronts, plus a little noise.
  const windCf = hours.map((h) => {
    const fronts = weather.fronts[region].reduce((sum, f) => sum + f.strength * Math.exp(-(((h - hub.windLagHours - f.centreHour) / f.widthHours) ** 2)), 0);
    return clamp(0.24 + 0.12 * cos24(clock, h, 2) + fronts + wobble(0.03), 0.02, 0.85);
  });
  const [sunrise, sunset] = hub.daylight;
  const solar = hours.map((h) => sunArc(clock, h, sunrise, sunset) * weather.clearness[hub.kind][localDay(clock, h)]);
  // Hydro: steady, dispatched a little higher into the evening peak.
  const hydro = hours.map((h) => 1 + 0.06 * cos24(clock, h, 20) + wobble(0.01));

  const poolMw = (hub.gpuCapacity * referenceGpuKw) / 1000;
  const baseLoadMw = round(baseLoadShare * poolMw, 3);
  const meanGreenMw = hub.greenShare * hub.pue * (baseLoadMw + referenceUtilisation * poolMw);
  const parts = [
    { weight: hub.mix.wind, shape: windCf },
    { weight: hub.mix.solar, shape: solar },
    { weight: hub.mix.hydro, shape: hydro },
  ].filter((p) => p.weight > 0);
  const greenShape = hours.map((_, i) => parts.reduce((sum, p) => sum + (p.weight * p.shape[i]) / mean(p.shape), 0));
  const greenSupplyMw = scaleToMean(greenShape, meanGreenMw).map((v) => round(v, 3));

  const windMean = mean(windCf);
  const solarMean = mean(solar);
  const gridShape = hours.map((h, i) => {
    switch (hub.kind) {
      case 'north-wind': // coal units back off when the wind blows
        return 1 + 0.03 * cos24(clock, h, 20) - 0.25 * (windCf[i] - windMean) + wobble(0.005);
      case 'northwest-solar': // a midday dip while PV floods the grid
        return 1 + 0.04 * cos24(clock, h, 21) - 0.12 * (solar[i] - solarMean) + wobble(0.005);
      case 'southwest-hydro': // thermal units fill the evening peak
        return 1 + 0.08 * cos24(clock, h, 20) + wobble(0.01);
      case 'east-coal': // coal follows demand; a small midday solar dip
        return 1 + 0.03 * cos24(clock, h, 20) - 0.03 * (solar[i] - solarMean) + wobble(0.005);
    }
  });
  const carbonIntensityGPerKwh = scaleToMean(gridShape, hub.gridFactorGPerKwh).map((v) => Math.round(v));

  return {
    id: hub.id,
    name: hub.name,
    timeZone: 'Asia/Shanghai',
    gpuCapacity: hub.gpuCapacity,
    pue: hub.pue,
    greenSupplyMw,
    carbonIntensityGPerKwh,
    pricePerMwh: hours.map((h) => timeOfUse(clock, h, hub.tariff)),
    baseLoadMw: hours.map(() => baseLoadMw),
  };
}

/** Header lines describing how the synthetic curves are made (shared by the China scenarios). */
export function curveMethodLines(seedText: string): string[] {
  return [
    'THE HOURLY CURVES ARE SYNTHETIC: smooth daily shapes and passing weather fronts drawn from a',
    `seeded generator (mulberry32, ${seedText}), scaled to public annual figures. They are not`,
    'measurements or forecasts; no public hourly trace for these grids or hubs was found. With L the',
    'local hour (UTC+8), cos24(p) = cos(2π(L + 0.5 - p)/24) and sun(a, b) a sine arc over local',
    'daylight [a, b) times a daily clearness:',
    '- wind capacity factor = 0.24 + 0.12 cos24(2) (a night peak at 02:00) + fronts (one every',
    '  ~2.5 days per region, Gaussian, +0.12..0.30, 6-14 h wide, reaching sites east of the first',
    '  hours later) ± 0.03, kept within 0.02..0.85. North (Inner Mongolia, Hebei, Shanxi) and',
    '  Northwest (Gansu, Ningxia) have fronts of their own.',
    '- solar = sun(sunrise, sunset) x clearness of the local day (North 0.55-1, Northwest 0.7-1,',
    '  Southwest 0.4-0.85, East 0.5-0.95).',
    '- hydro = 1 + 0.06 cos24(20) ± 0.01 (steady; July is the flood season).',
    'greenSupplyMw = the site mix of those shapes (each over its weekly mean) scaled so that its',
    'weekly mean = green share x PUE x (base load + 65% of the pool at 1 kW/GPU): the reported',
    'green share of the energy a site uses at the 65% utilisation the clusters must reach.',
    'carbonIntensityGPerKwh = a shape per grid kind, scaled so its weekly mean is the published 2022',
    'CO2 factor of the province or region (operational, not life-cycle):',
    '  wind north      1 + 0.03 cos24(20) - 0.25 x (wind capacity factor - its mean)',
    '  solar northwest 1 + 0.04 cos24(21) - 0.12 x (solar - its mean)',
    '  hydro southwest 1 + 0.08 cos24(20)',
    '  coal east       1 + 0.03 cos24(20) - 0.03 x (solar - its mean)',
    '  each ± 0.5-1% noise.',
    'gpuCapacity = 1% of the hub\'s accelerators (reported PFLOPS / 0.3 PFLOPS per card, the ratio of',
    "Guizhou's plan, S2), a multiple of 256. baseLoadMw = 25% of the pool at 1 kW/GPU [assumption].",
    'pricePerMwh (CNY/MWh) = time-of-use tariffs (峰谷电价): flat level, peak x1.5 and valley x0.5 in',
    'the west (3:1), x1.6 and x0.4 in the east (4:1), the minimum ratios of NDRC\'s notice (S14).',
  ];
}

/** Header lines: each site's figures and their provenance. */
export function siteNoteLines(hubs: readonly HubFacts[]): string[] {
  return hubs.flatMap((hub) => [`- ${hub.id} (${hub.name}):`, ...hub.notes.map((note) => `    ${note}`)]);
}

/** Header lines: the sources cited by `hubs`' notes (and S1/S2/S10/S14, which the method cites). */
export function sourceLines(hubs: readonly HubFacts[]): string[] {
  const cited = new Set(['S1', 'S2', 'S10', 'S14']);
  for (const hub of hubs) for (const note of hub.notes) for (const match of note.matchAll(/S\d+/g)) cited.add(match[0]);
  return Object.entries(sources)
    .filter(([key]) => cited.has(key))
    .map(([key, text]) => `  ${key}: ${text}`);
}
