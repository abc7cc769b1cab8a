import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status, type CallOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenToFile } from '../src/auth/addTokenToFile.js';
import { tokenClientOptions } from '../src/client/bearerTokenInterceptor.js';
import { channelCredentials, type ChannelTls } from '../src/client/channelCredentials.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { planOnServer } from '../src/client/planOnServer.js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { StandingPlannerServiceClient } from '../src/generated/cosched/v1/standing_planner_service.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { callValidate } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

function unary<Request, Response>(
  method: (request: Request, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Response) => void) => unknown,
  request: Request,
): Promise<Response> {
  return new Promise((resolve, reject) => method(request, new Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const outcome = await call.then(
    () => undefined,
    (error: ServiceError) => error,
  );
  expect(outcome, 'the call succeeded; expected an error').toBeDefined();
  return outcome!;
}

describe('mTLS: client certificates (--tls-client-ca), their roles from the tokens file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-mtls-'));
  const file = (name: string) => join(dir, name);
  const tokensFile = file('tokens.yaml');
  let adminToken: string;
  let test: TestServer;
  const clients: Client[] = [];

  /** A key and a certificate for `cn` signed by the test CA (or self-signed with `selfSigned`), made by openssl. */
  function certificate(name: string, cn: string, options: { selfSigned?: boolean; ext?: string } = {}): void {
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file(`${name}.key`)];
    if (options.selfSigned) {
      execFileSync('openssl', ['req', '-x509', ...key, '-days', '2', '-subj', `/CN=${cn}`, '-out', file(`${name}.pem`)], { stdio: 'ignore' });
      return;
    }
    execFileSync('openssl', ['req', ...key, '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`)], { stdio: 'ignore' });
    const extfile = file(`${name}.ext`);
    writeFileSync(extfile, options.ext ?? 'extendedKeyUsage=clientAuth\n');
    execFileSync('openssl', ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', extfile, '-out', file(`${name}.pem`)], {
      stdio: 'ignore',
    });
  }
  const tlsAs = (name: string | undefined): ChannelTls => ({ tlsCaPath: file('ca.pem'), tlsCertPath: name && file(`${name}.pem`), tlsKeyPath: name && file(`${name}.key`) });
  const api = (name: string | undefined, token?: string) => {
    const client = new CoSchedulerServiceClient(test.address, channelCredentials(tlsAs(name)), tokenClientOptions(token));
    clients.push(client);
    return client;
  };
  const standing = (name: string, token?: string) => {
    const client = new StandingPlannerServiceClient(test.address, channelCredentials(tlsAs(name)), tokenClientOptions(token));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // A throwaway CA, the server's certificate for 127.0.0.1, and client certificates, made for this test only.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=cosched test CA', '-keyout', file('ca.key'), '-out', file('ca.pem')], {
      stdio: 'ignore',
    });
    certificate('server', 'localhost', { ext: 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' });
    certificate('runner', 'batch-runner');
    certificate('stranger', 'stranger');
    certificate('rogue', 'batch-runner', { selfSigned: true });
    writeFileSync(tokensFile, 'certificates:\n  - cn: batch-runner\n    role: planner\n');
    adminToken = addTokenToFile(tokensFile, 'ops', 'admin');
    test = await startTestServer({ tls: { certPath: file('server.pem'), keyPath: file('server.key') }, tlsClientCaPath: file('ca.pem'), tokensFile });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a certificate whose CN is listed with the CN's role: planner plans, but may not write", async () => {
    const validated = await callValidate(api('runner'), oneSiteFourHours());
    const plan = await planOnServer({ address: test.address, ...tlsAs('runner') }, oneSiteFourHours());
    const client = standing('runner');
    const denied = await failure(unary(client.deleteJob.bind(client), { name: 'jobs/none' }));

    expect(validated.valid).toBe(true);
    expect(plan.check?.passed).toBe(true);
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    // Refusals are debug lines now (README "What is logged"); the test server logs at info.
    expect(test.logs.filter((line) => line.msg === 'call refused')).toEqual([]);
  });

  it('refuses a certificate of the CA whose CN is not listed: UNAUTHENTICATED', async () => {
    const error = await failure(callValidate(api('stranger'), oneSiteFourHours()));

    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(decodeStatusDetails(error.metadata).errorInfo?.reason).toBe('CREDENTIALS_REJECTED');
  });

  it('takes a bearer token over the certificate when both come', async () => {
    const client = standing('stranger', adminToken);
    const error = await failure(unary(client.deleteJob.bind(client), { name: 'jobs/none' }));

    expect(error.code).toBe(status.NOT_FOUND);
  });

  it('refuses the connection without a client certificate, or with one the CA did not sign', async () => {
    const none = await failure(callValidate(api(undefined), oneSiteFourHours()));
    const rogue = await failure(callValidate(api('rogue'), oneSiteFourHours()));

    expect(none.code).toBe(status.UNAVAILABLE);
    expect(rogue.code).toBe(status.UNAVAILABLE);
  });
});
