import type { Problem } from '../problem/Problem.js';
import type { JobOutcome } from '../plan/PlanResult.js';
import { formatHour } from '../problem/formatHour.js';
import { blockGpus, jobShape, workTolerance } from '../model/jobShape.js';
import { dataLink } from '../model/dataLink.js';
import { mergeTransfers } from '../model/decodeTransfers.js';

/**
 * The carbon-unaware baseline (README, "Baseline"), first-come first-served:
 * - jobs are taken in release order, ties by id;
 * - each runs at its home site at maxGpus, as one block of ceil(gpuHours / maxGpus) hours (the
 *   last hour partly), starting in the first hour at or after its release (or the horizon start)
 *   in which the block finds the GPUs free and the grid import limit respected in every hour;
 * - it keeps running until its work is done, deadline or not. Work that would fall after the
 *   horizon end is reported as unmet; finishing after the deadline is reported as lateHours.
 * - a job whose data is away from home (data site != home site) first has it sent over the link
 *   data site -> home from hour 0 at all the link's capacity still free (links are shared in the
 *   same first-come order; at a sending site with a grid import limit, no faster than the limit
 *   allows), and starts no earlier than the hour after the last GB arrived.
 * A job whose maxGpus exceeds its home site's capacity, that finds no free block, or whose data
 * does not arrive within the horizon, does no work.
 * Pure and deterministic. Returns outcomes in request order.
 */
export function runBaseline(problem: Problem): JobOutcome[] {
  const usedGpus = problem.sites.map(() => new Float64Array(problem.hours));
  const loadMw = problem.sites.map(() => new Float64Array(problem.hours));
  // Transfer load at the sending sites (MW), and GB already sent per link and hour.
  const transferMw = problem.sites.map(() => new Float64Array(problem.hours));
  const linkGb = (problem.links ?? []).map(() => new Float64Array(problem.hours));
  const order = problem.jobs.map((_, j) => j).sort((a, b) => {
    const ja = problem.jobs[a];
    const jb = problem.jobs[b];
    return ja.releaseHour - jb.releaseHour || (ja.id < jb.id ? -1 : ja.id > jb.id ? 1 : 0);
  });
  const outcomes: JobOutcome[] = new Array(problem.jobs.length);

  for (const j of order) {
    const job = problem.jobs[j];
    const s = job.homeSite;
    const site = problem.sites[s];
    const shape = jobShape(problem, job);
    const powerMw = job.gpuPowerKw / 1000;
    const fits = (t0: number): boolean => {
      for (let k = 0; k < shape.blockHours && t0 + k < problem.hours; k++) {
        const t = t0 + k;
        const q = blockGpus(job, shape, k);
        if (usedGpus[s][t] + q > site.gpuCapacity + workTolerance) return false;
        const gridMw = site.pue * (loadMw[s][t] + powerMw * q + site.baseLoadMw[t]) + transferMw[s][t] - site.greenSupplyMw[t];
        if (gridMw > site.gridImportLimitMw + 1e-9) return false;
      }
      return true;
    };

    let earliest = Math.min(problem.hours, Math.max(0, Math.ceil(job.releaseHour - 1e-9)));
    const data = job.data;
    let transfers: NonNullable<JobOutcome['transfers']> = [];
    let dataReason = '';
    if (data && data.datasetGb > 0 && data.dataSite !== s) {
      const sent = sendData(problem, data.dataSite, s, data.datasetGb, loadMw, transferMw, linkGb);
      transfers = sent.transfers;
      if (sent.arrivalHour === undefined) {
        dataReason = `baseline: the ${round(data.datasetGb)} GB of data at ${problem.sites[data.dataSite].id} do not reach home site ${site.id} within the horizon`;
        earliest = problem.hours;
      } else {
        earliest = Math.max(earliest, sent.arrivalHour + 1);
      }
    }
    const withTransfers = transfers.length > 0 ? { transfers } : {};
    let start = -1;
    if (job.maxGpus <= site.gpuCapacity) {
      for (let t0 = earliest; t0 < problem.hours; t0++) {
        if (fits(t0)) {
          start = t0;
          break;
        }
      }
    }
    if (start < 0) {
      const reason = job.maxGpus > site.gpuCapacity
        ? `baseline: maxGpus ${job.maxGpus} exceeds home site ${site.id} capacity ${site.gpuCapacity}`
        : dataReason || `baseline: home site ${site.id} never had ${job.maxGpus} GPUs free for the block between release and the horizon end`;
      outcomes[j] = { job: j, runs: [], doneGpuHours: 0, unmetGpuHours: job.gpuHours, lateHours: 0, reason, preemptions: 0, migrations: 0, checkpointGpuHours: 0, ...withTransfers };
      continue;
    }

    const runs: JobOutcome['runs'] = [];
    let done = 0;
    for (let k = 0; k < shape.blockHours && start + k < problem.hours; k++) {
      const t = start + k;
      const q = blockGpus(job, shape, k);
      usedGpus[s][t] += q;
      loadMw[s][t] += powerMw * q;
      done += q;
      const last = runs[runs.length - 1];
      if (last && last.gpus === q) last.hours += 1;
      else runs.push({ site: s, startHour: t, hours: 1, gpus: q });
    }
    const endHour = start + shape.blockHours;
    const lateHours = Math.max(0, endHour - job.deadlineHour);
    const unmet = Math.max(0, job.gpuHours - done);
    const reasons: string[] = [];
    if (unmet > workTolerance) reasons.push(`baseline runs past the horizon end; ${round(unmet)} GPU-hours fall outside it`);
    if (lateHours > 0) reasons.push(`baseline finishes at ${formatHour(problem, endHour)}, ${round(lateHours)} h after the deadline ${formatHour(problem, job.deadlineHour)}`);
    outcomes[j] = {
      job: j,
      runs,
      doneGpuHours: done,
      unmetGpuHours: unmet,
      finishHour: Math.min(endHour, problem.hours),
      lateHours,
      reason: reasons.join('; '),
      // One block at one site: never paused, never moved.
      preemptions: 0,
      migrations: 0,
      checkpointGpuHours: 0,
      ...withTransfers,
    };
  }
  return outcomes;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Sends `datasetGb` from site `from` to site `to` over their link from hour 0, in each hour as
 * much as the link has free (linkGb) and the sending site's grid import limit allows with the
 * link's energy per GB; records what it sends in linkGb and transferMw. Returns the transfers and
 * the hour the last GB is sent in (undefined when not all of it is sent within the horizon, or
 * there is no link).
 */
function sendData(
  problem: Problem,
  from: number,
  to: number,
  datasetGb: number,
  loadMw: Float64Array[],
  transferMw: Float64Array[],
  linkGb: Float64Array[],
): { transfers: NonNullable<JobOutcome['transfers']>; arrivalHour?: number } {
  const l = dataLink(problem, from, to);
  if (l < 0) return { transfers: [] };
  const link = (problem.links ?? [])[l];
  const sender = problem.sites[from];
  const hourly: { link: number; hour: number; gb: number }[] = [];
  let left = datasetGb;
  let arrivalHour: number | undefined;
  for (let t = 0; t < problem.hours && left > 1e-9 * datasetGb; t++) {
    let gb = Math.min(left, link.capacityGbPerHour - linkGb[l][t]);
    if (link.energyKwhPerGb > 0) {
      const headroomMw = sender.gridImportLimitMw + sender.greenSupplyMw[t] - sender.pue * (loadMw[from][t] + sender.baseLoadMw[t]) - transferMw[from][t];
      gb = Math.min(gb, (Math.max(0, headroomMw) * 1000) / link.energyKwhPerGb);
    }
    if (gb <= 1e-9) continue;
    hourly.push({ link: l, hour: t, gb });
    linkGb[l][t] += gb;
    transferMw[from][t] += (gb * link.energyKwhPerGb) / 1000;
    left -= gb;
    if (left <= 1e-9 * datasetGb) arrivalHour = t;
  }
  return { transfers: mergeTransfers(hourly), arrivalHour };
}
