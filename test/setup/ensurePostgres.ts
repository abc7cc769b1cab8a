/**
 * Vitest globalSetup: makes sure a PostgreSQL server is there for the store tests.
 *
 * COSCHED_TEST_POSTGRES_URL selects it (default postgres://postgres@127.0.0.1:5432/test). When
 * it answers, nothing else happens (its database is created when missing). When it does not,
 * a throwaway cluster is started instead of skipping the tests: Debian's binaries
 * (/usr/lib/postgresql/<v>/bin; `apt-get install postgresql` when missing and we are root),
 * `initdb` in a temp dir, `pg_ctl start` on a free 127.0.0.1 port, database `test`; run as the
 * `postgres` OS user when we are root. It is stopped and removed at teardown.
 *
 * The URL in use reaches the test files as `inject('coschedTestPostgresUrl')` and as
 * process.env.COSCHED_TEST_POSTGRES_URL (so server processes the tests spawn see it too).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/freePort.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the store tests use (a database URL, no schema). */
    coschedTestPostgresUrl: string;
  }
}

export const defaultTestPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

export default async function ensurePostgres(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const wanted = process.env.COSCHED_TEST_POSTGRES_URL || defaultTestPostgresUrl;
  const problem = await checkServer(wanted);
  if (problem === undefined) {
    publish(project, wanted);
    return undefined;
  }
  const server = await startThrowawayServer(wanted, problem);
  console.warn(`[ensurePostgres] PostgreSQL not reachable at ${redact(wanted)} (${problem}); started a throwaway one at ${server.url}`);
  publish(project, server.url);
  return server.stop;
}

function publish(project: TestProject, url: string): void {
  process.env.COSCHED_TEST_POSTGRES_URL = url;
  project.provide('coschedTestPostgresUrl', url);
}

/** Undefined when `url` answers (creating its database when only that is missing), else why not. */
async function checkServer(url: string): Promise<string | undefined> {
  const first = await trySelect(url);
  if (first === undefined || first.code !== '3D000') return first?.message;
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  parsed.pathname = '/postgres';
  const client = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') return `database ${database} is missing and cannot be created: ${messageOf(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
  return (await trySelect(url))?.message;
}

async function trySelect(url: string): Promise<{ code: string; message: string } | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return { code: String((error as { code?: unknown }).code ?? ''), message: messageOf(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface ThrowawayServer {
  url: string;
  stop(): Promise<void>;
}

async function startThrowawayServer(wanted: string, problem: string): Promise<ThrowawayServer> {
  const bin = await findServerBinaries(wanted, problem);
  const dir = mkdtempSync(join(tmpdir(), 'cosched-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (isRoot) {
    const [uid, gid] = await postgresUser();
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (started) await asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asServerUser(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    started = true;
    await asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE test');
    } finally {
      await admin.end();
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/test`, stop };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
    await stop();
    throw new Error(`[ensurePostgres] could not start a throwaway PostgreSQL: ${messageOf(error)}${log ? `\n${log}` : ''}`);
  }
}

/** The directory holding initdb and pg_ctl, installing Debian's postgresql package when missing and root. */
async function findServerBinaries(wanted: string, problem: string): Promise<string> {
  const found = locateServerBinaries();
  if (found) return found;
  const command = 'apt-get update && apt-get install -y --no-install-recommends postgresql';
  if (!isRoot) {
    const fix = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql';
    throw new Error(
      `[ensurePostgres] PostgreSQL is not reachable at ${redact(wanted)} (${problem}) and its server binaries are missing; ` +
        `run: ${fix}  (or set COSCHED_TEST_POSTGRES_URL to a reachable server)`,
    );
  }
  console.warn(`[ensurePostgres] PostgreSQL server binaries missing; running: ${command}`);
  try {
    await run('sh', ['-c', command], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`[ensurePostgres] ${command} failed: ${messageOf(error)}`);
  }
  const installed = locateServerBinaries();
  if (!installed) throw new Error('[ensurePostgres] installed postgresql but found no /usr/lib/postgresql/*/bin/initdb');
  return installed;
}

function locateServerBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

/** Runs a PostgreSQL server program; as root, as the `postgres` OS user (the server refuses root). */
async function asServerUser(program: string, args: string[]): Promise<void> {
  const [command, commandArgs] = isRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  try {
    await run(command, commandArgs, { cwd: tmpdir(), maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new Error(`${program} ${args.join(' ')}: ${messageOf(error)}${e.stderr ? `\n${e.stderr}` : ''}`);
  }
}

async function postgresUser(): Promise<[number, number]> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
  } catch {
    throw new Error('[ensurePostgres] running as root but there is no `postgres` OS user to run the server as (install the postgresql package)');
  }
}


function redact(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1@');
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return [...new Set(error.errors.map(messageOf))].join('; ');
  if (error instanceof Error) return error.message || String((error as { code?: string }).code ?? error.name);
  return String(error);
}
