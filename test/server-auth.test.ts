import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import {
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type CallOptions,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenToFile } from '../src/auth/addTokenToFile.js';
import { hashToken, newToken } from '../src/auth/hashToken.js';
import { methodRoles } from '../src/auth/methodRoles.js';
import { TokensFileWatcher } from '../src/auth/TokensFileWatcher.js';
import { tokenClientOptions } from '../src/client/bearerTokenInterceptor.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { CoSchedulerServiceClient, CoSchedulerServiceService } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { StandingPlannerServiceClient, StandingPlannerServiceService, StartPlanRunRequest } from '../src/generated/cosched/v1/standing_planner_service.js';
import { OperationsClient, OperationsService } from '../src/generated/google/longrunning/operations.js';
import { CoschedServer } from '../src/server/CoschedServer.js';
import { clientIdentityKey, createAuthInterceptor } from '../src/server/createAuthInterceptor.js';
import { createLogger } from '../src/server/createLogger.js';
import { defaultServerConfig, type ServerConfig } from '../src/server/ServerConfig.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { callValidate } from './helpers/grpcCalls.js';
import { reflectionClient } from './helpers/standardClients.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** A unary call of a generated client as a promise; rejects with the ServiceError. */
function unary<Request, Response>(
  method: (request: Request, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Response) => void) => unknown,
  request: Request,
  metadata = new Metadata(),
): Promise<Response> {
  return new Promise((resolve, reject) => method(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

/** The ServiceError of a call that must fail. */
async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const outcome = await call.then(
    () => undefined,
    (error: ServiceError) => error,
  );
  expect(outcome, 'the call succeeded; expected an error').toBeDefined();
  return outcome!;
}

interface HealthClient extends Client {
  check(request: { service: string }, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: { status: string }) => void): void;
}

/** A grpc.health.v1 client that sends `token` (if any) with every call. */
function healthClientWith(address: string, token?: string): HealthClient {
  const loaded = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => HealthClient } } };
  };
  return new loaded.grpc.health.v1.Health(address, credentials.createInsecure(), tokenClientOptions(token));
}

/** Waits until `condition()` holds (polled every 50 ms) and returns how long that took; fails after `timeoutMs`. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const startedMs = performance.now();
  while (!(await condition())) {
    if (performance.now() - startedMs > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Math.round(performance.now() - startedMs);
}


/** Client makers for the server at `address()`, sending `token` (none: no authorization header); each client is added to `clients` for closing. */
function tokenClients(address: () => string, clients: Client[]) {
  const api = (token?: string) => {
    const client = new CoSchedulerServiceClient(address(), credentials.createInsecure(), tokenClientOptions(token));
    clients.push(client);
    return client;
  };
  const standing = (token?: string) => {
    const client = new StandingPlannerServiceClient(address(), credentials.createInsecure(), tokenClientOptions(token));
    clients.push(client);
    return client;
  };
  return { api, standing };
}
describe('authentication and authorization (bearer tokens from a tokens file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const plannerToken = addTokenToFile(tokensFile, 'sched-a', 'planner');
  const adminToken = addTokenToFile(tokensFile, 'ops', 'admin');
  const unknownToken = newToken();
  const everyToken: string[] = [plannerToken, adminToken, unknownToken];
  let test: TestServer;
  const clients: Client[] = [];
  const { api, standing } = tokenClients(() => test.address, clients);
  const accepted = async (token: string) => {
    const outcome = await callValidate(api(token), oneSiteFourHours()).then(
      () => 'ok',
      (error: ServiceError) => error.code,
    );
    return outcome === 'ok';
  };

  beforeAll(async () => {
    test = await startTestServer({ tokensFile });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores only hashes: the file holds sha256:<hex> of each token and never a token', () => {
    const text = readFileSync(tokensFile, 'utf8');
    expect(text).toContain(hashToken(plannerToken));
    expect(text).toContain(hashToken(adminToken));
    for (const token of everyToken) expect(text).not.toContain(token);
    expect(plannerToken).toMatch(/^cosched_[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a call without a token: UNAUTHENTICATED, with ErrorInfo CREDENTIALS_MISSING', async () => {
    const error = await failure(callValidate(api(), oneSiteFourHours()));

    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/authentication required/);
    expect(decodeStatusDetails(error.metadata).errorInfo?.reason).toBe('CREDENTIALS_MISSING');
  });

  it('refuses an unknown token and a malformed header alike, without echoing them', async () => {
    const unknown = await failure(callValidate(api(unknownToken), oneSiteFourHours()));
    const malformed = await Promise.all(
      [`Basic ${plannerToken}`, `Bearer ${plannerToken} extra`, 'Bearer short', 'Bearer', plannerToken].map((value) => {
        const metadata = new Metadata();
        metadata.set('authorization', value);
        return failure(unary(api().validatePlanRequest.bind(api()), { request: oneSiteFourHours() }, metadata));
      }),
    );

    for (const error of [unknown, ...malformed]) {
      expect(error.code, error.details).toBe(status.UNAUTHENTICATED);
      // The same words whether the token is unknown or malformed: nothing says whether a token exists.
      expect(error.details).toBe(unknown.details);
      for (const token of everyToken) expect(error.details).not.toContain(token);
      expect(decodeStatusDetails(error.metadata).errorInfo?.reason).toBe('CREDENTIALS_REJECTED');
    }
  });

  it('lets a planner token plan and read, and refuses it every write: PERMISSION_DENIED', async () => {
    const validated = await callValidate(api(plannerToken), oneSiteFourHours());
    const jobs = await unary(standing(plannerToken).listJobs.bind(standing(plannerToken)), { pageSize: 0, pageToken: '', filter: '' });
    const client = standing(plannerToken);
    const operations = new OperationsClient(test.address, credentials.createInsecure(), tokenClientOptions(plannerToken));
    clients.push(operations);
    const denied = await Promise.all([
      failure(unary(client.deleteJob.bind(client), { name: 'jobs/none' })),
      failure(unary(client.batchCreateJobs.bind(client), { requests: [], requestId: '' })),
      failure(unary(client.startPlanRun.bind(client), StartPlanRunRequest.fromPartial({}))),
      failure(unary(operations.cancelOperation.bind(operations), { name: 'operations/none' })),
    ]);

    expect(validated.valid).toBe(true);
    expect(jobs.jobs).toEqual([]);
    for (const error of denied) {
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.details).toMatch(/^role planner may not call \S+: it needs role admin$/);
      expect(decodeStatusDetails(error.metadata).errorInfo?.reason).toBe('ROLE_INSUFFICIENT');
      expect(error.details).not.toContain(plannerToken);
    }
  });

  it('lets an admin token change jobs (the call reaches the handler)', async () => {
    const client = standing(adminToken);
    const error = await failure(unary(client.deleteJob.bind(client), { name: 'jobs/none' }));
    const created = await unary(client.batchCreateJobs.bind(client), { requests: [], requestId: '' }).catch((e: ServiceError) => e);

    expect(error.code).toBe(status.NOT_FOUND);
    expect((created as ServiceError).code).not.toBe(status.PERMISSION_DENIED);
    expect((created as ServiceError).code).not.toBe(status.UNAUTHENTICATED);
  });

  it('leaves health and reflection open by default', async () => {
    const health = healthClientWith(test.address);
    clients.push(health);
    const answer = await unary(health.check.bind(health), { service: '' });
    const reflection = reflectionClient(test.address);
    clients.push(reflection);
    const services = await new Promise<string[]>((resolve, reject) => {
      const stream = reflection.serverReflectionInfo();
      stream.on('data', (response: { list_services_response?: { service: Array<{ name: string }> } }) => {
        resolve(response.list_services_response?.service.map((s) => s.name) ?? []);
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });

    expect(answer.status).toBe('SERVING');
    expect(services).toContain('cosched.v1.CoSchedulerService');
  });

  it('reloads the file: a token added is accepted, a token removed is refused, within about a second', async () => {
    const lateToken = addTokenToFile(tokensFile, 'late', 'planner'); // an atomic rename, as editors do
    everyToken.push(lateToken);
    const addedMs = await waitFor(() => accepted(lateToken), 5_000, 'the added token is accepted');

    // Revoke by rewriting the file in place without that entry.
    const document = parseYaml(readFileSync(tokensFile, 'utf8')) as { tokens: Array<{ name: string }> };
    writeFileSync(tokensFile, stringifyYaml({ tokens: document.tokens.filter((entry) => entry.name !== 'late') }));
    const revokedMs = await waitFor(async () => !(await accepted(lateToken)), 5_000, 'the removed token is refused');

    expect(await accepted(plannerToken)).toBe(true);
    expect(addedMs).toBeLessThan(3_000);
    expect(revokedMs).toBeLessThan(3_000);
    const reloads = test.logs.filter((line) => line.msg === 'tokens file reloaded');
    expect(reloads.length).toBeGreaterThanOrEqual(2);
    console.log(`tokens file reload: added token accepted after ${addedMs} ms, removed token refused after ${revokedMs} ms`);
  });

  it('keeps the previous tokens when the file turns bad, logs the problem, and loads the next good version', async () => {
    const good = readFileSync(tokensFile, 'utf8');
    const errorsBefore = test.logs.filter((line) => line.msg === 'tokens file not reloaded: keeping the previous tokens').length;
    writeFileSync(tokensFile, `${good}  - name: broken\n    role: owner\n    hash: sha256:abc\n`);
    const logged = await waitFor(
      async () => test.logs.filter((line) => line.msg === 'tokens file not reloaded: keeping the previous tokens').length > errorsBefore,
      5_000,
      'the broken file is reported',
    );
    const report = test.logs.filter((line) => line.msg === 'tokens file not reloaded: keeping the previous tokens').at(-1)!;

    expect(String(report.problem)).toContain(tokensFile);
    expect(String(report.problem)).toMatch(/tokens\[\d+\]\.role: 'owner': expected one of planner, admin/);
    expect(String(report.problem)).toMatch(/tokens\[\d+\]\.hash: malformed/);
    expect(report.level).toBe('error');
    expect(await accepted(plannerToken)).toBe(true);
    expect(await accepted(adminToken)).toBe(true);
    expect(logged).toBeLessThan(3_000);

    // A file that disappears is a broken file too; then the good version comes back (atomically).
    rmSync(tokensFile);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await accepted(plannerToken)).toBe(true);
    const reloadsBefore = test.logs.filter((line) => line.msg === 'tokens file reloaded').length;
    writeFileSync(`${tokensFile}.new`, good);
    renameSync(`${tokensFile}.new`, tokensFile);
    await waitFor(async () => test.logs.filter((line) => line.msg === 'tokens file reloaded').length > reloadsBefore, 5_000, 'the good file is loaded again');
    expect(await accepted(adminToken)).toBe(true);
  });

  it('at level info logs no refused call (a flood of bad tokens does not flood the log), and never a token or an authorization header', () => {
    const everything = JSON.stringify(test.logs);

    // Many calls above were refused; `call refused` is a debug line (see the next describe).
    expect(test.logs.filter((line) => line.msg === 'call refused')).toEqual([]);
    for (const token of everyToken) expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/Bearer/i);
  });
});

/** A real server like startTestServer's, but logging at `level` (startTestServer logs at info). */
async function startServerLoggingAt(level: 'debug' | 'info', overrides: Partial<ServerConfig>): Promise<{ address: string; server: CoschedServer; logs: Array<Record<string, unknown>>; close(): Promise<void> }> {
  const logs: Array<Record<string, unknown>> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'cosched-test-data-'));
  const server = await CoschedServer.start({ ...defaultServerConfig(), host: '127.0.0.1', port: 0, workers: 1, dataDir, ...overrides }, createLogger(level, logSink(logs)));
  return {
    address: `127.0.0.1:${server.port}`,
    server,
    logs,
    async close() {
      await server.forceShutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A stream that parses each pino line written to it into `logs`. */
function logSink(logs: Array<Record<string, unknown>>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}

/** The sum of the `cosched_grpc_calls_total` samples at `metricsPort` whose labels include `labels`. */
async function callsCounted(metricsPort: number, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^cosched_grpc_calls_total\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const have = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => have[key] === value)) sum += Number(match[2]);
  }
  return sum;
}

describe('refused calls: logged at debug only, counted in the metrics, free of the rate budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-refused-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const plannerToken = addTokenToFile(tokensFile, 'sched-a', 'planner');
  const budgetToken = addTokenToFile(tokensFile, 'budget', 'planner');
  const unknownToken = newToken();
  let test: Awaited<ReturnType<typeof startServerLoggingAt>>;
  const clients: Client[] = [];
  const { api, standing } = tokenClients(() => test.address, clients);

  beforeAll(async () => {
    // A small rate budget (burst 3, then 1 call a second) makes a spent budget visible at once.
    test = await startServerLoggingAt('debug', { tokensFile, metricsPort: 0, requestsPerSecondPerClient: 1, requestBurstPerClient: 3 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs each refusal at level debug (method, code, reason, peer, the caller when known) and counts it in cosched_grpc_calls_total', async () => {
    const planner = standing(plannerToken);
    const refused = await Promise.all([
      failure(callValidate(api(), oneSiteFourHours())),
      failure(callValidate(api(unknownToken), oneSiteFourHours())),
      failure(callValidate(api(unknownToken), oneSiteFourHours())),
      failure(unary(planner.deleteJob.bind(planner), { name: 'jobs/none' })),
    ]);
    const lines = test.logs.filter((line) => line.msg === 'call refused');
    const everything = JSON.stringify(test.logs);

    expect(refused.map((error) => error.code)).toEqual([status.UNAUTHENTICATED, status.UNAUTHENTICATED, status.UNAUTHENTICATED, status.PERMISSION_DENIED]);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line.level).toBe('debug');
      expect(typeof line.peer).toBe('string');
    }
    expect(lines.filter((line) => line.method === 'cosched.v1.CoSchedulerService/ValidatePlanRequest' && line.code === 'UNAUTHENTICATED').map((line) => line.reason).sort()).toEqual([
      'CREDENTIALS_MISSING',
      'CREDENTIALS_REJECTED',
      'CREDENTIALS_REJECTED',
    ]);
    expect(lines.some((line) => line.code === 'PERMISSION_DENIED' && line.reason === 'ROLE_INSUFFICIENT' && line.client === 'token:sched-a')).toBe(true);
    expect(await callsCounted(test.server.metricsServer!.port, { method: 'ValidatePlanRequest', code: 'UNAUTHENTICATED' })).toBe(3);
    expect(await callsCounted(test.server.metricsServer!.port, { method: 'DeleteJob', code: 'PERMISSION_DENIED' })).toBe(1);
    for (const token of [plannerToken, budgetToken, unknownToken]) expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/Bearer/i);
  });

  it('spends no rate budget on calls refused by authentication: after 30 refusals the caller still has its whole burst', async () => {
    const client = standing(budgetToken);
    const refused = await Promise.all([
      ...Array.from({ length: 15 }, () => failure(unary(client.deleteJob.bind(client), { name: 'jobs/none' }))),
      ...Array.from({ length: 15 }, () => failure(callValidate(api(unknownToken), oneSiteFourHours()))),
    ]);
    const planner = api(budgetToken);
    const burst = await Promise.all(Array.from({ length: 3 }, () => callValidate(planner, oneSiteFourHours())));
    // The limiter is on: the budget is spent by accepted calls (at most one token more comes within a second).
    const beyond = await Promise.all(Array.from({ length: 3 }, () => callValidate(planner, oneSiteFourHours()).then(() => status.OK, (error: ServiceError) => error.code)));

    expect(new Set(refused.map((error) => error.code))).toEqual(new Set([status.PERMISSION_DENIED, status.UNAUTHENTICATED]));
    expect(burst.every((answer) => answer.valid)).toBe(true);
    expect(beyond).toContain(status.RESOURCE_EXHAUSTED);
  });
});

describe('the tokens file on disk: its mode, its owner, and changes within the time granularity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-file-'));
  const watchers: TokensFileWatcher[] = [];
  afterAll(() => {
    for (const watcher of watchers) watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a new tokens file with mode 0600, and keeps an existing one\'s mode (and, as root, its owner) on every change, leaving no temporary file', () => {
    const sub = mkdtempSync(join(dir, 'owned-'));
    const file = join(sub, 'tokens.yaml');
    addTokenToFile(file, 'first', 'planner');
    const created = statSync(file);
    chmodSync(file, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(file, 4321, 4322);
    addTokenToFile(file, 'second', 'admin');
    const changed = statSync(file);

    expect(created.mode & 0o777).toBe(0o600);
    expect(changed.mode & 0o777).toBe(0o640);
    if (root) expect([changed.uid, changed.gid]).toEqual([4321, 4322]);
    expect(readFileSync(file, 'utf8')).toMatch(/name: first[\s\S]*name: second/);
    expect(readdirSync(sub)).toEqual(['tokens.yaml']);
  });

  it('warns, naming the file and its mode, when it loads a tokens file its group or others may write (at start and on reload)', async () => {
    const file = join(dir, 'shared.yaml');
    addTokenToFile(file, 'first', 'planner');
    chmodSync(file, 0o664);
    const logs: Array<Record<string, unknown>> = [];
    const watcher = TokensFileWatcher.start(file, createLogger('info', logSink(logs)));
    watchers.push(watcher);
    const warnings = () => logs.filter((line) => line.level === 'warn' && line.tokensFile === file);
    const atStart = warnings().length;
    addTokenToFile(file, 'second', 'planner');
    await waitFor(async () => logs.some((line) => line.msg === 'tokens file reloaded'), 5_000, 'the changed file is reloaded');

    expect(atStart).toBe(1);
    expect(warnings()).toHaveLength(2);
    for (const line of warnings()) {
      expect(line.mode).toBe('0664');
      expect(String(line.msg)).toContain(`tokens file ${file} is writable by its group or others (mode 0664)`);
    }
    chmodSync(file, 0o600);
    const quiet: Array<Record<string, unknown>> = [];
    watchers.push(TokensFileWatcher.start(file, createLogger('info', logSink(quiet))));
    expect(quiet.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('sees a hash replaced in place with the same size, modification time and inode', async () => {
    const file = join(dir, 'in-place.yaml');
    const oldToken = addTokenToFile(file, 'rotated', 'planner');
    const sameTime = new Date('2026-01-01T00:00:00Z');
    utimesSync(file, sameTime, sameTime);
    const before = statSync(file);
    const logs: Array<Record<string, unknown>> = [];
    const watcher = TokensFileWatcher.start(file, createLogger('info', logSink(logs)));
    watchers.push(watcher);
    const newTokenValue = newToken();
    writeFileSync(file, readFileSync(file, 'utf8').replace(hashToken(oldToken), hashToken(newTokenValue)));
    utimesSync(file, sameTime, sameTime);
    const after = statSync(file);

    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    await waitFor(async () => watcher.current().tokens.has(hashToken(newTokenValue)), 5_000, 'the replaced hash is loaded');
    expect(watcher.current().tokens.has(hashToken(oldToken))).toBe(false);
    // Unchanged content is not reloaded again.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(logs.filter((line) => line.msg === 'tokens file reloaded')).toHaveLength(1);
  });
});

describe('health and reflection closed (--health-reflection closed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-closed-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const plannerToken = addTokenToFile(tokensFile, 'sched-a', 'planner');
  let test: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    test = await startTestServer({ tokensFile, closeHealthAndReflection: true });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses health and reflection without a token, and answers health with any valid token', async () => {
    const anonymous = healthClientWith(test.address);
    const withToken = healthClientWith(test.address, plannerToken);
    const reflection = reflectionClient(test.address);
    clients.push(anonymous, withToken, reflection);
    const refused = await failure(unary(anonymous.check.bind(anonymous), { service: '' }));
    const reflectionError = await new Promise<ServiceError>((resolve) => {
      const stream = reflection.serverReflectionInfo();
      stream.on('data', () => resolve({ code: status.OK } as ServiceError));
      stream.on('error', resolve);
      stream.write({ list_services: '' });
    });
    const answer = await unary(withToken.check.bind(withToken), { service: 'cosched.v1.CoSchedulerService' });

    expect(refused.code).toBe(status.UNAUTHENTICATED);
    expect(reflectionError.code).toBe(status.UNAUTHENTICATED);
    expect(answer.status).toBe('SERVING');
  });

  it("the Docker HEALTHCHECK script sends COSCHED_TOKEN when it is set", async () => {
    const check = (env: Record<string, string | undefined>) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, ['bin/cosched-healthcheck.js', test.address], { env: { ...process.env, COSCHED_TLS_CERT: undefined, COSCHED_TOKEN: undefined, ...env } }, (error, stdout) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const [without, withToken] = await Promise.all([check({}), check({ COSCHED_TOKEN: plannerToken })]);

    expect(without).toMatchObject({ code: 1 });
    expect(without.stdout).toMatch(/^UNHEALTHY .*UNAUTHENTICATED/);
    expect(withToken).toEqual({ code: 0, stdout: `SERVING ${test.address}\n` });
  });
});

describe('the auth interceptor and the `cosched-client` identity (a real grpc-js server with a test method)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-identity-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const adminToken = addTokenToFile(tokensFile, 'ops', 'admin');
  const plannerToken = addTokenToFile(tokensFile, 'sched-a', 'planner');
  // A method cosched does not have: not in the role table, so it needs admin.
  const echo = {
    whoAmI: {
      path: '/test.Echo/WhoAmI',
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (value: Buffer) => value,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
  const EchoClient = makeGenericClientConstructor(echo, 'Echo');
  const servers: Server[] = [];
  const clients: Client[] = [];
  const silent = pino({ level: 'silent' });
  const watchers: Array<{ close(): void }> = [];

  /** Serves WhoAmI (answering the `cosched-client` and `authorization` values it was handed) behind the interceptor. */
  async function serve(withTokens: boolean): Promise<string> {
    const { TokensFileWatcher } = await import('../src/auth/TokensFileWatcher.js');
    const watcher = withTokens ? TokensFileWatcher.start(tokensFile, silent) : undefined;
    if (watcher) watchers.push(watcher);
    const server = new Server({ interceptors: [createAuthInterceptor({ credentials: watcher && (() => watcher.current()), closeHealthAndReflection: false, logger: silent })] });
    server.addService(echo, {
      whoAmI: (call: { metadata: Metadata }, callback: (error: null, response: Buffer) => void) =>
        callback(null, Buffer.from(JSON.stringify({ client: call.metadata.get(clientIdentityKey), authorization: call.metadata.get('authorization') }))),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    servers.push(server);
    return `127.0.0.1:${port}`;
  }
  function whoAmI(address: string, token: string | undefined, spoofed?: string): Promise<{ client: string[]; authorization: string[] }> {
    const client = new EchoClient(address, credentials.createInsecure(), tokenClientOptions(token)) as unknown as Client & {
      whoAmI(request: Buffer, metadata: Metadata, callback: (error: ServiceError | null, response: Buffer) => void): void;
    };
    clients.push(client);
    const metadata = new Metadata();
    if (spoofed !== undefined) metadata.set(clientIdentityKey, spoofed);
    return new Promise((resolve, reject) => client.whoAmI(Buffer.alloc(0), metadata, (error, response) => (error ? reject(error) : resolve(JSON.parse(response.toString())))));
  }

  afterAll(() => {
    for (const client of clients) client.close();
    for (const server of servers) server.forceShutdown();
    for (const watcher of watchers) watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a client-sent cosched-client with token:<name> and hides the authorization header', async () => {
    const address = await serve(true);
    const seen = await whoAmI(address, adminToken, 'token:someone-else');

    expect(seen).toEqual({ client: ['token:ops'], authorization: [] });
  });

  it('needs admin for a method not in the role table', async () => {
    const address = await serve(true);
    const error = await failure(whoAmI(address, plannerToken));

    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(methodRoles['/test.Echo/WhoAmI']).toBeUndefined();
  });

  it('without a tokens file lets every call through, still removing a client-sent cosched-client', async () => {
    const address = await serve(false);
    const seen = await whoAmI(address, undefined, 'token:ops');

    expect(seen).toEqual({ client: [], authorization: [] });
  });
});

describe('the role table', () => {
  it('names every method of cosched\'s own services, and nothing else', () => {
    const paths = [CoSchedulerServiceService, StandingPlannerServiceService, OperationsService].flatMap((service) => Object.values(service).map((method) => method.path));

    expect(Object.keys(methodRoles).sort()).toEqual(paths.sort());
    expect(methodRoles['/cosched.v1.CoSchedulerService/EvaluatePlan']).toBe('planner');
  });
});

describe('a broken tokens file at start', () => {
  it('stops the server from starting, naming the file and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-broken-'));
    const tokensFile = join(dir, 'tokens.yaml');
    writeFileSync(tokensFile, 'tokens:\n  - name: a b\n    role: planner\n    hash: sha256:00\n');
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    try {
      const started = CoschedServer.start({ ...defaultServerConfig(), port: 0, workers: 1, dataDir: join(dir, 'data'), tokensFile }, createLogger('info', sink));

      await expect(started).rejects.toThrow(new RegExp(`tokens file ${tokensFile}: 2 problems\\n  tokens\\[0\\]\\.name: 'a b': expected`));
      await expect(CoschedServer.start({ ...defaultServerConfig(), port: 0, workers: 1, dataDir: join(dir, 'data'), tokensFile: join(dir, 'missing.yaml') }, createLogger('info', sink))).rejects.toThrow(
        /tokens file \S+missing\.yaml: cannot read it: ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
