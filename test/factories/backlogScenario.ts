import type { Job, Site } from '../../src/generated/cosched/v1/plan_request.js';
import { seededRandom } from '../../scripts/seededRandom.js';

const msPerHour = 3_600_000;

/** A Timestamp of epoch ms. */
export function ts(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: 0 };
}

/**
 * A standing planner's day: three sites with 48-hour forecasts from `startMs` (green supply peaking in the first hours of each day
 * supply, intensities that differ by site and hour) and `jobs` training jobs, a third of them
 * non-interruptible, all released in the first hours with generous deadlines, so that everything
 * fits (no unmet work). Deterministic for a seed.
 */
export function backlogScenario(startMs: number, jobs = 30, seed = 7): { sites: Site[]; jobs: Job[] } {
  const random = seededRandom(seed);
  const siteIds = ['helingeer', 'datong', 'guian'];
  const sites: Site[] = siteIds.map((id, s) => ({
    id,
    name: id,
    timeZone: 'Asia/Shanghai',
    gpuCapacity: 256,
    pue: 1.2 + 0.05 * s,
    greenSupplyMw: Array.from({ length: 48 }, (_, h) => Math.round(10 * Math.max(0, Math.sin(((h % 24) + 3 - s) * (Math.PI / 12))) * (0.6 + 0.4 * random()) * 100) / 100),
    carbonIntensityGPerKwh: Array.from({ length: 48 }, (_, h) => Math.round(400 + 250 * s + 150 * Math.cos(((h % 24) + 2 * s) * (Math.PI / 12)) + 50 * random())),
    pricePerMwh: [],
    baseLoadMw: Array.from({ length: 48 }, () => 0.5),
    gridImportLimitMw: undefined,
    storage: undefined,
    marginalIntensityGPerKwh: [],
  }));
  const list: Job[] = Array.from({ length: jobs }, (_, j) => {
    const interruptible = j % 3 !== 0;
    const maxGpus = 8 * (1 + Math.floor(random() * 4));
    const hoursOfWork = 3 + Math.floor(random() * 6);
    const releaseHour = Math.floor(random() * 4);
    const home = siteIds[j % 3];
    return {
      id: `job-${String(j).padStart(2, '0')}`,
      gpuHours: maxGpus * hoursOfWork,
      maxGpus,
      minGpus: undefined,
      gpuPowerKw: 0.7,
      release: ts(startMs + releaseHour * msPerHour),
      deadline: ts(startMs + (releaseHour + hoursOfWork + 24 + Math.floor(random() * 12)) * msPerHour),
      allowedSites: j % 5 === 0 ? [home] : [],
      homeSite: home,
      interruptible,
      datasetGb: undefined,
      dataSite: '',
    };
  });
  return { sites, jobs: list };
}
