import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `value` as JSON with a two-space indent and every array of numbers on one line, for small
 * companion files of the scenarios. Returns the number of bytes written.
 */
export function writeCompactJson(outPath: string, value: unknown): number {
  const text = `${JSON.stringify(value, null, 2).replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_, body: string) => `[${body.split(/,\s*/).join(', ')}]`)}\n`;
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, text);
  return Buffer.byteLength(text);
}
