import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/**
 * A client in another language: test/python/cosched_client_check.py, on Debian's python3-grpcio
 * with stubs that protoc compiles from proto/ at run time, against a real server on 127.0.0.1:0.
 * Never skipped: without the Debian packages this test fails and says how to install them
 * (.ci/run installs them).
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const python = '/usr/bin/python3';
const script = 'test/python/cosched_client_check.py';
const debianPackages = 'python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc';
const installHint =
  `install the Debian packages the Python client needs (.ci/run does this):\n` +
  `  apt-get update && apt-get install -y --no-install-recommends ${debianPackages}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the server under test runs in this process). */
function run(command: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a Python client (Debian python3-grpcio, stubs compiled by protoc from proto/)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('finds /usr/bin/python3 with grpcio and protobuf, protoc and grpc_python_plugin', async () => {
    const problems: string[] = [];
    if (!existsSync(python)) {
      problems.push(`${python} is missing (Debian package python3)`);
    } else {
      const probe = await run(python, ['-c', 'import grpc, google.protobuf; print(grpc.__version__)'], 30_000);
      if (probe.code !== 0) problems.push(`${python} cannot import grpc and google.protobuf: ${probe.stderr.trim().split('\n').at(-1)}`);
    }
    if (!existsSync('/usr/bin/protoc')) problems.push('/usr/bin/protoc is missing (Debian package protobuf-compiler)');
    if (!existsSync('/usr/bin/grpc_python_plugin')) problems.push('/usr/bin/grpc_python_plugin is missing (Debian package protobuf-compiler-grpc)');
    expect(problems, `${problems.join('\n')}\n${installHint}`).toEqual([]);
  });

  it('passes every check: health, reflection, Plan, WatchPlan, ValidatePlanRequest, rich errors, deadline', async () => {
    const result = await run(python, [script, server.address], 180_000);
    const serverLog = server.logs
      .slice(-20)
      .map((line) => JSON.stringify(line))
      .join('\n');
    const report =
      `${python} ${script} ${server.address} exited ${result.code}\n` +
      `--- stdout\n${result.stdout}--- stderr\n${result.stderr}--- last server log lines\n${serverLog}\n` +
      (result.code === 2 || result.code === null ? installHint : '');
    expect(result.code, report).toBe(0);

    const lines = result.stdout.trim().split('\n');
    for (const check of [
      'health',
      'reflection',
      'Plan',
      'WatchPlan',
      'ValidatePlanRequest',
      'INVALID_ARGUMENT details',
      'INVALID_ARGUMENT with many bad fields',
      'RESOURCE_EXHAUSTED',
      'DEADLINE_EXCEEDED',
      'Plan after a deadline',
    ]) {
      expect(lines.some((line) => line.startsWith(`PASS ${check}:`)), `no "PASS ${check}:" line\n${report}`).toBe(true);
    }
    expect(lines.at(-1)).toBe('10 passed, 0 failed');

    // The server logged each call with the status the client saw. The deadline call may be logged
    // as CANCELLED: when the client's deadline fires first, its reset reaches the server before the
    // server's own deadline timer does (the client's DEADLINE_EXCEEDED is checked by the script).
    const seen = new Set(server.logs.filter((line) => line.msg === 'call done').map((line) => `${String(line.method)} ${String(line.code)}`));
    for (const call of ['Plan OK', 'WatchPlan OK', 'ValidatePlanRequest OK', 'Plan INVALID_ARGUMENT', 'Plan RESOURCE_EXHAUSTED']) {
      expect(seen, `server log has no "${call}" call\n${serverLog}`).toContain(call);
    }
    expect(seen.has('Plan DEADLINE_EXCEEDED') || seen.has('Plan CANCELLED'), `server log has no deadline call\n${serverLog}`).toBe(true);
  });
});
