import { describe, expect, it } from 'vitest';
import { ListOperationsResponse, Operation } from '../src/generated/google/longrunning/operations.js';
import { operationsThatFit } from '../src/standing/operationsThatFit.js';

describe('operationsThatFit (ListOperations pages by bytes)', () => {
  // Three messages of 100, 200 and 300 bytes; a page that leaves some out carries a 20-byte token.
  const sizes = [100, 200, 300];
  const token = (count: number) => (count < sizes.length ? 20 : 0);

  it('fits a page to the byte, counting tags, lengths and the token', () => {
    // 1: 1 + 1 + 100 + token (1 + 1 + 20) = 124; 2: 124 - 22 + 1 + 2 + 200 + 22 = 327; 3: 305 + 303 = 608, no token.
    expect([608, 607, 327, 326, 124].map((maxBytes) => operationsThatFit(sizes, token, maxBytes))).toEqual([3, 2, 2, 1, 1]);
  });

  it('always sends one, even over the limit, and nothing for an empty page', () => {
    expect(operationsThatFit(sizes, token, 10)).toBe(1);
    expect(operationsThatFit([], token, 10)).toBe(0);
  });

  it('agrees with the encoded size of a real page', () => {
    const operations = [1, 2, 3].map((k) => ({ name: `operations/run-${k}`, metadata: { typeUrl: 'type.googleapis.com/x', value: new Uint8Array(150 * k) }, done: true, result: undefined }));
    const page = (count: number) => ({ operations: operations.slice(0, count), nextPageToken: count < 3 ? 'eyJwIjozLCJxIjoicnVucyJ9' : '' });
    const bytes = (count: number) => ListOperationsResponse.encode(page(count)).finish().length;
    const sizes = operations.map((operation) => Operation.encode(operation).finish().length);
    const fit = (maxBytes: number) => operationsThatFit(sizes, (count) => page(count).nextPageToken.length, maxBytes);
    for (const count of [1, 2, 3]) {
      expect(fit(bytes(count))).toBe(count);
      if (count > 1) expect(fit(bytes(count) - 1)).toBe(count - 1);
    }
  });
});
