import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationToJson } from '../src/client/operationToJson.js';
import { parseStandingCommand } from '../src/cli/standing/parseStandingCommand.js';
import { runStandingCommand } from '../src/cli/standing/runStandingCommand.js';
import { UsageError } from '../src/cli/UsageError.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { PlanRunMetadata, PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { BadRequest } from '../src/generated/google/rpc/error_details.js';
import { runCli } from './helpers/runCli.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const scenario = 'scenarios/two-hubs-48h.yaml';
const horizonStart = '2026-07-01T00:00:00Z';
const msPerHour = 3_600_000;

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ workers: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cosched-cli-standing-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The real CLI against the test server. */
function cli(...args: string[]) {
  return runCli([...args, '--server', server.address]);
}

function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A job's GPUs at a site in the hour starting at `hourMs`, per a PlanResponse. */
function plannedGpus(response: PlanResponse, siteId: string, hourMs: number): Map<string, number> {
  const gpus = new Map<string, number>();
  for (const job of response.jobs) {
    for (const a of job.allocations) {
      const startMs = Number(a.start?.seconds) * 1000;
      if (a.siteId === siteId && startMs <= hourMs && hourMs < startMs + a.hours * msPerHour) gpus.set(job.jobId, (gpus.get(job.jobId) ?? 0) + a.gpus);
    }
  }
  return gpus;
}

describe('the standing-planner CLI against a server', () => {
  // The steps build on each other: a backlog, a run over it, dispatch, progress.
  let runName = '';
  let response: PlanResponse;

  it('submits a scenario’s jobs and forecasts, and a run started with --wait --json ends SUCCEEDED with its PlanResponse', async () => {
    const [jobs, forecasts] = await Promise.all([cli('jobs', 'submit', scenario), cli('forecasts', 'put', scenario)]);
    expect(jobs.stderr).toBe('');
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/^submitted 8 jobs\n/);
    expect(jobs.stdout).toMatch(/jobs\/llm-pretrain-13b\s+PENDING\s+9,216\s+2026-07-01T00:00Z to 2026-07-03T00:00Z/);
    expect(forecasts.code).toBe(0);
    expect(forecasts.stdout).toMatch(/^put 3 site forecasts\n/);
    expect(forecasts.stdout).toMatch(/sites\/guian\/forecasts\/1\s+2026-07-01T00:00Z to 2026-07-03T00:00Z \(48 h\)\s+512\s+1\.20/);

    const run = await cli('runs', 'start', '--now', horizonStart, '--wait', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const operation = JSON.parse(run.stdout) as Record<string, Record<string, unknown>> & { name: string; done: boolean };
    expect(operation.name).toMatch(/^operations\/run-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(operation.done).toBe(true);
    expect(operation.metadata['@type']).toBe('type.googleapis.com/cosched.v1.PlanRunMetadata');
    expect(operation.metadata.state).toBe('PLAN_RUN_STATE_SUCCEEDED');
    expect(operation.metadata.run).toBe(operation.name);
    expect(operation.response['@type']).toBe('type.googleapis.com/cosched.v1.PlanResponse');
    expect(operation.error).toBeUndefined();
    response = PlanResponse.fromJSON(operation.response);
    expect(response.summary?.emissionsKg).toBeGreaterThan(0);
    expect(response.summary?.emissionsKg).toBe((operation.response.summary as { emissionsKg: number }).emissionsKg);
    runName = operation.name;
  });

  it('lists the jobs PLANNED by the run, and dispatches at a site and hour what the run’s plan allocates there', async () => {
    // The site and hour of the first allocation, and what the plan runs there then.
    const first = response.jobs.flatMap((job) => job.allocations)[0];
    const hourMs = Number(first.start?.seconds) * 1000 + (first.hours - 1) * msPerHour;
    const hour = new Date(hourMs + 30 * 60_000).toISOString();
    const expected = plannedGpus(response, first.siteId, hourMs);

    const [list, dispatchText, dispatchJson] = await Promise.all([
      cli('jobs', 'list'),
      cli('dispatch', first.siteId, '--hour', hour),
      cli('dispatch', first.siteId, '--hour', hour, '--json'),
    ]);

    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row).toMatch(new RegExp(`^jobs/\\S+\\s+PLANNED\\s+0/[\\d,]+\\s+[\\d,.]+\\s+${runName}`));

    expect(dispatchJson.code).toBe(0);
    const dispatch = JSON.parse(dispatchJson.stdout) as { siteId: string; hour: string; planRun: string; entries: Array<{ job: string; gpus: number }>; gpus: number };
    expect(dispatch.siteId).toBe(first.siteId);
    expect(Date.parse(dispatch.hour)).toBe(hourMs);
    expect(dispatch.planRun).toBe(runName);
    expect(new Map(dispatch.entries.map((e) => [e.job, e.gpus]))).toEqual(new Map([...expected].map(([id, gpus]) => [`jobs/${id}`, gpus])));
    expect(dispatch.gpus).toBeCloseTo([...expected.values()].reduce((a, b) => a + b, 0), 9);

    expect(dispatchText.code).toBe(0);
    expect(dispatchText.stdout).toContain(`${first.siteId}, hour ${new Date(hourMs).toISOString().slice(0, 16)}Z (plan ${runName})`);
    for (const id of expected.keys()) expect(dispatchText.stdout).toContain(`jobs/${id}`);
  });

  it('reports progress: the job becomes RUNNING with its done GPU-hours', async () => {
    const job = response.jobs.find((j) => j.allocations.length > 0)!;
    const a = job.allocations[0];
    const file = writeFile(
      'progress.yaml',
      `records:\n  - job: ${job.jobId}\n    siteId: ${a.siteId}\n    start: "${new Date(Number(a.start?.seconds) * 1000).toISOString()}"\n    hours: 1\n    gpus: 8\n`,
    );

    const run = await cli('progress', 'report', file);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^reported 1 record\n/);
    expect(run.stdout).toMatch(new RegExp(`jobs/${job.jobId}\\s+RUNNING\\s+8/`));
  });

  it('prints a run’s input with runs get --input, and cosched plan on it gives the run’s emissions', async () => {
    const input = await cli('runs', 'get', runName.replace('operations/', ''), '--input');
    expect(input.stderr).toBe('');
    expect(input.code).toBe(0);
    const file = writeFile('run-input.json', input.stdout);

    const plan = await runCli(['plan', file, '--json']);

    expect(plan.code).toBe(0);
    const replanned = PlanResponse.fromJSON(JSON.parse(plan.stdout));
    const emissionsKg = response.summary?.emissionsKg as number;
    // Bit for bit: the same PlanRequest plans to the same numbers (proto3 JSON keeps doubles exact).
    expect(replanned.summary?.emissionsKg).toBe(emissionsKg);
  });

  it('exits 2 naming the jobs when the same file is submitted again, naming an unknown job in a progress report, and listing every bad progress field', async () => {
    const unknownJob = writeFile('unknown.json', JSON.stringify({ records: [{ job: 'no-such-job', siteId: 'guian', start: horizonStart, gpus: 1 }] }));
    const badRecords = writeFile('bad.yaml', `records:\n  - job: llm-pretrain-13b\n    siteId: guian\n    start: "2026-07-01T05:30:00Z"\n    gpus: -4\n`);

    const [again, unknown, bad] = await Promise.all([cli('jobs', 'submit', scenario), cli('progress', 'report', unknownJob), cli('progress', 'report', badRecords)]);

    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('8 jobs already exist');
    expect(again.stderr).toContain('requests[0].job.id: job llm-pretrain-13b already exists');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('progress for unknown job: jobs/no-such-job');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid progress report: 2 bad fields');
    expect(bad.stderr).toMatch(/records\[0\]\.gpus: got -4/);
    expect(bad.stderr).toMatch(/records\[0\]\.start: got 2026-07-01T05:30Z; expected a whole UTC hour/);
  });

  it('exits 1 naming the address when no server listens there', async () => {
    const run = await runCli(['jobs', 'list', '--server', '127.0.0.1:1']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cannot reach the cosched server at 127.0.0.1:1');
  });
});

describe('standing-planner command lines and files', () => {
  it('rejects unknown flags, flags of other commands, missing files and malformed values as usage errors', () => {
    const usage = (argv: string[]) => {
      try {
        parseStandingCommand(argv, {});
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error(`no usage error for ${argv.join(' ')}`);
    };
    expect(usage(['jobs', 'submit'])).toBe('jobs submit: missing FILE (a scenario or a file of jobs, YAML or JSON)');
    expect(usage(['jobs', 'list', '--bogus'])).toBe('unknown flag --bogus');
    expect(usage(['jobs', 'list', '--wait'])).toBe('jobs list: --wait is not an option of jobs list');
    expect(usage(['runs', 'start', '--now', 'yesterday'])).toContain("--now 'yesterday': expected an RFC 3339 instant");
    expect(usage(['runs', 'stop'])).toContain("unknown command 'runs stop'");
    expect(usage(['forecasts', 'import', 'f.csv'])).toContain('missing --site SITE');
    expect(usage(['forecasts', 'import', 'f.csv', '--site', 'a', '--signal', 'average'])).toBe("--signal 'average': expected intensity or marginal");
    expect(parseStandingCommand(['forecasts', 'import', 'moer.csv', '--site', 'a', '--signal', 'marginal'], {})).toMatchObject({ name: 'forecasts import', siteId: 'a', signal: 'marginal' });
    expect(parseStandingCommand(['runs', 'get', 'run-20261206-020000-3f9a1c'], { COSCHED_SERVER: 'planner:7000' })).toMatchObject({
      name: 'runs get',
      operation: 'operations/run-20261206-020000-3f9a1c',
      connection: { address: 'planner:7000' },
    });
  });

  it('checks a progress file against the schema before sending it: unknown fields and wrong types, each with its path', async () => {
    const file = writeFile('typo.yaml', `records:\n  - job: a\n    siteId: guian\n    start: 2026-07-01\n    gpus: many\n    finishd: true\n`);
    const run = await cli('progress', 'report', file);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('records[0].start: got "2026-07-01"; expected an RFC 3339 timestamp');
    expect(run.stderr).toContain('records[0].gpus: got "many"; expected a finite number');
    expect(run.stderr).toContain('records[0].finishd: unknown field (did you mean finished?)');
  });

  it('prints an Operation as proto3 JSON with its Any fields unpacked under @type', () => {
    const metadata = PlanRunMetadata.fromPartial({ run: 'operations/run-x', state: PlanRunState.PLAN_RUN_STATE_FAILED, jobs: 3 });
    const badRequest = BadRequest.fromPartial({ fieldViolations: [{ field: 'jobs[0].deadline', description: 'bad' }] });
    const json = operationToJson({
      name: 'operations/run-x',
      metadata: { typeUrl: 'type.googleapis.com/cosched.v1.PlanRunMetadata', value: PlanRunMetadata.encode(metadata).finish() },
      done: true,
      result: {
        $case: 'error',
        value: { code: 9, message: 'cannot plan', details: [{ typeUrl: 'type.googleapis.com/google.rpc.BadRequest', value: BadRequest.encode(badRequest).finish() }] },
      },
    });

    expect(json).toEqual({
      name: 'operations/run-x',
      metadata: { '@type': 'type.googleapis.com/cosched.v1.PlanRunMetadata', run: 'operations/run-x', state: 'PLAN_RUN_STATE_FAILED', jobs: 3 },
      done: true,
      error: { code: 9, message: 'cannot plan', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'jobs[0].deadline', description: 'bad' }] }] },
    });
    expect(operationToJson({ name: 'operations/run-y', metadata: undefined, done: false, result: undefined })).toEqual({ name: 'operations/run-y' });
  });

  it('feeds every bundled scenario to the standing planner: its jobs and its forecasts are accepted', async () => {
    const files = readdirSync('scenarios').filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const stderr = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
    const io = { stderr, signal: new AbortController().signal };
    // Scenarios share job ids, so each goes to a server of its own.
    for (const name of files) {
      const own = await startTestServer({ workers: 1 });
      try {
        const jobs = await runStandingCommand(['jobs', 'submit', `scenarios/${name}`, '--server', own.address], io, {});
        const forecasts = await runStandingCommand(['forecasts', 'put', `scenarios/${name}`, '--server', own.address], io, {});
        expect(jobs.exitCode, name).toBe(0);
        expect(jobs.output, name).toMatch(/^submitted \d+ jobs?\n/);
        expect(forecasts.exitCode, name).toBe(0);
        expect(forecasts.output, name).toMatch(/^put \d+ site forecasts?\n/);
      } finally {
        await own.close();
      }
    }
  });
});

describe('cosched jobs delete', () => {
  it('deletes a job that never ran; deleting it again is NOT_FOUND (exit 2)', async () => {
    const path = join(dir, 'one-job.yaml');
    writeFileSync(
      path,
      `jobs:\n  - { id: delete-me, gpuHours: 8, maxGpus: 8, gpuPowerKw: 0.7, release: "2026-07-01T00:00:00Z", deadline: "2026-07-01T12:00:00Z", homeSite: helingeer }\n`,
    );
    expect(parseStandingCommand(['jobs', 'delete', 'delete-me'])).toMatchObject({ name: 'jobs delete', job: 'jobs/delete-me' });
    const submitted = await cli('jobs', 'submit', path);
    expect(submitted.code).toBe(0);
    const deleted = await cli('jobs', 'delete', 'delete-me');
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted jobs/delete-me\n' });
    const again = await cli('jobs', 'delete', 'delete-me');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/job jobs\/delete-me not found/);
  });
});
