/**
 * "Why" a plan is as it is, read from the duals of the final solve (see explainDuals and the
 * README section "Explanations from duals"). Every value is first-order: what a small change is
 * worth at the optimum, in `valueUnit` per unit of the resource.
 */
export interface Explanation {
  /** True when duals were available and the lists below are filled. */
  available: boolean;
  /** 'kg CO2' (costWeight 0: objective divided by carbonWeight) or 'objective units (...)'. */
  valueUnit: string;
  /**
   * Where the values come from, in words: the LP, or the LP with the integer solution fixed, and
   * the final stage; or why there are none (e.g. 'not available with jslp').
   */
  basis: string;
  /** Site-hours where GPU capacity or green supply binds (a value > 0), by GPU value then green value, descending. */
  bindingHours: SiteHourValue[];
  /** One entry per job, in problem order (empty when not available). */
  jobs: JobDeadlineValue[];
}

/** What one more unit of a site-hour's resources is worth. */
export interface SiteHourValue {
  site: number;
  hour: number;
  /** Value of one more GPU-hour of capacity at (site, hour): -dual(siteCapacity[site,hour]) >= 0. */
  gpuHourValue: number;
  /** Value of one more MWh of green supply at (site, hour): dual(powerBalance[site,hour]) >= 0. */
  greenMwhValue: number;
}

/** What one more hour of window after a job's deadline is worth. */
export interface JobDeadlineValue {
  job: number;
  /** First-order saving from one more hour of window (best site); 0 when none or not priced. */
  deadlineValue: number;
  /** The site of that saving, -1 when there is none. */
  site: number;
  /** The saving of the first GPU-hour moved into the new hour at `site` (interruptible jobs); 0 for a block job. */
  valuePerGpuHour: number;
  /** GPU-hours moved into the new hour at `site` (for a block job: its block's GPUs). */
  gpus: number;
  /** For a job with unmet work: what one more GPU-hour done is worth (dual of workDone); else 0. */
  workValuePerGpuHour: number;
  /** How the value was found, or why it is 0, in words. */
  note: string;
}
