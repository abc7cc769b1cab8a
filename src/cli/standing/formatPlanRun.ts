import type { PlanRunOperation } from '../../client/decodePlanRunOperation.js';
import type { PlanProgress } from '../../generated/cosched/v1/co_scheduler_service.js';
import { terminationToJSON } from '../../generated/cosched/v1/plan_response.js';
import { planRunStateToJSON, planRunTriggerToJSON, type PlanRunMetadata, type PlanRunState } from '../../generated/cosched/v1/standing_planner_service.js';
import { formatNumber, formatQuantity } from '../../report/formatNumber.js';
import { timestampToMs } from '../../data/timestampToMs.js';
import { formatGpuHours } from './formatBacklogJobs.js';
import { formatTable } from './formatTable.js';
import { formatTimestamp } from './timestamps.js';

/** `SUCCEEDED` for PLAN_RUN_STATE_SUCCEEDED. */
export function planRunStateName(state: PlanRunState | undefined): string {
  return state === undefined ? 'UNKNOWN' : planRunStateToJSON(state).replace(/^PLAN_RUN_STATE_/, '');
}

/** The latest solver progress in a few words: its message, then incumbent, bound and gap when known. */
export function formatPlanProgress(progress: PlanProgress | undefined): string {
  if (progress === undefined) return '';
  const parts: string[] = [];
  if (progress.incumbent !== undefined) parts.push(`incumbent ${formatQuantity(progress.incumbent)}`);
  if (progress.bound !== undefined) parts.push(`bound ${formatQuantity(progress.bound)}`);
  if (progress.mipGap !== undefined) parts.push(`gap ${formatNumber(progress.mipGap * 100, 2)}%`);
  return [progress.message, parts.join(', ')].filter((part) => part !== '').join('; ');
}

/**
 * A plan run for a person: state, trigger and timing, clock and horizon, jobs and forecast
 * versions, the plan's emissions against the baseline (when it succeeded), the executed past it
 * accounted, its warnings, and its error (when it failed or was cancelled).
 */
export function formatPlanRunSummary(run: PlanRunOperation): string {
  const meta = run.metadata;
  const lines = [`${run.name}: ${planRunStateName(meta?.state)}${run.done ? '' : ' (in progress)'}`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(12)} ${text}`);
  if (meta !== undefined) {
    const duration = durationText(meta);
    row('trigger', `${planRunTriggerToJSON(meta.trigger).replace(/^PLAN_RUN_TRIGGER_/, '')}, created ${formatTimestamp(meta.createTime)}${duration}`);
    row('horizon', `now ${formatTimestamp(meta.now)}; plan ${formatTimestamp(meta.planStart)} + ${meta.horizonHours} h`);
    row('jobs', `${meta.jobs}${meta.forecastVersions.length > 0 ? `; forecasts ${meta.forecastVersions.join(', ')}` : ''}`);
    if (meta.replaces !== '') row('replaces', meta.replaces);
  }
  const summary = run.response?.summary ?? meta?.summary;
  if (summary !== undefined) {
    row('emissions', `${formatQuantity(summary.emissionsKg)} kg CO2e; baseline ${formatQuantity(summary.baselineEmissionsKg)} kg`);
    row('carbon saved', `${formatQuantity(summary.carbonSavedKg)} kg (${formatNumber(summary.carbonSavedPercent, 1)}%)${summary.sameWork ? '' : '; plan and baseline do different work'}`);
    row('work', `${formatGpuHours(summary.doneGpuHours)} GPU-hours planned; ${formatGpuHours(summary.unmetGpuHours)} unmet`);
  }
  if (run.response !== undefined) row('termination', terminationToJSON(run.response.termination).replace(/^TERMINATION_/, '').toLowerCase().replace(/_/g, ' '));
  const executed = meta?.executed;
  if (executed !== undefined && (executed.records > 0 || executed.gpuHours > 0)) {
    const unaccounted = executed.unaccountedGpuHours > 0 ? `; ${formatGpuHours(executed.unaccountedGpuHours)} GPU-hours no forecast covers` : '';
    row(
      'executed',
      `${formatGpuHours(executed.gpuHours)} GPU-hours in ${executed.records} records, ${formatTimestamp(executed.start)} to ${formatTimestamp(executed.end)}: ` +
        `${formatQuantity(executed.emissionsKg)} kg CO2e, ${formatQuantity(executed.energyMwh)} MWh (${formatQuantity(executed.greenMwh)} green)${unaccounted}`,
    );
  } else if (meta?.startTime !== undefined) {
    row('executed', 'nothing reported since the previous run');
  }
  if (!run.done && meta?.progress !== undefined) row('progress', formatPlanProgress(meta.progress));
  const warnings = [...(meta?.warnings ?? []), ...(run.response?.warnings ?? []).filter((w) => !(meta?.warnings ?? []).includes(w))];
  if (warnings.length > 0) {
    lines.push('  warnings:');
    for (const warning of warnings) lines.push(`    - ${warning}`);
  }
  if (run.error !== undefined) row('error', run.error.message || `code ${run.error.code}`);
  return `${lines.join('\n')}\n`;
}

/** Plan runs: run, state, trigger, created, plan start, hours, jobs, emissions and carbon saved. */
export function formatPlanRunList(runs: readonly PlanRunOperation[]): string {
  const rows = runs.map((run) => {
    const meta = run.metadata;
    const summary = run.response?.summary ?? meta?.summary;
    return [
      run.name,
      planRunStateName(meta?.state),
      meta ? planRunTriggerToJSON(meta.trigger).replace(/^PLAN_RUN_TRIGGER_/, '') : '-',
      formatTimestamp(meta?.createTime),
      formatTimestamp(meta?.planStart),
      String(meta?.horizonHours ?? 0),
      String(meta?.jobs ?? 0),
      summary ? formatQuantity(summary.emissionsKg) : '-',
      summary ? `${formatNumber(summary.carbonSavedPercent, 1)}%` : '-',
    ];
  });
  return formatTable(['run', 'state', 'trigger', 'created', 'plan start', 'hours', 'jobs', 'emissions kg', 'saved'], rows, [5, 6, 7, 8]);
}

/** `, ran 2.3 s` from start to end time, when both are known. */
function durationText(meta: PlanRunMetadata): string {
  const startMs = meta.startTime ? timestampToMs(meta.startTime) : undefined;
  const endMs = meta.endTime ? timestampToMs(meta.endTime) : undefined;
  if (startMs === undefined || endMs === undefined) return '';
  return `, ran ${formatNumber((endMs - startMs) / 1000, 1)} s`;
}
