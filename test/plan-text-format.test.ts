import { describe, expect, it } from 'vitest';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { jobMovedToGreenSiteAtHourOne } from './factories/planResults.js';

describe('formatPlanText', () => {
  it('shows the termination, a job row with UTC times and the carbon saved', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const text = formatPlanText(problem, result);

    expect(text).toContain('cosched plan: optimal');
    expect(text).toContain('highs 1.15.3');
    expect(text).toMatch(/j1\s+green\s+2026-07-01 01:00Z\s+2026-07-01 03:00Z\s+4\s+8\s+0\n/);
    expect(text).toContain('carbon saved: 4.80 kg CO2e (100.0% of the baseline)');
    expect(text).toContain('  - a warning');
    expect(text).not.toContain('\u001b[');
  });

  it('uses thousands separators and puts the reason for unmet work on its own line', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const outcome = { ...result.plan!.jobs[0], unmetGpuHours: 1234.5, reason: '1234.5 of 1242.5 GPU-hours unmet: window too short' };
    const text = formatPlanText(problem, { ...result, plan: { ...result.plan!, jobs: [outcome] }, summary: { ...result.summary, emissionsKg: 12_345.6, baselineEmissionsKg: 23_456.7 } });

    expect(text).toMatch(/\n {6}↳ 1234\.5 of 1242\.5 GPU-hours unmet: window too short\n/);
    expect(text).toMatch(/emissions\s+kg CO2e\s+12,346\s+23,457/);
    expect(text).toMatch(/missed deadlines\s+jobs\s+1\s+0/);
  });

  it('colours only when asked', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    expect(formatPlanText(problem, result, { color: true })).toContain('\u001b[32moptimal\u001b[39m');
  });

  it('says there is no schedule and counts all work as unmet when the solve found none', () => {
    const { problem, result } = jobMovedToGreenSiteAtHourOne();
    const text = formatPlanText(problem, { ...result, termination: 'time_limit_no_solution', status: 'warning', plan: undefined });

    expect(text).toContain('no schedule');
    expect(text).toContain('carbon saved: none (no schedule)');
    expect(text).toMatch(/emissions\s+kg CO2e\s+-\s+4.80\n/);
    expect(text).toMatch(/j1\s+-\s+-\s+-\s+-\s+0\s+8\n/);
  });
});
