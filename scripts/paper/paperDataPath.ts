import { join, resolve } from 'node:path';
import { projectRoot } from '../projectRoot.js';

/**
 * The path of the 123-zone hourly carbon-intensity file (`ci_2022_hourly.csv`) in the shared data
 * folder next to the project (`<project>/../shared/data/carbon-intensity-2022-123-zones/`).
 * The project root is found by walking up from this module to the package.json named "cosched",
 * so it works from scripts/ (tsx, vitest) and from dist/scripts/ alike. The environment variable
 * COSCHED_CI_2022_CSV overrides it. Does not check that the file exists.
 */
export function paperDataPath(): string {
  const override = process.env.COSCHED_CI_2022_CSV;
  if (override) return resolve(override);
  return join(projectRoot(), '..', 'shared', 'data', 'carbon-intensity-2022-123-zones', 'ci_2022_hourly.csv');
}
