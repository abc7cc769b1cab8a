import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Variant } from '../generated/cosched/v1/what_if.js';
import { parseVariantsText } from './parseVariantsText.js';

/**
 * Reads a variants file (YAML or JSON; see parseVariantsText). A relative
 * `replaceForecasts.file` in it is taken relative to the variants file's folder, as paths in a
 * file usually are, and returned joined to that folder.
 *
 * @throws CoschedError NOT_FOUND naming the path when the file does not exist; INVALID_ARGUMENT
 *   when it cannot be read, has a syntax error, or breaks the schema.
 */
export async function readVariantsFile(path: string): Promise<Variant[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CoschedError('NOT_FOUND', `variants file not found: ${path}`, { reason: 'VARIANTS_FILE_NOT_FOUND', cause: error });
    throw new CoschedError('INVALID_ARGUMENT', `cannot read variants file ${path}: ${(error as Error).message}`, {
      reason: 'VARIANTS_FILE_UNREADABLE',
      cause: error,
    });
  }
  const folder = dirname(path);
  return parseVariantsText(text, path).map((variant) => ({
    ...variant,
    overrides: variant.overrides.map((override) => {
      if (override.change?.$case !== 'replaceForecasts') return override;
      const file = override.change.value.file;
      if (file === '' || isAbsolute(file)) return override;
      return { change: { $case: 'replaceForecasts', value: { ...override.change.value, file: join(folder, file) } } };
    }),
  }));
}
