import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { latestSchemaVersion } from '../../src/store/migrations.js';
import {
  openJobStates,
  type JobState,
  type NewForecast,
  type PlannerStore,
  type ProgressRecordRow,
  type RunState,
  type StoredJob,
  type StoredRun,
} from '../../src/store/PlannerStore.js';
import { openTestStore, testStoreKinds, type TestStore } from '../helpers/testStores.js';

const H = 3_600_000;

function job(id: string, over: Partial<StoredJob> = {}): StoredJob {
  return {
    id,
    seq: 0,
    specJson: JSON.stringify({ id, gpus: 8 }),
    state: 'pending',
    stateReason: '',
    doneGpuHours: 0,
    planRunId: '',
    plannedJson: '[]',
    runningSite: '',
    createdMs: 1_000,
    updatedMs: 1_000,
    ...over,
  };
}

function run(id: string, over: Partial<StoredRun> = {}): StoredRun {
  return {
    id,
    seq: 0,
    state: 'queued',
    trigger: 'api',
    createdMs: 1_000,
    nowMs: 0,
    planStartMs: 0,
    horizonEndMs: 0,
    paramsJson: '{}',
    metadataJson: '{}',
    inputJson: '',
    responseJson: '',
    errorJson: '',
    owner: 'server-1',
    leaseUntilMs: 0,
    cancelRequested: false,
    scheduledMs: 0,
    ...over,
  };
}

function forecast(siteId: string, createdMs: number, over: Partial<NewForecast> = {}): NewForecast {
  return { siteId, startMs: 0, hours: 24, siteJson: JSON.stringify({ id: siteId, createdMs }), source: 'test', createdMs, ...over };
}

function progress(jobId: string, siteId: string, hourMs: number, gpus: number, reportedMs = 5): ProgressRecordRow {
  return { jobId, siteId, hourMs, gpus, reportedMs };
}

async function expectCode(promise: Promise<unknown>, code: CoschedError['code'], message?: RegExp): Promise<CoschedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a CoschedError ${code}`).toBeInstanceOf(CoschedError);
  expect((error as CoschedError).code).toBe(code);
  if (message) expect((error as CoschedError).message).toMatch(message);
  return error as CoschedError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testStoreKinds)('PlannerStore on %s', (kind) => {
  let t: TestStore;
  let store: PlannerStore;

  beforeEach(async () => {
    t = await openTestStore(kind);
    store = t.store;
  });

  afterEach(async () => {
    await t.dispose();
  });

  it('reports its kind and a location without password', () => {
    expect(store.kind).toBe(kind);
    expect(store.location).toContain(kind === 'sqlite' ? 'cosched.sqlite3' : `schema=${t.schema}`);
  });

  describe('jobs', () => {
    it('insertJob assigns seq in creation order (ignoring the given seq); getJob returns every field', async () => {
      const first = await store.write((tx) => tx.insertJob(job('a', { seq: 99, doneGpuHours: 2.5, runningSite: 's1' })));
      const [second, third] = await store.write(async (tx) => [await tx.insertJob(job('b')), await tx.insertJob(job('c', { seq: -4 }))]);
      expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);
      expect(first).toEqual(job('a', { seq: 1, doneGpuHours: 2.5, runningSite: 's1' }));
      await store.read(async (tx) => {
        expect(await tx.getJob('a')).toEqual(first);
        expect(await tx.getJob('c')).toEqual(third);
        expect(await tx.getJob('nope')).toBeUndefined();
      });
    });

    it('insertJob of an existing id fails ALREADY_EXISTS and the whole write is rolled back', async () => {
      await store.write((tx) => tx.insertJob(job('a')));
      await expectCode(
        store.write(async (tx) => {
          await tx.insertJob(job('x'));
          await tx.insertJob(job('a', { specJson: '{"other":1}' }));
        }),
        'ALREADY_EXISTS',
        /job a already exists/,
      );
      await store.read(async (tx) => {
        expect(await tx.getJob('x')).toBeUndefined();
        expect((await tx.getJob('a'))?.specJson).toBe(job('a').specJson);
        expect(await tx.countJobs()).toBe(1);
      });
    });

    it('updateJob replaces every field except id, seq and createdMs; a missing job is NOT_FOUND', async () => {
      const stored = await store.write((tx) => tx.insertJob(job('a', { createdMs: 10, updatedMs: 10 })));
      const changed: StoredJob = {
        id: 'a',
        seq: 42,
        specJson: '{"id":"a","gpus":16}',
        state: 'running',
        stateReason: 'started at site s2',
        doneGpuHours: 12.25,
        planRunId: 'run-7',
        plannedJson: '[{"siteId":"s2"}]',
        runningSite: 's2',
        createdMs: 999,
        updatedMs: 20,
      };
      await store.write((tx) => tx.updateJob(changed));
      expect(await store.read((tx) => tx.getJob('a'))).toEqual({ ...changed, seq: stored.seq, createdMs: 10 });
      await expectCode(store.write((tx) => tx.updateJob(job('missing'))), 'NOT_FOUND');
    });

    it('listJobs pages by seq and filters by state; countJobs counts', async () => {
      const states: JobState[] = ['pending', 'done', 'running', 'pending', 'cancelled', 'planned'];
      await store.write(async (tx) => {
        for (const [i, state] of states.entries()) await tx.insertJob(job(`j${i + 1}`, { state }));
      });
      await store.read(async (tx) => {
        const ids = async (q: Parameters<typeof tx.listJobs>[0]) => (await tx.listJobs(q)).map((j) => j.id);
        expect(await ids({ afterSeq: 0, limit: 2 })).toEqual(['j1', 'j2']);
        expect(await ids({ afterSeq: 2, limit: 2 })).toEqual(['j3', 'j4']);
        expect(await ids({ afterSeq: 4, limit: 10 })).toEqual(['j5', 'j6']);
        expect(await ids({ afterSeq: 6, limit: 10 })).toEqual([]);
        expect(await ids({ afterSeq: 0, limit: 10, states: ['pending'] })).toEqual(['j1', 'j4']);
        expect(await ids({ afterSeq: 1, limit: 10, states: ['pending'] })).toEqual(['j4']);
        expect(await ids({ afterSeq: 0, limit: 10, states: [] })).toEqual(['j1', 'j2', 'j3', 'j4', 'j5', 'j6']);
        expect(await ids({ afterSeq: 0, limit: 10, states: openJobStates })).toEqual(['j1', 'j3', 'j4', 'j6']);
        expect(await ids({ afterSeq: 0, limit: 0 })).toEqual([]);
        expect(await tx.countJobs()).toBe(6);
        expect(await tx.countJobs([])).toBe(6);
        expect(await tx.countJobs(['pending'])).toBe(2);
        expect(await tx.countJobs(openJobStates)).toBe(4);
        expect(await tx.countJobs(['missed'])).toBe(0);
      });
    });

    it('property: paging listJobs with any page size and state filter returns every matching job once, in seq order', async () => {
      const allStates: JobState[] = ['pending', 'planned', 'running', 'done', 'cancelled', 'missed'];
      const model: StoredJob[] = [];
      let next = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...allStates), { maxLength: 8 }),
          fc.integer({ min: 1, max: 7 }),
          fc.subarray(allStates),
          async (newStates, pageSize, filter) => {
            await store.write(async (tx) => {
              for (const state of newStates) model.push(await tx.insertJob(job(`p${++next}`, { state })));
            });
            const expected = model.filter((j) => filter.length === 0 || filter.includes(j.state)).map((j) => j.seq);
            const seen: number[] = [];
            let afterSeq = 0;
            for (;;) {
              const page = await store.read((tx) => tx.listJobs({ states: filter, afterSeq, limit: pageSize }));
              expect(page.length).toBeLessThanOrEqual(pageSize);
              if (page.length === 0) break;
              seen.push(...page.map((j) => j.seq));
              afterSeq = page[page.length - 1].seq;
            }
            expect(seen).toEqual(expected);
            expect(await store.read((tx) => tx.countJobs(filter))).toBe(expected.length);
          },
        ),
        { numRuns: 20 },
      );
    });
  });

  describe('forecasts', () => {
    it('numbers versions per site from 1 and never reuses one, even after rows are deleted', async () => {
      const versions = await store.write(async (tx) => [
        (await tx.insertForecast(forecast('a', 1))).version,
        (await tx.insertForecast(forecast('a', 2))).version,
        (await tx.insertForecast(forecast('b', 3))).version,
        (await tx.insertForecast(forecast('a', 4))).version,
      ]);
      expect(versions).toEqual([1, 2, 1, 3]);
      await t.sql(kind === 'sqlite' ? 'DELETE FROM forecasts WHERE site_id = ? AND version >= 2' : 'DELETE FROM forecasts WHERE site_id = $1 AND version >= 2', ['a']);
      const again = await store.write((tx) => tx.insertForecast(forecast('a', 5)));
      expect(again.version).toBe(4);
      expect((await store.read((tx) => tx.getForecast('a', 'latest')))?.version).toBe(4);
      expect((await store.write((tx) => tx.insertForecast(forecast('b', 6)))).version).toBe(2);
    });

    it('getForecast returns one version or the latest, undefined when there is none', async () => {
      const v1 = await store.write((tx) => tx.insertForecast(forecast('a', 100, { startMs: 7 * H, hours: 48, source: 'api' })));
      const v2 = await store.write((tx) => tx.insertForecast(forecast('a', 200)));
      expect(v1).toEqual({ ...forecast('a', 100, { startMs: 7 * H, hours: 48, source: 'api' }), version: 1, listKey: '000000000000100|a|0000000001' });
      await store.read(async (tx) => {
        expect(await tx.getForecast('a', 1)).toEqual(v1);
        expect(await tx.getForecast('a', 2)).toEqual(v2);
        expect(await tx.getForecast('a', 'latest')).toEqual(v2);
        expect(await tx.getForecast('a', 3)).toBeUndefined();
        expect(await tx.getForecast('b', 'latest')).toBeUndefined();
        expect(await tx.getForecast('b', 1)).toBeUndefined();
      });
    });

    it('listKey is createdMs (15 digits) | siteId | version (10 digits)', async () => {
      await store.write((tx) => tx.insertForecast(forecast('site-a', 1_700_000_000_000)));
      const f = await store.write((tx) => tx.insertForecast(forecast('site-a', 1_700_000_000_123)));
      expect(f.listKey).toBe('001700000000123|site-a|0000000002');
      expect((await store.read((tx) => tx.getForecast('site-a', 2)))?.listKey).toBe(f.listKey);
    });

    it('listForecasts lists newest first by listKey, pages with beforeKey, filters by site and latest version', async () => {
      await store.write(async (tx) => {
        await tx.insertForecast(forecast('a', 10)); // a1
        await tx.insertForecast(forecast('b', 10)); // b1
        await tx.insertForecast(forecast('a', 30)); // a2
        await tx.insertForecast(forecast('c', 20)); // c1
        await tx.insertForecast(forecast('b', 30)); // b2
        await tx.insertForecast(forecast('a', 30)); // a3
      });
      const names = (fs: Array<{ siteId: string; version: number }>) => fs.map((f) => `${f.siteId}${f.version}`);
      const all = await store.read((tx) => tx.listForecasts({ limit: 100 }));
      expect(names(all)).toEqual(['b2', 'a3', 'a2', 'c1', 'b1', 'a1']);
      expect(all.map((f) => f.listKey)).toEqual(all.map((f) => f.listKey).sort().reverse());

      for (const pageSize of [1, 2, 4]) {
        const seen: string[] = [];
        let beforeKey: string | undefined;
        for (;;) {
          const page = await store.read((tx) => tx.listForecasts({ limit: pageSize, beforeKey }));
          if (page.length === 0) break;
          seen.push(...names(page));
          beforeKey = page[page.length - 1].listKey;
        }
        expect(seen).toEqual(names(all));
      }

      await store.read(async (tx) => {
        expect(names(await tx.listForecasts({ limit: 100, siteId: 'a' }))).toEqual(['a3', 'a2', 'a1']);
        expect(names(await tx.listForecasts({ limit: 100, latestOnly: true }))).toEqual(['b2', 'a3', 'c1']);
        expect(names(await tx.listForecasts({ limit: 100, latestOnly: true, siteId: 'a' }))).toEqual(['a3']);
        expect(names(await tx.listForecasts({ limit: 2, siteId: 'a', beforeKey: all[1].listKey }))).toEqual(['a2', 'a1']);
        expect(names(await tx.listForecasts({ limit: 100, latestOnly: true, beforeKey: all[0].listKey }))).toEqual(['a3', 'c1']);
        expect(await tx.listForecasts({ limit: 100, siteId: 'zzz' })).toEqual([]);
      });
    });

    it("latestForecasts returns every site's latest version ordered by siteId", async () => {
      expect(await store.read((tx) => tx.latestForecasts())).toEqual([]);
      await store.write(async (tx) => {
        await tx.insertForecast(forecast('c', 1));
        await tx.insertForecast(forecast('a', 2));
        await tx.insertForecast(forecast('b', 3));
        await tx.insertForecast(forecast('a', 4));
        await tx.insertForecast(forecast('c', 0));
      });
      const latest = await store.read((tx) => tx.latestForecasts());
      expect(latest.map((f) => [f.siteId, f.version, f.createdMs])).toEqual([
        ['a', 2, 4],
        ['b', 1, 3],
        ['c', 2, 0],
      ]);
    });

    it('forecastsOverlapping returns every version whose hours intersect [from, to), by siteId then version', async () => {
      await store.write(async (tx) => {
        await tx.insertForecast(forecast('b', 1, { startMs: 10 * H, hours: 4 })); // b1: [10h, 14h)
        await tx.insertForecast(forecast('a', 2, { startMs: 0, hours: 24 })); // a1: [0, 24h)
        await tx.insertForecast(forecast('b', 3, { startMs: 12 * H, hours: 12 })); // b2: [12h, 24h)
        await tx.insertForecast(forecast('a', 4, { startMs: 24 * H, hours: 24 })); // a2: [24h, 48h)
      });
      const overlapping = async (from: number, to: number) =>
        (await store.read((tx) => tx.forecastsOverlapping(from, to))).map((f) => `${f.siteId}${f.version}`);
      expect(await overlapping(0, 48 * H)).toEqual(['a1', 'a2', 'b1', 'b2']);
      expect(await overlapping(14 * H, 24 * H)).toEqual(['a1', 'b2']);
      expect(await overlapping(13 * H, 14 * H)).toEqual(['a1', 'b1', 'b2']);
      expect(await overlapping(9 * H, 10 * H)).toEqual(['a1']);
      expect(await overlapping(24 * H, 24 * H + 1)).toEqual(['a2']);
      expect(await overlapping(48 * H, 50 * H)).toEqual([]);
      expect(await overlapping(-5 * H, 0)).toEqual([]);
    });
  });

  describe('progress', () => {
    beforeEach(async () => {
      await store.write(async (tx) => {
        for (const id of ['j1', 'j2', 'j3']) await tx.insertJob(job(id));
      });
    });

    it('upsertProgress inserts, and replaces a record with the same (jobId, siteId, hourMs)', async () => {
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 8), progress('j1', 's2', 0, 4), progress('j1', 's1', H, 8)]));
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 2.5, 99), progress('j2', 's1', 0, 1)]));
      expect(await store.read((tx) => tx.listProgress({}))).toEqual([
        progress('j1', 's1', 0, 2.5, 99),
        progress('j1', 's2', 0, 4),
        progress('j1', 's1', H, 8),
        progress('j2', 's1', 0, 1),
      ]);
      await store.write((tx) => tx.upsertProgress([]));
      expect(await store.read((tx) => tx.listProgress({}))).toHaveLength(4);
    });

    it('keeps replaced progress as history: listProgress asOfMs gives the version in force then, changedAfterMs what changed since', async () => {
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 8, 10), progress('j1', 's1', H, 8, 10)]));
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 6, 20), progress('j1', 's1', 0, 7, 20)]));
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 5, 30), progress('j1', 's2', 2 * H, 1, 30)]));
      await store.read(async (tx) => {
        const gpus = async (query: Parameters<typeof tx.listProgress>[0]) => (await tx.listProgress(query)).map((r) => `${r.hourMs / H}/${r.siteId}=${r.gpus}@${r.reportedMs}`);
        expect(await gpus({})).toEqual(['0/s1=5@30', '1/s1=8@10', '2/s2=1@30']);
        expect(await gpus({ asOfMs: 9 })).toEqual([]);
        expect(await gpus({ asOfMs: 10 })).toEqual(['0/s1=8@10', '1/s1=8@10']);
        // Within one call the last record of a key wins.
        expect(await gpus({ asOfMs: 25 })).toEqual(['0/s1=7@20', '1/s1=8@10']);
        expect(await gpus({ asOfMs: 30, toMs: H })).toEqual(['0/s1=5@30']);
        expect(await gpus({ changedAfterMs: 20 })).toEqual(['0/s1=5@30', '2/s2=1@30']);
        expect(await gpus({ changedAfterMs: 10, asOfMs: 25 })).toEqual(['0/s1=7@20']);
      });
      expect((await store.read((tx) => tx.doneGpuHours(['j1']))).get('j1')).toBe(14);
    });

    it('pruneRequestRecords forgets request ids recorded before a time', async () => {
      await store.write(async (tx) => {
        await tx.insertRequestRecord({ requestId: 'old', method: 'M', fingerprint: 'f', responseJson: '{}', createdMs: 10 });
        await tx.insertRequestRecord({ requestId: 'new', method: 'M', fingerprint: 'f', responseJson: '{}', createdMs: 20 });
      });
      expect(await store.write((tx) => tx.pruneRequestRecords(15))).toBe(1);
      expect(await store.read(async (tx) => [await tx.getRequestRecord('old'), (await tx.getRequestRecord('new'))?.requestId])).toEqual([undefined, 'new']);
    });

    it('deleteJob removes a job with its progress and history; false for an unknown job', async () => {
      await store.write(async (tx) => {
        await tx.insertJob(job('gone'));
        await tx.upsertProgress([progress('gone', 's1', 0, 1, 1)]);
        await tx.upsertProgress([progress('gone', 's1', 0, 2, 2)]);
      });
      expect(await store.write((tx) => tx.deleteJob('gone'))).toBe(true);
      expect(await store.write((tx) => tx.deleteJob('gone'))).toBe(false);
      expect(await store.read((tx) => tx.listProgress({ asOfMs: 1 }))).toEqual([]);
    });

    it('listProgress orders by jobId, hourMs, siteId and filters by [fromMs, toMs) and jobIds', async () => {
      await store.write((tx) =>
        tx.upsertProgress([
          progress('j2', 's1', 2 * H, 1),
          progress('j1', 's2', H, 2),
          progress('j1', 's1', H, 3),
          progress('j1', 's1', 0, 4),
          progress('j3', 's1', 0, 5),
          progress('j2', 's1', 0, 6),
        ]),
      );
      const keys = (rows: ProgressRecordRow[]) => rows.map((r) => `${r.jobId}/${r.hourMs / H}/${r.siteId}`);
      await store.read(async (tx) => {
        expect(keys(await tx.listProgress({}))).toEqual(['j1/0/s1', 'j1/1/s1', 'j1/1/s2', 'j2/0/s1', 'j2/2/s1', 'j3/0/s1']);
        expect(keys(await tx.listProgress({ fromMs: H }))).toEqual(['j1/1/s1', 'j1/1/s2', 'j2/2/s1']);
        expect(keys(await tx.listProgress({ toMs: H }))).toEqual(['j1/0/s1', 'j2/0/s1', 'j3/0/s1']);
        expect(keys(await tx.listProgress({ fromMs: H, toMs: 2 * H }))).toEqual(['j1/1/s1', 'j1/1/s2']);
        expect(keys(await tx.listProgress({ jobIds: ['j3', 'j2'] }))).toEqual(['j2/0/s1', 'j2/2/s1', 'j3/0/s1']);
        expect(keys(await tx.listProgress({ jobIds: ['j2'], toMs: H }))).toEqual(['j2/0/s1']);
        expect(keys(await tx.listProgress({ jobIds: ['nobody'] }))).toEqual([]);
        expect(keys(await tx.listProgress({ jobIds: [] }))).toEqual([]);
      });
    });

    it('doneGpuHours sums gpus per job, 0 for a job without records', async () => {
      await store.write((tx) =>
        tx.upsertProgress([progress('j1', 's1', 0, 8), progress('j1', 's2', 0, 0.5), progress('j1', 's1', H, 7.25), progress('j2', 's1', 0, 3)]),
      );
      const done = await store.read((tx) => tx.doneGpuHours(['j1', 'j2', 'j3', 'unknown', 'j1']));
      expect(Object.fromEntries(done)).toEqual({ j1: 15.75, j2: 3, j3: 0, unknown: 0 });
      await store.write((tx) => tx.upsertProgress([progress('j1', 's1', H, 1)]));
      expect((await store.read((tx) => tx.doneGpuHours(['j1']))).get('j1')).toBe(9.5);
      expect((await store.read((tx) => tx.doneGpuHours([]))).size).toBe(0);
    });

    it('doneGpuHours and listProgress handle more job ids than one IN list holds', async () => {
      const ids = Array.from({ length: 1_203 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      await store.write(async (tx) => {
        for (const id of ids) await tx.insertJob(job(id));
        await tx.upsertProgress(ids.map((id, i) => progress(id, 's1', 0, i)));
      });
      const done = await store.read((tx) => tx.doneGpuHours(ids));
      expect(done.size).toBe(ids.length);
      expect(done.get('k1202')).toBe(1202);
      const rows = await store.read((tx) => tx.listProgress({ jobIds: [...ids].reverse() }));
      expect(rows.map((r) => r.jobId)).toEqual(ids);
    });

    it('progress for a job that does not exist is refused (FAILED_PRECONDITION) and nothing is written', async () => {
      await expectCode(
        store.write((tx) => tx.upsertProgress([progress('j1', 's1', 0, 1), progress('ghost', 's1', 0, 1)])),
        'FAILED_PRECONDITION',
      );
      expect(await store.read((tx) => tx.listProgress({}))).toEqual([]);
    });
  });

  describe('runs', () => {
    it('insertRun assigns seq; getRun returns every field; updateRun replaces all but id, seq, createdMs', async () => {
      const a = await store.write((tx) => tx.insertRun(run('r1', { seq: 50, cancelRequested: true, trigger: 'nightly', scheduledMs: 7 })));
      const b = await store.write((tx) => tx.insertRun(run('r2')));
      expect([a.seq, b.seq]).toEqual([1, 2]);
      expect(await store.read((tx) => tx.getRun('r1'))).toEqual(run('r1', { seq: 1, cancelRequested: true, trigger: 'nightly', scheduledMs: 7 }));
      expect(await store.read((tx) => tx.getRun('nope'))).toBeUndefined();

      const changed: StoredRun = {
        id: 'r2',
        seq: 77,
        state: 'succeeded',
        trigger: 'nightly',
        createdMs: 123_456,
        nowMs: 5 * H + 17,
        planStartMs: 5 * H,
        horizonEndMs: 29 * H,
        paramsJson: '{"horizonHours":24}',
        metadataJson: '{"progress":1}',
        inputJson: '{"jobs":[]}',
        responseJson: '{"plan":[]}',
        errorJson: '',
        owner: 'server-2',
        leaseUntilMs: 6 * H,
        cancelRequested: true,
        scheduledMs: 5 * H,
      };
      await store.write((tx) => tx.updateRun(changed));
      expect(await store.read((tx) => tx.getRun('r2'))).toEqual({ ...changed, seq: 2, createdMs: 1_000 });
      await store.write((tx) => tx.updateRun({ ...changed, cancelRequested: false }));
      expect((await store.read((tx) => tx.getRun('r2')))?.cancelRequested).toBe(false);
      await expectCode(store.write((tx) => tx.updateRun(run('missing'))), 'NOT_FOUND');
      await expectCode(store.write((tx) => tx.insertRun(run('r1'))), 'ALREADY_EXISTS');
    });

    it('deleteRun deletes and says whether the run existed', async () => {
      await store.write((tx) => tx.insertRun(run('r1')));
      expect(await store.write((tx) => tx.deleteRun('r1'))).toBe(true);
      expect(await store.write((tx) => tx.deleteRun('r1'))).toBe(false);
      expect(await store.read((tx) => tx.getRun('r1'))).toBeUndefined();
      expect((await store.write((tx) => tx.insertRun(run('r2')))).seq).toBe(2);
    });

    it('listRuns lists newest first, pages with beforeSeq, filters by state', async () => {
      const states: RunState[] = ['succeeded', 'failed', 'running', 'succeeded', 'queued'];
      await store.write(async (tx) => {
        for (const [i, state] of states.entries()) await tx.insertRun(run(`r${i + 1}`, { state }));
      });
      await store.read(async (tx) => {
        const ids = async (q: Parameters<typeof tx.listRuns>[0]) => (await tx.listRuns(q)).map((r) => r.id);
        expect(await ids({ limit: 10 })).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
        expect(await ids({ limit: 2 })).toEqual(['r5', 'r4']);
        expect(await ids({ limit: 2, beforeSeq: 4 })).toEqual(['r3', 'r2']);
        expect(await ids({ limit: 2, beforeSeq: 2 })).toEqual(['r1']);
        expect(await ids({ limit: 2, beforeSeq: 1 })).toEqual([]);
        expect(await ids({ limit: 10, states: ['succeeded'] })).toEqual(['r4', 'r1']);
        expect(await ids({ limit: 10, states: ['succeeded', 'queued'], beforeSeq: 5 })).toEqual(['r4', 'r1']);
        expect(await ids({ limit: 10, states: [] })).toHaveLength(5);
      });
    });

    it('runsWithExpiredLease returns queued and running runs whose lease ended before now', async () => {
      await store.write(async (tx) => {
        await tx.insertRun(run('queued-100', { state: 'queued', leaseUntilMs: 100 }));
        await tx.insertRun(run('running-200', { state: 'running', leaseUntilMs: 200 }));
        await tx.insertRun(run('running-300', { state: 'running', leaseUntilMs: 300 }));
        await tx.insertRun(run('succeeded-50', { state: 'succeeded', leaseUntilMs: 50 }));
        await tx.insertRun(run('failed-0', { state: 'failed', leaseUntilMs: 0 }));
        await tx.insertRun(run('cancelled-0', { state: 'cancelled', leaseUntilMs: 0 }));
      });
      const expired = async (now: number) => (await store.read((tx) => tx.runsWithExpiredLease(now))).map((r) => r.id);
      expect(await expired(100)).toEqual([]);
      expect(await expired(200)).toEqual(['queued-100']);
      expect(await expired(301)).toEqual(['queued-100', 'running-200', 'running-300']);
    });

    it('latestSucceededRunBefore picks the succeeded run with the greatest planStart < before, then seq', async () => {
      await store.write(async (tx) => {
        await tx.insertRun(run('A', { state: 'succeeded', planStartMs: 0, horizonEndMs: 10 * H }));
        await tx.insertRun(run('B', { state: 'succeeded', planStartMs: 5 * H, horizonEndMs: 12 * H }));
        await tx.insertRun(run('D', { state: 'succeeded', planStartMs: 5 * H, horizonEndMs: 8 * H }));
        await tx.insertRun(run('C-failed', { state: 'failed', planStartMs: 6 * H, horizonEndMs: 20 * H }));
      });
      const before = async (ms: number) => (await store.read((tx) => tx.latestSucceededRunBefore(ms)))?.id;
      expect(await before(0)).toBeUndefined();
      expect(await before(1)).toBe('A');
      expect(await before(5 * H)).toBe('A');
      expect(await before(5 * H + 1)).toBe('D');
      expect(await before(100 * H)).toBe('D');
    });
  });

  describe('request records', () => {
    it('round-trips a record; the same request id again is ALREADY_EXISTS', async () => {
      const record = { requestId: 'req-1', method: 'CreateJob', fingerprint: 'abc123', responseJson: '{"id":"j1"}', createdMs: 77 };
      expect(await store.read((tx) => tx.getRequestRecord('req-1'))).toBeUndefined();
      await store.write((tx) => tx.insertRequestRecord(record));
      expect(await store.read((tx) => tx.getRequestRecord('req-1'))).toEqual(record);
      await expectCode(store.write((tx) => tx.insertRequestRecord({ ...record, fingerprint: 'other' })), 'ALREADY_EXISTS');
      expect((await store.read((tx) => tx.getRequestRecord('req-1')))?.fingerprint).toBe('abc123');
    });
  });

  describe('nightly fires', () => {
    it('claimNightlyFire is true once per (schedule, fire), also across store instances; lastNightlyFire is the latest', async () => {
      expect(await store.read((tx) => tx.lastNightlyFire('nightly'))).toBeUndefined();
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 1_000, 'run-a'))).toBe(true);
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 1_000, 'run-a'))).toBe(false);
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 1_000, 'run-b'))).toBe(false);
      const other = await t.openAnother();
      expect(await other.write((tx) => tx.claimNightlyFire('nightly', 1_000, 'run-c'))).toBe(false);
      expect(await other.write((tx) => tx.claimNightlyFire('nightly', 3_000, 'run-d'))).toBe(true);
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 3_000, 'run-e'))).toBe(false);
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 2_000, 'run-f'))).toBe(true);
      expect(await store.write((tx) => tx.claimNightlyFire('weekly', 1_000, 'run-g'))).toBe(true);
      expect(await store.read((tx) => tx.lastNightlyFire('nightly'))).toBe(3_000);
      expect(await other.read((tx) => tx.lastNightlyFire('weekly'))).toBe(1_000);
      expect(await store.read((tx) => tx.lastNightlyFire('monthly'))).toBeUndefined();
    });

    it('concurrent claims of one fire from two store instances: exactly one wins', async () => {
      const other = await t.openAnother();
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).write((tx) => tx.claimNightlyFire('nightly', 86_400_000, `run-${i}`))),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('transactions', () => {
    it('write returns what work returns; read sees what was committed', async () => {
      expect(await store.write(async (tx) => (await tx.insertJob(job('a'))).seq * 10)).toBe(10);
      expect(await store.read(async (tx) => (await tx.getJob('a'))?.id)).toBe('a');
    });

    it('a throw inside write rolls back everything it wrote and rethrows the same error', async () => {
      await store.write((tx) => tx.insertJob(job('keep')));
      const boom = new Error('boom');
      const thrown = await store
        .write(async (tx) => {
          await tx.insertJob(job('j'));
          await tx.updateJob(job('keep', { state: 'done' }));
          await tx.insertForecast(forecast('s', 1));
          await tx.upsertProgress([progress('j', 's', 0, 3)]);
          await tx.insertRun(run('r'));
          await tx.insertRequestRecord({ requestId: 'q', method: 'M', fingerprint: 'f', responseJson: '{}', createdMs: 1 });
          await tx.claimNightlyFire('nightly', 1, 'r');
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(thrown).toBe(boom);
      await store.read(async (tx) => {
        expect(await tx.getJob('j')).toBeUndefined();
        expect((await tx.getJob('keep'))?.state).toBe('pending');
        expect(await tx.getForecast('s', 'latest')).toBeUndefined();
        expect(await tx.listProgress({})).toEqual([]);
        expect(await tx.getRun('r')).toBeUndefined();
        expect(await tx.getRequestRecord('q')).toBeUndefined();
        expect(await tx.lastNightlyFire('nightly')).toBeUndefined();
      });
      expect(await store.write((tx) => tx.claimNightlyFire('nightly', 1, 'r'))).toBe(true);
      expect((await store.write((tx) => tx.insertForecast(forecast('s', 2)))).version).toBe(1);
    });

    it('a failed statement spoils the transaction even when work catches the error: nothing is committed', async () => {
      const error = await expectCode(
        store.write(async (tx) => {
          await tx.insertJob(job('x'));
          await tx.upsertProgress([progress('ghost', 's', 0, 1)]).catch(() => undefined);
          return 'swallowed';
        }),
        'FAILED_PRECONDITION',
      );
      expect(error.message).toMatch(/missing record/);
      expect(await store.read((tx) => tx.getJob('x'))).toBeUndefined();
      expect((await store.write((tx) => tx.insertJob(job('y')))).seq).toBe(1);
    });

    it('read transactions refuse writes', async () => {
      await expect(store.read((tx) => tx.insertJob(job('a')))).rejects.toBeInstanceOf(CoschedError);
      expect(await store.read((tx) => tx.countJobs())).toBe(0);
      await store.write((tx) => tx.insertJob(job('a')));
      expect(await store.read((tx) => tx.countJobs())).toBe(1);
    });

    it('a transaction started inside another is refused instead of deadlocking; later transactions still work', async () => {
      await expectCode(
        store.write(async () => store.write((tx) => tx.countJobs())),
        'INTERNAL',
        /inside another/,
      );
      await expectCode(
        store.read(async () => store.read((tx) => tx.countJobs())),
        'INTERNAL',
        /inside another/,
      );
      // Work that outlives its transaction (a timer it started) may open a new one afterwards.
      let later: Promise<number> | undefined;
      await store.write(async (tx) => {
        await tx.insertJob(job('a'));
        later = new Promise((resolve, reject) => setTimeout(() => store.read((t2) => t2.countJobs()).then(resolve, reject), 20));
      });
      expect(await later).toBe(1);
    });

    it('a tx used after its transaction ended throws', async () => {
      let leaked: Parameters<Parameters<PlannerStore['write']>[0]>[0] | undefined;
      await store.write(async (tx) => {
        leaked = tx;
      });
      await expectCode(leaked!.countJobs(), 'INTERNAL', /after it ended/);
    });

    it('writers are serialised: concurrent read-modify-write from two store instances loses no update', async () => {
      const other = await t.openAnother();
      await store.write((tx) => tx.insertJob(job('counter')));
      const increment = (s: PlannerStore) =>
        s.write(async (tx) => {
          const current = (await tx.getJob('counter'))!;
          await sleep(1);
          await tx.updateJob({ ...current, doneGpuHours: current.doneGpuHours + 1 });
        });
      await Promise.all(Array.from({ length: 30 }, (_, i) => increment(i % 2 === 0 ? store : other)));
      expect((await other.read((tx) => tx.getJob('counter')))?.doneGpuHours).toBe(30);
    });

    it('close is idempotent and a closed store refuses work', async () => {
      await store.close();
      await store.close();
      await expectCode(store.read((tx) => tx.countJobs()), 'UNAVAILABLE', /closed/);
      await expectCode(store.write((tx) => tx.countJobs()), 'UNAVAILABLE', /closed/);
    });
  });

  describe('migrations', () => {
    const migrationsTable = 'SELECT version, name, applied_ms FROM schema_migrations ORDER BY version';

    it('opening the same database again, also several at once, applies each migration once', async () => {
      await store.write((tx) => tx.insertJob(job('a')));
      const before = await t.sql(migrationsTable);
      expect(before.map((r) => Number(r.version))).toEqual(Array.from({ length: latestSchemaVersion }, (_, i) => i + 1));
      const others = await Promise.all([t.openAnother(), t.openAnother(), t.openAnother()]);
      expect(await t.sql(migrationsTable)).toEqual(before);
      expect((await others[2].read((tx) => tx.getJob('a')))?.id).toBe('a');
    });

    it('a database at a newer schema version than this code is refused with FAILED_PRECONDITION', async () => {
      const newer = latestSchemaVersion + 1;
      await t.sql(
        kind === 'sqlite'
          ? 'INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)'
          : 'INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)',
        [newer, 'from the future', 1],
      );
      await expectCode(t.openAnother(), 'FAILED_PRECONDITION', new RegExp(`database schema version ${newer} is newer than this cosched \\(${latestSchemaVersion}\\)`));
    });
  });
});
