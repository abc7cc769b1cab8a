import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import { describeJsonValue } from './describeJsonValue.js';
import { timestampToMs } from './timestampToMs.js';
import type { ViolationList } from './ViolationList.js';

/**
 * Epoch milliseconds of a timestamp the request must have, or undefined after adding a violation
 * at `path`: `name is required` when it is unset, or `got seconds=1.5, nanos=0; expected a valid
 * timestamp` when it is not a valid google.protobuf.Timestamp (see timestampToMs).
 */
export function checkRequiredTimestamp(timestamp: Timestamp | undefined, path: string, name: string, violations: ViolationList): number | undefined {
  if (timestamp === undefined || timestamp === null) {
    violations.add(path, `got nothing; ${name} is required: expected a timestamp such as 2026-07-01T00:00:00Z`);
    return undefined;
  }
  const epochMs = typeof timestamp === 'object' ? timestampToMs(timestamp) : undefined;
  if (epochMs === undefined) violations.add(path, `got ${describeTimestamp(timestamp)}; expected a valid timestamp, 0001-01-01..9999-12-31`);
  return epochMs;
}

function describeTimestamp(timestamp: unknown): string {
  if (timestamp === null || typeof timestamp !== 'object') return describeJsonValue(timestamp);
  const { seconds, nanos } = timestamp as Record<string, unknown>;
  return `seconds=${describeJsonValue(seconds)}, nanos=${describeJsonValue(nanos)}`;
}
