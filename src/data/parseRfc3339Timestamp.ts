import { DateTime } from 'luxon';

const rfc3339Pattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** 0001-01-01T00:00:00Z, the earliest instant a google.protobuf.Timestamp can hold (epoch ms). */
export const minTimestampMs = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z, about the latest instant a google.protobuf.Timestamp can hold. */
export const maxTimestampMs = 253_402_300_799_999;

/**
 * Reads an RFC 3339 timestamp as proto3 JSON writes google.protobuf.Timestamp:
 * `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or an offset `+HH:MM`/`-HH:MM`, with 1 to 9
 * fraction digits; `t` and `z` may be lower case as RFC 3339 allows. Returns epoch milliseconds
 * (fraction digits past the millisecond are dropped), or undefined when the text is not of that
 * form, names an impossible date or time (2026-02-30, 24:00:00, a leap second 23:59:60), or falls
 * outside the Timestamp range 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z.
 */
export function parseRfc3339Timestamp(text: string): number | undefined {
  const match = rfc3339Pattern.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = match;
  const offsetMinutesTotal = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  // luxon reads 24:00 as the next midnight; RFC 3339 does not allow it.
  if (Number(hour) > 23 || Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59) return undefined;
  const local = DateTime.fromObject(
    {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second),
      millisecond: Number(fraction.slice(0, 3).padEnd(3, '0')),
    },
    // An explicit locale: without one, luxon asks Intl for the system's locale (about 15 ms on the
    // first call); a locale changes nothing in reading numbered fields.
    { zone: 'utc', locale: 'en-US' },
  );
  if (!local.isValid) return undefined;
  const epochMs = local.toMillis() - offsetMinutesTotal * 60_000;
  return epochMs >= minTimestampMs && epochMs <= maxTimestampMs ? epochMs : undefined;
}
