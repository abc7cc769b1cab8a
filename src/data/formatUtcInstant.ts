import { DateTime } from 'luxon';

/**
 * Formats an instant (epoch milliseconds) for messages, in UTC and as short as exact allows:
 * `2026-07-01T02:00Z` on a whole minute, `2026-07-01T02:00:30Z` on a whole second, else with
 * milliseconds (`2026-07-01T02:00:30.250Z`). Sub-millisecond parts are dropped.
 */
export function formatUtcInstant(epochMs: number): string {
  const time = DateTime.fromMillis(Math.floor(epochMs), { zone: 'utc' });
  if (!time.isValid) return String(epochMs);
  if (time.millisecond !== 0) return time.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
  if (time.second !== 0) return time.toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
  return time.toFormat("yyyy-MM-dd'T'HH:mm'Z'");
}
