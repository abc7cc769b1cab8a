import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const tempDir = mkdtempSync(join(tmpdir(), 'cosched-cli-links-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** links-and-data.test.ts's east/west case at 2 Gbps, as a scenario file: the job moves west after hour 0. */
const eastWestYaml = `
horizon: { start: "2026-07-01T00:00:00Z", hours: 4 }
sites:
  - { id: east, gpuCapacity: 16, pue: 1.2, greenSupplyMw: [0, 0, 0, 0], carbonIntensityGPerKwh: [500, 500, 500, 500] }
  - { id: west, gpuCapacity: 16, pue: 1.2, greenSupplyMw: [0, 0, 0, 0], carbonIntensityGPerKwh: [100, 100, 100, 100] }
jobs:
  - { id: j1, gpuHours: 16, maxGpus: 8, gpuPowerKw: 0.7, release: "2026-07-01T00:00:00Z", deadline: "2026-07-01T03:00:00Z", homeSite: east, interruptible: true, datasetGb: 900 }
links:
  - { fromSiteId: east, toSiteId: west, bandwidthGbps: 2 }
`;

describe('cosched plan with links and job data', () => {
  it('lists the transfer under the job and draws the link in the report', { timeout: 60_000 }, async () => {
    const scenario = join(tempDir, 'east-west-links.yaml');
    writeFileSync(scenario, eastWestYaml);
    const reportDir = join(tempDir, 'report');
    const run = await runCli(['plan', scenario, '--report', reportDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('⇢ east -> west 2026-07-01 00:00Z-01:00Z, 900 GB (900 GB/h)');
    const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
    expect(html).toContain('data-chart="link" data-link="east-&gt;west"');
    const svg = readFileSync(join(reportDir, 'link-east-west.svg'), 'utf8');
    expect(svg).toContain('aria-label="transfer; schedule: plan; link: east -&gt; west; job: j1; hour: 0;');
  });
});
