import { inflateRawSync } from 'node:zlib';

/** The largest entry read (256 MiB). */
const maxEntryBytes = 256 * 1024 * 1024;

/** One file in a zip archive's central directory. */
export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Whether the bytes start like a zip archive (a local file header, or an empty archive). */
export function looksLikeZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && (bytes.readUInt32LE(0) === 0x04034b50 || bytes.readUInt32LE(0) === 0x06054b50);
}

/**
 * The entries of a zip archive held in memory, in central-directory order, read with Node's own
 * means (like scripts/scenarios/readZipEntry.ts, which scenario scripts use; this one also lists).
 *
 * @throws Error (plain; callers wrap it) when the bytes are not a zip or use ZIP64 / several disks.
 */
export function listZipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 6) !== 0) throw new Error('a multi-disk zip archive (not supported)');
  const count = zip.readUInt16LE(eocd + 10);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('a ZIP64 archive (not supported)');
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
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

/**
 * The bytes of one entry (stored or deflated; sizes from the central directory, so data
 * descriptors are fine).
 *
 * @throws Error (plain) for encryption, another compression method, or a damaged entry.
 */
export function readZipEntryBytes(zip: Buffer, entry: ZipEntry): Buffer {
  if (entry.flags & 0x1) throw new Error(`"${entry.name}" is encrypted (not supported)`);
  const local = entry.localHeaderOffset;
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for "${entry.name}"`);
  const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(dataStart, dataStart + entry.compressedSize);
  // A forecast series is a few MB at most; a bigger entry (or a zip bomb) is refused before inflating it all.
  if (entry.size > maxEntryBytes) throw new Error(`"${entry.name}" is ${entry.size} bytes; at most ${maxEntryBytes} are read`);
  let bytes: Buffer;
  if (entry.method === 0) bytes = Buffer.from(data);
  else if (entry.method === 8) bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  else throw new Error(`"${entry.name}" uses compression method ${entry.method} (only stored and deflate are supported)`);
  if (bytes.length !== entry.size) throw new Error(`"${entry.name}" inflated to ${bytes.length} bytes, the directory says ${entry.size}`);
  return bytes;
}
