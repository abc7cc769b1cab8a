/**
 * Issue 14's load benchmark (the `load` case of `npm run bench`, or on its own):
 *
 *   node --import tsx bench/sustainedLoad.ts [--clients 50] [--seconds 60] [--overload-clients 200]
 *        [--overload-seconds 15] [--recovery-clients 10] [--recovery-seconds 10]
 *        [--max-queued-plans 64] [--json FILE]
 *
 * Starts `cosched serve --port 0 --metrics-port 0` (from the sources, through tsx) with a tokens
 * file of one planner token per client, so that every client is a client of its own for the
 * per-client limits, as separate schedulers would be. Every client has its own channel and token
 * and calls Plan with the tiny instance (3 sites × 24 h × 10 jobs, bench/generateInstance.ts),
 * back to back (closed loop), deadline 120 s. Three phases, one after the other:
 * 1. steady: `--clients` clients for `--seconds` s;
 * 2. overload: `--overload-clients` clients for `--overload-seconds` s, more than the server's
 *    workers plus `--max-queued-plans` can hold: the calls beyond are refused RESOURCE_EXHAUSTED
 *    (PLAN_QUEUE_FULL), and a client waits 100 ms after any call not answered OK;
 * 3. recovery: once every overload call has its answer (each phase's channels are closed at its end), `--recovery-clients` clients for
 *    `--recovery-seconds` s; also the time from the end of the overload to the first OK.
 * Per phase: calls, plans per second (OK answers / phase time), p50/p99/max of OK calls' latency
 * (client side, from the call's start to its answer), and the codes returned. A phase's time runs
 * from its start to its last answer.
 *
 * Asserted (exit code 1 and the failures printed when not): every call gets an answer; every call
 * not refused RESOURCE_EXHAUSTED (every accepted call) is OK with a schedule, so none is lost,
 * cut or INTERNAL; steady and recovery answer every call OK; the server's own count of Plan calls
 * by code (`cosched_grpc_calls_total` at /metrics) equals the clients'.
 * Prints one JSON line (the report); `--json FILE` also writes it there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { hashToken } from '../src/auth/hashToken.js';
import { CoSchedulerServiceClient } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { Termination, type PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { benchmarkSizes, generateInstance } from './generateInstance.js';
import { machineBusySeconds } from './machineBusySeconds.js';
import { processCpuSeconds } from './processCpuSeconds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One phase's numbers. */
export interface LoadPhaseReport {
  phase: 'steady' | 'overload' | 'recovery';
  clients: number;
  seconds: number;
  calls: number;
  /** Answers by gRPC code name. */
  codes: Record<string, number>;
  /** OK answers per second of the phase (its start to its last answer). */
  plansPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  /** Median time to a RESOURCE_EXHAUSTED answer (refusals only). */
  refusedP50Ms?: number;
  /** Calls that never got an answer (must be 0). */
  unanswered: number;
  /** CPU seconds per second of the phase (1 = one core) of the server process (all threads) and of this load generator. */
  serverCores?: number;
  generatorCores?: number;
}

/** What the benchmark prints. */
export interface SustainedLoadReport {
  workers?: number;
  maxQueuedPlans: number;
  instance: string;
  phases: LoadPhaseReport[];
  /** From the end of the overload phase (its last answer) to the first OK of the recovery. */
  recoveryFirstOkMs?: number;
  /** The server's Plan calls by code, from its /metrics. */
  serverPlanCalls: Record<string, number>;
  /** The machine's 1-minute load average before and after the phases. */
  loadAverage: { before: number; after: number };
  /** Of the CPU time the machine used during the phases, the share neither the server nor the load generator used (other processes). */
  otherCpuShare: number;
  /** Broken promises (empty when every assertion held). */
  failures: string[];
}

interface Settings {
  clients: number;
  seconds: number;
  overloadClients: number;
  overloadSeconds: number;
  recoveryClients: number;
  recoverySeconds: number;
  maxQueuedPlans: number;
  json?: string;
}

function parseSettings(argv: string[]): Settings {
  const settings: Settings = { clients: 50, seconds: 60, overloadClients: 200, overloadSeconds: 15, recoveryClients: 10, recoverySeconds: 10, maxQueuedPlans: 64 };
  const numeric: Record<string, keyof Settings> = {
    '--clients': 'clients',
    '--seconds': 'seconds',
    '--overload-clients': 'overloadClients',
    '--overload-seconds': 'overloadSeconds',
    '--recovery-clients': 'recoveryClients',
    '--recovery-seconds': 'recoverySeconds',
    '--max-queued-plans': 'maxQueuedPlans',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--json') settings.json = value;
    else if (numeric[flag]) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be an integer >= 0, got '${value}'`);
      (settings as unknown as Record<string, number>)[numeric[flag]!] = n;
    } else throw new Error(`unknown flag '${flag}'`);
  }
  return settings;
}

interface CallOutcome {
  startedMs: number;
  endedMs: number;
  code: number;
  response?: PlanResponse;
}

interface RunningServer {
  pid: number;
  port: number;
  metricsPort: number;
  workers?: number;
  stop(): Promise<void>;
}

async function startServer(tokensFile: string, dataDir: string, maxQueuedPlans: number): Promise<RunningServer> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--metrics-port', '0', '--data-dir', dataDir, '--tokens-file', tokensFile, '--max-queued-plans', String(maxQueuedPlans), '--log-level', 'info'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise<RunningServer>((resolve, reject) => {
    // One JSON line per call follows the start line (info level, as in production): read and drop them.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: string; port?: number; metricsPort?: number; workers?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'cosched serving' && entry.port !== undefined && entry.metricsPort !== undefined) {
        resolve({
          pid: child.pid!,
          port: entry.port,
          metricsPort: entry.metricsPort,
          workers: entry.workers,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(() => reject(new Error('cosched serve exited before serving')));
  });
}

function planOnce(client: CoSchedulerServiceClient, token: string, request: PlanRequest): Promise<CallOutcome> {
  const startedMs = performance.now();
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.plan(request, metadata, { deadline: Date.now() + 120_000 }, (error: ServiceError | null, response?: PlanResponse) => {
      resolve({ startedMs, endedMs: performance.now(), code: error ? error.code : status.OK, response: error ? undefined : response });
    });
  });
}

/** Closed loop: each client calls back to back until `seconds` have passed since the start; a refused client waits 100 ms. */
async function runPhase(
  phase: LoadPhaseReport['phase'],
  clients: Array<{ client: CoSchedulerServiceClient; token: string }>,
  seconds: number,
  request: PlanRequest,
  serverPid: number,
): Promise<{ report: LoadPhaseReport; outcomes: CallOutcome[]; startedMs: number; endedMs: number }> {
  const outcomes: CallOutcome[] = [];
  const serverCpuBefore = processCpuSeconds(serverPid);
  const generatorCpuBefore = process.cpuUsage();
  let sent = 0;
  const startedMs = performance.now();
  const stopAtMs = startedMs + seconds * 1000;
  await Promise.all(
    clients.map(async ({ client, token }) => {
      while (performance.now() < stopAtMs) {
        sent++;
        const outcome = await planOnce(client, token, request);
        outcomes.push(outcome);
        if (outcome.code !== status.OK) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
  const endedMs = Math.max(startedMs, ...outcomes.map((o) => o.endedMs));
  const phaseSeconds = (endedMs - startedMs) / 1000;
  const serverCpuAfter = processCpuSeconds(serverPid);
  const generatorCpu = process.cpuUsage(generatorCpuBefore);
  const codes: Record<string, number> = {};
  for (const outcome of outcomes) codes[status[outcome.code]] = (codes[status[outcome.code]] ?? 0) + 1;
  const okMs = outcomes.filter((o) => o.code === status.OK).map((o) => o.endedMs - o.startedMs).sort((a, b) => a - b);
  const at = (p: number) => (okMs.length ? round(okMs[Math.min(okMs.length - 1, Math.ceil(p * okMs.length) - 1)]!) : undefined);
  const refusedMs = outcomes.filter((o) => o.code === status.RESOURCE_EXHAUSTED).map((o) => o.endedMs - o.startedMs).sort((a, b) => a - b);
  return {
    report: {
      phase,
      clients: clients.length,
      seconds,
      calls: outcomes.length,
      codes,
      plansPerSecond: round((okMs.length * 1000) / (endedMs - startedMs)),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: okMs.length ? round(okMs.at(-1)!) : undefined,
      refusedP50Ms: refusedMs.length ? round(refusedMs[Math.ceil(0.5 * refusedMs.length) - 1]!) : undefined,
      unanswered: sent - outcomes.length,
      serverCores: serverCpuBefore !== undefined && serverCpuAfter !== undefined ? round((serverCpuAfter - serverCpuBefore) / phaseSeconds) : undefined,
      generatorCores: round((generatorCpu.user + generatorCpu.system) / 1e6 / phaseSeconds),
    },
    outcomes,
    startedMs,
    endedMs,
  };
}



function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The server's Plan calls by code, from its /metrics. */
async function serverPlanCalls(metricsPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^cosched_grpc_calls_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.service === 'cosched.v1.CoSchedulerService' && labels.method === 'Plan') counts[labels.code!] = Number(match[2]);
  }
  return counts;
}

/** Runs the three phases; see the file's comment. */
export async function runSustainedLoad(settings: Settings): Promise<SustainedLoadReport> {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-load-'));
  const tokenCount = Math.max(settings.clients, settings.overloadClients, settings.recoveryClients);
  const tokens = Array.from({ length: tokenCount }, (_, i) => `cosched_load-client-${String(i).padStart(4, '0')}-${process.pid}`);
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, `tokens:\n${tokens.map((token, i) => `  - name: load-${i}\n    role: planner\n    hash: ${hashToken(token)}\n`).join('')}`);
  const server = await startServer(tokensFile, join(dir, 'data'), settings.maxQueuedPlans);
  const request = PlanRequest.fromJSON(generateInstance(benchmarkSizes.tiny, { seed: 1 }));
  const failures: string[] = [];
  const channels: CoSchedulerServiceClient[] = [];
  const clientsOf = (n: number) =>
    tokens.slice(0, n).map((token) => {
      const client = new CoSchedulerServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      channels.push(client);
      return { client, token };
    });
  try {
    // Warm up: every worker has loaded HiGHS; one call per steady client opens its connection.
    const steadyClients = clientsOf(settings.clients);
    const warmUp = await Promise.all(steadyClients.map(({ client, token }) => planOnce(client, token, request)));
    const closeAll = () => {
      for (const channel of channels.splice(0)) channel.close();
    };
    const cpuBefore = { machine: machineBusySeconds(), server: processCpuSeconds(server.pid), self: process.cpuUsage() };
    const loadBefore = loadavg()[0]!;
    const steady = await runPhase('steady', steadyClients, settings.seconds, request, server.pid);
    closeAll();
    const overload = await runPhase('overload', clientsOf(settings.overloadClients), settings.overloadSeconds, request, server.pid);
    closeAll();
    const recovery = await runPhase('recovery', clientsOf(settings.recoveryClients), settings.recoverySeconds, request, server.pid);
    const selfUsage = process.cpuUsage(cpuBefore.self);
    const machineSeconds = machineBusySeconds()! - cpuBefore.machine!;
    const ownSeconds = processCpuSeconds(server.pid)! - cpuBefore.server! + (selfUsage.user + selfUsage.system) / 1e6;
    const otherCpuShare = round((100 * Math.max(0, machineSeconds - ownSeconds)) / machineSeconds) / 100;
    const firstOk = recovery.outcomes.filter((o) => o.code === status.OK).map((o) => o.endedMs);
    const phases = [steady, overload, recovery];
    for (const { report, outcomes } of phases) {
      if (report.unanswered > 0) failures.push(`${report.phase}: ${report.unanswered} calls got no answer`);
      const accepted = outcomes.filter((o) => o.code !== status.RESOURCE_EXHAUSTED);
      const bad = accepted.filter((o) => o.code !== status.OK || o.response?.termination !== Termination.TERMINATION_OPTIMAL || o.response.jobs.length !== request.jobs.length);
      if (bad.length > 0) failures.push(`${report.phase}: ${bad.length} accepted calls did not end OK with a schedule (codes ${[...new Set(bad.map((o) => status[o.code]))].join(', ')})`);
      if (report.codes.INTERNAL) failures.push(`${report.phase}: ${report.codes.INTERNAL} calls answered INTERNAL`);
      if (report.phase !== 'overload' && report.codes.OK !== report.calls) failures.push(`${report.phase}: not every call was answered OK (${JSON.stringify(report.codes)})`);
    }
    if (!overload.report.codes.RESOURCE_EXHAUSTED) failures.push('overload: no call was refused; the load did not exceed the queue limit');
    const clientCodes: Record<string, number> = {};
    for (const o of warmUp) clientCodes[status[o.code]] = (clientCodes[status[o.code]] ?? 0) + 1;
    for (const { report } of phases) for (const [code, n] of Object.entries(report.codes)) clientCodes[code] = (clientCodes[code] ?? 0) + n;
    const serverCalls = await serverPlanCalls(server.metricsPort);
    if (JSON.stringify(Object.entries(serverCalls).sort()) !== JSON.stringify(Object.entries(clientCodes).sort())) {
      failures.push(`the server counted Plan calls ${JSON.stringify(serverCalls)}, the clients ${JSON.stringify(clientCodes)}`);
    }
    return {
      workers: server.workers,
      maxQueuedPlans: settings.maxQueuedPlans,
      instance: 'tiny (3 sites × 24 h × 10 jobs, seed 1, synthetic solar)',
      phases: phases.map((p) => p.report),
      recoveryFirstOkMs: firstOk.length ? round(Math.min(...firstOk) - overload.endedMs) : undefined,
      serverPlanCalls: serverCalls,
      loadAverage: { before: round(loadBefore), after: round(loadavg()[0]!) },
      otherCpuShare,
      failures,
    };
  } finally {
    for (const channel of channels) channel.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as Markdown table rows (for bench/results and the README). */
export function sustainedLoadMarkdown(report: SustainedLoadReport): string[] {
  const lines = [
    `| phase | clients | s | calls | plans/s | p50 ms | p99 ms | max ms | codes | refusal p50 ms | server / generator cores |`,
    `|---|---|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const p of report.phases) {
    const codes = Object.entries(p.codes)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(`| ${p.phase} | ${p.clients} | ${p.seconds} | ${p.calls} | ${p.plansPerSecond} | ${p.p50Ms ?? '–'} | ${p.p99Ms ?? '–'} | ${p.maxMs ?? '–'} | ${codes} | ${p.refusedP50Ms ?? '–'} | ${p.serverCores ?? '?'} / ${p.generatorCores ?? '?'} |`);
  }
  lines.push(
    '',
    `Workers ${report.workers ?? '?'}, --max-queued-plans ${report.maxQueuedPlans}; load average ${report.loadAverage.before} → ${report.loadAverage.after}, other processes used ${Math.round(report.otherCpuShare * 100)}% of the CPU time; first OK ${report.recoveryFirstOkMs ?? '–'} ms after the overload's last answer. ` +
      (report.failures.length === 0 ? 'Every accepted call answered OK with a schedule; none lost, none INTERNAL; the server counted the same calls by code.' : `FAILED: ${report.failures.join('; ')}`),
  );
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const settings = parseSettings(process.argv.slice(2));
  process.stderr.write(`sustained load on ${cpus().length} cores: ${JSON.stringify(settings)}\n`);
  const report = await runSustainedLoad(settings);
  const line = JSON.stringify(report);
  if (settings.json) writeFileSync(settings.json, `${line}\n`);
  process.stdout.write(`${line}\n`);
  process.stderr.write(`${sustainedLoadMarkdown(report).join('\n')}\n`);
  if (report.failures.length > 0) process.exitCode = 1;
}
