import { parseArgs } from 'node:util';
import type { ServerConnection } from '../../client/planOnServer.js';
import { parseRfc3339Timestamp } from '../../data/parseRfc3339Timestamp.js';
import type { ForecastFileFormat } from '../../data/importers/readForecastSeriesFile.js';
import { readClientToken } from '../readClientToken.js';
import { UsageError } from '../UsageError.js';
import { toUsageError } from '../toUsageError.js';

/** The server a standing-planner command talks to when neither --server nor COSCHED_SERVER says. */
export const defaultServerAddress = '127.0.0.1:50051';

/** What every standing-planner command takes. */
export interface StandingCommonOptions {
  /**
   * The server: --server, else COSCHED_SERVER, else 127.0.0.1:50051; with --tls-ca or --tls-cert
   * and --tls-key, TLS; the token of --token-file, else COSCHED_TOKEN, if any.
   */
  connection: ServerConnection;
  /** Print the response's proto3 JSON instead of text. */
  json: boolean;
}

/** A standing-planner command line (see usageText), parsed but not yet run. */
export type StandingCommand =
  | { name: 'help' }
  | (StandingCommonOptions &
      (
        | { name: 'jobs submit'; file: string; requestId?: string }
        | { name: 'jobs list'; states: string[]; allPages: boolean }
        | { name: 'jobs get'; job: string }
        | { name: 'jobs delete'; job: string }
        | { name: 'jobs cancel'; job: string; reason?: string }
        | { name: 'forecasts put'; file: string; requestId?: string }
        | {
            name: 'forecasts import';
            file: string;
            siteId: string;
            format: ForecastFileFormat;
            /** First hour of the new forecast (epoch ms). */
            fromMs?: number;
            hours?: number;
            greenSupplyMw?: number;
            gpuCapacity?: number;
            pue?: number;
            /** What the series is: the grid's carbon intensity (default) or its marginal rate. */
            signal?: 'intensity' | 'marginal';
            requestId?: string;
          }
        | { name: 'forecasts list'; siteId?: string; latestOnly: boolean; allPages: boolean }
        | {
            name: 'runs start';
            /** The run's clock (epoch ms); unset: the server's. */
            nowMs?: number;
            horizonHours?: number;
            timeLimitSeconds?: number;
            wait: boolean;
            cancelOnInterrupt: boolean;
            requestId?: string;
          }
        | { name: 'runs list'; states: string[]; allPages: boolean }
        | { name: 'runs get'; operation: string; input: boolean }
        | { name: 'runs cancel'; operation: string }
        | { name: 'dispatch'; siteId: string; /** Any instant in the hour (epoch ms); unset: now. */ hourMs?: number }
        | { name: 'progress report'; file: string; requestId?: string }
      ));

type CommandName = Exclude<StandingCommand['name'], 'help'>;

/** The flags each command takes besides --server, --tls-ca, --tls-cert, --tls-key, --token-file, --json and --help. */
const commandFlags: Record<CommandName, readonly string[]> = {
  'jobs submit': ['request-id'],
  'jobs list': ['state', 'all-pages'],
  'jobs get': [],
  'jobs delete': [],
  'jobs cancel': ['reason'],
  'forecasts put': ['request-id'],
  'forecasts import': ['site', 'format', 'signal', 'from', 'hours', 'green-supply-mw', 'gpu-capacity', 'pue', 'request-id'],
  'forecasts list': ['site', 'latest', 'all-pages'],
  'runs start': ['now', 'horizon-hours', 'time-limit', 'wait', 'cancel-on-interrupt', 'request-id'],
  'runs list': ['state', 'all-pages'],
  'runs get': ['input'],
  'runs cancel': [],
  dispatch: ['hour'],
  'progress report': ['request-id'],
};

/** The positional argument each command needs (after its words), as usage names it. */
const commandArgument: Partial<Record<CommandName, string>> = {
  'jobs submit': 'FILE (a scenario or a file of jobs, YAML or JSON)',
  'jobs get': 'NAME (jobs/ID or ID)',
  'jobs delete': 'NAME (jobs/ID or ID)',
  'jobs cancel': 'NAME (jobs/ID or ID)',
  'forecasts put': 'FILE (a scenario, YAML or JSON)',
  'forecasts import': 'FILE (an Electricity Maps or WattTime CSV, or a .zip of one)',
  'runs get': 'NAME (operations/run-... or run-...)',
  'runs cancel': 'NAME (operations/run-... or run-...)',
  dispatch: 'SITE',
  'progress report': 'FILE (a ReportProgressRequest, YAML or JSON)',
};

const groups: Record<string, readonly string[]> = {
  jobs: ['submit', 'list', 'get', 'cancel', 'delete'],
  forecasts: ['put', 'import', 'list'],
  runs: ['start', 'list', 'get', 'cancel'],
  progress: ['report'],
};

const formats: readonly ForecastFileFormat[] = ['auto', 'electricity-maps', 'watttime'];

/**
 * Parses a standing-planner command line (`argv` without node and the script, starting with one
 * of standingCommandNames) with node's strict `util.parseArgs`. `env` gives COSCHED_SERVER and
 * COSCHED_TOKEN; the --token-file is read here (readClientToken).
 * `--help` anywhere gives `{ name: 'help' }`.
 *
 * @throws UsageError for an unknown command or flag, a flag of another command, a missing or
 *   extra argument, a --server that is not HOST:PORT, only one of --tls-cert and --tls-key, an
 *   unreadable --token-file or a bad token (never shown), or a flag value of the wrong kind (an
 *   instant that is not RFC 3339, a count that is not a whole number...). Ranges the server
 *   checks (horizon hours, states, capacities...) are left to it.
 */
export function parseStandingCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StandingCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        server: { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'token-file': { type: 'string' },
        json: { type: 'boolean' },
        'request-id': { type: 'string' },
        state: { type: 'string' },
        'all-pages': { type: 'boolean' },
        reason: { type: 'string' },
        site: { type: 'string' },
        format: { type: 'string' },
        signal: { type: 'string' },
        from: { type: 'string' },
        hours: { type: 'string' },
        'green-supply-mw': { type: 'string' },
        'gpu-capacity': { type: 'string' },
        pue: { type: 'string' },
        latest: { type: 'boolean' },
        now: { type: 'string' },
        'horizon-hours': { type: 'string' },
        'time-limit': { type: 'string' },
        wait: { type: 'boolean' },
        'cancel-on-interrupt': { type: 'boolean' },
        input: { type: 'boolean' },
        hour: { type: 'string' },
      },
    });
  } catch (error) {
    throw toUsageError(error);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };

  // 1. The command's words and its argument.
  const [group, ...rest] = positionals;
  let name: CommandName;
  let args: string[];
  if (group === 'dispatch') {
    name = 'dispatch';
    args = rest;
  } else {
    const actions = groups[group ?? ''];
    if (actions === undefined) throw new UsageError(`unknown command '${group}'`);
    const [action, ...more] = rest;
    if (action === undefined) throw new UsageError(`${group}: missing subcommand: expected ${actions.map((a) => `'${group} ${a}'`).join(', ')}`);
    if (!actions.includes(action)) throw new UsageError(`unknown command '${group} ${action}': expected ${actions.map((a) => `'${group} ${a}'`).join(', ')}`);
    name = `${group} ${action}` as CommandName;
    args = more;
  }
  const wanted = commandArgument[name];
  if (wanted !== undefined && args.length === 0) throw new UsageError(`${name}: missing ${wanted}`);
  const extra = args[wanted === undefined ? 0 : 1];
  if (extra !== undefined) throw new UsageError(`${name}: unexpected argument '${extra}'`);
  const arg = args[0] as string;

  // 2. Only this command's flags.
  const allowed = new Set(['help', 'server', 'tls-ca', 'tls-cert', 'tls-key', 'token-file', 'json', ...commandFlags[name]]);
  const given = Object.keys(values).find((flag) => !allowed.has(flag) && (values as Record<string, unknown>)[flag] !== undefined);
  if (given !== undefined) throw new UsageError(`${name}: --${given} is not an option of ${name}`);

  // 3. The common options.
  const server = values.server ?? (env.COSCHED_SERVER || undefined) ?? defaultServerAddress;
  if (!/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(server)) {
    throw new UsageError(`${values.server !== undefined ? '--server' : 'COSCHED_SERVER'} '${server}': expected HOST:PORT, e.g. 127.0.0.1:50051`);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together: the client certificate and its key');
  const connection = { address: server, tlsCaPath: values['tls-ca'], tlsCertPath: values['tls-cert'], tlsKeyPath: values['tls-key'], token: readClientToken(values['token-file'], env) };
  const common: StandingCommonOptions = { connection, json: values.json === true };
  const requestId = values['request-id'];
  if (requestId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(requestId)) {
    throw new UsageError(`--request-id '${requestId}': expected 1 to 128 printable ASCII characters without spaces, e.g. a UUID`);
  }

  // 4. The command's own options.
  switch (name) {
    case 'jobs submit':
    case 'forecasts put':
    case 'progress report':
      return { ...common, name, file: arg, requestId };
    case 'jobs list':
    case 'runs list':
      return { ...common, name, states: splitList(values.state), allPages: values['all-pages'] === true };
    case 'jobs get':
    case 'jobs delete':
      return { ...common, name, job: jobName(arg) };
    case 'jobs cancel':
      return { ...common, name, job: jobName(arg), reason: values.reason };
    case 'forecasts import': {
      if (values.site === undefined) throw new UsageError('forecasts import: missing --site SITE (the site the forecast is for)');
      const format = (values.format ?? 'auto') as ForecastFileFormat;
      if (!formats.includes(format)) throw new UsageError(`--format '${values.format}': expected one of ${formats.join(', ')}`);
      const signal = values.signal;
      if (signal !== undefined && signal !== 'intensity' && signal !== 'marginal') throw new UsageError(`--signal '${signal}': expected intensity or marginal`);
      return {
        ...common,
        name,
        file: arg,
        siteId: values.site,
        format,
        fromMs: instant('--from', values.from),
        hours: wholeNumber('--hours', values.hours),
        greenSupplyMw: number('--green-supply-mw', values['green-supply-mw']),
        gpuCapacity: wholeNumber('--gpu-capacity', values['gpu-capacity']),
        pue: number('--pue', values.pue),
        signal,
        requestId,
      };
    }
    case 'forecasts list':
      return { ...common, name, siteId: values.site, latestOnly: values.latest === true, allPages: values['all-pages'] === true };
    case 'runs start': {
      const timeLimitSeconds = number('--time-limit', values['time-limit']);
      if (timeLimitSeconds !== undefined && timeLimitSeconds <= 0) throw new UsageError(`--time-limit '${values['time-limit']}': expected a number of seconds > 0`);
      if (values['cancel-on-interrupt'] && !values.wait) throw new UsageError('--cancel-on-interrupt needs --wait');
      return {
        ...common,
        name,
        nowMs: instant('--now', values.now),
        horizonHours: wholeNumber('--horizon-hours', values['horizon-hours']),
        timeLimitSeconds,
        wait: values.wait === true,
        cancelOnInterrupt: values['cancel-on-interrupt'] === true,
        requestId,
      };
    }
    case 'runs get':
      return { ...common, name, operation: operationName(arg), input: values.input === true };
    case 'runs cancel':
      return { ...common, name, operation: operationName(arg) };
    case 'dispatch':
      return { ...common, name, siteId: arg, hourMs: instant('--hour', values.hour) };
  }
}

/** `jobs/ID` for `ID` or `jobs/ID`. */
function jobName(text: string): string {
  return text.startsWith('jobs/') ? text : `jobs/${text}`;
}

/** `operations/run-...` for `run-...` or `operations/run-...`. */
function operationName(text: string): string {
  return text.startsWith('operations/') ? text : `operations/${text}`;
}

/** `A,B` → ['A', 'B'] (empty items dropped); nothing → []. */
function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function instant(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseRfc3339Timestamp(text);
  if (ms === undefined) throw new UsageError(`${flag} '${text}': expected an RFC 3339 instant such as 2026-07-01T00:00:00Z`);
  return ms;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} '${text}': expected a number`);
  return value;
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  const value = number(flag, text);
  if (value !== undefined && !Number.isInteger(value)) throw new UsageError(`${flag} '${text}': expected a whole number`);
  return value;
}

