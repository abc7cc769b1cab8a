import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOnServer } from '../src/client/planOnServer.js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { callValidate } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** True when an openssl binary is there to make a throwaway certificate. */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('TLS (with --tls-cert and --tls-key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  let test: TestServer;

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, made for this test only.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyPath, '-out', certPath,
    ], { stdio: 'ignore' });
    test = await startTestServer({ tls: { certPath, keyPath } });
  });
  afterAll(async () => {
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves TLS: a client trusting the certificate plans, as `cosched plan --server --tls-ca` does', async () => {
    const response = await planOnServer({ address: test.address, tlsCaPath: certPath }, oneSiteFourHours());

    expect(response.check?.passed).toBe(true);
  });

  it('refuses plaintext', async () => {
    const plaintext = new CoSchedulerServiceClient(test.address, credentials.createInsecure());
    try {
      const error = (await callValidate(plaintext, oneSiteFourHours()).catch((e: unknown) => e)) as ServiceError;
      expect(error.code).toBe(status.UNAVAILABLE);
    } finally {
      plaintext.close();
    }
  });
});
