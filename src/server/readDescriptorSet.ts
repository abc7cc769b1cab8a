import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Where `npm run build` puts the descriptor set (`buf build`); dist/ gets a copy beside its code. */
export const descriptorSetUrl = new URL('../generated/cosched.binpb', import.meta.url);

/**
 * The serialised FileDescriptorProtos of cosched's API and everything it imports, as `buf build`
 * wrote them (a FileDescriptorSet: field 1, repeated), each left byte for byte as buf made it.
 *
 * @throws Error naming the file and the command that makes it when it is missing.
 */
export function readDescriptorSet(url: URL = descriptorSetUrl): Uint8Array[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch (error) {
    throw new Error(`cannot read the descriptor set for reflection at ${fileURLToPath(url)} (run \`npm run build\`): ${(error as Error).message}`);
  }
  const files: Uint8Array[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}
