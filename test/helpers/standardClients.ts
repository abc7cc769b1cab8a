import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const protoOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** A grpc.health.v1.Health client from the .proto the health package ships. */
export interface HealthClient extends Client {
  check(request: { service: string }, options: { deadline?: number }, callback: Callback<{ status: string }>): void;
  watch(request: { service: string }): import('@grpc/grpc-js').ClientReadableStream<{ status: string }>;
}

/** A grpc.reflection.v1.ServerReflection client from the .proto the reflection package ships. */
export interface ReflectionClient extends Client {
  serverReflectionInfo(): import('@grpc/grpc-js').ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
}

export interface ReflectionResponse {
  message_response: 'list_services_response' | 'file_descriptor_response' | 'error_response' | string;
  list_services_response?: { service: Array<{ name: string }> };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

/** A health client; `channelOptions` e.g. `{ 'grpc.use_local_subchannel_pool': 1 }` for a connection of its own. */
export function healthClient(address: string, channelOptions: Record<string, string | number> = {}): HealthClient {
  const loaded = loadPackageDefinition(loadSync(healthProtoPath, protoOptions)) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: Record<string, string | number>) => HealthClient } } };
  };
  return new loaded.grpc.health.v1.Health(address, credentials.createInsecure(), channelOptions);
}

export function reflectionClient(address: string): ReflectionClient {
  const protoDir = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto');
  const loaded = loadPackageDefinition(loadSync('grpc/reflection/v1/reflection.proto', { ...protoOptions, includeDirs: [protoDir] })) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => ReflectionClient } } };
  };
  return new loaded.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
}

/** One health Check as a promise, with a 5 s deadline. */
export function checkHealth(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + 5_000 }, (error, response) => (error ? reject(error) : resolve(response.status)));
  });
}

/** Sends one reflection request on a fresh stream and resolves with its single answer. */
export function reflect(client: ReflectionClient, request: Record<string, unknown>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.serverReflectionInfo();
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ host: '', ...request });
  });
}
