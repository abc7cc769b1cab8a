/**
 * `npm run fuzz -- [--seconds N] [--seed S] [--concurrency C]`: the long fuzz run of issue 14.
 * Starts a real server (2 plan workers, max cells 100,000, no rate limit) in this process and sends it the corpus
 * of test/fuzz/fuzzCases.ts through raw-byte clients for N seconds (default 180), C cases at a
 * time (default 4), seeded by S (default 14: batches of 200 cases from seeds 14, 15, ...); then the big cases once each. Prints the answers
 * per category and code, the slowest call, the server heap before and after, and every answer
 * that broke the rule (checkAnswer); exits 1 if there was one.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { buildCase, caseArbitrary, hugeCases, runCase, type CallOutcome, type CaseSeed } from './fuzzCases.js';
import { rawClient } from '../helpers/rawCalls.js';
import { checkHealth, healthClient } from '../helpers/standardClients.js';
import { startTestServer } from '../helpers/startTestServer.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    seed: { type: 'string', default: '14' },
    concurrency: { type: 'string', default: '4' },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const deadlineMs = 30_000;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapMb = () => {
  collectGarbage();
  collectGarbage();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
};

const test = await startTestServer({ workers: 2, maxCells: 100_000, requestsPerSecondPerClient: 0 });
const clients = Array.from({ length: concurrency }, () => rawClient(test.address));
const counts = new Map<string, Map<string, number>>();
const problems: string[] = [];
let cases = 0;
let skipped = 0;
let slowest = { ms: 0, label: '' };

function record(category: string, outcomes: CallOutcome[], label: string, ms: number): void {
  for (const outcome of outcomes) {
    const key = `${category} → ${outcome.method}`;
    const row = counts.get(key) ?? new Map<string, number>();
    row.set(status[outcome.code], (row.get(status[outcome.code]) ?? 0) + 1);
    counts.set(key, row);
    if (outcome.problem !== undefined && problems.length < 50) problems.push(`${outcome.method} (${label}): ${outcome.problem}`);
  }
  if (ms > slowest.ms) slowest = { ms, label: `${category}: ${label}` };
}

// Warm up, then take the heap baseline.
await runCase(clients[0], 'plan', Uint8Array.from([0xff]), deadlineMs);
const heapBeforeMb = heapMb();
const startedMs = performance.now();
// Cases come in seeded batches of 200 (seed, seed + 1, ...), drawn as they are needed.
const arbitrary = caseArbitrary(['plan', 'plan', 'plan', 'createJob', 'createSiteForecast']);
let batch: ReturnType<typeof fc.sample<CaseSeed>> = [];
let batchNumber = 0;
const samples = {
  next(): { done: false; value: CaseSeed } {
    if (batch.length === 0) batch = fc.sample(arbitrary, { seed: seed + batchNumber++, numRuns: 200 }).reverse();
    return { done: false, value: batch.pop() as CaseSeed };
  },
};
await Promise.all(
  clients.map(async (client) => {
    while (performance.now() - startedMs < seconds * 1000) {
      const seedCase = samples.next().value;
      const built = buildCase(seedCase);
      if (built === undefined) {
        skipped++;
        continue;
      }
      const callStartedMs = performance.now();
      const outcomes = await runCase(client, seedCase.target, built.bytes, deadlineMs, cases++ % 8 === 0);
      record(seedCase.category, outcomes, `${seedCase.target}: ${built.label}`, performance.now() - callStartedMs);
    }
  }),
);
for (const huge of hugeCases()) {
  const callStartedMs = performance.now();
  record('huge', await runCase(clients[0], huge.target, huge.bytes, deadlineMs), huge.label, performance.now() - callStartedMs);
  cases++;
}
const health = await checkHealth(healthClient(test.address), '');
const logLines = test.logs.length;
const heapAfterMb = heapMb();
// The test helper keeps every log line in memory (test.logs); without them:
test.logs.length = 0;
const heapAfterWithoutLogsMb = heapMb();
for (const client of clients) client.close();
await test.close();

const codes = [...new Set([...counts.values()].flatMap((row) => [...row.keys()]))].sort();
console.log(`seed ${seed}, ${seconds} s, ${cases} cases (${skipped} unencodable semantic faults skipped), ${Math.round((performance.now() - startedMs) / 1000)} s in all`);
console.log(`\n| category → method | ${codes.join(' | ')} |\n|---|${codes.map(() => '---:').join('|')}|`);
for (const [key, row] of [...counts].sort(([a], [b]) => a.localeCompare(b))) console.log(`| ${key} | ${codes.map((code) => row.get(code) ?? 0).join(' | ')} |`);
console.log(`\nslowest case: ${Math.round(slowest.ms)} ms (${slowest.label.slice(0, 160)})`);
console.log(`health after: ${health}; heap ${heapBeforeMb} MB before, ${heapAfterMb} MB after (${heapAfterWithoutLogsMb} MB without the ${logLines} log lines the test helper keeps)`);
console.log(problems.length === 0 ? 'no answer broke the rule' : `${problems.length} answers broke the rule:\n${problems.join('\n')}`);
process.exit(problems.length === 0 ? 0 : 1);
