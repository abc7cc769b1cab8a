import type { Problem } from '../problem/Problem.js';

/**
 * Deterministic, readable element names that are valid in CPLEX LP format, e.g.
 * `gpus(j17,helingeer,20260712T03)` and `siteCapacity(helingeer,20260712T03)`.
 * LP names may not contain '-', so ids map '-' to '_'; should two ids then collide, the later
 * one gets a `~index` suffix so every name stays unique. Labels longer than 32 characters are cut
 * to 27 plus `~index`, so that every name stays within CBC's 100-character limit.
 */
export function modelNames(problem: Problem) {
  const siteLabels = uniqueLabels(problem.sites.map((s) => s.id));
  const jobLabels = uniqueLabels(problem.jobs.map((j) => j.id));
  const scenarioLabels = uniqueLabels((problem.scenarios ?? []).map((scenario) => scenario.name));
  const hourLabels: string[] = [];
  for (let t = 0; t < problem.hours; t++) {
    const iso = new Date(problem.horizonStartMs + t * 3_600_000).toISOString();
    hourLabels.push(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`);
  }
  return {
    job: (family: string, j: number) => `${family}(${jobLabels[j]})`,
    jobHour: (family: string, j: number, t: number) => `${family}(${jobLabels[j]},${hourLabels[t]})`,
    jobSite: (family: string, j: number, s: number) => `${family}(${jobLabels[j]},${siteLabels[s]})`,
    jobSiteHour: (family: string, j: number, s: number, t: number) => `${family}(${jobLabels[j]},${siteLabels[s]},${hourLabels[t]})`,
    siteHour: (family: string, s: number, t: number) => `${family}(${siteLabels[s]},${hourLabels[t]})`,
    /** A site-hour family in forecast scenario k, or without the scenario when k is undefined. */
    siteHourScenario: (family: string, s: number, t: number, k: number | undefined) =>
      k === undefined ? `${family}(${siteLabels[s]},${hourLabels[t]})` : `${family}(${siteLabels[s]},${hourLabels[t]},${scenarioLabels[k]})`,
    /** A family over a directed pair of sites and an hour, e.g. linkCapacity(wuhu,qingyang,20260712T03). */
    siteSiteHour: (family: string, from: number, to: number, t: number) => `${family}(${siteLabels[from]},${siteLabels[to]},${hourLabels[t]})`,
    scenario: (family: string, k: number) => `${family}(${scenarioLabels[k]})`,
  };
}

function uniqueLabels(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.map((id, i) => {
    let label = id.replace(/[^A-Za-z0-9_.]/g, '_');
    if (label.length > 32) label = `${label.slice(0, 27)}~${i}`;
    if (seen.has(label)) label = `${label}~${i}`;
    seen.add(label);
    return label;
  });
}
