import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * Reads one file out of a .zip archive with Node's own zlib, so no unzip program or npm package
 * is needed. Supports what ordinary archives use: stored (method 0) and deflated (method 8)
 * entries, with or without data descriptors (sizes are taken from the central directory). Not
 * supported, and reported as such: ZIP64, encryption, multi-disk archives.
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
  const entries = centralDirectory(zip, zipPath);
  const entry = entries.find((e) => e.name === entryName);
  if (!entry) throw new Error(`${zipPath} has no entry "${entryName}"; it has: ${entries.map((e) => e.name).join(', ')}`);
  if (entry.flags & 0x1) throw new Error(`${zipPath}: "${entryName}" is encrypted (not supported)`);
  if (zip.readUInt32LE(entry.localHeaderOffset) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for "${entryName}"`);
  const dataStart = entry.localHeaderOffset + 30 + zip.readUInt16LE(entry.localHeaderOffset + 26) + zip.readUInt16LE(entry.localHeaderOffset + 28);
  const data = zip.subarray(dataStart, dataStart + entry.compressedSize);
  const bytes = entry.method === 0 ? Buffer.from(data) : entry.method === 8 ? inflateRawSync(data) : undefined;
  if (!bytes) throw new Error(`${zipPath}: "${entryName}" uses compression method ${entry.method} (only stored and deflate are supported)`);
  if (bytes.length !== entry.size) throw new Error(`${zipPath}: "${entryName}" inflated to ${bytes.length} bytes, the directory says ${entry.size}`);
  return bytes;
}

interface ZipDirectoryEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function centralDirectory(zip: Buffer, zipPath: string): ZipDirectoryEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipPath} is not a zip archive (no end-of-central-directory record)`);
  const count = zip.readUInt16LE(eocd + 10);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error(`${zipPath} is a ZIP64 archive (not supported)`);
  const entries: ZipDirectoryEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(p + 28);
    entries.push({
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localHeaderOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}
