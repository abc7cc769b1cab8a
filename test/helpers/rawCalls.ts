import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';

/** What a call with raw bytes got: the status code, message and trailers, and the response bytes when OK. */
export interface RawAnswer {
  code: status;
  details: string;
  metadata: Metadata;
  response?: Buffer;
}

/** A grpc-js client with identity serializers, so any bytes can be sent as a request. */
export function rawClient(address: string): Client {
  const Constructor = makeGenericClientConstructor({}, 'raw');
  return new Constructor(address, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
}

const identity = (bytes: Buffer): Buffer => bytes;

/** Sends `bytes` to the unary method `path` (e.g. `/cosched.v1.CoSchedulerService/Plan`) with a deadline; never rejects. */
export function rawUnary(client: Client, path: string, bytes: Uint8Array, deadlineMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), new Metadata(), { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, response?: Buffer) => {
      if (error) resolve({ code: error.code, details: error.details, metadata: error.metadata });
      else resolve({ code: status.OK, details: '', metadata: new Metadata(), response });
    });
  });
}

/** Sends `bytes` to the server-streaming method `path` and reads it to its end; never rejects. */
export function rawServerStream(client: Client, path: string, bytes: Uint8Array, deadlineMs: number): Promise<RawAnswer & { messages: number }> {
  return new Promise((resolve) => {
    const stream = client.makeServerStreamRequest(path, identity, identity, Buffer.from(bytes), new Metadata(), { deadline: Date.now() + deadlineMs });
    let messages = 0;
    stream.on('data', () => messages++);
    stream.on('error', () => undefined);
    stream.on('status', (s: { code: status; details: string; metadata: Metadata }) => resolve({ code: s.code, details: s.details, metadata: s.metadata, messages }));
  });
}
