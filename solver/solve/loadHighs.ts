import * as highsModule from 'highs';
import type { Highs } from 'highs';

type HighsLoader = (typeof highsModule.default)['default'];

// highs ships CommonJS typings but Node's `import` picks its ES build: TypeScript sees the loader
// at `.default.default`, Node puts it at `.default`. Take whichever exists.
const loader = ((highsModule.default as unknown as { default?: HighsLoader }).default ?? highsModule.default) as unknown as HighsLoader;

/**
 * Loads and instantiates the HiGHS WebAssembly runtime (about 50 ms). Each call compiles a fresh
 * instance; callers keep the promise to reuse one instance (see highsWorker).
 */
export function loadHighs(): Promise<Highs> {
  return loader();
}
