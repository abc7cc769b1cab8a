import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../projectRoot.js';

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
