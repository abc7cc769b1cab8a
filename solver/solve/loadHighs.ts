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
   * true: compile this instance for a quick start rather than for long solves: with V8's baseline
   * WebAssembly compiler only (Liftoff), never tiering hot functions up to the optimising compiler
   * (TurboFan), and validating each function when it is first called rather than all 3.5 MB at
   * load (about 12 ms). For a few short solves in a short-lived process: tier-up costs about 0.2 s
   * of CPU in background threads, and V8 makes the main thread wait for that work before the
   * process exits, while it makes a long solve faster (see warmUpModel). Default false.
   */
  quickStart?: boolean;
}

/** True while a quick-start load has left V8's WebAssembly tier-up off for the whole process. */
let tieringOff = false;

/**
 * Loads and instantiates the HiGHS WebAssembly runtime (about 50 ms). Each call compiles a fresh
 * instance; callers keep the promise to reuse one instance (see highsWorker).
 *
 * `quickStart` sets V8's process-wide flags `--liftoff-only` and `--wasm-lazy-validation` while
 * this instance compiles. Clearing `--liftoff-only` afterwards does not turn tier-up back on
 * (`--liftoff-only` also clears `--wasm-tier-up` and `--wasm-dynamic-tiering`), so from then on no
 * WebAssembly in the process, in any thread, tiers up to the optimising compiler, this instance
 * included: that is what spares a short CLI run the tier-up work V8 waits for at exit. A caller
 * that goes on to long solves (a HiGHS worker thread) must call restoreWasmTiering first.
 * `--wasm-lazy-validation` stays set: it only defers checking a function until its first call,
 * which changes nothing for a valid module such as HiGHS's (clearing it while functions of this
 * instance are still unchecked would make V8 abort on an invalid one instead of throwing).
 * Neither is touched when node was started with such a flag.
 */
export async function loadHighs(options: LoadHighsOptions = {}): Promise<Highs> {
  const setFlags = options.quickStart === true && !startedWithWasmCompilerFlag();
  if (setFlags) {
    setFlagsFromString('--liftoff-only --wasm-lazy-validation');
    tieringOff = true;
  }
  try {
    return await loader();
  } finally {
    if (setFlags) setFlagsFromString('--no-liftoff-only');
  }
}

/**
 * Turns V8's WebAssembly tier-up back on after a quick-start load (loadHighs) turned it off, so
 * that instances compiled from now on, such as a HiGHS worker thread's, get optimised code for
 * long solves (and the quick-start instance tiers up too, if it runs hot again). Does nothing when
 * no quick-start load changed the flags. Call it before starting a HiGHS worker in a process that
 * may have made a quick-start load.
 */
export function restoreWasmTiering(): void {
  if (!tieringOff) return;
  setFlagsFromString('--wasm-tier-up --wasm-dynamic-tiering');
  tieringOff = false;
}

function startedWithWasmCompilerFlag(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /liftoff|wasm-lazy-validation|tier-up|dynamic-tiering/.test(arg));
}
