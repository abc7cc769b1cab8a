import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of `relative` inside the shared real-data folder: `<project>/../shared/data/` (the
 * project root is found by walking up from this module to the package.json named "cosched"), or
 * the folder named by the environment variable COSCHED_SHARED_DATA.
 *
 * @throws Error saying which file is missing, where it was looked for, and how to point elsewhere.
 */
export function sharedDataPath(relative: string): string {
  const base = process.env.COSCHED_SHARED_DATA ? resolve(process.env.COSCHED_SHARED_DATA) : join(projectRoot(), '..', 'shared', 'data');
  const path = join(base, relative);
  if (!existsSync(path)) {
    throw new Error(
      `real data missing: ${path} not found.\n` +
        `The real-data scenarios are built from the shared data folder next to the project (../shared/data, ` +
        `described in its README.md). Put the data there, or set COSCHED_SHARED_DATA to the folder that holds ${relative}.`,
    );
  }
  return path;
}

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cosched') return dir;
      } catch {
        // not the project's manifest; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
