import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Latencies of `samples` sequential calls of `call`, `gapMs` apart, and this process's worst event-loop stall meanwhile. */
export async function measureLatenciesMs(call: () => Promise<unknown>, samples: number, gapMs = 20): Promise<{ latenciesMs: number[]; testProcessStallMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const latenciesMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const startedMs = performance.now();
    await call();
    latenciesMs.push(performance.now() - startedMs);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  loop.disable();
  return { latenciesMs, testProcessStallMs: loop.max / 1e6 };
}

/**
 * Latencies of `call` that must all stay under `limitMs`, measured in up to two rounds of
 * `samples`: a round with a slow call is logged and measured again once. Plans run for seconds,
 * so a server that blocked its main thread with planning fails both rounds; a lone stall of the
 * whole machine (other processes, the test runner's own garbage collection) does not fail the
 * test. Returns the round that counts.
 */
export async function latenciesUnderLoadMs(call: () => Promise<unknown>, samples: number, limitMs: number, label: string): Promise<number[]> {
  let round = await measureLatenciesMs(call, samples);
  const report = (r: typeof round) => `${r.latenciesMs.map((ms) => ms.toFixed(1)).join(', ')} ms (test process stalled up to ${r.testProcessStallMs.toFixed(0)} ms)`;
  if (Math.max(...round.latenciesMs) >= limitMs) {
    console.warn(`${label}: a slow round, measuring again: ${report(round)}`);
    round = await measureLatenciesMs(call, samples);
  }
  console.info(`${label}: ${report(round)}`);
  return round.latenciesMs;
}
