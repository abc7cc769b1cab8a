import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the module at `compiled`, a `.js` URL next to the caller (e.g.
 * `new URL('./highsWorker.js', import.meta.url)`).
 *
 * - When that file exists (running from dist/), the worker runs it directly.
 * - Otherwise (running from sources, as under vitest or `node --import tsx`) the worker loads the
 *   `.ts` file beside it through tsx. Node 20 ignores `--import` in a worker's execArgv, so the
 *   source is loaded by a small eval'd bootstrap that calls tsx's `tsImport`; a failure to load
 *   it surfaces as the worker's 'error' event, like any other startup failure.
 *
 * `options` are passed on (workerData, resourceLimits...); `eval` is decided here. Throws only
 * what `new Worker` throws.
 */
export function startWorkerThread(compiled: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (existsSync(compiled)) return new Worker(compiled, options);
  const source = new URL(compiled.href.replace(/\.js$/, '.ts'));
  if (!existsSync(fileURLToPath(source))) throw new Error(`worker module not found: neither ${fileURLToPath(compiled)} nor its .ts source exists`);
  const bootstrap = `import(${JSON.stringify(tsxApi())}).then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * tsx's ESM API as a file URL, found through tsx's own exports map so that resolution depends
 * neither on the working directory nor on tsx's file layout. (Its CommonJS build cannot be
 * imported this way.) Falls back to the bare specifier.
 */
function tsxApi(): string {
  try {
    const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
    const target = manifest.exports['./esm/api']?.import?.default;
    if (target) return pathToFileURL(join(dirname(manifestPath), target)).href;
  } catch {
    // Fall through to the bare specifier.
  }
  return 'tsx/esm/api';
}
