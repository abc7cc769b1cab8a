import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { openStore } from '../../src/store/openStore.js';
import type { PlannerStore, StoredJob } from '../../src/store/PlannerStore.js';
import { resolvePostgresTarget } from '../../src/store/PostgresStore.js';
import { toPostgresPlaceholders } from '../../src/store/SqlExecutor.js';
import { openTestStore, testPostgresUrl, type TestStore } from '../helpers/testStores.js';

async function failure(promise: Promise<unknown>): Promise<CoschedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoschedError);
  return error as CoschedError;
}

const job: StoredJob = {
  id: 'j1',
  seq: 0,
  specJson: '{}',
  state: 'pending',
  stateReason: '',
  doneGpuHours: 0,
  planRunId: '',
  plannedJson: '[]',
  runningSite: '',
  createdMs: 1,
  updatedMs: 1,
};

describe('openStore: SQLite', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cosched-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to <dataDir>/cosched.sqlite3, creating the directory', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const store = await openStore({ dataDir });
    try {
      expect(store.kind).toBe('sqlite');
      expect(store.location).toBe(join(dataDir, 'cosched.sqlite3'));
      expect(existsSync(join(dataDir, 'cosched.sqlite3'))).toBe(true);
      await store.write((tx) => tx.insertJob(job));
    } finally {
      await store.close();
    }
    const again = await openStore({ url: '', dataDir });
    try {
      expect((await again.read((tx) => tx.getJob('j1')))?.seq).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('accepts sqlite:PATH, sqlite:///abs/path and plain .sqlite3/.db paths', async () => {
    for (const [url, file] of [
      [`sqlite:${join(dir, 'a.sqlite3')}`, join(dir, 'a.sqlite3')],
      [`sqlite://${join(dir, 'b.anything')}`, join(dir, 'b.anything')],
      [join(dir, 'c.db'), join(dir, 'c.db')],
      [join(dir, 'sub', 'd.sqlite3'), join(dir, 'sub', 'd.sqlite3')],
    ]) {
      const store = await openStore({ url });
      await store.close();
      expect(store.location).toBe(file);
      expect(existsSync(file)).toBe(true);
    }
  });

  it('refuses an unusable directory or file with INVALID_ARGUMENT', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const error = await failure(openStore({ dataDir: file }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(file);

    const garbage = join(dir, 'garbage.sqlite3');
    writeFileSync(garbage, 'this is not a database, just some text long enough to have a header page '.repeat(20));
    const bad = await failure(openStore({ url: garbage }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toContain(garbage);
  });

  it('refuses an unsupported URL (without echoing its password) and a schema for SQLite', async () => {
    const error = await failure(openStore({ url: 'mysql://bob:hunter2@db.example/cosched' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('mysql://bob@db.example/cosched');
    expect(error.message).not.toContain('hunter2');
    expect((await failure(openStore({ url: 'cosched-data' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(openStore({ url: 'sqlite:' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(openStore({ dataDir: dir, schema: 'x' }))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('openStore: PostgreSQL', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('postgres');
    await t.store.write((tx) => tx.insertJob(job));
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('an unreachable server is UNAVAILABLE, naming the URL without password and the cause', async () => {
    const error = await failure(openStore({ url: 'postgres://bob:hunter2@127.0.0.1:1/test' }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('postgres://bob@127.0.0.1:1/test');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain('hunter2');
  });

  it('a missing database is UNAVAILABLE with the server message', async () => {
    const url = new URL(testPostgresUrl());
    url.pathname = '/cosched_no_such_database';
    const error = await failure(openStore({ url: url.toString() }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/cosched_no_such_database/);
  });

  it('selects the schema by option, ?schema= or ?options=-c search_path=, all reaching the same tables', async () => {
    const server = testPostgresUrl();
    const schema = t.schema!;
    const withOptions = new URL(server);
    withOptions.searchParams.set('options', `-c search_path=${schema}`);
    const stores: PlannerStore[] = [];
    try {
      for (const options of [{ url: t.url }, { url: server, schema }, { url: withOptions.toString() }, { url: t.url, schema }]) {
        const store = await openStore(options);
        stores.push(store);
        expect(store.kind).toBe('postgres');
        expect(store.location).toContain(`schema=${schema}`);
        expect((await store.read((tx) => tx.getJob('j1')))?.seq).toBe(1);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('refuses conflicting or malformed schemas and malformed URLs with INVALID_ARGUMENT', async () => {
    const server = testPostgresUrl();
    expect((await failure(openStore({ url: `${t.url}`, schema: 'other' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(openStore({ url: server, schema: 'bad-name; drop' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(openStore({ url: 'postgres://[oops' }))).code).toBe('INVALID_ARGUMENT');
  });

  it('resolvePostgresTarget folds unquoted search_path names to lower case and keeps quoted ones', () => {
    expect(resolvePostgresTarget('postgres://h/db?options=-c%20search_path%3DAbc').schema).toBe('abc');
    expect(resolvePostgresTarget('postgres://h/db?options=-c%20search_path%3D%22Abc%22').schema).toBe('Abc');
    const target = resolvePostgresTarget('postgres://u:pw@h/db?schema=Mixed_1');
    expect(target.connectionString).toContain('search_path%3D%22Mixed_1%22');
    expect(target.connectionString).not.toContain('schema=');
    expect(target.location).toBe('postgres://u@h/db?schema=Mixed_1');
  });
});

describe('toPostgresPlaceholders', () => {
  it('numbers ? outside quotes and comments', () => {
    expect(toPostgresPlaceholders(`SELECT ?, '?', "a?" FROM t WHERE x = ? -- ?\nAND y IN (?, ?)`)).toBe(
      `SELECT $1, '?', "a?" FROM t WHERE x = $2 -- ?\nAND y IN ($3, $4)`,
    );
  });
});
