import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenToFile } from '../src/auth/addTokenToFile.js';
import { newToken } from '../src/auth/hashToken.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the Python client without blocking the event loop (the server under test runs in this process). */
function runPython(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', ['test/python/cosched_client_check.py', ...args], {
      cwd: repoRoot,
      env: { ...process.env, COSCHED_TOKEN: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The Python client (test/python/cosched_client_check.py, Debian's grpcio) against a server with a
 * tokens file and health and reflection closed: with --token-file every check passes (the token
 * goes with every call, health and reflection included); COSCHED_TOKEN is read when no file is
 * given. (test/python-client-interop.test.ts says how to install the Debian packages.)
 */
describe('a Python client with a bearer token', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-python-auth-'));
  const tokensFile = join(dir, 'tokens.yaml');
  const tokenFile = join(dir, 'planner.token');
  let server: TestServer;

  beforeAll(async () => {
    writeFileSync(tokenFile, `${addTokenToFile(tokensFile, 'python-client', 'planner')}\n`);
    server = await startTestServer({ tokensFile, closeHealthAndReflection: true });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check with --token-file, health and reflection included', async () => {
    const result = await runPython([server.address, '--token-file', tokenFile], {});
    const report = `exited ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;

    expect(result.code, report).toBe(0);
    expect(result.stdout, report).toContain('; with a bearer token');
    expect(result.stdout.trim().split('\n').at(-1), report).toBe('10 passed, 0 failed');
    expect(server.logs.filter((line) => line.msg === 'call refused'), report).toEqual([]);
  });

  it('sends COSCHED_TOKEN when no file is given (an unknown one: every call refused as not accepted)', async () => {
    const unknown = newToken();
    const result = await runPython([server.address], { COSCHED_TOKEN: unknown });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL health: UNAUTHENTICATED: the credentials were not accepted');
    expect(result.stdout).not.toContain(unknown);
    expect(JSON.stringify(server.logs)).not.toContain(unknown);
  });
});
