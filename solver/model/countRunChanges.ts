/** How often a job's schedule stops and changes site. */
export interface RunChanges {
  /** (site, hour) cells where the job runs at the site and did not in the hour before. */
  siteStarts: number;
  /** Pauses followed by more work: the running hours form preemptions + 1 stretches. */
  preemptions: number;
  /** Running hours at a site the job did not run at in its previous running hour. */
  migrations: number;
}

/**
 * Counts the starts, preemptions and migrations of one job from the (site, hour) cells where it
 * does work (GPU-hours > 0; duplicates are ignored). With no cells every count is 0. A job that
 * runs one stretch at one site has siteStarts 1 and nothing else; siteStarts - 1 (when >= 1) is
 * what a checkpoint is paid for: every pause and every change of site between consecutive hours.
 */
export function countRunChanges(cells: ReadonlyArray<{ site: number; hour: number }>): RunChanges {
  const sitesByHour = new Map<number, Set<number>>();
  for (const { site, hour } of cells) {
    const sites = sitesByHour.get(hour) ?? new Set<number>();
    sites.add(site);
    sitesByHour.set(hour, sites);
  }
  const hours = [...sitesByHour.keys()].sort((a, b) => a - b);
  let siteStarts = 0;
  let preemptions = 0;
  let migrations = 0;
  hours.forEach((hour, i) => {
    const sites = sitesByHour.get(hour) as Set<number>;
    const before = sitesByHour.get(hour - 1);
    for (const s of sites) if (!before?.has(s)) siteStarts++;
    if (i === 0) return;
    const previousHour = hours[i - 1];
    if (previousHour !== hour - 1) preemptions++;
    const previous = sitesByHour.get(previousHour) as Set<number>;
    if ([...sites].some((s) => !previous.has(s))) migrations++;
  });
  return { siteStarts, preemptions, migrations };
}
