import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/auth/hashToken.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { parseCommandLine } from '../src/cli/parseCommandLine.js';
import { reportCliError } from '../src/cli/reportCliError.js';
import { runTokenCommand } from '../src/cli/runTokenCommand.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { runCli, type CliRun } from './helpers/runCli.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/**
 * The CLI against a server with a tokens file: `cosched token create`, `--token-file` and
 * COSCHED_TOKEN on `plan --server` and the standing-planner commands, exit code 4 with a clear
 * message when the server refuses, and `serve` refusing a broken tokens file.
 */
// Each run starts node with tsx: seconds apiece on a busy 2-core machine, hence the longer timeout.
describe('the CLI with tokens', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-cli-auth-'));
  const tokensFile = join(dir, 'tokens.yaml');
  // A small request (one site, four hours): the runs check authentication, not planning.
  const scenario = join(dir, 'small.json');
  writeFileSync(scenario, JSON.stringify(PlanRequest.toJSON(oneSiteFourHours())));
  // Neither the caller's COSCHED_TOKEN nor COSCHED_TOKENS_FILE may leak into these runs.
  const clean = { COSCHED_TOKEN: undefined, COSCHED_TOKENS_FILE: undefined };
  let plannerToken: string;
  let adminToken: string;
  let adminCreate: CliRun;
  let test: TestServer;

  beforeAll(async () => {
    // One after the other: both rewrite the same file. The second finds it through COSCHED_TOKENS_FILE.
    // The planner's token goes to stdout, the admin's to a file of its own (--out).
    const planner = await runCli(['token', 'create', '--name', 'sched-a', '--role', 'planner', '--tokens-file', tokensFile], clean);
    adminCreate = await runCli(['token', 'create', '--name', 'ops', '--role', 'admin', '--out', join(dir, 'admin.token')], { ...clean, COSCHED_TOKENS_FILE: tokensFile });
    expect(planner.code, planner.stderr).toBe(0);
    expect(adminCreate.code, adminCreate.stderr).toBe(0);
    plannerToken = planner.stdout.trim();
    adminToken = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    // A token file others may read (the CLI warns about it, and still uses it).
    writeFileSync(join(dir, 'planner.token'), `${plannerToken}\n`);
    chmodSync(join(dir, 'planner.token'), 0o644);
    test = await startTestServer({ tokensFile });
  });
  afterAll(async () => {
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('token create prints the token once on stdout and stores only its hash', () => {
    const text = readFileSync(tokensFile, 'utf8');

    expect(plannerToken).toMatch(/^cosched_\S{43}$/);
    expect(text).toContain(`name: sched-a\n    role: planner\n    hash: ${hashToken(plannerToken)}`);
    expect(text).toContain(`name: ops\n    role: admin\n    hash: ${hashToken(adminToken)}`);
    expect(text).not.toContain(plannerToken);
    expect(text).not.toContain(adminToken);
  });

  it('token create --out writes the token, and only it, to a new file of mode 0600 instead of stdout', () => {
    const file = join(dir, 'admin.token');

    expect(adminCreate.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(`${adminToken}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(adminCreate.stderr).toContain(`wrote the token to ${file} (mode 0600)`);
    expect(adminCreate.stderr).not.toContain(adminToken);
  });

  it('token create --out refuses an existing file and changes nothing; a failed create leaves no token file', () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    const before = readFileSync(tokensFile, 'utf8');
    const existing = join(dir, 'admin.token');
    const broken = join(dir, 'broken-tokens.yaml');
    writeFileSync(broken, 'tokens:\n  - name: x\n');
    let exists: unknown;
    try {
      runTokenCommand(['token', 'create', '--name', 'other', '--role', 'planner', '--tokens-file', tokensFile, '--out', existing], io);
    } catch (error) {
      exists = error;
    }
    const stderr = new PassThrough();
    const exitCode = reportCliError(exists, stderr);

    expect(exists).toBeInstanceOf(CoschedError);
    expect(String(stderr.read())).toBe(`cosched: --out ${existing}: the file exists already; it is never overwritten: choose another name or remove it first (no token was created)\n`);
    expect(exitCode).toBe(2);
    expect(readFileSync(tokensFile, 'utf8')).toBe(before);
    expect(readFileSync(existing, 'utf8')).toBe(`${adminToken}\n`);
    expect(() => runTokenCommand(['token', 'create', '--name', 'other', '--role', 'planner', '--tokens-file', broken, '--out', join(dir, 'other.token')], io)).toThrow(/tokens file/);
    expect(existsSync(join(dir, 'other.token'))).toBe(false);
  });

  it('plan --server without a token exits 4 and says how to pass one; with --token-file it plans', async () => {
    const [refused, planned] = await Promise.all([
      runCli(['plan', scenario, '--server', test.address], clean),
      runCli(['plan', scenario, '--server', test.address, '--token-file', join(dir, 'planner.token')], clean),
    ]);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^cosched: not authenticated: authentication required/);
    expect(refused.stderr).toContain('--token-file FILE or the COSCHED_TOKEN variable');
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/saved/i);
    // planner.token has mode 0644: one warning line, and the token is used all the same.
    const file = join(dir, 'planner.token');
    expect(planned.stderr.split('\n').filter((line) => line.includes('warning'))).toEqual([
      `cosched: warning: --token-file ${file} is readable by its group or others (mode 0644); a token is a password: chmod 600 ${file}`,
    ]);
    expect(refused.stderr).not.toContain('warning');
  });

  it('the standing-planner commands read COSCHED_TOKEN; a planner may list but not submit (exit 4, permission denied)', async () => {
    const [listed, submitted] = await Promise.all([
      runCli(['jobs', 'list', '--server', test.address], { ...clean, COSCHED_TOKEN: plannerToken }),
      runCli(['jobs', 'submit', scenario, '--server', test.address], { ...clean, COSCHED_TOKEN: plannerToken }),
    ]);
    const asAdmin = await runCli(['jobs', 'submit', scenario, '--server', test.address, '--token-file', join(dir, 'admin.token')], clean);

    expect(listed.code, listed.stderr).toBe(0);
    expect(submitted.code).toBe(4);
    expect(submitted.stderr).toMatch(/^cosched: permission denied: role planner may not call cosched\.v1\.StandingPlannerService\/BatchCreateJobs: it needs role admin/);
    expect(asAdmin.code, asAdmin.stderr).toBe(0);
    for (const run of [listed, submitted, asAdmin]) expect(run.stderr + run.stdout).not.toContain(plannerToken);
    // admin.token (from --out) has mode 0600: no warning.
    expect(asAdmin.stderr).not.toContain('warning');
  });

  it('refuses an unreadable --token-file and a bad COSCHED_TOKEN without showing the token', async () => {
    const [missing, bad] = await Promise.all([
      runCli(['jobs', 'list', '--server', test.address, '--token-file', join(dir, 'none.token')], clean),
      runCli(['plan', scenario, '--server', test.address], { ...clean, COSCHED_TOKEN: 'has spaces in it, not a token' }),
    ]);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--token-file ${join(dir, 'none.token')}: cannot read the file: ENOENT`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/COSCHED_TOKEN: not a token/);
    expect(bad.stderr).not.toContain('has spaces');
  });

  it('serve refuses to start on a broken tokens file, and checks the auth flags', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'tokens:\n  - name: x\n    role: root\n');
    const [badFile, noTls, badMode] = await Promise.all([
      runCli(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--tokens-file', broken], clean),
      runCli(['serve', '--port', '0', '--tokens-file', tokensFile, '--tls-client-ca', join(dir, 'ca.pem')], clean),
      runCli(['serve', '--port', '0', '--health-reflection', 'shut'], clean),
    ]);

    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain(`cosched: tokens file ${broken}: 2 problems`);
    expect(badFile.stderr).toContain("tokens[0].role: 'root': expected one of planner, admin");
    expect(badFile.stderr).toContain('tokens[0].hash: missing');
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toContain('--tls-client-ca needs --tls-cert and --tls-key');
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain("--health-reflection 'shut': expected open");
  });

  it('the server never logged a token (nor, at level info, a refused call)', () => {
    const everything = JSON.stringify(test.logs);

    expect(test.logs.filter((line) => line.msg === 'call refused')).toEqual([]);
    expect(everything).not.toContain(plannerToken);
    expect(everything).not.toContain(adminToken);
  });
});

describe('the auth settings of serve and of the client commands', () => {
  it('reads --tokens-file, --tls-client-ca and --health-reflection, or their variables', () => {
    const command = parseCommandLine(['serve', '--tokens-file', 't.yaml', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-client-ca', 'ca.pem']);
    const fromFlags = resolveServeConfig(command.kind === 'serve' ? command.flags : {}, {});
    const fromEnv = resolveServeConfig({}, { COSCHED_TOKENS_FILE: 'e.yaml', COSCHED_HEALTH_REFLECTION: 'closed' });

    expect(fromFlags.server).toMatchObject({ tokensFile: 't.yaml', tlsClientCaPath: 'ca.pem', tls: { certPath: 'c.pem', keyPath: 'k.pem' } });
    expect(fromFlags.server.closeHealthAndReflection).toBeUndefined();
    expect(fromEnv.server).toMatchObject({ tokensFile: 'e.yaml', closeHealthAndReflection: true });
    expect(resolveServeConfig({}, {}).server.tokensFile).toBeUndefined();
  });

  it('refuses auth settings that cannot work, naming the flag or variable', () => {
    expect(() => resolveServeConfig({ tlsClientCa: 'ca.pem', tokensFile: 't.yaml' }, {})).toThrow(/--tls-client-ca needs --tls-cert and --tls-key/);
    expect(() => resolveServeConfig({ tlsCert: 'c.pem', tlsKey: 'k.pem' }, { COSCHED_TLS_CLIENT_CA: 'ca.pem' })).toThrow(/COSCHED_TLS_CLIENT_CA needs --tokens-file/);
    expect(() => resolveServeConfig({ healthReflection: 'closed' }, {})).toThrow(/--health-reflection closed needs --tokens-file/);
    expect(() => parseCommandLine(['plan', 'f.yaml', '--token-file', 't'])).toThrow(/--token-file needs --server/);
    expect(() => parseCommandLine(['plan', 'f.yaml', '--server', 'h:1', '--tls-cert', 'c.pem'])).toThrow(/--tls-cert and --tls-key go together/);
    expect(() => parseCommandLine(['serve', '--token-file', 't'])).toThrow(/serve: --token-file is not a serve option/);
  });

  it('plan --server takes a client certificate and a token file', () => {
    expect(parseCommandLine(['plan', 'f.yaml', '--server', 'h:1', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--token-file', 't'])).toMatchObject({
      kind: 'plan',
      tlsCertPath: 'c.pem',
      tlsKeyPath: 'k.pem',
      tokenFile: 't',
    });
  });
});
