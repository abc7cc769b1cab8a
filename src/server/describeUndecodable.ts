import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { locateDecodeFault } from './locateDecodeFault.js';
import { descriptorSetUrl } from './readDescriptorSet.js';
import { UndecodableRequest } from './UndecodableRequest.js';

/**
 * The UndecodableRequest for `bytes` sent to `methodPath` (`/package.Service/Method`) that the
 * generated decoder rejected with `error`: its field path is found by walking the bytes against
 * the method's input type in the descriptor set (locateDecodeFault; the set is read on the first
 * call in each thread), or `request` when the walk finds nothing; the type is the method path when
 * the method is unknown. Linear in the byte count; never throws.
 */
export function describeUndecodable(methodPath: string, bytes: Uint8Array, error: unknown): UndecodableRequest {
  const decoderMessage = error instanceof Error ? error.message : String(error);
  const input = inputTypeOf(methodPath);
  if (input === undefined) return new UndecodableRequest(methodPath, bytes.length, decoderMessage);
  const fault = locateDecodeFault(bytes, input);
  return new UndecodableRequest(input.typeName, bytes.length, fault?.message ?? decoderMessage, fault?.field);
}

let registry: FileRegistry | null | undefined;

/** The input message of `/package.Service/Method` from the descriptor set, or undefined when unknown or the set is unreadable. */
function inputTypeOf(methodPath: string) {
  if (registry === undefined) {
    try {
      registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetUrl)));
    } catch {
      registry = null;
    }
  }
  const [, serviceName, methodName] = methodPath.split('/');
  return registry?.getService(serviceName ?? '')?.methods.find((m) => m.name === methodName)?.input;
}
