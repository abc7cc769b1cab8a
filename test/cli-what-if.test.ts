import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { cheapDirtyOrCleanDear, northEastSixHours } from './factories/whatIfRequests.js';

const tempDir = mkdtempSync(join(tmpdir(), 'cosched-cli-what-if-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));


function writeRequest(name: string, request: PlanRequest): string {
  const path = join(tempDir, name);
  writeFileSync(path, JSON.stringify(PlanRequest.toJSON(request)));
  return path;
}

describe('cosched compare, frontier and --report', () => {
  it('compares variants, prints the table with differences, and writes the report', async () => {
    const base = writeRequest('north-east.json', northEastSixHours());
    const reportDir = join(tempDir, 'compare-report');
    const run = await runCli(['compare', base, '--variant', 'nogreen:green*=0', '--variant', 'rigid:interruptible=false', '--report', reportDir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout).rows as { name: string; differenceToBase?: { emissionsKg?: number }; metrics: { emissionsKg?: number } }[];
    expect(rows.map((r) => r.name)).toEqual(['base', 'nogreen', 'rigid']);
    // Without green supply the same jobs emit more.
    expect(rows[1].differenceToBase?.emissionsKg ?? 0).toBeGreaterThan(0);
    expect(run.stderr).toContain('3/3');
    const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
    expect(html).toContain('data-variant="nogreen"');
    expect(existsSync(join(reportDir, '1-nogreen', 'index.html'))).toBe(true);
  });

  it('reports a bad variant with the part that is wrong and exits 2', async () => {
    const base = writeRequest('north-east-bad.json', northEastSixHours());
    const run = await runCli(['compare', base, '--variant', 'x:gren*=2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean green?');
  });

  it('sweeps the frontier: cost rises as emissions fall, and writes the chart', async () => {
    const file = writeRequest('trade-off.json', cheapDirtyOrCleanDear());
    const reportDir = join(tempDir, 'frontier-report');
    const run = await runCli(['frontier', file, '--json', '--report', reportDir]);
    expect(run.code, run.stderr).toBe(0);
    const points = JSON.parse(run.stdout).points as { emissionsKg: number; cost: number }[];
    expect(points.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < points.length; i++) {
      expect(points[i].cost).toBeGreaterThan(points[i - 1].cost);
      expect(points[i].emissionsKg).toBeLessThan(points[i - 1].emissionsKg);
    }
    expect(readFileSync(join(reportDir, 'frontier.svg'), 'utf8')).toContain('<svg');
  });

  it('writes a plan report with --report', async () => {
    const reportDir = join(tempDir, 'plan-report');
    const run = await runCli(['plan', 'scenarios/two-hubs-48h.yaml', '--report', reportDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(join(reportDir, 'index.html'));
    expect(readFileSync(join(reportDir, 'index.html'), 'utf8')).toContain('gantt-plan');
  });
});
