import { createHash } from 'node:crypto';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import type { StoreTx } from '../store/PlannerStore.js';

const requestIdPattern = /^[\x21-\x7e]{1,128}$/;

/** How a method's response is kept for retries. */
export interface ResponseCodec<T> {
  toJSON(value: T): unknown;
  fromJSON(json: unknown): T;
}

/**
 * AIP-155 idempotency inside the call's transaction: with an empty `requestId`, runs `compute`.
 * Otherwise, when the id was used before by the same method with the same request (its proto3 JSON
 * without request_id, hashed), returns the first answer without running `compute`; when it was
 * used for another request, throws ALREADY_EXISTS; else runs `compute` and records the id with
 * its answer in the same transaction.
 *
 * @param field where the request id sits, for the violation (e.g. `requestId`).
 * @throws CoschedError INVALID_ARGUMENT for a request id that is not 1..128 printable ASCII
 *   characters; ALREADY_EXISTS as above; whatever `compute` throws.
 */
export async function withRequestId<T>(
  tx: StoreTx,
  requestId: string,
  method: string,
  requestJson: unknown,
  codec: ResponseCodec<T>,
  nowMs: number,
  compute: () => Promise<T>,
): Promise<T> {
  if (requestId === '' || requestId === undefined) return compute();
  if (!requestIdPattern.test(requestId)) {
    throw CoschedError.invalid([{ field: 'requestId', description: `got ${describeJsonValue(requestId)}; expected 1..128 printable ASCII characters without spaces, e.g. a UUID` }], 'request', 'INVALID_REQUEST');
  }
  const fingerprint = createHash('sha256').update(method).update('\n').update(JSON.stringify(requestJson)).digest('hex');
  const earlier = await tx.getRequestRecord(requestId);
  if (earlier) {
    if (earlier.method === method && earlier.fingerprint === fingerprint) return codec.fromJSON(JSON.parse(earlier.responseJson));
    throw new CoschedError(
      'ALREADY_EXISTS',
      `request_id ${JSON.stringify(requestId)} was already used at ${new Date(earlier.createdMs).toISOString()} for a different ${earlier.method} request; use a new request_id for a new request`,
      {
        reason: 'REQUEST_ID_REUSED',
        violations: [{ field: 'requestId', description: `got ${describeJsonValue(requestId)}, already used for a different ${earlier.method} request; expected a new request_id` }],
      },
    );
  }
  const response = await compute();
  await tx.insertRequestRecord({ requestId, method, fingerprint, responseJson: JSON.stringify(codec.toJSON(response)), createdMs: nowMs });
  return response;
}
