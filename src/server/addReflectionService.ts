import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { readDescriptorSet } from './readDescriptorSet.js';

/**
 * Adds gRPC server reflection (grpc.reflection.v1 and v1alpha, package @grpc/reflection) to
 * `server`, so that generic tools (grpcurl, Postman, another language's reflection client) can
 * list the services and fetch their schemas.
 *
 * cosched's own files are served exactly as `buf build` wrote them (readDescriptorSet). The health
 * and reflection services are described from the .proto files their packages ship, so that they
 * are listed too.
 *
 * @throws Error when the descriptor set is missing (see readDescriptorSet).
 */
export function addReflectionService(server: Pick<Server, 'addService'>, descriptorSet: Uint8Array[] = readDescriptorSet()): void {
  const reflectionProtoDir = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto');
  const standard = loadSync(['health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    includeDirs: [join(dirname(healthProtoPath), '../..'), reflectionProtoDir],
  });
  const ours = { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos: descriptorSet.map((file) => Buffer.from(file)) };
  const definitions = { ...standard, 'cosched.v1': ours } as unknown as PackageDefinition;
  new ReflectionService(definitions as ConstructorParameters<typeof ReflectionService>[0]).addToServer(server);
}
