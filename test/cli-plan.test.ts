import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';

const scenario = 'scenarios/two-hubs-48h.yaml';
const tempDir = mkdtempSync(join(tmpdir(), 'cosched-cli-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));


/** A 4-hour request with three distinct mistakes: a short array, a deadline before its release, an unknown site id. */
const threeBadFieldsYaml = `\
horizon:
  start: "2026-07-01T00:00:00Z"
  hours: 4
sites:
  - id: east
    gpuCapacity: 64
    pue: 1.3
    greenSupplyMw: [0, 0, 0]
    carbonIntensityGPerKwh: [600, 600, 600, 600]
jobs:
  - id: late
    gpuHours: 8
    maxGpus: 8
    gpuPowerKw: 0.8
    release: "2026-07-01T03:00:00Z"
    deadline: "2026-07-01T01:00:00Z"
    homeSite: east
  - id: lost
    gpuHours: 8
    maxGpus: 8
    gpuPowerKw: 0.8
    release: "2026-07-01T00:00:00Z"
    deadline: "2026-07-01T04:00:00Z"
    allowedSites: [east, nowhere]
    homeSite: east
`;

describe('cosched plan on the bundled scenario', () => {
  it('exits 0 and prints a text plan that saves carbon', async () => {
    const run = await runCli(['plan', scenario]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cosched plan: optimal');
    expect(run.stdout).toContain('llm-pretrain-13b');
    expect(run.stdout).toMatch(/carbon saved: [\d,.]+ kg CO2e \([\d.]+% of the baseline\)/);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('prints proto3 JSON with --json: carbon saved and a passed check', async () => {
    const run = await runCli(['plan', scenario, '--json']);

    expect(run.code).toBe(0);
    const response = PlanResponse.fromJSON(JSON.parse(run.stdout));
    expect(response.summary?.carbonSavedKg).toBeGreaterThan(0);
    expect(response.check?.passed).toBe(true);
    expect(response.jobs.map((j) => j.jobId)).toHaveLength(8);
    expect(response.sites.map((s) => s.siteId)).toEqual(['helingeer', 'guian', 'shanghai-qingpu']);
  });

  it('writes an LP file with --dump-lp that HiGHS solves to optimality', async () => {
    const lpPath = join(tempDir, 'two-hubs.lp');
    const run = await runCli(['plan', scenario, '--dump-lp', lpPath, '--time-limit', '30']);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain(lpPath);
    const { loadHighs } = await import('../solver/solve/loadHighs.js');
    const highs = await loadHighs();
    const solution = highs.solve(readFileSync(lpPath, 'utf8'));
    expect(solution.Status).toBe('Optimal');
  });
});

describe('cosched plan on bad input', () => {
  it('exits 2 and lists every bad field of an invalid file', async () => {
    const badPath = join(tempDir, 'three-bad-fields.yaml');
    writeFileSync(badPath, threeBadFieldsYaml);
    const run = await runCli(['plan', badPath]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('sites[0].greenSupplyMw');
    expect(run.stderr).toContain('jobs[0].deadline');
    expect(run.stderr).toContain('jobs[1].allowedSites[1]');
  });

  it('exits 2 naming a missing file', async () => {
    const missing = join(tempDir, 'no-such-scenario.yaml');
    const run = await runCli(['plan', missing]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
  });

  it('exits 2 naming an unknown flag', async () => {
    const run = await runCli(['plan', scenario, '--frobnicate']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--frobnicate');
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a bad --solver value and prints help with the exit codes on --help', async () => {
    const bad = await runCli(['plan', scenario, '--solver', 'cplex']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--solver');

    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain('cosched plan FILE.yaml|FILE.json');
  });
});

describe('cosched plan --explain', () => {
  it('prints the binding hours: one more GPU at the full clean site, one more hour for the job', async () => {
    const file = join(tempDir, 'clean-site-too-small.yaml');
    writeFileSync(
      file,
      `horizon: { start: "2026-07-01T00:00:00Z", hours: 2 }
sites:
  - { id: clean, gpuCapacity: 4, pue: 1, greenSupplyMw: [0, 0], carbonIntensityGPerKwh: [100, 100] }
  - { id: dirty, gpuCapacity: 64, pue: 1, greenSupplyMw: [0, 0], carbonIntensityGPerKwh: [300, 50] }
jobs:
  - { id: j1, gpuHours: 8, maxGpus: 8, gpuPowerKw: 1, release: "2026-07-01T00:00:00Z", deadline: "2026-07-01T01:00:00Z", homeSite: dirty, allowedSites: [clean, dirty], interruptible: true }
`,
    );
    const run = await runCli(['plan', file, '--explain']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The binding hours');
    // 1 kWh moves from 300 to 100 g/kWh.
    expect(run.stdout).toContain('one more GPU at clean 2026-07-01 00:00Z would save 0.200 kg CO2');
    // Hour 1 at dirty is 50 g/kWh: the 4 GPU-hours at 300 and the 4 at 100 g/kWh move there: 1.0 + 0.2 kg.
    expect(run.stdout).toContain('one more hour for j1 (to 2026-07-01 02:00Z) would save 1.200 kg CO2 at dirty (8 GPUs x 0.250 kg CO2 per GPU-hour)');
  });
});
