import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { locateDecodeFault } from './locateDecodeFault.js';
import { descriptorSetUrl } from './readDescriptorSet.js';
import { UndecodableRequest } from './UndecodableRequest.js';

/**
 * `service` with each method's requestDeserialize wrapped so that bytes the generated decoder
 * rejects (grpc-js would answer INTERNAL "Error deserializing request" and log nothing) become an
 * UndecodableRequest value instead, which handleUnaryCall and handleServerStreamingCall answer
 * INVALID_ARGUMENT with a BadRequest. Its field path is found by walking the bytes against the
 * method's input type in the descriptor set (see locateDecodeFault; the set is read on the first
 * failure), or `request` when the walk finds nothing. Decoding of good bytes is unchanged.
 * Wrap every service whose handlers come from those two helpers, in the one place that adds it.
 */
export function withTolerantDecoding<Definition extends ServiceDefinition>(service: Definition): Definition {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (error) {
          return describeUndecodable(method.path, bytes, error);
        }
      },
    };
  }
  return wrapped as Definition;
}

function describeUndecodable(methodPath: string, bytes: Buffer, error: unknown): UndecodableRequest {
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
