import { parseArgs } from 'node:util';
import { UsageError } from './UsageError.js';
import { toUsageError } from './toUsageError.js';

/** The `serve` flags as given (strings, unchecked); resolveServeConfig checks them with the environment. */
export interface ServeFlags {
  host?: string;
  port?: string;
  workers?: string;
  maxQueuedPlans?: string;
  maxMessageBytes?: string;
  maxCells?: string;
  maxModelSize?: string;
  maxResponseBytes?: string;
  maxRequestsPerSecond?: string;
  requestBurst?: string;
  maxPlansInFlightPerClient?: string;
  maxConnections?: string;
  maxConnectionsPerIp?: string;
  connectionIdleSeconds?: string;
  maxStreamsPerConnection?: string;
  firstRequestTimeoutSeconds?: string;
  workerHeapMb?: string;
  shutdownGraceSeconds?: string;
  deadlineMarginMs?: string;
  logLevel?: string;
  tlsCert?: string;
  tlsKey?: string;
  dataDir?: string;
  store?: string;
  nightly?: string;
  nightlyTz?: string;
  runLeaseSeconds?: string;
  metricsPort?: string;
  queue?: string;
  queueName?: string;
  tokensFile?: string;
  tlsClientCa?: string;
  healthReflection?: string;
  otlpEndpoint?: string;
}

/** What the command line asks for. */
export type CommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'plan';
      /** The PlanRequest file (YAML or proto3 JSON). */
      file: string;
      /** Print proto3 JSON instead of text. */
      json: boolean;
      /** Where to write the model in CPLEX LP format, if asked. */
      dumpLpPath?: string;
      /** Overrides the file's options.timeLimitSeconds. */
      timeLimitSeconds?: number;
      /** Overrides the file's options.solver. */
      solver?: 'highs' | 'jslp';
      /** true: sets options.explain (the binding hours, from the duals); absent: the file's value. */
      explain?: boolean;
      /** --integer-gpus: sets options.integerGpus (executable schedules). */
      integerGpus?: boolean;
      /** HOST:PORT of a cosched server to plan on instead of planning locally. */
      server?: string;
      /** With `server`: a PEM CA certificate to trust, for TLS. */
      tlsCaPath?: string;
      /** With `server`: a PEM client certificate and its key (mTLS), both or neither. */
      tlsCertPath?: string;
      tlsKeyPath?: string;
      /** With `server`: a file holding the bearer token to send (else COSCHED_TOKEN, read by main). */
      tokenFile?: string;
      /** Write an HTML report with charts into this directory. */
      reportDir?: string;
    }
  | {
      kind: 'compare';
      /** The base PlanRequest file. */
      file: string;
      /** Compact variants, `NAME:OVERRIDE[,OVERRIDE...]` (see parseVariantArgument). */
      variants: string[];
      /** A YAML/JSON file of Variant messages. */
      variantsFile?: string;
      json: boolean;
      reportDir?: string;
      timeLimitSeconds?: number;
    }
  | {
      kind: 'frontier';
      file: string;
      /** The most plans to solve (2..100). */
      points?: number;
      json: boolean;
      reportDir?: string;
      timeLimitSeconds?: number;
    }
  | {
      kind: 'evaluate';
      /** The plan to judge: the proto3 JSON that `cosched plan FILE --json` printed. */
      file: string;
      /** The realised data: a PlanRequest file (YAML or proto3 JSON), or with `plannedFile` a forecasts file (ReplaceForecasts). */
      actualsFile: string;
      /** The PlanRequest file the plan was made on: the planned figures are recomputed on it. */
      plannedFile?: string;
      json: boolean;
      /** HOST:PORT of a cosched server to judge on (EvaluatePlan) instead of locally; TLS and token as for plan. */
      server?: string;
      tlsCaPath?: string;
      tlsCertPath?: string;
      tlsKeyPath?: string;
      tokenFile?: string;
      /** Write the HTML report of the evaluation into this directory (local evaluation only). */
      reportDir?: string;
    }
  | { kind: 'serve'; flags: ServeFlags };

const solvers = ['highs', 'jslp'] as const;

/** Flags of `serve`, by their parseArgs name and their ServeFlags key. */
const serveFlagNames = {
  host: 'host',
  port: 'port',
  workers: 'workers',
  'max-queued-plans': 'maxQueuedPlans',
  'max-message-bytes': 'maxMessageBytes',
  'max-cells': 'maxCells',
  'max-model-size': 'maxModelSize',
  'max-response-bytes': 'maxResponseBytes',
  'max-requests-per-second': 'maxRequestsPerSecond',
  'request-burst': 'requestBurst',
  'max-plans-in-flight-per-client': 'maxPlansInFlightPerClient',
  'max-connections': 'maxConnections',
  'max-connections-per-ip': 'maxConnectionsPerIp',
  'connection-idle-seconds': 'connectionIdleSeconds',
  'max-streams-per-connection': 'maxStreamsPerConnection',
  'first-request-timeout-seconds': 'firstRequestTimeoutSeconds',
  'worker-heap-mb': 'workerHeapMb',
  'shutdown-grace-seconds': 'shutdownGraceSeconds',
  'deadline-margin-ms': 'deadlineMarginMs',
  'log-level': 'logLevel',
  'tls-cert': 'tlsCert',
  'tls-key': 'tlsKey',
  'data-dir': 'dataDir',
  store: 'store',
  nightly: 'nightly',
  'nightly-tz': 'nightlyTz',
  'run-lease-seconds': 'runLeaseSeconds',
  'metrics-port': 'metricsPort',
  queue: 'queue',
  'queue-name': 'queueName',
  'tokens-file': 'tokensFile',
  'tls-client-ca': 'tlsClientCa',
  'health-reflection': 'healthReflection',
  'otlp-endpoint': 'otlpEndpoint',
} as const satisfies Record<string, keyof ServeFlags>;
const planFlagNames = ['json', 'dump-lp', 'time-limit', 'solver', 'explain', 'integer-gpus', 'server', 'tls-ca', 'token-file', 'report'] as const;
const whatIfFlagNames = ['variant', 'variants', 'points'] as const;
const evaluateFlagNames = ['actuals', 'planned'] as const;

/**
 * Parses `argv` (without node and the script) with node's strict `util.parseArgs`:
 * `plan FILE [--json] [--dump-lp OUT.lp] [--time-limit SECONDS] [--solver highs|jslp] [--explain] [--integer-gpus]
 * [--server HOST:PORT [--tls-ca CA.pem] [--tls-cert CERT.pem --tls-key KEY.pem] [--token-file FILE]]`, `serve [--host H] [--port P] [--workers N] ...`
 * (see usageText), `--help` / `-h` / `help`, `--version` / `-v`. `--help` and `--version` win
 * over everything else.
 * Throws UsageError for an unknown flag (naming it), a flag of the other command, a missing or
 * extra argument, an unknown command, a time limit that is not a number > 0, a solver other
 * than highs or jslp, a --server that is not HOST:PORT, --tls-ca, --tls-cert, --tls-key or
 * --token-file without --server, or only one of --tls-cert and --tls-key. The serve
 * flags' values are checked later, with the environment (resolveServeConfig).
 */
export function parseCommandLine(argv: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
        'dump-lp': { type: 'string' },
        'time-limit': { type: 'string' },
        solver: { type: 'string' },
        explain: { type: 'boolean' },
        'integer-gpus': { type: 'boolean' },
        server: { type: 'string' },
        'tls-ca': { type: 'string' },
        'token-file': { type: 'string' },
        // plan's client certificate; serve's certificate too (serveFlagNames).
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        report: { type: 'string' },
        variant: { type: 'string', multiple: true },
        variants: { type: 'string' },
        points: { type: 'string' },
        actuals: { type: 'string' },
        planned: { type: 'string' },
        ...Object.fromEntries(Object.keys(serveFlagNames).map((name) => [name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    throw toUsageError(error);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, file, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing command: expected `cosched plan FILE` or `cosched serve`');
  if (command === 'serve') {
    if (file !== undefined) throw new UsageError(`serve: unexpected argument '${file}'`);
    rejectFlags(values, [...planFlagNames, ...whatIfFlagNames, ...evaluateFlagNames], 'serve');
    const flags: ServeFlags = {};
    for (const [name, key] of Object.entries(serveFlagNames)) {
      const value = (values as Record<string, unknown>)[name];
      if (typeof value === 'string') flags[key] = value;
    }
    return { kind: 'serve', flags };
  }
  if (command === 'compare' || command === 'frontier') return parseWhatIf(command, file, extra, values);
  if (command === 'evaluate') return parseEvaluate(file, extra, values);
  if (command !== 'plan') throw new UsageError(`unknown command '${command}': expected 'plan', 'compare', 'frontier', 'evaluate', 'serve' or 'worker'`);
  // --tls-cert and --tls-key are serve flags too: for plan they name the client certificate.
  rejectFlags(values, [...Object.keys(serveFlagNames).filter((name) => name !== 'tls-cert' && name !== 'tls-key'), ...whatIfFlagNames, ...evaluateFlagNames], 'plan');
  if (file === undefined) throw new UsageError('plan: missing FILE (a PlanRequest in YAML or JSON)');
  if (extra.length > 0) throw new UsageError(`plan: unexpected argument '${extra[0]}': give one FILE`);

  const timeLimitSeconds = parseTimeLimit(values['time-limit']);
  const solver = values.solver;
  if (solver !== undefined && !(solvers as readonly string[]).includes(solver)) {
    throw new UsageError(`--solver '${solver}': expected one of ${solvers.join(', ')}`);
  }
  const server = checkServerFlags(values);
  return {
    kind: 'plan',
    file,
    json: values.json === true,
    dumpLpPath: values['dump-lp'],
    timeLimitSeconds,
    solver: solver as (typeof solvers)[number] | undefined,
    ...(values.explain === true ? { explain: true } : {}),
    ...(values['integer-gpus'] === true ? { integerGpus: true } : {}),
    server,
    tlsCaPath: values['tls-ca'],
    tlsCertPath: values['tls-cert'],
    tlsKeyPath: values['tls-key'],
    tokenFile: values['token-file'],
    reportDir: values.report,
  };
}

/** `compare FILE (--variant NAME:OVERRIDES)... [--variants FILE]` and `frontier FILE [--points N]`. */
function parseWhatIf(
  command: 'compare' | 'frontier',
  file: string | undefined,
  extra: string[],
  values: { json?: boolean; report?: string; variant?: string[]; variants?: string; points?: string; 'time-limit'?: string } & Record<string, unknown>,
): CommandLine {
  // --integer-gpus is plan's: a what-if sets options.integerGpus in its base FILE or a variant.
  rejectFlags(values, [...Object.keys(serveFlagNames), 'dump-lp', 'server', 'tls-ca', 'token-file', 'solver', ...evaluateFlagNames, 'explain', 'integer-gpus'], command);
  if (file === undefined) throw new UsageError(`${command}: missing FILE (the base PlanRequest in YAML or JSON)`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument '${extra[0]}': give one FILE (variants go in --variant)`);
  const timeLimitSeconds = parseTimeLimit(values['time-limit']);
  if (command === 'frontier') {
    rejectFlags(values, ['variant', 'variants'], command);
    let points: number | undefined;
    if (values.points !== undefined) {
      points = Number(values.points);
      if (!Number.isInteger(points) || points < 2 || points > 100) throw new UsageError(`--points '${values.points}': expected a whole number from 2 to 100`);
    }
    return { kind: 'frontier', file, points, json: values.json === true, reportDir: values.report, timeLimitSeconds };
  }
  rejectFlags(values, ['points'], command);
  const variants = values.variant ?? [];
  if (variants.length === 0 && values.variants === undefined) {
    throw new UsageError('compare: give at least one --variant NAME:OVERRIDE[,OVERRIDE...] or --variants FILE');
  }
  return { kind: 'compare', file, variants, variantsFile: values.variants, json: values.json === true, reportDir: values.report, timeLimitSeconds };
}

/** `evaluate PLAN.json --actuals FILE [--planned FILE] [--json] [--report DIR | --server HOST:PORT [--tls-ca CA.pem] [--tls-cert C --tls-key K] [--token-file F]]`. */
function parseEvaluate(
  file: string | undefined,
  extra: string[],
  values: { json?: boolean; actuals?: string; planned?: string; report?: string; server?: string; 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string; 'token-file'?: string } & Record<string, unknown>,
): CommandLine {
  rejectFlags(values, [...Object.keys(serveFlagNames).filter((name) => name !== 'tls-cert' && name !== 'tls-key'), ...whatIfFlagNames, 'dump-lp', 'time-limit', 'solver'], 'evaluate');
  if (file === undefined) throw new UsageError("evaluate: missing PLAN.json (what 'cosched plan FILE --json' printed)");
  if (extra.length > 0) throw new UsageError(`evaluate: unexpected argument '${extra[0]}': give one PLAN.json (the actuals go in --actuals FILE)`);
  if (values.actuals === undefined) throw new UsageError('evaluate: missing --actuals FILE (a scenario file of what happened: the same sites and jobs, the realised forecasts)');
  const server = checkServerFlags(values);
  if (values.report !== undefined && server !== undefined) throw new UsageError('evaluate: --report works on a local evaluation; leave out --server');
  return {
    kind: 'evaluate',
    file,
    actualsFile: values.actuals,
    plannedFile: values.planned,
    json: values.json === true,
    server,
    tlsCaPath: values['tls-ca'],
    tlsCertPath: values['tls-cert'],
    tlsKeyPath: values['tls-key'],
    tokenFile: values['token-file'],
    reportDir: values.report,
  };
}

function parseTimeLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--time-limit '${text}': expected a number of seconds > 0`);
  return seconds;
}

/** Throws a UsageError if one of `names` was given to `command`, which does not take it. */
function rejectFlags(values: Record<string, unknown>, names: readonly string[], command: string): void {
  const given = names.find((name) => values[name] !== undefined);
  if (given) throw new UsageError(`${command}: --${given} is not a ${command} option`);
}


/**
 * The --server of plan and evaluate, with its connection flags: HOST:PORT, --tls-ca, --tls-cert,
 * --tls-key and --token-file only with --server, and --tls-cert with --tls-key.
 * @throws UsageError naming the flag.
 */
function checkServerFlags(values: { server?: string; 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string; 'token-file'?: string }): string | undefined {
  const server = values.server;
  if (server !== undefined && !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(server)) {
    throw new UsageError(`--server '${server}': expected HOST:PORT, e.g. 127.0.0.1:50051`);
  }
  for (const flag of ['tls-ca', 'tls-cert', 'tls-key', 'token-file'] as const) {
    if (values[flag] !== undefined && server === undefined) throw new UsageError(`--${flag} needs --server HOST:PORT`);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together: the client certificate and its key');
  return server;
}
