import { formatUtcInstant } from '../../data/formatUtcInstant.js';
import { timestampToMs } from '../../data/timestampToMs.js';
import type { Timestamp } from '../../generated/google/protobuf/timestamp.js';

/** A google.protobuf.Timestamp of an instant given in epoch milliseconds. */
export function msToTimestamp(epochMs: number): Timestamp {
  const seconds = Math.floor(epochMs / 1_000);
  return { seconds, nanos: Math.round((epochMs - seconds * 1_000) * 1_000_000) };
}

/** A Timestamp for a person, to the second (`2026-07-01T05:00Z`, `2026-12-06T13:25:48Z`), or `-` when unset or invalid. */
export function formatTimestamp(timestamp: Timestamp | undefined): string {
  const ms = timestamp === undefined ? undefined : timestampToMs(timestamp);
  return ms === undefined ? '-' : formatUtcInstant(Math.floor(ms / 1000) * 1000);
}
