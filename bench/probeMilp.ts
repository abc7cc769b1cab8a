/**
 * MILP probe (issue 15): generates a benchmark size, builds the first-stage model and solves it
 * with HiGHS in this thread with its log on, then prints root LP bound, first incumbent, nodes and
 * CPU seconds as one JSON line.
 *
 *   node --import tsx bench/probeMilp.ts SIZE [--seed N] [--time S] [--gap G] [--opt name=value ...] [--log]
 *     [--no-cuts] [--no-dive] [--save-solution FILE] [--start FILE]
 *
 * --no-cuts builds the model without its valid inequalities (buildModel's `cuts: false`); --no-dive
 * gives HiGHS no start from mipStartByDiving (the planner's solves do give it one);
 * --save-solution writes the final column values as JSON, --start gives such a file to HiGHS as a
 * MIP start (to measure what a start is worth). CPU seconds are this process's (user + system).
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkSizes, generateInstance, parseSolarTrace, type SizeName } from './generateInstance.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { buildModel } from '../solver/model/buildModel.js';
import { createHighsModel } from '../solver/solve/createHighsModel.js';
import { loadHighs } from '../solver/solve/loadHighs.js';
import { mipStartByDiving } from '../solver/solve/mipStartByDiving.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const size = args[0] as SizeName;
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seed = Number(flag('--seed') ?? 1);
const timeS = Number(flag('--time') ?? 120);
const gap = Number(flag('--gap') ?? benchmarkSizes[size].mipGap ?? 1e-4);
const opts: Array<[string, string]> = [];
args.forEach((a, i) => {
  if (a === '--opt') {
    const [k, v] = args[i + 1].split('=');
    opts.push([k, v]);
  }
});
const tracePath = join(root, '..', 'shared', 'data', 'solar-and-moer-traces', 'solar_example.csv');
const trace = existsSync(tracePath) ? parseSolarTrace(readFileSync(tracePath, 'utf8')) : undefined;
const json = generateInstance(benchmarkSizes[size], { seed, solarTrace: trace });
const problem = validatePlanRequest(PlanRequest.fromJSON(json));
let cpu = process.cpuUsage();
const built = buildModel(problem, undefined, { cuts: !args.includes('--no-cuts') });
const buildCpuS = cpuS(process.cpuUsage(cpu));
const m = built.model;
const highs = await loadHighs();

function cpuS(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

/** The model in HiGHS (log off; `--log` turns it on below), as the planner's adapter builds it. */
const makeModel = (integer: boolean) => createHighsModel(highs, m, integer);
// LP relaxation
const lp = makeModel(false);
cpu = process.cpuUsage();
lp.run();
const lpCpuS = cpuS(process.cpuUsage(cpu));
const lpObjective = lp.getObjectiveValue();
lp.dispose();

const mip = makeModel(true);
const log = args.includes('--log');
mip.options.set('output_flag', log);
mip.options.set('log_to_console', log);
mip.options.set('mip_rel_gap', gap);
mip.options.set('time_limit', timeS);
for (const [k, v] of opts) mip.options.set(k, v === 'true' ? true : v === 'false' ? false : isNaN(Number(v)) ? v : Number(v));
let diveCpuS: number | undefined;
let diveGiven = false;
if (!args.includes('--no-dive')) {
  const c = process.cpuUsage();
  const diveStart = mipStartByDiving(highs, m, 30, Math.max(0.01, gap)); // as solveHighsInThisThread
  diveCpuS = cpuS(process.cpuUsage(c));
  diveGiven = diveStart !== undefined;
  if (diveStart) mip.setSolution({ colValue: diveStart });
}
const startFile = flag('--start');
if (startFile) mip.setSolution({ colValue: Float64Array.from(JSON.parse(readFileSync(startFile, 'utf8')) as number[]) });
let firstIncumbentS: number | undefined;
let firstIncumbent: number | undefined;
const t0 = performance.now();
cpu = process.cpuUsage();
mip.run({
  ...(log ? { [highs.constants.callbackType.logging]: (e: { message?: string }) => process.stderr.write(e.message ?? '') } : {}),
  [highs.constants.callbackType.mipImprovingSolution]: (e: { data: { objective_function_value?: number } }) => {
    if (firstIncumbentS === undefined) {
      firstIncumbentS = (performance.now() - t0) / 1000;
      firstIncumbent = e.data.objective_function_value;
    }
  },
} as never);
const mipCpuS = cpuS(process.cpuUsage(cpu));
const objective = mip.getObjectiveValue();
const out = {
  size,
  seed,
  cols: m.colNames.length,
  rows: m.rowNames.length,
  integers: m.colInteger.filter((x) => x !== 0).length,
  nnz: m.index.length,
  buildCpuS,
  lpObjective,
  lpCpuS,
  status: mip.getModelStatus(),
  objective,
  bound: mip.info.get('mip_dual_bound'),
  mipGap: mip.info.get('mip_gap'),
  nodes: Number(mip.info.get('mip_node_count')),
  rootGapPct: (100 * (objective - lpObjective)) / Math.abs(objective),
  firstIncumbentS,
  firstIncumbentGapPct: firstIncumbent === undefined ? undefined : (100 * (firstIncumbent - objective)) / Math.abs(objective),
  diveCpuS,
  diveGiven,
  mipCpuS,
  mipWallS: (performance.now() - t0) / 1000,
};
console.log(JSON.stringify(out));
const saveFile = flag('--save-solution');
if (saveFile) writeFileSync(saveFile, JSON.stringify(Array.from(mip.getSolution().colValue)));
mip.dispose();
