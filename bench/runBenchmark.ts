/**
 * cosched's benchmark (issue 5): `npm run bench [-- FLAGS]`, i.e.
 * `node --import tsx bench/runBenchmark.ts [FLAGS]`. Run `--help` for the flags.
 *
 * For every size (bench/generateInstance.ts) and every run, each step in a fresh child process:
 * 1. cosched, end to end through the CLI: `node bin/cosched.js plan INSTANCE.json --json
 *    --time-limit T` (wall clock from spawn to exit; peak RSS from `/usr/bin/time -v`, or from the
 *    child's own process.resourceUsage() when /usr/bin/time is missing). Build and solve times,
 *    model size, termination, objective and MIP gap come from the PlanResponse's `solve`.
 * 2. probe (bench/probeStage.ts): the first-stage model, the one `--dump-lp` writes, written
 *    to an LP file, with read/validate/build/LP-writing times. If the CLI run needed more than
 *    one stage (work left unmet), the probe also solves stage 1 with HiGHS, so that the objective
 *    compared with CBC is always that of the same model.
 * 3. native CBC (`cbc FILE.lp -sec C -ratio GAP -solve`, bench/nativeCbc.ts) on that LP file: wall clock of the
 *    process (reading the LP included), its status and objective.
 * For the tiny size, each run also times a bare `node -e 0` started the same way, just before the
 * CLI: issue 15's target is the tiny plan end to end within 4× of it.
 * Medians over the runs go into a Markdown table, printed and written to bench/results/latest.md
 * (raw runs in bench/results/latest.json). bench/results/ is git-ignored.
 *
 * Two cases besides the sizes: `grpc` (concurrent tiny plans on a running server, see
 * runGrpcCase) and `scale-out` (issue 12: a 16-plan CompareScenarios through the Redis queue with
 * 1 and 2 worker processes, the tiny-plan queue overhead, and a projection for N machines; see
 * bench/scaleOut.ts). And `load` (issue 14): 50 clients of tiny plans for 60 s, an overload beyond
 * the queue limit and the recovery, asserting that no accepted call is lost or INTERNAL (see
 * bench/sustainedLoad.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type as osType } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkSizes, extendedSizes, generateInstance, parseSolarTrace, sizeNames, type InstanceSpec, type SizeName, type SolarTrace } from './generateInstance.js';
import type { GrpcLoadReport } from './grpcLoad.js';
import { loadTokens, loadTokensFile } from './loadTokens.js';
import type { ProbeReport } from './probeStage.js';
import { scaleOutMarkdown, scaleOutTargets, type ScaleOutReport } from './scaleOut.js';
import { sustainedLoadMarkdown, type SustainedLoadReport } from './sustainedLoad.js';
import { machineBusySeconds } from './machineBusySeconds.js';
import { cbcArguments, parseCbcOutput, type CbcAnswer } from './nativeCbc.js';
import { processCpuSeconds } from './processCpuSeconds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');
const solarTracePath = join(root, '..', 'shared', 'data', 'solar-and-moer-traces', 'solar_example.csv');
const timeBinary = '/usr/bin/time';

// ---------------------------------------------------------------------------------------------
// Command line

/** The gRPC case's name in --only / --skip. */
const grpcCase = 'grpc';
/** The scale-out case's name (issue 12: plans through the Redis queue to worker processes). */
const scaleOutCase = 'scale-out';
/** The sustained-load case's name (issue 14: bench/sustainedLoad.ts). */
const loadCase = 'load';
type CaseName = SizeName | typeof grpcCase | typeof scaleOutCase | typeof loadCase;
const caseNames: CaseName[] = [...sizeNames, grpcCase, scaleOutCase, loadCase];

interface Settings {
  runs: number;
  sizes: SizeName[];
  /** Run the gRPC concurrency case (tiny plans, concurrent clients, a real server). */
  grpc: boolean;
  grpcClients: number;
  /** Closed loop: measured calls per client, back to back. */
  grpcCalls: number;
  /** Paced (open loop): measured calls per client, one every grpcIntervalMs. */
  grpcPacedCalls: number;
  grpcIntervalMs: number;
  /** Run the scale-out case (bench/scaleOut.ts): needs a Redis at `redisUrl`. */
  scaleOut: boolean;
  /** Run the sustained-load case (bench/sustainedLoad.ts: 50 clients for 60 s, an overload, the recovery). */
  load: boolean;
  redisUrl: string;
  /** Worker process counts (one thread each) to measure, e.g. [1, 2]. */
  scaleOutWorkers: number[];
  /** The instance the comparison's base is generated as. */
  scaleOutSize: SizeName;
  /** Sequential tiny plans for the queue overhead (after 20 not counted). */
  overheadPlans: number;
  seed: number;
  timeLimitSeconds: number;
  /** The stress size's own time limit and number of runs (it is there to show that it finishes). */
  stressTimeLimitSeconds: number;
  stressRuns: number;
  cbcTimeLimitSeconds: number;
  cbc: boolean;
  build: boolean;
  syntheticSolar: boolean;
  keepLp: boolean;
  cpuProf: boolean;
  out: string;
}

const usage = `\
cosched benchmark (issue 5)

  npm run bench -- [FLAGS]        (node --import tsx bench/runBenchmark.ts [FLAGS])

  --runs N              runs per size (default 3); medians are quoted
  --only a,b            only these cases (${caseNames.join(', ')})
  --skip a,b            all cases but these
  --grpc-clients N      concurrent clients in the grpc case (default 50)
  --grpc-calls N        grpc closed loop: measured calls per client, back to back (default 20)
  --grpc-paced-calls N  grpc paced load: measured calls per client (default 20)
  --grpc-interval-ms MS grpc paced load: one call per client every MS ms, not waiting for
                        answers (default 1000, i.e. 50 plans/s offered by 50 clients)
  --redis URL           scale-out: the Redis of the plan queue (default COSCHED_TEST_REDIS_URL,
                        else redis://127.0.0.1:6379); its queue's keys are removed afterwards
  --scale-out-workers L scale-out: worker process counts to measure, one thread each (default 1,2)
  --scale-out-size S    scale-out: the comparison's base instance (default week-ahead)
  --overhead-plans N    scale-out: sequential tiny plans timed for the queue overhead (default 200)
  --seed N              instance generator seed (default 1)
  --time-limit S        cosched's time limit per plan, all stages together (default 120)
  --stress-time-limit S the stress size's time limit (default 900: it is there to finish)
  --stress-runs N       runs of the stress size (default 1; at most --runs)
  --cbc-time-limit S    CBC's time limit (default 120)
  --no-cbc              do not run CBC
  --no-build            do not rebuild dist/ even if the sources are newer
  --synthetic-solar     synthetic solar arcs instead of the real trace in ../shared/data
  --keep-lp             keep the LP files in bench/results/tmp/
  --cpu-prof            run the CLI with --cpu-prof (profiles in bench/results/profiles/;
                        timings are then slower than normal)
  --out FILE            Markdown output (default bench/results/latest.md)
`;

function parseSettings(argv: string[]): Settings {
  const settings: Settings = {
    runs: 3,
    sizes: [...sizeNames],
    grpc: true,
    grpcClients: 50,
    grpcCalls: 20,
    grpcPacedCalls: 20,
    grpcIntervalMs: 1000,
    scaleOut: true,
    load: true,
    redisUrl: process.env.COSCHED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    scaleOutWorkers: [1, 2],
    scaleOutSize: 'week-ahead',
    overheadPlans: 200,
    seed: 1,
    timeLimitSeconds: 120,
    stressTimeLimitSeconds: 900,
    stressRuns: 1,
    cbcTimeLimitSeconds: 120,
    cbc: true,
    build: true,
    syntheticSolar: false,
    keepLp: false,
    cpuProf: false,
    out: join(resultsDir, 'latest.md'),
  };
  let only: CaseName[] | undefined;
  let skip: CaseName[] = [];
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag}: missing value`);
    return v;
  };
  const positive = (text: string, flag: string, integer: boolean): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) fail(`${flag} '${text}': expected a${integer ? 'n integer' : ' number'} > 0`);
    return n;
  };
  const sizeList = (text: string, flag: string): CaseName[] =>
    text.split(',').map((name) => {
      const trimmed = name.trim();
      if (!(caseNames as string[]).includes(trimmed)) fail(`${flag}: unknown case '${trimmed}'; known: ${caseNames.join(', ')}`);
      return trimmed as CaseName;
    });
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const take = (): string => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--help':
      case '-h':
        process.stdout.write(usage);
        process.exit(0);
        break;
      case '--runs':
        settings.runs = positive(take(), flag, true);
        break;
      case '--only':
        only = sizeList(take(), flag);
        break;
      case '--skip':
        skip = sizeList(take(), flag);
        break;
      case '--seed': {
        const text = take();
        settings.seed = Number(text);
        if (!Number.isInteger(settings.seed)) fail(`--seed '${text}': expected an integer`);
        break;
      }
      case '--time-limit':
        settings.timeLimitSeconds = positive(take(), flag, false);
        break;
      case '--stress-time-limit':
        settings.stressTimeLimitSeconds = positive(take(), flag, false);
        break;
      case '--stress-runs':
        settings.stressRuns = positive(take(), flag, true);
        break;
      case '--cbc-time-limit':
        settings.cbcTimeLimitSeconds = positive(take(), flag, false);
        break;
      case '--grpc-clients':
        settings.grpcClients = positive(take(), flag, true);
        break;
      case '--grpc-calls':
        settings.grpcCalls = positive(take(), flag, true);
        break;
      case '--grpc-paced-calls':
        settings.grpcPacedCalls = positive(take(), flag, true);
        break;
      case '--grpc-interval-ms':
        settings.grpcIntervalMs = positive(take(), flag, false);
        break;
      case '--redis':
        settings.redisUrl = take();
        break;
      case '--scale-out-workers':
        settings.scaleOutWorkers = take()
          .split(',')
          .map((n) => positive(n.trim(), flag, true));
        break;
      case '--scale-out-size': {
        const text = take();
        if (!(sizeNames as string[]).includes(text)) fail(`${flag}: unknown size '${text}'; known: ${sizeNames.join(', ')}`);
        settings.scaleOutSize = text as SizeName;
        break;
      }
      case '--overhead-plans':
        settings.overheadPlans = positive(take(), flag, true);
        break;
      case '--no-cbc':
        settings.cbc = false;
        break;
      case '--no-build':
        settings.build = false;
        break;
      case '--synthetic-solar':
        settings.syntheticSolar = true;
        break;
      case '--keep-lp':
        settings.keepLp = true;
        break;
      case '--cpu-prof':
        settings.cpuProf = true;
        break;
      case '--out':
        settings.out = take();
        break;
      default:
        fail(`unknown flag '${argv[i]}'\n\n${usage}`);
    }
  }
  const cases = (only ?? caseNames).filter((s) => !skip.includes(s));
  settings.sizes = sizeNames.filter((s) => cases.includes(s));
  settings.grpc = cases.includes(grpcCase);
  settings.scaleOut = cases.includes(scaleOutCase);
  settings.load = cases.includes(loadCase);
  if (cases.length === 0) fail('no cases left to run (check --only and --skip)');
  return settings;
}

/** cosched's time limit for a size: the stress size has its own. */
function timeLimitFor(size: SizeName, settings: Settings): number {
  return size === 'stress' ? settings.stressTimeLimitSeconds : (benchmarkSizes[size].timeLimitSeconds ?? settings.timeLimitSeconds);
}

/** CBC's time limit for a size: the size's own (milp-large: the same 60 s as cosched) or --cbc-time-limit. */
function cbcTimeLimitFor(size: SizeName, settings: Settings): number {
  return benchmarkSizes[size].timeLimitSeconds ?? settings.cbcTimeLimitSeconds;
}

/** Runs of a size: the stress size has its own count (at most --runs). */
function runsFor(size: SizeName, settings: Settings): number {
  return size === 'stress' ? Math.min(settings.runs, settings.stressRuns) : settings.runs;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Child processes: fresh per step, in their own process group, killed as a group on timeout

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Killed by the harness's watchdog. */
  killed: boolean;
  maxRssKb?: number;
  /** User + system CPU seconds of the child (threads included), when measured. */
  cpuSeconds?: number;
}

const activeGroups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of activeGroups) killGroup(pid);
    log(`bench: ${signal}: stopped`);
    process.exit(130);
  });
}

/** Where the child's peak RSS is read from. */
type RssProbe = { kind: 'time'; file: string } | { kind: 'preload'; file: string } | { kind: 'none' };

/** Records the peak RSS in BENCH_RSS_FILE at exit (used only when /usr/bin/time is missing). */
const rssPreload =
  'data:text/javascript,' +
  encodeURIComponent(
    'import { writeFileSync } from "node:fs"; process.on("exit", () => { const u = process.resourceUsage(); if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1e6}`); });',
  );

let rssFileCounter = 0;

async function runChild(command: string, args: string[], options: { timeoutMs: number; measureRss: boolean; onStderr?: (text: string) => void }): Promise<ChildResult> {
  let rss: RssProbe = { kind: 'none' };
  let cmd = command;
  let argv = args;
  const env = { ...process.env };
  if (options.measureRss) {
    const file = join(resultsDir, 'tmp', `rss-${process.pid}-${rssFileCounter++}.txt`);
    rmSync(file, { force: true });
    if (existsSync(timeBinary)) {
      rss = { kind: 'time', file };
      cmd = timeBinary;
      argv = ['-v', '-o', file, command, ...args];
    } else if (command === process.execPath) {
      rss = { kind: 'preload', file };
      argv = [`--import=${rssPreload}`, ...args];
      env.BENCH_RSS_FILE = file;
    }
  }
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  activeGroups.add(pid);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    options.onStderr?.(chunk.toString('utf8'));
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    killGroup(pid);
  }, options.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  activeGroups.delete(pid);
  killGroup(pid); // Nothing the child started may outlive it.
  let maxRssKb: number | undefined;
  let cpuSeconds: number | undefined;
  if (rss.kind !== 'none' && existsSync(rss.file)) {
    const text = readFileSync(rss.file, 'utf8');
    if (rss.kind === 'time') {
      const rssMatch = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
      const user = /User time \(seconds\): ([\d.]+)/.exec(text);
      const system = /System time \(seconds\): ([\d.]+)/.exec(text);
      if (rssMatch) maxRssKb = Number(rssMatch[1]);
      if (user && system) cpuSeconds = Number(user[1]) + Number(system[1]);
    } else {
      const [kb, cpu] = text.trim().split(' ').map(Number);
      if (Number.isFinite(kb)) maxRssKb = kb;
      if (Number.isFinite(cpu)) cpuSeconds = cpu;
    }
    rmSync(rss.file, { force: true });
  }
  let stderr = Buffer.concat(err).toString('utf8');
  // /usr/bin/time -v writes to the -o file, but "Command exited with non-zero status" to stderr.
  stderr = stderr.replace(/^Command (exited with non-zero status|terminated by signal) .*\n?/gm, '');
  // With /usr/bin/time in between, the CLI's exit code is time's exit code (it passes it on).
  return { code, signal, wallMs, stdout: Buffer.concat(out).toString('utf8'), stderr, killed, maxRssKb, cpuSeconds };
}


// ---------------------------------------------------------------------------------------------
// Setup: build, CBC, machine

function newestMtime(dir: string, skip: (path: string) => boolean): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, skip));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/'s CLI is there and newer than every source it is built from (src/ but its generated code, solver/). */
function distIsCurrent(): boolean {
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  const generated = join(root, 'src', 'generated');
  const sources = Math.max(
    newestMtime(join(root, 'src'), (p) => p.startsWith(generated)),
    newestMtime(join(root, 'solver'), () => false),
  );
  return existsSync(cli) && statSync(cli).mtimeMs >= sources;
}

/** Rebuilds dist/ (npm run build) when the CLI is missing or older than the sources it runs. */
function ensureBuilt(settings: Settings): void {
  if (distIsCurrent()) return;
  if (!settings.build) {
    log('bench: WARNING: dist/ is missing or older than src/ and solver/, and --no-build was given: the CLI numbers measure old code');
    return;
  }
  log('bench: dist/ is missing or older than the sources: running `npm run build` so that the CLI runs the current code');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    // tsc still emits on type errors, so dist/ is usually updated anyway; say so in the results.
    buildWarning = '`npm run build` reported errors before this run; dist/ was emitted despite them (tsc emits on type errors)';
    log(`bench: WARNING: ${buildWarning}`);
  }
}

/** Set when the build before the run failed; printed with the results. */
let buildWarning: string | undefined;

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Finds cbc, installing coinor-cbc with apt-get when running as root. Returns false if unavailable. */
function ensureCbc(): boolean {
  if (commandExists('cbc')) return true;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !commandExists('apt-get')) {
    log(
      'bench: native CBC (`cbc`) is missing; the CBC columns stay empty. Install it with\n' +
        '  sudo apt-get update && sudo apt-get install -y coinor-cbc\n' +
        '(Debian/Ubuntu; elsewhere: https://github.com/coin-or/Cbc) and run the benchmark again.',
    );
    return false;
  }
  log('bench: native CBC is missing: apt-get update && apt-get install -y coinor-cbc');
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', 'coinor-cbc'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : update;
  if (install.status !== 0 || !commandExists('cbc')) {
    log('bench: installing coinor-cbc failed; the CBC columns stay empty');
    return false;
  }
  return true;
}

interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  cbc?: string;
  commit?: string;
  dirty?: boolean;
}

function describeMachine(cbc: boolean): Machine {
  const cpuList = cpus();
  const machine: Machine = {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGb: totalmem() / 1024 ** 3,
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  if (cbc) {
    const banner = spawnSync('cbc', ['-quit'], { encoding: 'utf8' }).stdout ?? '';
    machine.cbc = /Version: (\S+)/.exec(banner)?.[1];
  }
  // Read-only git queries: which code was measured.
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status === 0) {
    machine.commit = head.stdout.trim();
    const status = spawnSync('git', ['status', '--porcelain', '--', 'src', 'solver', 'bin'], { cwd: root, encoding: 'utf8' });
    machine.dirty = status.status === 0 ? status.stdout.trim() !== '' : undefined;
  }
  return machine;
}

// ---------------------------------------------------------------------------------------------
// One run

interface CoschedRun {
  /**
   * Share of the machine's CPU time (all cores) used during the run by anything but this run's
   * process: other work on the machine skews the timings. Undefined without /proc/stat.
   */
  otherCpuShare?: number;
  exitCode: number | null;
  killed: boolean;
  wallMs: number;
  maxRssKb?: number;
  termination: string;
  buildMs?: number;
  solveMs?: number;
  variables?: number;
  constraints?: number;
  integerVariables?: number;
  objective?: number;
  mipGap?: number;
  stages?: number;
  solver?: string;
  solverStatus?: string;
  unmetGpuHours?: number;
  checkPassed?: boolean;
  error?: string;
}

interface CbcRun extends CbcAnswer {
  wallMs: number;
  maxRssKb?: number;
  killed: boolean;
}

interface Comparison {
  /** Stage-1 objective and solve time of cosched, and where they came from. */
  coschedObjective?: number;
  coschedSolveMs?: number;
  coschedOptimal: boolean;
  source: 'cli' | 'probe re-solve' | 'none';
  relDiff?: number;
  /** cosched stage-1 solve ms / CBC wall ms; `bound` says whether it is exact or a bound. */
  ratio?: number;
  bound: 'exact' | 'atLeast' | 'atMost';
}

interface Run {
  run: number;
  cosched: CoschedRun;
  /** Tiny size only (issue 15): wall ms of a bare `node -e 0` started the same way, just before the CLI run. */
  bareNodeMs?: number;
  probe?: ProbeReport & { error?: string; wallMs: number };
  cbc?: CbcRun;
  comparison?: Comparison;
}

const termination = (proto: string | undefined): string =>
  (proto ?? 'TERMINATION_UNSPECIFIED').replace(/^TERMINATION_/, '').toLowerCase();

/**
 * Wall ms of a bare `node -e 0`, started as runCosched starts the CLI (same node, same wrapper), for
 * the tiny size's start-up target (issue 15).
 */
async function timeBareNode(): Promise<number> {
  const child = await runChild(process.execPath, ['-e', '0'], { timeoutMs: 60_000, measureRss: true });
  if (child.code !== 0) throw new Error(`node -e 0 failed: ${child.stderr.trim()}`);
  return child.wallMs;
}

async function runCosched(instancePath: string, size: SizeName, run: number, settings: Settings): Promise<CoschedRun> {
  // One folder per run: node writes one profile per thread (main and the HiGHS worker).
  const profileArgs = settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(resultsDir, 'profiles', `${size}-run${run}`)] : [];
  const cli = join(root, 'bin', 'cosched.js');
  // Watchdog far beyond cosched's own limit: it only catches a hung process.
  const limitSeconds = timeLimitFor(size, settings);
  const timeoutMs = (3 * limitSeconds + 600) * 1000;
  const busyBefore = machineBusySeconds();
  const child = await runChild(process.execPath, [...profileArgs, cli, 'plan', instancePath, '--json', '--time-limit', String(limitSeconds)], {
    timeoutMs,
    measureRss: true,
  });
  const busyAfter = machineBusySeconds();
  const otherCpuShare =
    busyBefore !== undefined && busyAfter !== undefined && child.cpuSeconds !== undefined
      ? Math.max(0, busyAfter - busyBefore - child.cpuSeconds) / ((child.wallMs / 1000) * cpus().length)
      : undefined;
  const result: CoschedRun = { otherCpuShare, exitCode: child.code, killed: child.killed, wallMs: child.wallMs, maxRssKb: child.maxRssKb, termination: 'no answer' };
  if (child.killed) {
    result.termination = `killed after ${Math.round(timeoutMs / 1000)} s`;
    return result;
  }
  try {
    const response = JSON.parse(child.stdout) as {
      termination?: string;
      solve?: Record<string, unknown>;
      summary?: { unmetGpuHours?: number };
      check?: { passed?: boolean };
    };
    const solve = response.solve ?? {};
    const num = (key: string): number => (typeof solve[key] === 'number' ? (solve[key] as number) : 0); // proto3 JSON omits zeros
    result.termination = termination(response.termination);
    result.buildMs = num('buildMs');
    result.solveMs = num('solveMs');
    result.variables = num('variables');
    result.constraints = num('constraints');
    result.integerVariables = num('integerVariables');
    result.objective = num('objective');
    result.mipGap = num('mipGap');
    result.stages = num('stages');
    result.solver = typeof solve.solver === 'string' ? solve.solver : undefined;
    result.solverStatus = typeof solve.solverStatus === 'string' ? solve.solverStatus : undefined;
    result.unmetGpuHours = response.summary?.unmetGpuHours ?? 0;
    result.checkPassed = response.check?.passed === true;
  } catch {
    result.error = `exit ${child.code}${child.signal ? ` (${child.signal})` : ''}: ${child.stderr.trim().split('\n').slice(0, 5).join(' | ') || 'no JSON on stdout'}`;
  }
  return result;
}

async function runProbe(instancePath: string, lpPath: string, solveStage1: boolean, gap: number, limitSeconds: number): Promise<Run['probe']> {
  const args = ['--import', 'tsx', join(root, 'bench', 'probeStage.ts'), instancePath, lpPath];
  if (solveStage1) args.push('--solve', String(limitSeconds), String(gap));
  const child = await runChild(process.execPath, args, { timeoutMs: (3 * limitSeconds + 600) * 1000, measureRss: false });
  try {
    return { ...(JSON.parse(child.stdout) as ProbeReport), wallMs: child.wallMs };
  } catch {
    return { error: child.killed ? 'killed by the watchdog' : child.stderr.trim().split('\n').slice(0, 5).join(' | '), wallMs: child.wallMs } as Run['probe'];
  }
}

async function runCbc(lpPath: string, gap: number, limitSeconds: number): Promise<CbcRun> {
  // CBC checks its limit only now and then (not while reading the LP or in presolve): on the big
  // LPs it overruns -sec by minutes. The watchdog allows that, then stops it.
  const timeoutMs = (3 * limitSeconds + 120) * 1000;
  const child = await runChild('cbc', cbcArguments(lpPath, { timeLimitSeconds: limitSeconds, mipGap: gap }), {
    timeoutMs,
    measureRss: true,
  });
  const result: CbcRun = { wallMs: child.wallMs, maxRssKb: child.maxRssKb, killed: child.killed, status: 'failed' };
  if (child.killed) {
    // Not finished within its limit: a time limit, however it ended.
    return { ...result, status: 'time_limit', error: `killed by the harness ${Math.round(timeoutMs / 1000)} s after start` };
  }
  return { ...result, ...parseCbcOutput(child.stdout) };
}

function compare(cosched: CoschedRun, probe: Run['probe'], cbc: CbcRun | undefined): Comparison {
  let source: Comparison['source'] = 'none';
  let objective: number | undefined;
  let solveMs: number | undefined;
  let optimal = false;
  if (cosched.stages === 1) {
    source = 'cli';
    optimal = cosched.termination === 'optimal';
    objective = optimal || cosched.termination === 'time_limit_feasible' ? cosched.objective : undefined;
    solveMs = cosched.solveMs;
  } else if (probe?.stage1) {
    source = 'probe re-solve';
    optimal = probe.stage1.termination === 'optimal';
    objective = probe.stage1.objective;
    solveMs = probe.stage1.solveMs;
  }
  const comparison: Comparison = { coschedObjective: objective, coschedSolveMs: solveMs, coschedOptimal: optimal, source, bound: 'exact' };
  if (!cbc) return comparison;
  if (optimal && cbc.status === 'optimal' && objective !== undefined && cbc.objective !== undefined) {
    comparison.relDiff = Math.abs(objective - cbc.objective) / Math.max(1, Math.abs(cbc.objective));
  }
  if (solveMs !== undefined && cbc.status !== 'failed') {
    const cbcDone = cbc.status === 'optimal' || cbc.status === 'infeasible';
    if (optimal && cbcDone) comparison.bound = 'exact';
    else if (!optimal && cbcDone) comparison.bound = 'atLeast';
    else if (optimal && !cbcDone) comparison.bound = 'atMost';
    else return comparison; // both stopped: no ratio
    comparison.ratio = solveMs / cbc.wallMs;
  }
  return comparison;
}

// ---------------------------------------------------------------------------------------------
// Summaries and targets

interface SizeResult {
  size: SizeName;
  spec: InstanceSpec;
  instanceFile: string;
  instanceBytes: number;
  totalGpuHours: number;
  runs: Run[];
  harnessSeconds: number;
}

function median(values: Array<number | undefined>): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

interface Target {
  text: string;
  measured: string;
  met: boolean | undefined;
}

/** A pure LP: no block jobs, and no jobs with data (their ready gates are binaries). */
const isLp = (spec: InstanceSpec) => spec.nonInterruptibleShare === 0 && !spec.extensions?.data;
const allOptimal = (r: SizeResult) => r.runs.every((x) => x.cosched.termination === 'optimal');

/** `storage` (and, once links exist, `links`): the extensions an instance spec switches on. */
function extensionNames(spec: InstanceSpec): string[] {
  return Object.entries(spec.extensions ?? {})
    .filter(([, on]) => on === true)
    .map(([name]) => name);
}

/**
 * Issue 13: "the day-ahead benchmark with storage and links on stays within 2x of its time without
 * them": end to end, median against median, on the same instance without extensions (its base
 * size in extendedSizes, e.g. day-ahead for day-ahead-storage), which must be in this run too.
 */
function extensionsTarget(r: SizeResult, all: SizeResult[]): Target | undefined {
  const extensions = extensionNames(r.spec);
  const baseName = extendedSizes[r.size];
  if (extensions.length === 0 || baseName === undefined) return undefined;
  const text = `${r.size} (${extensions.join(' and ')} on) ≤ 2× ${baseName}'s end-to-end time`;
  const base = all.find((x) => x.size === baseName);
  if (!base) return { text, measured: `run ${baseName} too (--only ${baseName},${r.size})`, met: undefined };
  const withMs = median(r.runs.map((x) => x.cosched.wallMs));
  const withoutMs = median(base.runs.map((x) => x.cosched.wallMs));
  if (withMs === undefined || withoutMs === undefined) return { text, measured: 'no time', met: undefined };
  const ratio = withMs / withoutMs;
  return { text, measured: `${fmtS(withMs)} s / ${fmtS(withoutMs)} s = ${ratio.toFixed(2)}×, ${describeTerminations(r.runs)}`, met: allOptimal(r) && allOptimal(base) && ratio <= 2 };
}

function targetsFor(r: SizeResult, cbcUsed: boolean, all: SizeResult[]): Target[] {
  const targets: Target[] = [];
  const e2e = median(r.runs.map((x) => x.cosched.wallMs));
  const rssMb = median(r.runs.map((x) => kbToMb(x.cosched.maxRssKb)));
  const terms = describeTerminations(r.runs);
  const timed = (limitS: number, label: string, extra = '') => {
    const met = allOptimal(r) && e2e !== undefined && e2e <= limitS * 1000;
    targets.push({ text: `${label} ≤ ${limitS} s end to end${extra}`, measured: `${fmtS(e2e)} s, ${terms}`, met });
  };
  switch (r.size) {
    case 'tiny': {
      // Issue 15: the CLI's own start is the cost on a tiny plan (native CBC takes about 0.02 s).
      const bareMs = median(r.runs.map((x) => x.bareNodeMs));
      const text = 'tiny plan through the CLI, process start included, ≤ 4× a bare `node -e 0` start';
      if (e2e === undefined || bareMs === undefined) targets.push({ text, measured: 'no time', met: undefined });
      else {
        const ratio = e2e / bareMs;
        targets.push({ text, measured: `${(e2e / 1000).toFixed(3)} s / ${(bareMs / 1000).toFixed(3)} s = ${ratio.toFixed(1)}×, ${terms}`, met: allOptimal(r) && ratio <= 4 });
      }
      break;
    }
    case 'day-ahead':
      timed(2, 'day-ahead');
      break;
    case 'week-ahead':
      timed(30, 'week-ahead');
      targets.push({ text: 'week-ahead ≤ 2 GB peak memory', measured: `${fmtInt(rssMb)} MB`, met: rssMb === undefined ? undefined : rssMb <= 2048 });
      break;
    case 'stress':
      targets.push({ text: 'stress finishes, with a stated time and memory', measured: `${fmtS(e2e)} s, ${fmtInt(rssMb)} MB, ${terms}`, met: allOptimal(r) });
      break;
    case 'milp-small':
      timed(5, 'MILP 5×48×50 optimal (gap ≤ 0.01%) in');
      break;
    case 'milp-large': {
      timed(60, 'MILP 10×72×200 (half non-int.) gap ≤ 1% in');
      if (cbcUsed) {
        const withSolution = r.runs.filter((x) => x.cbc !== undefined && cbcHasSolution(x.cbc)).length;
        targets.push({ text: 'native CBC, same 60 s and gap, gets no solution', measured: `${describeCbc(r.runs)}`, met: withSolution === 0 });
      }
      break;
    }
    case 'milp-mixed':
      timed(30, 'MILP 10×48×200 gap ≤ 1% in');
      break;
    default:
      break;
  }
  const extensions = extensionsTarget(r, all);
  if (extensions) targets.push(extensions);
  if (cbcUsed) {
    const compared = r.runs.filter((x) => x.cbc?.status === 'optimal');
    if (compared.length === 0) {
      targets.push({ text: 'objective = CBC (1e-6 rel.) where CBC finishes', measured: 'CBC did not finish', met: undefined });
    } else {
      const diffs = compared.map((x) => x.comparison?.relDiff);
      const worst = diffs.some((d) => d === undefined) ? undefined : Math.max(...(diffs as number[]));
      const gap = r.spec.mipGap ?? 1e-4;
      const text = 'objective = CBC (1e-6 rel.) where CBC finishes';
      if (worst === undefined) targets.push({ text, measured: 'cosched did not finish where CBC did', met: false });
      else if (worst <= 1e-6) targets.push({ text, measured: `max Δ ${fmtSci(worst)}`, met: true });
      else if (!isLp(r.spec) && worst <= gap) {
        // Both solvers stop once within the requested gap: their answers may differ by up to it.
        targets.push({ text, measured: `max Δ ${fmtSci(worst)}: within the ${100 * gap}% MIP gap both solvers were given (1e-6 needs a gap ≤ 1e-6)`, met: undefined });
      } else targets.push({ text, measured: `max Δ ${fmtSci(worst)}`, met: false });
    }
    if (isLp(r.spec)) {
      const ratio = ratioSummary(r.runs);
      let met: boolean | undefined;
      if (ratio.value === undefined) met = undefined;
      else if (ratio.bound === 'exact') met = ratio.value <= 1.5;
      else if (ratio.bound === 'atLeast') met = false; // cosched stopped on its limit, CBC finished
      else met = ratio.value <= 1.5 ? true : undefined; // CBC stopped: only an upper bound is known
      targets.push({ text: 'cosched / CBC time ≤ 1.5 (LP)', measured: ratio.text, met });
    }
  }
  return targets;
}

function ratioSummary(runs: Run[]): { value?: number; bound: Comparison['bound']; text: string } {
  const comps = runs.map((x) => x.comparison).filter((c): c is Comparison => c?.ratio !== undefined);
  const value = median(comps.map((c) => c.ratio));
  if (value === undefined) return { bound: 'exact', text: 'n/a (neither finished)' };
  const bound = comps.some((c) => c.bound === 'atLeast') ? 'atLeast' : comps.some((c) => c.bound === 'atMost') ? 'atMost' : 'exact';
  const prefix = bound === 'atLeast' ? '≥ ' : bound === 'atMost' ? '≤ ' : '';
  return { value, bound, text: `${prefix}${value.toFixed(2)}` };
}

function describeTerminations(runs: Run[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const label = run.cosched.error ? 'error' : `${run.cosched.termination}${(run.cosched.stages ?? 1) > 1 ? ` (${run.cosched.stages} stages)` : ''}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => (runs.length > 1 ? `${label} ×${n}` : label)).join(', ');
}

/** CBC holds a feasible point: optimal, or stopped with an incumbent (CBC prints 1e50 when it has none). */
function cbcHasSolution(cbc: CbcRun): boolean {
  return cbc.status === 'optimal' || (cbc.status === 'time_limit' && cbc.objective !== undefined && Math.abs(cbc.objective) < 1e49);
}

function describeCbc(runs: Run[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const label = run.cbc
      ? run.cbc.killed
        ? 'time_limit (killed)'
        : run.cbc.status === 'time_limit'
          ? `time_limit (${cbcHasSolution(run.cbc) ? `incumbent ${fmtObj(run.cbc.objective)}` : 'no solution'})`
          : run.cbc.status
      : 'not run';
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => (runs.length > 1 ? `${label} ×${n}` : label)).join(', ');
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(0)}%`);
const kbToMb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);
const fmtS = (ms: number | undefined) => (ms === undefined ? '—' : ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1));
const fmtMs = (ms: number | undefined) => (ms === undefined ? '—' : ms.toFixed(ms < 100 ? 1 : 0));
const fmtInt = (x: number | undefined) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const fmtSci = (x: number | undefined) => (x === undefined ? '—' : x === 0 ? '0' : x.toExponential(1));
const fmtObj = (x: number | undefined) => (x === undefined ? '—' : x.toPrecision(10).replace(/\.?0+$/, ''));
/** A rate for the table: at most 3 significant digits, no trailing zeros. */
const fmtRate = (x: number) => String(Number(x.toPrecision(3)));
/** The paced gRPC load's rate per client, e.g. "1 call/s". */
const perClientRate = (settings: Settings) => `${fmtRate(1000 / settings.grpcIntervalMs)} call${1000 / settings.grpcIntervalMs === 1 ? '' : 's'}/s`;
const mark = (met: boolean | undefined) => (met === true ? '✅' : met === false ? '❌' : '—');

function renderMarkdown(results: SizeResult[], settings: Settings, machine: Machine, solarSource: string, cbcUsed: boolean, grpc: Target[], scaleOut: ScaleOutOutcome | undefined): string {
  const lines: string[] = [];
  const highs = results.flatMap((r) => r.runs.map((x) => x.cosched.solver)).find((s) => s !== undefined) ?? 'highs';
  lines.push(`# cosched benchmark`);
  lines.push('');
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(0)} GB RAM, ` +
      `${machine.os}, Node ${machine.node}; cosched ${machine.commit ?? '?'}${machine.dirty ? ' (with uncommitted changes in src/ solver/ bin/)' : ''} with ${highs} (WebAssembly)` +
      `${cbcUsed ? `; native CBC ${machine.cbc ?? '?'} (Debian coinor-cbc)` : '; CBC not run'}.`,
  );
  lines.push(
    `Medians of ${settings.runs} run${settings.runs > 1 ? 's' : ''}, each step in a fresh process. Instances: bench/generateInstance.ts, seed ${settings.seed}, ${solarSource}. ` +
      `Time limits: cosched ${settings.timeLimitSeconds} s per plan (all stages together; stress ${settings.stressTimeLimitSeconds} s, ${runsFor('stress', settings)} run${runsFor('stress', settings) > 1 ? 's' : ''}: it is there to show that it finishes), CBC ${settings.cbcTimeLimitSeconds} s` +
      `${results.filter((r) => r.spec.timeLimitSeconds !== undefined).map((r) => `; ${r.size}: ${r.spec.timeLimitSeconds} s for both`).join('')}.` +
      (settings.cpuProf ? ' **Run with --cpu-prof: times include profiler overhead.**' : ''),
  );
  const others = results.flatMap((r) => r.runs.map((x) => x.cosched.otherCpuShare)).filter((x): x is number => x !== undefined);
  if (others.length > 0) {
    const high = Math.max(...others);
    lines.push(
      '',
      `CPU used by other processes during the cosched runs (from /proc/stat, minus the run's own CPU time): median ${pct(median(others))}, max ${pct(high)} of the machine` +
        (high > 0.1 ? ' — **other work competed for the CPU during some runs; their times are inflated** (see latest.json, `otherCpuShare`).' : '.'),
    );
  }
  if (buildWarning) lines.push('', `**Warning:** ${buildWarning}.`);
  lines.push('');
  if (results.length > 0) {
    lines.push(
      '| size | sites×hours×jobs | variables / constraints / integers | naive model (before reductions) | build s | solve s | other s | end to end s | peak RSS MB | termination | objective | MIP gap | unmet % | CBC s | CBC | Δ obj (rel.) | cosched / CBC | targets (issue 5) |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  }
  for (const r of results) {
    const c = r.runs.map((x) => x.cosched);
    const build = median(c.map((x) => x.buildMs));
    const solve = median(c.map((x) => x.solveMs));
    const e2e = median(c.map((x) => x.wallMs));
    const other = median(c.map((x) => (x.buildMs !== undefined && x.solveMs !== undefined ? x.wallMs - x.buildMs - x.solveMs : undefined)));
    const first = c.find((x) => x.variables !== undefined);
    const naive = r.runs.find((x) => x.probe?.naive !== undefined)?.probe?.naive;
    // Without a plan there is no unmet work to speak of (the response counts all work as unmet).
    const hasPlan = (x: CoschedRun) => x.termination === 'optimal' || x.termination === 'time_limit_feasible';
    const unmet = median(c.map((x) => (x.unmetGpuHours !== undefined && hasPlan(x) ? (100 * x.unmetGpuHours) / r.totalGpuHours : undefined)));
    const gap = median(c.map((x) => (x.integerVariables ? x.mipGap : undefined)));
    const cbcMs = median(r.runs.map((x) => x.cbc?.wallMs));
    const cbcTimedOut = r.runs.some((x) => x.cbc && x.cbc.status !== 'optimal');
    const diffs = r.runs.map((x) => x.comparison?.relDiff).filter((d): d is number => d !== undefined);
    const targets = targetsFor(r, cbcUsed, results);
    lines.push(
      `| ${r.size} | ${r.spec.sites}×${r.spec.hours}×${r.spec.jobs.toLocaleString('en-US')}${r.spec.nonInterruptibleShare > 0 ? ` (${Math.round(100 * r.spec.nonInterruptibleShare)}% non-int.)` : ''} ` +
        `| ${first ? `${fmtInt(first.variables)} / ${fmtInt(first.constraints)} / ${fmtInt(first.integerVariables)}` : '—'} ` +
        `| ${naive ? `${fmtInt(naive.variables)} / ${fmtInt(naive.constraints)} / ${fmtInt(naive.integerVariables)}` : '—'} ` +
        `| ${fmtS(build)} | ${fmtS(solve)} | ${fmtS(other)} | **${fmtS(e2e)}** | ${fmtInt(median(c.map((x) => kbToMb(x.maxRssKb))))} ` +
        `| ${describeTerminations(r.runs)} | ${fmtObj(median(r.runs.map((x) => x.comparison?.coschedObjective)))}${r.runs.some((x) => x.comparison?.source === 'probe re-solve') ? ' (stage 1 re-solved)' : ''} | ${gap === undefined ? '—' : `${(100 * gap).toFixed(3)}%`} ` +
        `| ${unmet === undefined ? '—' : unmet.toFixed(2)} | ${cbcUsed ? `${cbcTimedOut ? '≥ ' : ''}${fmtS(cbcMs)}` : '—'} | ${cbcUsed ? describeCbc(r.runs) : '—'} ` +
        `| ${diffs.length ? fmtSci(Math.max(...diffs)) : '—'} | ${cbcUsed ? ratioSummary(r.runs).text : '—'} ` +
        `| ${targets.length ? targets.map((t) => `${mark(t.met)} ${t.text}: ${t.measured}`).join('<br>') : '(no target; smoke test)'} |`,
    );
  }
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| case | target | measured (median) | met |');
  lines.push('|---|---|---|---|');
  for (const r of results) for (const t of targetsFor(r, cbcUsed, results)) lines.push(`| ${r.size} | ${t.text} | ${t.measured} | ${mark(t.met)} |`);
  for (const t of grpc) lines.push(`| gRPC | ${t.text} | ${t.measured} | ${mark(t.met)} |`);
  for (const t of scaleOutTargets(scaleOut?.report, !settings.scaleOut, scaleOut?.error)) lines.push(`| scale-out | ${t.text} | ${t.measured} | ${mark(t.met)} |`);
  if (results.length > 0) {
    lines.push('');
    lines.push('## Where the time goes (medians; probe = bench/probeStage.ts, a separate process)');
    lines.push('');
    lines.push('| size | instance MB | read + schema s | validate s | build (stage 1) s | LP text s | LP write s | LP MB | non-zeros | harness s (all runs) |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      const p = r.runs.map((x) => x.probe).filter((x): x is NonNullable<Run['probe']> => x !== undefined && x.error === undefined);
      lines.push(
        `| ${r.size} | ${(r.instanceBytes / 1e6).toFixed(2)} | ${fmtS(median(p.map((x) => x.readMs)))} | ${fmtS(median(p.map((x) => x.validateMs)))} | ${fmtS(median(p.map((x) => x.buildMs)))} ` +
          `| ${fmtS(median(p.map((x) => x.lpFormatMs)))} | ${fmtS(median(p.map((x) => x.lpWriteMs)))} | ${p.length ? (p[0].lpBytes / 1e6).toFixed(1) : '—'} | ${fmtInt(p[0]?.nonzeros)} | ${r.harnessSeconds.toFixed(0)} |`,
      );
    }
  }
  if (scaleOut?.report) {
    lines.push('');
    lines.push(...scaleOutMarkdown(scaleOut.report));
  } else if (scaleOut?.error) {
    lines.push('', '## Scale-out on the queue (issue 12)', '', `Failed: ${scaleOut.error}`, '');
  }
  lines.push('');
  lines.push('Definitions:');
  lines.push(
    '- **end to end**: wall clock of `node bin/cosched.js plan INSTANCE.json --json --time-limit T`, spawn to exit (node start, reading and validating the file, baseline, every solve stage, decoding, accounting, the independent check, printing the JSON). ' +
      '**build** and **solve** are the PlanResponse\'s `solve.buildMs` and `solve.solveMs` (summed over stages; solve includes the HiGHS worker start and WebAssembly load, sending the model to the worker and reading the solution back; for a small LP solved in the CLI\'s own thread, loading HiGHS there). **bare node**: the same run\'s `node -e 0`, started the same way (tiny only; issue 15). **other** = end to end − build − solve.',
  );
  lines.push(`- **peak RSS**: maximum resident set size of the CLI process (worker threads included), from ${existsSync(timeBinary) ? '`/usr/bin/time -v`' : "the child's process.resourceUsage().maxRSS"}.`);
  lines.push(
    "- **variables / constraints / integers**: the final stage's model as the CLI reports it, after buildModel's exact reductions (R1..R6 in solver/model/buildModel.ts). **naive model**: the same first-stage model without them (`buildModel(problem, stage, { reductions: false })`, counted by naiveModelSize in the probe); test/model-reductions.test.ts checks on random instances that both have the same optimum. **objective**: cosched's stage-1 objective (see below). **unmet %**: work left unmet in the plan, % of all GPU-hours requested.",
  );
  lines.push(
    "- **CBC**: `cbc FILE.lp -sec C -ratio GAP -solve` on the stage-1 model (stage 'weighted': carbonWeight·kg + costWeight·cost + P·unmet GPU-hours, the model `--dump-lp` writes, produced by the same call `writeLpFormat(buildModel(problem).model)` in the probe so that dumping does not slow the timed CLI run). " +
      '**CBC s** is the wall clock of the cbc process (reading the LP text included; `≥` when it stopped on its time limit). ' +
      "**Δ obj** = |cosched − CBC| / max(1, |CBC|) over runs where both proved optimality, comparing cosched's stage-1 objective: taken from the CLI when the plan needed one stage, otherwise from a re-solve of stage 1 in the probe. MILP objectives only have to agree within the MIP gap both solvers were given. " +
      "**cosched / CBC** = cosched's stage-1 solve time / CBC's wall clock (`≥`: cosched stopped on its time limit and CBC did not; `≤`: CBC stopped and cosched did not).",
  );
  lines.push(
    `- **gRPC**: per run, one fresh \`cosched serve --port 0 --tokens-file …\` (default settings: one plan worker per core, info logging to a pipe; one planner token per client, so that each client is a client of its own for the per-client limits, as separate schedulers would be) takes two or three loads, one after the other, each from a load generator process of its own on the same machine (it takes CPU from the server: **CPU per plan** states both, from /proc and the generator's own count): ` +
      `${settings.grpcClients} clients, each on its own connection with its own token and warmed up with ${grpcWarmUpCalls} calls (not counted: the server in its steady state, its hot code compiled), send Plan calls with the tiny instance. ` +
      `**back to back (saturation)**, first: closed loop, every client makes ${settings.grpcCalls} calls, each as soon as its previous answer arrives, so ${settings.grpcClients} calls are always in flight; this measures throughput, and latency is then mostly queueing (Little's law: mean latency = clients / throughput). ` +
      `The same back-to-back load from bench/grpc_load.py (Python grpcio, gRPC C-core: an independent client, and a cheaper one per call) when /usr/bin/python3 has Debian's python3-grpcio. ` +
      `**at ${perClientRate(settings)} each**, last: open loop, every client sends ${settings.grpcPacedCalls} calls, one every ${settings.grpcIntervalMs} ms from a random phase in [0, ${settings.grpcIntervalMs}) ms (mulberry32, seed ${settings.seed} in run 1, +1 per run), without waiting for answers (a slow answer does not delay the next send; calls may overlap): ` +
      `${fmtRate((1000 * settings.grpcClients) / settings.grpcIntervalMs)} plans/s offered; achieved plans/s = answered calls / time from the start of the schedule to the last answer; **send lag** = how late the sends left against the schedule (a busy load generator), not part of the latency. ` +
      'Latency is client side, call start to answer (queueing in the server included); percentiles nearest-rank over all calls of a run, medians over runs. ' +
      'Other processes\' CPU share (from /proc/stat, minus the server\'s and the load generator\'s CPU time) is stated when above 10% (`closedOtherCpuShare`, `pacedOtherCpuShare` in latest.json).',
  );
  if (settings.scaleOut) {
    lines.push(
      '- **scale-out** (bench/scaleOut.ts, issue 12): **wall** = client side, from the CompareScenarios call\'s start to its status. **per-plan time on the worker** = the worker\'s `plan done` ms (decoding the job, building, solving, checking, sending the plan\'s events); **solver only** = the FINISHED events\' solve_ms; ' +
        "**queue wait** = BullMQ's processedOn − timestamp (the server enqueued the plan to a worker taking it; the server hands the queue only as many plans at once as there are worker threads, the rest wait in the call); **queue overhead per plan** = from enqueueing to its completed event read, minus the worker's time. " +
        '**queue overhead per tiny plan** = bench/queueOverhead.ts: the same tiny plan one after another through the queue to one worker minus on a PlanWorkerPool thread in the same process, events listened to; p50 and p95 of each (sorted, index ⌊p·n⌋), then subtracted. ' +
        "**other processes' CPU** = the machine's busy CPU time (/proc/stat) minus the server's, the workers' and the client's, as a share of wall × cores.",
    );
  }
  lines.push('- A time limit reached is reported as such (`time_limit_feasible`: a plan with its MIP gap; `time_limit_no_solution`: no plan). A target that needs a plan is not met by a run that returned none.');
  lines.push('');
  return lines.join('\n');
}

/** CPU seconds (user + system) during one load: the server process (all threads) and the load generator. */
interface GrpcLoadCpu {
  serverCpuSeconds?: number;
  clientCpuSeconds?: number;
}

interface GrpcRun {
  run: number;
  /** Closed loop: every client back to back. */
  closed?: GrpcLoadReport;
  closedError?: string;
  /** Share of the machine's CPU used by processes other than the server and the load generator during the closed loop. */
  closedOtherCpuShare?: number;
  closedCpu?: GrpcLoadCpu;
  /** The same closed loop from bench/grpc_load.py (Python grpcio), when /usr/bin/python3 has grpcio. */
  python?: GrpcLoadReport;
  pythonError?: string;
  pythonOtherCpuShare?: number;
  pythonCpu?: GrpcLoadCpu;
  /** Open loop: every client one call per interval, on the same server after the closed loop. */
  paced?: GrpcLoadReport;
  pacedError?: string;
  pacedOtherCpuShare?: number;
  /** Peak RSS of the server over both loads. */
  serverPeakRssKb?: number;
  workers?: number;
  /** The server did not start. */
  error?: string;
}

interface RunningServer {
  pid: number;
  port: number;
  workers?: number;
  exited: Promise<void>;
}

/**
 * Starts `cosched serve --port 0 --tokens-file TOKENS --data-dir DATA` in its own process group and
 * waits for its "serving" log line.
 */
async function startServer(tokensFile: string, dataDir: string): Promise<RunningServer> {
  const args = [join(root, 'bin', 'cosched.js'), 'serve', '--port', '0', '--tokens-file', tokensFile, '--data-dir', dataDir];
  const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  activeGroups.add(pid);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  return new Promise<RunningServer>((resolve, reject) => {
    let buffered = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error(`the server did not say it was serving within 60 s: ${stderr.trim().slice(-500)}`)), 60_000);
    void exited.then(() => {
      clearTimeout(timer);
      if (!found) reject(new Error(`the server exited before serving: ${stderr.trim().slice(-500)}`));
    });
    // Log lines (one JSON object each) keep coming, one per call: read them all, keep none.
    child.stdout.on('data', (chunk: Buffer) => {
      if (found) return;
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number; workers?: number };
          if (entry.msg === 'cosched serving' && typeof entry.port === 'number') {
            found = true;
            clearTimeout(timer);
            resolve({ pid, port: entry.port, workers: entry.workers, exited });
            return;
          }
        } catch {
          // Not a complete JSON line yet.
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
}

/** Peak RSS of a live process (VmHWM), Linux only. */
function peakRssKb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}


async function stopServer(server: RunningServer): Promise<void> {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 40_000).unref());
  if ((await Promise.race([server.exited.then(() => 'exited' as const), timeout])) === 'timeout') killGroup(server.pid);
  killGroup(server.pid);
  activeGroups.delete(server.pid);
}

/**
 * Warm-up calls per client before each gRPC load (not counted): 4 × 50 clients = 200 tiny plans, so
 * that the first load measures a server closer to its steady state, with V8 done compiling most of
 * the planner's and HiGHS's hot code. With one warm-up call per client the first load's server CPU
 * per plan was 11.1 ms against 8.0 ms in the load after it; with four, 9.4 ms against 6.6 ms
 * (2026-12-06, the machine 50-60% busy with other work, which inflates both).
 */
const grpcWarmUpCalls = 4;

/** The prefix of the load clients' bearer tokens (bench/loadTokens.ts); test tokens, not secrets. */
const loadTokenPrefix = 'cosched_bench-load-';

/** Why bench/grpc_load.py cannot run here (Debian's python3-grpcio and protoc missing), or undefined when it can. */
function pythonLoadUnavailable(): string | undefined {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import grpc, google.protobuf'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return '/usr/bin/python3 cannot import grpc (apt-get install python3-grpcio python3-protobuf)';
  for (const tool of ['/usr/bin/protoc', '/usr/bin/grpc_python_plugin']) if (!existsSync(tool)) return `${tool} is missing (apt-get install protobuf-compiler protobuf-compiler-grpc)`;
  return undefined;
}

/**
 * Issue 5's and issue 15's gRPC targets: per run, a fresh `cosched serve --port 0` (default
 * settings: one plan worker per core, info logging) with a tokens file of one planner token per
 * client, so that each client is a client of its own for the per-client limits (without tokens all
 * clients are one client, 127.0.0.1, and the limits refuse most calls RESOURCE_EXHAUSTED), takes up
 * to three loads, each in a child process of its own, with the tiny instance: the closed loop from
 * bench/grpcLoad.ts (every client warms up with grpcWarmUpCalls calls, then all make `grpcCalls` Plan calls
 * each, back to back: saturation throughput), the same closed loop from bench/grpc_load.py (Python
 * grpcio, an independent client; skipped when Debian's python3-grpcio is missing), then the paced
 * open loop (new clients, warmed up likewise, each sending `grpcPacedCalls` calls, one every
 * `grpcIntervalMs` ms from a seeded random phase, not waiting for answers: latency at a fixed
 * offered load). The server's CPU (all threads) and the load generator's are recorded per load.
 */
async function runGrpcCase(instanceFile: string, settings: Settings): Promise<GrpcRun[]> {
  const runs: GrpcRun[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cosched-bench-grpc-'));
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, loadTokensFile(loadTokens(loadTokenPrefix, settings.grpcClients)));
  const pythonMissing = pythonLoadUnavailable();
  if (pythonMissing) log(`[grpc] the Python client's load is skipped: ${pythonMissing}`);
  const runLoad = async (
    server: RunningServer,
    command: string,
    args: string[],
    timeoutMs: number,
  ): Promise<{ report?: GrpcLoadReport; error?: string; otherCpuShare?: number; cpu: GrpcLoadCpu }> => {
    const busyBefore = machineBusySeconds();
    const serverBefore = processCpuSeconds(server.pid);
    // measureRss: for the load generator's CPU time (its peak RSS is of no interest).
    const child = await runChild(command, args, { timeoutMs, measureRss: true });
    const busyAfter = machineBusySeconds();
    const serverAfter = processCpuSeconds(server.pid);
    const serverCpuSeconds = serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined;
    const otherCpuShare =
      busyBefore !== undefined && busyAfter !== undefined && serverCpuSeconds !== undefined && child.cpuSeconds !== undefined
        ? Math.max(0, busyAfter - busyBefore - child.cpuSeconds - serverCpuSeconds) / ((child.wallMs / 1000) * cpus().length)
        : undefined;
    const cpu: GrpcLoadCpu = { serverCpuSeconds, clientCpuSeconds: child.cpuSeconds };
    try {
      return { report: JSON.parse(child.stdout) as GrpcLoadReport, otherCpuShare, cpu };
    } catch {
      return { error: child.killed ? `the load generator was killed after ${timeoutMs / 1000} s` : child.stderr.trim().split('\n').slice(0, 5).join(' | '), otherCpuShare, cpu };
    }
  };
  const nodeLoad = (server: RunningServer, extra: string[], calls: number, timeoutMs: number) =>
    runLoad(
      server,
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'grpcLoad.ts'), `127.0.0.1:${server.port}`, instanceFile, String(settings.grpcClients), String(calls), String(grpcWarmUpCalls), '--token-prefix', loadTokenPrefix, ...extra],
      timeoutMs,
    );
  const other = (share: number | undefined) => (share !== undefined && share > 0.1 ? ` [other processes used ${pct(share)} of the CPU]` : '');
  const describe = (r: GrpcLoadReport | undefined, error: string | undefined, cpu?: GrpcLoadCpu) =>
    r
      ? `${r.calls} calls from ${r.clients} clients` +
        (r.offeredPlansPerSecond !== undefined ? `, ${r.offeredPlansPerSecond.toFixed(1)} plans/s offered` : '') +
        `: p50 ${fmtMs(r.p50Ms)}, p99 ${fmtMs(r.p99Ms)}, max ${fmtMs(r.maxMs)} ms; ${r.plansPerSecond.toFixed(1)} plans/s` +
        (r.sendLagP99Ms !== undefined ? `; send lag p99 ${fmtMs(r.sendLagP99Ms)}, max ${fmtMs(r.sendLagMaxMs)} ms` : '') +
        (cpu ? `; CPU per plan: server ${fmtMs(cpuMsPerPlan(cpu.serverCpuSeconds, r))} ms, load generator ${fmtMs(clientCpuMsPerPlan(r, cpu))} ms` : '') +
        `; errors ${JSON.stringify(r.errors)}`
      : `failed: ${error}`;
  try {
    for (let k = 1; k <= settings.runs; k++) {
      const run: GrpcRun = { run: k };
      let server: RunningServer | undefined;
      try {
        server = await startServer(tokensFile, join(dir, `data-${k}`));
        run.workers = server.workers;
        const closed = await nodeLoad(server, ['--mode', 'closed'], settings.grpcCalls, 900_000);
        run.closed = closed.report;
        run.closedError = closed.error;
        run.closedOtherCpuShare = closed.otherCpuShare;
        run.closedCpu = closed.cpu;
        log(`[grpc] run ${k}/${settings.runs}, back to back: ${describe(run.closed, run.closedError, run.closedCpu)}${other(run.closedOtherCpuShare)}`);
        if (!pythonMissing) {
          const python = await runLoad(
            server,
            '/usr/bin/python3',
            [join(root, 'bench', 'grpc_load.py'), `127.0.0.1:${server.port}`, instanceFile, String(settings.grpcClients), String(settings.grpcCalls), String(grpcWarmUpCalls), '--token-prefix', loadTokenPrefix],
            900_000,
          );
          run.python = python.report;
          run.pythonError = python.error;
          run.pythonOtherCpuShare = python.otherCpuShare;
          run.pythonCpu = python.cpu;
          log(`[grpc] run ${k}/${settings.runs}, back to back from Python grpcio: ${describe(run.python, run.pythonError, run.pythonCpu)}${other(run.pythonOtherCpuShare)}`);
        }
        const pacedTimeoutMs = Math.max(900_000, settings.grpcPacedCalls * settings.grpcIntervalMs + 300_000);
        const paced = await nodeLoad(
          server,
          ['--mode', 'paced', '--interval-ms', String(settings.grpcIntervalMs), '--seed', String(settings.seed + k - 1)],
          settings.grpcPacedCalls,
          pacedTimeoutMs,
        );
        run.paced = paced.report;
        run.pacedError = paced.error;
        run.pacedOtherCpuShare = paced.otherCpuShare;
        log(`[grpc] run ${k}/${settings.runs}, paced: ${describe(run.paced, run.pacedError)}${other(run.pacedOtherCpuShare)}`);
        run.serverPeakRssKb = peakRssKb(server.pid);
        log(`[grpc] run ${k}/${settings.runs}: server ${run.workers ?? '?'} workers, peak RSS ${fmtInt(kbToMb(run.serverPeakRssKb))} MB`);
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        log(`[grpc] run ${k}/${settings.runs} failed: ${run.error}`);
      } finally {
        if (server) await stopServer(server);
      }
      runs.push(run);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/**
 * The server's CPU ms per answered plan during a load: its CPU time over the load's answered calls,
 * warm-up calls (grpcWarmUpCalls per client) included, as the server did that work too.
 */
function cpuMsPerPlan(cpuSeconds: number | undefined, report: GrpcLoadReport): number | undefined {
  const answered = report.calls - Object.values(report.errors).reduce((a, b) => a + b, 0) + grpcWarmUpCalls * report.clients;
  return cpuSeconds === undefined || answered <= 0 ? undefined : (1000 * cpuSeconds) / answered;
}

/**
 * The load generator's CPU ms per measured call: its own count over the measured calls when it
 * reports one (`clientCpuSeconds`), else its process's CPU time (start-up included) over every call.
 */
function clientCpuMsPerPlan(report: GrpcLoadReport, cpu: GrpcLoadCpu): number | undefined {
  if (report.clientCpuSeconds !== undefined) return (1000 * report.clientCpuSeconds) / report.calls;
  return cpu.clientCpuSeconds === undefined ? undefined : (1000 * cpu.clientCpuSeconds) / (report.calls + grpcWarmUpCalls * report.clients);
}

/**
 * The gRPC rows of the Targets table: back to back (saturation, issue 15: ≥ 1,000 plans/s with p99
 * ≤ 100 ms), the same from the Python client when it ran, then paced (issue 5: p99 ≤ 50 ms).
 */
function grpcTargets(runs: GrpcRun[] | undefined, settings: Settings): Target[] {
  const clients = settings.grpcClients;
  const closedText = `tiny plans, ${clients} concurrent clients, back to back (saturation): ≥ 1,000 plans/s and p99 ≤ 100 ms`;
  const texts = {
    closed: `${closedText} (bench/grpcLoad.ts, Node)`,
    python: `${closedText} (bench/grpc_load.py, Python grpcio)`,
    paced: `tiny plans, ${clients} concurrent clients at ${perClientRate(settings)} each (${fmtRate((1000 * clients) / settings.grpcIntervalMs)} plans/s offered): p99 ≤ 50 ms`,
  };
  if (!runs) return [texts.closed, texts.paced].map((text) => ({ text, measured: 'not run (--skip grpc)', met: undefined }));
  const cores = cpus().length;
  const target = (mode: 'closed' | 'python' | 'paced'): Target | undefined => {
    const text = texts[mode];
    const reportOf = (r: GrpcRun) => r[mode];
    const errorOf = (r: GrpcRun) => (mode === 'closed' ? r.closedError : mode === 'python' ? r.pythonError : r.pacedError);
    const otherOf = (r: GrpcRun) => (mode === 'closed' ? r.closedOtherCpuShare : mode === 'python' ? r.pythonOtherCpuShare : r.pacedOtherCpuShare);
    const cpuOf = (r: GrpcRun) => (mode === 'closed' ? r.closedCpu : mode === 'python' ? r.pythonCpu : undefined);
    if (mode === 'python' && runs.every((r) => r.python === undefined && r.pythonError === undefined)) return undefined;
    const reports = runs.map(reportOf).filter((r): r is GrpcLoadReport => r !== undefined);
    if (reports.length === 0) return { text, measured: `failed: ${runs.map((r) => r.error ?? errorOf(r)).join('; ')}`, met: false };
    const p99 = median(reports.map((r) => r.p99Ms));
    const rate = median(reports.map((r) => r.plansPerSecond));
    const errors = reports.reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0);
    const saturated = mode !== 'paced';
    const met = p99 !== undefined && p99 <= (saturated ? 100 : 50) && (!saturated || (rate !== undefined && rate >= 1000)) && errors === 0 && reports.length === runs.length;
    const failedRuns = runs.length - reports.length;
    const others = runs.map(otherOf).filter((x): x is number => x !== undefined);
    const busiest = others.length ? Math.max(...others) : undefined;
    let measured =
      `p99 ${fmtMs(p99)} ms (p50 ${fmtMs(median(reports.map((r) => r.p50Ms)))}, max ${fmtMs(median(reports.map((r) => r.maxMs)))} ms; ` +
      (mode === 'paced' ? `${rate?.toFixed(1)} of ${fmtRate(reports[0].offeredPlansPerSecond ?? 0)} plans/s offered; send lag p99 ${fmtMs(median(reports.map((r) => r.sendLagP99Ms)))} ms; ` : `**${rate?.toFixed(1)} plans/s**; `) +
      `${reports[0].calls} calls per run, ${errors} errors${failedRuns ? `, ${failedRuns} run(s) failed` : ''}` +
      (mode === 'closed' ? `; server: ${runs[0].workers ?? '?'} plan workers, peak RSS ${fmtInt(median(runs.map((r) => kbToMb(r.serverPeakRssKb))))} MB over all loads)` : ')') +
      (busiest !== undefined && busiest > 0.1 ? `; **other processes used up to ${pct(busiest)} of the CPU: inflated**` : '');
    if (saturated) {
      // Where the CPU went: the server's and the load generator's CPU per plan, and the rate the
      // machine's cores allow at those costs (both on the same machine).
      const serverMs = median(runs.map((r) => (r[mode] && cpuOf(r) ? cpuMsPerPlan(cpuOf(r)!.serverCpuSeconds, r[mode]!) : undefined)));
      const clientMs = median(runs.map((r) => (r[mode] && cpuOf(r) ? clientCpuMsPerPlan(r[mode]!, cpuOf(r)!) : undefined)));
      if (serverMs !== undefined) {
        measured +=
          `; CPU per plan: server ${fmtMs(serverMs)} ms` +
          (clientMs !== undefined ? `, load generator ${fmtMs(clientMs)} ms: ${cores} cores allow at most ${fmtInt((1000 * cores) / (serverMs + clientMs))} plans/s with this load generator on the machine, ${fmtInt((1000 * cores) / serverMs)} without` : '');
      }
      // Little's law: with `clients` calls always in flight, mean latency = clients / throughput.
      const littleMs = rate ? (1000 * clients) / rate : undefined;
      if (!met && littleMs !== undefined && littleMs > 100) {
        measured += `; throughput-bound: ${clients} calls always in flight, so mean latency ≈ clients / throughput = ${clients} / ${rate?.toFixed(0)} per s ≈ ${fmtMs(littleMs)} ms (measured mean ${fmtMs(median(reports.map((r) => r.meanMs)))} ms)`;
      }
    }
    return { text, measured, met };
  };
  return [target('closed'), target('python'), target('paced')].filter((t): t is Target => t !== undefined);
}

/** What the scale-out case gave: bench/scaleOut.ts's report, or why there is none. */
interface ScaleOutOutcome {
  report?: ScaleOutReport;
  error?: string;
}

/**
 * Issue 12's scale-out case: bench/scaleOut.ts in a child process of its own (the `cosched serve`
 * and `cosched worker` processes it starts are in its process group, killed with it), with the
 * `scaleOutSize` instance as the comparison's base; its progress goes to stderr as it comes. The
 * CLI is `node bin/cosched.js` when dist/ is current, else src/cli/main.ts through tsx (as the
 * tests run it). The watchdog allows every plan its time limit and a minute more, per worker count.
 */
async function runScaleOutCase(instanceFile: string, settings: Settings): Promise<ScaleOutOutcome> {
  const cli = distIsCurrent() ? 'dist' : 'tsx';
  const plans = 16;
  const timeoutMs = (settings.scaleOutWorkers.length * plans * (settings.timeLimitSeconds + 60) + 1_200) * 1000;
  const args = [
    '--import',
    'tsx',
    join(root, 'bench', 'scaleOut.ts'),
    instanceFile,
    '--size',
    settings.scaleOutSize,
    '--redis',
    settings.redisUrl,
    '--workers',
    settings.scaleOutWorkers.join(','),
    '--time-limit',
    String(settings.timeLimitSeconds),
    '--overhead-plans',
    String(settings.overheadPlans),
    '--cli',
    cli,
  ];
  const child = await runChild(process.execPath, args, { timeoutMs, measureRss: false, onStderr: (text) => process.stderr.write(text) });
  try {
    return { report: JSON.parse(child.stdout) as ScaleOutReport };
  } catch {
    const error = child.killed
      ? `killed by the harness after ${timeoutMs / 1000} s (its queue's keys may be left in Redis)`
      : `exit ${child.code}: ${child.stderr.trim().split('\n').slice(-5).join(' | ') || 'no report on stdout'}`;
    log(`[scale-out] failed: ${error}`);
    return { error };
  }
}

/**
 * Issue 14's load case: bench/sustainedLoad.ts with its defaults (50 clients for 60 s, 200 for
 * 15 s, 10 for 10 s) in a child process of its own, which starts its own server. Its report, or
 * why there is none; a report with failures (a lost or INTERNAL call) is kept and shown.
 */
async function runLoadCase(): Promise<{ report?: SustainedLoadReport; error?: string }> {
  const jsonPath = join(resultsDir, 'tmp', 'load.json');
  rmSync(jsonPath, { force: true });
  log('[load] 50 clients for 60 s, then 200 for 15 s (overload), then 10 for 10 s (recovery)');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'sustainedLoad.ts'), '--json', jsonPath], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (!existsSync(jsonPath)) return { error: `bench/sustainedLoad.ts exited with ${code} and no report` };
  return { report: JSON.parse(readFileSync(jsonPath, 'utf8')) as SustainedLoadReport };
}

function loadMarkdown(load: { report?: SustainedLoadReport; error?: string } | undefined): string {
  if (!load) return '';
  const body = load.report ? sustainedLoadMarkdown(load.report) : [`Failed: ${load.error}`];
  return ['', '## Sustained load and overload (issue 14, bench/sustainedLoad.ts)', '', ...body, ''].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const tmpDir = join(resultsDir, 'tmp');
  const instanceDir = join(resultsDir, 'instances');
  mkdirSync(tmpDir, { recursive: true });
  // Leftovers of an interrupted run.
  for (const name of readdirSync(tmpDir)) if (/^rss-.*\.txt$|\.lp$/.test(name) && !settings.keepLp) rmSync(join(tmpDir, name), { force: true });
  mkdirSync(instanceDir, { recursive: true });
  if (settings.cpuProf) mkdirSync(join(resultsDir, 'profiles'), { recursive: true });

  // The scale-out case runs src/ through tsx when dist/ is not current: only the others need the build and CBC.
  if (settings.sizes.length > 0 || settings.grpc) ensureBuilt(settings);
  const cbcUsed = settings.cbc && settings.sizes.length > 0 && ensureCbc();
  const machine = describeMachine(cbcUsed);

  let trace: SolarTrace | undefined;
  let solarSource = 'synthetic solar arcs';
  if (!settings.syntheticSolar) {
    if (existsSync(solarTracePath)) {
      trace = parseSolarTrace(readFileSync(solarTracePath, 'utf8'));
      solarSource = 'solar shapes from the real trace solar_example.csv (Solcast data via dos-group/vessim, MIT)';
    } else {
      log(`bench: ${relative(root, solarTracePath)} not found: using synthetic solar arcs`);
    }
  }
  log(`bench: ${[...settings.sizes, ...(settings.grpc ? [grpcCase] : []), ...(settings.scaleOut ? [scaleOutCase] : []), ...(settings.load ? [loadCase] : [])].join(', ')}; ${settings.runs} run(s) each; cosched limit ${settings.timeLimitSeconds} s, CBC ${cbcUsed ? `limit ${settings.cbcTimeLimitSeconds} s` : 'not run'}`);

  const results: SizeResult[] = [];
  for (const size of settings.sizes) {
    const sizeStarted = performance.now();
    const spec = benchmarkSizes[size];
    const request = generateInstance(spec, { seed: settings.seed, solarTrace: trace });
    const text = `${JSON.stringify(request)}\n`;
    const instanceFile = join(instanceDir, `${size}.seed${settings.seed}${trace ? '' : '.synthetic'}.json`);
    writeFileSync(instanceFile, text);
    const totalGpuHours = request.jobs.reduce((sum, j) => sum + j.gpuHours, 0);
    const gap = spec.mipGap ?? 1e-4;
    const runs: Run[] = [];
    const sizeRuns = runsFor(size, settings);
    for (let k = 1; k <= sizeRuns; k++) {
      const bareNodeMs = size === 'tiny' ? await timeBareNode() : undefined;
      const cosched = await runCosched(instanceFile, size, k, settings);
      const lpPath = join(tmpDir, `${size}.run${k}.lp`);
      const probe = await runProbe(instanceFile, lpPath, (cosched.stages ?? 1) > 1, gap, timeLimitFor(size, settings));
      const cbc = cbcUsed && probe && !probe.error && existsSync(lpPath) ? await runCbc(lpPath, gap, cbcTimeLimitFor(size, settings)) : undefined;
      if (!settings.keepLp) rmSync(lpPath, { force: true });
      const comparison = compare(cosched, probe, cbc);
      runs.push({ run: k, cosched, probe, cbc, comparison, ...(bareNodeMs !== undefined ? { bareNodeMs } : {}) });
      log(
        `[${size}] run ${k}/${sizeRuns}: cosched ${fmtS(cosched.wallMs)} s end to end (build ${fmtS(cosched.buildMs)}, solve ${fmtS(cosched.solveMs)}), ` +
          (bareNodeMs !== undefined ? `bare node -e 0 ${fmtS(bareNodeMs)} s, ` : '') +
          `${cosched.error ?? cosched.termination}${(cosched.stages ?? 1) > 1 ? ` in ${cosched.stages} stages` : ''}, ${fmtInt(kbToMb(cosched.maxRssKb))} MB` +
          (probe?.error ? `; probe failed: ${probe.error}` : `; LP ${probe ? (probe.lpBytes / 1e6).toFixed(1) : '?'} MB`) +
          (cbc ? `; CBC ${fmtS(cbc.wallMs)} s ${cbc.status}${cbc.error ? ` (${cbc.error})` : ''}` : '') +
          (comparison.relDiff !== undefined ? `, Δ ${fmtSci(comparison.relDiff)}` : '') +
          (comparison.ratio !== undefined ? `, ratio ${comparison.ratio.toFixed(2)}` : '') +
          (cosched.otherCpuShare !== undefined && cosched.otherCpuShare > 0.1 ? ` [other processes used ${pct(cosched.otherCpuShare)} of the CPU]` : ''),
      );
    }
    results.push({ size, spec, instanceFile: relative(root, instanceFile), instanceBytes: Buffer.byteLength(text), totalGpuHours, runs, harnessSeconds: (performance.now() - sizeStarted) / 1000 });
  }

  let grpcRuns: GrpcRun[] | undefined;
  if (settings.grpc) {
    const tinyFile = join(instanceDir, `tiny.seed${settings.seed}${trace ? '' : '.synthetic'}.json`);
    writeFileSync(tinyFile, `${JSON.stringify(generateInstance(benchmarkSizes.tiny, { seed: settings.seed, solarTrace: trace }))}\n`);
    grpcRuns = await runGrpcCase(tinyFile, settings);
  }
  let scaleOut: ScaleOutOutcome | undefined;
  if (settings.scaleOut) {
    const size = settings.scaleOutSize;
    const baseFile = join(instanceDir, `${size}.seed${settings.seed}${trace ? '' : '.synthetic'}.json`);
    writeFileSync(baseFile, `${JSON.stringify(generateInstance(benchmarkSizes[size], { seed: settings.seed, solarTrace: trace }))}\n`);
    scaleOut = await runScaleOutCase(baseFile, settings);
  }
  const grpc = grpcTargets(grpcRuns, settings);
  const load = settings.load ? await runLoadCase() : undefined;
  const markdown = renderMarkdown(results, settings, machine, solarSource, cbcUsed, grpc, scaleOut) + loadMarkdown(load);
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(settings.out, markdown);
  writeFileSync(settings.out.replace(/\.md$/, '') + '.json', `${JSON.stringify({ machine, settings, solarSource, results, grpcRuns, scaleOut }, null, 2)}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`bench: wrote ${relative(root, settings.out)}`);
}

await main();
