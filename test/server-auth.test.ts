import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
import { tokenClientOptions } from '../src/client/bearerTokenInterceptor.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { StandingPlannerServiceClient, StartPlanRunRequest } from '../src/generated/cosched/v1/standing_planner_service.js';
import { OperationsClient } from '../src/generated/google/longrunning/operations.js';
import { CoschedServer } from '../src/server/CoschedServer.js';
import { clientIdentityKey, createAuthInterceptor } from '../src/server/createAuthInterceptor.js';
import { createLogger } from '../src/server/createLogger.js';
import { defaultServerConfig } from '../src/server/ServerConfig.js';
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

describe('authentication and authorization (bearer tokens from a tokens file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-auth-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const plannerToken = addTokenToFile(tokensFile, 'sched-a', 'planner');
  const adminToken = addTokenToFile(tokensFile, 'ops', 'admin');
  const unknownToken = newToken();
  const everyToken: string[] = [plannerToken, adminToken, unknownToken];
  let test: TestServer;
  const clients: Client[] = [];
  const api = (token?: string) => {
    const client = new CoSchedulerServiceClient(test.address, credentials.createInsecure(), tokenClientOptions(token));
    clients.push(client);
    return client;
  };
  const standing = (token?: string) => {
    const client = new StandingPlannerServiceClient(test.address, credentials.createInsecure(), tokenClientOptions(token));
    clients.push(client);
    return client;
  };
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

  it('logs each refused call (method, code, peer) and never a token or an authorization header', () => {
    const refused = test.logs.filter((line) => line.msg === 'call refused');
    const everything = JSON.stringify(test.logs);

    expect(refused.some((line) => line.code === 'UNAUTHENTICATED' && line.method === 'cosched.v1.CoSchedulerService/ValidatePlanRequest')).toBe(true);
    expect(refused.some((line) => line.code === 'PERMISSION_DENIED' && line.client === 'token:sched-a' && typeof line.peer === 'string')).toBe(true);
    for (const token of everyToken) expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/Bearer/i);
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
