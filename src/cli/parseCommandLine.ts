import { parseArgs } from 'node:util';
import { UsageError } from './UsageError.js';

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
    };

const solvers = ['highs', 'jslp'] as const;

/**
 * Parses `argv` (without node and the script) with node's strict `util.parseArgs`:
 * `plan FILE [--json] [--dump-lp OUT.lp] [--time-limit SECONDS] [--solver highs|jslp]`,
 * `--help` / `-h` / `help`, `--version` / `-v`. `--help` and `--version` win over everything else.
 * Throws UsageError for an unknown flag (naming it), a missing or extra argument, an unknown
 * command, a time limit that is not a number > 0, or a solver other than highs or jslp.
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
      },
    });
  } catch (error) {
    throw toUsageError(error);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, file, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing command: expected `cosched plan FILE`');
  if (command !== 'plan') throw new UsageError(`unknown command '${command}': expected 'plan'`);
  if (file === undefined) throw new UsageError('plan: missing FILE (a PlanRequest in YAML or JSON)');
  if (extra.length > 0) throw new UsageError(`plan: unexpected argument '${extra[0]}': give one FILE`);

  const timeLimit = values['time-limit'];
  let timeLimitSeconds: number | undefined;
  if (timeLimit !== undefined) {
    timeLimitSeconds = Number(timeLimit);
    if (timeLimit.trim() === '' || !Number.isFinite(timeLimitSeconds) || timeLimitSeconds <= 0) {
      throw new UsageError(`--time-limit '${timeLimit}': expected a number of seconds > 0`);
    }
  }
  const solver = values.solver;
  if (solver !== undefined && !(solvers as readonly string[]).includes(solver)) {
    throw new UsageError(`--solver '${solver}': expected one of ${solvers.join(', ')}`);
  }
  return {
    kind: 'plan',
    file,
    json: values.json === true,
    dumpLpPath: values['dump-lp'],
    timeLimitSeconds,
    solver: solver as (typeof solvers)[number] | undefined,
  };
}

/** Rewords parseArgs' errors: an unknown flag is named on its own. */
function toUsageError(error: unknown): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return new UsageError(`unknown flag ${unknown[1]}`);
  if (code?.startsWith('ERR_PARSE_ARGS_')) return new UsageError(message.split('. ')[0]);
  return new UsageError(message);
}
