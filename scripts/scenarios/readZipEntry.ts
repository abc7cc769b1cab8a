import { readFileSync } from 'node:fs';
import { listZipEntries, readZipEntryBytes } from '../../src/data/importers/readZipArchive.js';

/**
 * Reads one file out of a .zip archive (the importers' zip reader: stored and deflated entries,
 * with or without data descriptors; not ZIP64, encryption or multi-disk archives).
 *
 * @returns the entry's bytes.
 * @throws Error naming the archive when it cannot be read, is not a zip, lacks `entryName`
 *   (the message lists the entries it has), or uses an unsupported feature.
 */
export function readZipEntry(zipPath: string, entryName: string): Buffer {
  let zip: Buffer;
  try {
    zip = readFileSync(zipPath);
  } catch (error) {
    throw new Error(`cannot read ${zipPath}: ${(error as Error).message}`);
  }
  try {
    const entries = listZipEntries(zip);
    const entry = entries.find((e) => e.name === entryName);
    if (!entry) throw new Error(`no entry "${entryName}"; it has: ${entries.map((e) => e.name).join(', ')}`);
    return readZipEntryBytes(zip, entry);
  } catch (error) {
    throw new Error(`${zipPath}: ${(error as Error).message}`);
  }
}
