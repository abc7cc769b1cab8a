import type { JobData, Problem } from '../problem/Problem.js';

/**
 * The index into problem.links of the link from site `from` to site `to`, or -1 when there is
 * none. Validation keeps at most one link per ordered pair.
 */
export function dataLink(problem: Problem, from: number, to: number): number {
  return (problem.links ?? []).findIndex((link) => link.fromSite === from && link.toSite === to);
}

/**
 * True when `job` may run at site `s` as far as its data goes: it has no data, or `s` is its data
 * site, or a link data site -> s exists (the data can be sent there before it runs). Whether it
 * arrives in time is the model's business.
 */
export function dataCanReach(problem: Problem, job: JobData, s: number): boolean {
  if (!job.data) return true;
  return s === job.data.dataSite || dataLink(problem, job.data.dataSite, s) >= 0;
}
