/**
 * Worker-thread entry for RequestPrepPool: decodes, validates and prepares large Plan, WatchPlan
 * and ValidatePlanRequest requests (prepareRequestBytes) off the main thread, one at a time, in
 * the order received. Speaks requestPrepProtocol.
 */
import { parentPort } from 'node:worker_threads';
import { prepareRequestBytes } from './prepareRequestBytes.js';
import type { RequestPrepReply, RequestPrepRequest } from './requestPrepProtocol.js';

if (!parentPort) throw new Error('requestPrepWorker must run in a worker thread');
const port = parentPort;

port.on('message', ({ id, methodPath, bytes, limits }: RequestPrepRequest) => {
  const { outcome, transfer } = prepareRequestBytes(methodPath, new Uint8Array(bytes), limits);
  port.postMessage({ kind: 'outcome', id, outcome } satisfies RequestPrepReply, transfer);
});
port.postMessage({ kind: 'ready' } satisfies RequestPrepReply);
