import * as highsModule from 'highs';
import type { Highs } from 'highs';
import { setFlagsFromString } from 'node:v8';

type HighsLoader = (typeof highsModule.default)['default'];

// highs ships CommonJS typings but Node's `import` picks its ES build: TypeScript sees the loader
// at `.default.default`, Node puts it at `.default`. Take whichever exists.
const loader = ((highsModule.default as unknown as { default?: HighsLoader }).default ?? highsModule.default) as unknown as HighsLoader;

/** How to load HiGHS. */
export interface LoadHighsOptions {
  /**
   * true: compile this instance with V8's baseline WebAssembly compiler only (Liftoff), never
   * tiering hot functions up to the optimising compiler (TurboFan). For a few short solves in a
   * short-lived process: tier-up costs about 0.2 s of CPU in the background, and V8 makes the
   * thread wait for that work before the process may exit, while it makes a long solve faster
   * (see warmUpModel). Default false.
   */
  baselineCompilerOnly?: boolean;
}

/**
 * Loads and instantiates the HiGHS WebAssembly runtime (about 50 ms). Each call compiles a fresh
 * instance; callers keep the promise to reuse one instance (see highsWorker).
 *
 * `baselineCompilerOnly` sets V8's process-wide `--liftoff-only` flag while this instance
 * compiles and clears it afterwards (V8 reads it when it compiles a module, so instances compiled
 * later, also in other threads, tier up as usual; one compiled by another thread during those
 * milliseconds would not). It does nothing when node was started with a `liftoff` flag.
 */
export async function loadHighs(options: LoadHighsOptions = {}): Promise<Highs> {
  const setFlag = options.baselineCompilerOnly === true && !startedWithLiftoffFlag();
  if (setFlag) setFlagsFromString('--liftoff-only');
  try {
    return await loader();
  } finally {
    if (setFlag) setFlagsFromString('--no-liftoff-only');
  }
}

function startedWithLiftoffFlag(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('liftoff'));
}
