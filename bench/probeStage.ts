/**
 * Benchmark helper, run by runBenchmark.ts in a child process of its own:
 *
 *   node --import tsx bench/probeStage.ts INSTANCE.json OUT.lp [--solve SECONDS MIPGAP]
 *
 * Reads and validates the instance exactly as the CLI does, builds the first-stage model
 * (stage 'weighted', the model `cosched plan --dump-lp` writes: the same call,
 * `writeLpFormat(buildModel(problem).model)`), writes it to OUT.lp, and prints one JSON line with
 * the timings, the model size, and the size of the same model without reductions (naiveModelSize). With --solve it also solves that model with HiGHS (the same adapter
 * the planner uses), for the stage-1 objective when the CLI run needed more than one stage.
 *
 * This is separate from the timed CLI run so that dumping the LP does not inflate the CLI's
 * end-to-end time or peak memory.
 */
import { writeFile } from 'node:fs/promises';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { buildModel } from '../solver/model/buildModel.js';
import { modelSize, type ModelSize } from '../solver/model/LinearModel.js';
import { naiveModelSize } from '../solver/model/naiveModelSize.js';
import { writeLpFormat } from '../solver/model/writeLpFormat.js';
import { solveModel } from '../solver/solve/solveModel.js';

/** What the probe prints (one JSON line on stdout). */
export interface ProbeReport {
  readMs: number;
  validateMs: number;
  buildMs: number;
  lpFormatMs: number;
  lpWriteMs: number;
  lpBytes: number;
  variables: number;
  constraints: number;
  integerVariables: number;
  nonzeros: number;
  objectiveOffset: number;
  /** The same stage's model without the exact reductions (buildModel's R1..R6), counted by naiveModelSize. */
  naive: ModelSize;
  stage1?: { termination: string; objective?: number; mipGap: number; solveMs: number; solverStatus: string };
  maxRssKb: number;
}

async function probe(argv: string[]): Promise<ProbeReport> {
  const [instancePath, lpPath, flag, seconds, gap] = argv;
  if (!instancePath || !lpPath || (flag !== undefined && flag !== '--solve')) {
    throw new Error('usage: probeStage.ts INSTANCE.json OUT.lp [--solve SECONDS MIPGAP]');
  }
  let t = performance.now();
  const request = await readPlanRequestFile(instancePath);
  const readMs = performance.now() - t;
  t = performance.now();
  const problem = validatePlanRequest(request);
  const validateMs = performance.now() - t;
  t = performance.now();
  const built = buildModel(problem);
  const buildMs = performance.now() - t;
  t = performance.now();
  const text = writeLpFormat(built.model);
  const lpFormatMs = performance.now() - t;
  t = performance.now();
  await writeFile(lpPath, text);
  const lpWriteMs = performance.now() - t;
  const size = modelSize(built.model);

  let stage1: ProbeReport['stage1'];
  if (flag === '--solve') {
    const outcome = await solveModel(built.model, problem.options.solver, {
      timeLimitSeconds: Number(seconds),
      mipGap: Number(gap),
    });
    stage1 = {
      termination: outcome.termination,
      objective: outcome.objective,
      mipGap: outcome.mipGap,
      solveMs: outcome.solveMs,
      solverStatus: outcome.solverStatus,
    };
  }
  return {
    readMs,
    validateMs,
    buildMs,
    lpFormatMs,
    lpWriteMs,
    lpBytes: Buffer.byteLength(text),
    ...size,
    objectiveOffset: built.model.objectiveOffset,
    naive: naiveModelSize(problem),
    stage1,
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

try {
  const report = await probe(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify(report)}\n`);
} catch (error) {
  process.stderr.write(`probeStage: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
