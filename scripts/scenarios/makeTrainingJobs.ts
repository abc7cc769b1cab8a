import { isoHour, type LocalClock } from './hourlyShapes.js';

/**
 * A kind of training work, drawn `count` times. Each job runs `gpus` GPUs (one of `gpuChoices`)
 * for a whole number of hours at full width drawn from `fullWidthHours`, inside a window
 * (deadline - release) drawn from `windowHours` but never shorter than its run, placed uniformly in
 * the horizon so that the deadline falls inside it.
 */
export interface JobClass {
  /** Job ids are `${prefix}-${n}`, n counting from 1 within the class. */
  prefix: string;
  count: number;
  gpuChoices: readonly number[];
  /** [min, max] hours at full width, inclusive. */
  fullWidthHours: readonly [number, number];
  /** [min, max] hours from release to deadline, inclusive. */
  windowHours: readonly [number, number];
  interruptible: boolean;
  gpuPowerKw: number;
  /** Candidate home sites; one is drawn among those with at least `gpus` GPUs. */
  homes: readonly string[];
  /** Sites the job may use, given its home; undefined means any site. */
  allowedSites: (home: string) => string[] | undefined;
}

/** A Job in the proto3 JSON mapping of cosched.v1.Job. */
export interface JobJson {
  id: string;
  gpuHours: number;
  maxGpus: number;
  gpuPowerKw: number;
  release: string;
  deadline: string;
  allowedSites?: string[];
  homeSite: string;
  interruptible: boolean;
}

/**
 * Draws the jobs of every class, in class order, with `random` (a seeded generator, so the same
 * seed gives the same jobs). Jobs are returned sorted by release hour, then id.
 *
 * @param capacityBySite GPUs of each candidate home; a job's home must hold all its GPUs.
 * @throws Error when a class cannot place a job (no home is large enough, or the window cannot
 *   fit in the horizon).
 */
export function makeTrainingJobs(classes: readonly JobClass[], clock: LocalClock, capacityBySite: Record<string, number>, random: () => number): JobJson[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const between = ([low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
  const jobs: Array<JobJson & { releaseHour: number }> = [];
  for (const jobClass of classes) {
    for (let n = 1; n <= jobClass.count; n++) {
      const id = `${jobClass.prefix}-${n}`;
      const gpus = pick(jobClass.gpuChoices);
      const homes = jobClass.homes.filter((home) => (capacityBySite[home] ?? 0) >= gpus);
      if (homes.length === 0) throw new Error(`${id}: no home among ${jobClass.homes.join(', ')} has ${gpus} GPUs`);
      const homeSite = pick(homes);
      const runHours = between(jobClass.fullWidthHours);
      const windowHours = Math.min(clock.hours, Math.max(runHours, between(jobClass.windowHours)));
      if (runHours > windowHours) throw new Error(`${id}: ${runHours} h of work cannot fit in a ${clock.hours}-hour horizon`);
      const releaseHour = Math.floor(random() * (clock.hours - windowHours + 1));
      const allowedSites = jobClass.allowedSites(homeSite);
      jobs.push({
        id,
        gpuHours: gpus * runHours,
        maxGpus: gpus,
        gpuPowerKw: jobClass.gpuPowerKw,
        release: isoHour(clock, releaseHour),
        deadline: isoHour(clock, releaseHour + windowHours),
        ...(allowedSites ? { allowedSites } : {}),
        homeSite,
        interruptible: jobClass.interruptible,
        releaseHour,
      });
    }
  }
  jobs.sort((a, b) => a.releaseHour - b.releaseHour || (a.id < b.id ? -1 : 1));
  return jobs.map(({ releaseHour: _, ...job }) => job);
}

/** One line per class for a scenario header: what it draws. */
export function describeJobClasses(classes: readonly JobClass[]): string[] {
  return classes.map((c) => {
    const gpus = c.gpuChoices.join('/');
    const kind = c.interruptible ? 'interruptible' : 'NOT interruptible';
    return `  ${c.prefix.padEnd(18)} ${String(c.count).padStart(2)} job${c.count === 1 ? '' : 's'}, ${gpus} GPUs at ${c.gpuPowerKw} kW, ${c.fullWidthHours[0]}-${c.fullWidthHours[1]} h at full width, window ${c.windowHours[0]}-${c.windowHours[1]} h, ${kind}`;
  });
}
