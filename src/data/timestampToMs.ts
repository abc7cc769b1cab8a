import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import { maxTimestampMs, minTimestampMs } from './parseRfc3339Timestamp.js';

/**
 * Epoch milliseconds of a google.protobuf.Timestamp (fractional when nanos are not whole
 * milliseconds), or undefined when it is not a valid Timestamp: seconds not a whole number,
 * nanos not a whole number in 0..999,999,999, or the instant outside 0001-01-01..9999-12-31.
 * Safe on anything, e.g. a Timestamp decoded from gRPC binary or built by hand.
 */
export function timestampToMs(timestamp: Timestamp): number | undefined {
  const { seconds, nanos } = timestamp as { seconds: unknown; nanos: unknown };
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) return undefined;
  if (typeof nanos !== 'number' || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return undefined;
  const epochMs = seconds * 1_000 + nanos / 1_000_000;
  return epochMs >= minTimestampMs && epochMs <= maxTimestampMs ? epochMs : undefined;
}
