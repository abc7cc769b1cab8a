import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { readPlanRequestFile } from '../data/loadPlanRequest.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import { planProblem } from '../../solver/plan/planProblem.js';
import { preloadSmallModelSolver, solveSmallModelsHere } from '../../solver/solve/solveSmallModelsHere.js';
import { mayPlanInThisThread } from '../../solver/solve/solvesInThisThread.js';
import { warmUpHighs } from '../../solver/solve/solveWithHighs.js';
import { applyCommandLineOptions } from './applyCommandLineOptions.js';
import { exitCodes } from './exitCodes.js';
import { parseCommandLine } from './parseCommandLine.js';
import { readPackageVersion } from './readPackageVersion.js';
import { reportCliError } from './reportCliError.js';
import { isStandingCommandLine } from './standing/standingCommandNames.js';
import { usageText } from './usageText.js';
import { UsageError } from './UsageError.js';
import { withTracing } from './withTracing.js';

/**
 * The `cosched` command: `cosched plan FILE [--json] [--dump-lp OUT.lp] [--time-limit S]
 * [--solver highs|jslp] [--server HOST:PORT [--tls-ca CA.pem]] [--report DIR]`,
 * `cosched compare BASE --variant ...`, `cosched frontier FILE`,
 * `cosched evaluate PLAN.json --actuals FILE [--json] [--server ...]` (see runEvaluate), `cosched serve [flags]`,
 * `cosched worker --queue URL [flags]` (a plan worker on the queue, see runWorker),
 * `cosched token create --name NAME --role ROLE --tokens-file FILE` (see runTokenCommand),
 * the standing-planner commands against a server (`cosched jobs|forecasts|runs|dispatch|progress
 * ...`, see runStandingCommand), `--help`, `--version`. Returns the exit code (see `usageText`)
 * and never throws: every error leaves through `reportCliError`. Ctrl-C during a local solve cancels it; the partial result is
 * printed and the exit code is 3. With --server the plan is made by a running cosched server and
 * printed the same way (Ctrl-C cancels the call: exit 3). `serve` returns when the server has
 * stopped after SIGTERM or SIGINT, and `worker` likewise.
 */
export async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  const cancel = () => abort.abort();
  try {
    // The standing-planner commands (jobs, forecasts, runs, dispatch, progress) have their own
    // parser; Ctrl-C stops a `runs start --wait` (see waitForPlanRun).
    if (isStandingCommandLine(argv)) {
      process.once('SIGINT', cancel);
      const { runStandingCommand } = await import('./standing/runStandingCommand.js');
      const { output, exitCode } = await runStandingCommand(argv, { stderr: process.stderr, signal: abort.signal });
      return print(output, exitCode);
    }
    // `worker` has its own flags and parser (resolveWorkerConfig); --help and --version still win.
    if (argv[0] === 'worker' && !argv.some((arg) => ['--help', '-h', '--version', '-v'].includes(arg))) {
      const { resolveWorkerConfig } = await import('./resolveWorkerConfig.js');
      const config = resolveWorkerConfig(argv.slice(1));
      return await withTracing(config.otlpTracesUrl, { instrumentGrpc: false }, async () => (await import('./runWorker.js')).runWorker(config));
    }
    // `token create` mints a token into a tokens file; --help and --version still win.
    if (argv[0] === 'token' && !argv.some((arg) => ['--help', '-h', '--version', '-v'].includes(arg))) {
      const { runTokenCommand } = await import('./runTokenCommand.js');
      return runTokenCommand(argv, { stdout: process.stdout, stderr: process.stderr });
    }
    const command = parseCommandLine(argv);
    if (command.kind === 'help') return print(usageText(readPackageVersion()), exitCodes.ok);
    if (command.kind === 'version') return print(`${readPackageVersion()}\n`, exitCodes.ok);
    // Commands other than a local plan load their modules on demand: the gRPC stack and the chart
    // renderer take about 0.25 s each to load, which a plain `cosched plan` does not need (nor the
    // server's configuration with its logger, nor the report format it does not print).
    if (command.kind === 'serve') {
      // Tracing, when configured, must start before runServe.js imports @grpc/grpc-js.
      const { resolveServeConfig } = await import('./resolveServeConfig.js');
      const config = resolveServeConfig(command.flags);
      return await withTracing(config.otlpTracesUrl, { instrumentGrpc: true }, async () => (await import('./runServe.js')).runServe(config));
    }
    if (command.kind === 'evaluate') {
      process.once('SIGINT', cancel);
      return print(await (await import('./runEvaluate.js')).runEvaluate(command, abort.signal), exitCodes.ok);
    }
    if (command.kind === 'compare' || command.kind === 'frontier') {
      process.once('SIGINT', cancel);
      const { output, complete } =
        command.kind === 'compare'
          ? await (await import('./runCompare.js')).runCompare(command, abort.signal)
          : await (await import('./runFrontier.js')).runFrontier(command, abort.signal);
      return print(output, complete ? exitCodes.ok : exitCodes.incomplete);
    }

    // 1. Read the file; flags override its options.
    const request = applyCommandLineOptions(await readPlanRequestFile(command.file), command);
    // 2. Validate: every bad field is reported at once (also before asking a server: the text
    //    report needs the Problem, and a bad file is reported the same way).
    const problem = validatePlanRequest(request);
    // Start loading HiGHS now, so that it overlaps with the baseline and building the model: in
    // this thread when the plan looks small enough to be solved here (see solveSmallModelsHere),
    // else the HiGHS worker.
    if (command.server === undefined && problem.options.solver === 'highs') {
      if (mayPlanInThisThread(problem)) preloadSmallModelSolver();
      else warmUpHighs();
    }
    // 3. Dump the model in LP format if asked.
    if (command.dumpLpPath !== undefined) {
      const [{ buildModel }, { writeLpFormat }] = await Promise.all([import('../../solver/model/buildModel.js'), import('../../solver/model/writeLpFormat.js')]);
      await dumpLp(command.dumpLpPath, writeLpFormat(buildModel(problem, undefined, { start: false }).model));
    }
    // 4. Plan, here or on the server.
    process.once('SIGINT', cancel);
    let response;
    let result;
    if (command.server === undefined) {
      result = await planProblem(problem, { signal: abort.signal, solve: solveSmallModelsHere });
    } else {
      const [{ planOnServer }, { planResultFromResponse }] = await Promise.all([import('../client/planOnServer.js'), import('../client/planResultFromResponse.js')]);
      const { readClientToken } = await import('./readClientToken.js');
      const connection = { address: command.server, tlsCaPath: command.tlsCaPath, tlsCertPath: command.tlsCertPath, tlsKeyPath: command.tlsKeyPath, token: readClientToken(command.tokenFile) };
      response = await planOnServer(connection, request, { signal: abort.signal });
      result = planResultFromResponse(problem, response);
    }
    // 5. Write the HTML report if asked, then print, text or proto3 JSON.
    if (command.reportDir !== undefined) {
      const { writePlanReport } = await import('../report/writePlanReport.js');
      const { indexHtml } = await writePlanReport(command.reportDir, problem, result, { source: command.file });
      process.stderr.write(`cosched: wrote the report to ${indexHtml}\n`);
    }
    let output: string;
    if (command.json) {
      const { planResponseToJson, toPlanResponse } = await import('../report/toPlanResponse.js');
      output = `${JSON.stringify(planResponseToJson(response ?? toPlanResponse(problem, result)), null, 2)}\n`;
    } else {
      const { formatPlanText } = await import('../report/formatPlanText.js');
      output = formatPlanText(problem, result, { color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined });
    }
    const complete = result.termination === 'optimal' || result.termination === 'time_limit_feasible';
    return print(output, complete ? exitCodes.ok : exitCodes.incomplete);
  } catch (error) {
    return reportCliError(error, process.stderr);
  } finally {
    process.off('SIGINT', cancel);
  }
}

function print(text: string, exitCode: number): number {
  process.stdout.write(text);
  return exitCode;
}

async function dumpLp(path: string, lpText: string): Promise<void> {
  try {
    await writeFile(path, lpText);
  } catch (error) {
    throw new UsageError(`--dump-lp ${path}: cannot write the file: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stderr.write(`cosched: wrote the LP model to ${path}\n`);
}

/** True when this module is the program node was started with (not imported by bin/cosched.js). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
