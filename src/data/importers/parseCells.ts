import { DateTime } from 'luxon';

const stampPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/**
 * Epoch milliseconds of a timestamp cell: `YYYY-MM-DD HH:MM[:SS[.fff]]` (space or `T`), read as UTC
 * when it has no offset, or with `Z` or an offset such as `+02:00` / `-0700` (then converted to
 * UTC). Undefined for anything else, including impossible dates such as 2023-02-30.
 */
export function parseTimestampCell(cell: string): number | undefined {
  const text = cell.trim();
  const plain = plainStampPattern.exec(text);
  if (plain) {
    // The common case, without an offset: no luxon needed, but an impossible date must not roll over.
    const [year, month, day, hour, minute, second = 0] = plain.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    const back = new Date(ms);
    const exact = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
    return exact ? ms : undefined;
  }
  if (!stampPattern.test(text)) return undefined;
  const time = DateTime.fromISO(text.replace(' ', 'T'), { zone: 'utc' });
  return time.isValid ? time.toMillis() : undefined;
}

const plainStampPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `2022-07-01 04:00:00`: an instant in UTC, written the way the traces write it. */
export function formatStamp(epochMs: number): string {
  return DateTime.fromMillis(epochMs, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm:ss');
}

const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number in a cell written as a plain decimal (`12`, `-0.5`, `1e3`; surrounding spaces
 * allowed), or undefined for anything else: empty, `NaN`, `Infinity`, hex, `1,5`, units.
 */
export function parseDecimalCell(cell: string): number | undefined {
  const text = cell.trim();
  if (!decimalPattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A cell as it appears in a message: quoted, shortened past 40 characters. */
export function describeCell(cell: string): string {
  const text = cell.trim();
  if (text === '') return 'an empty cell';
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** "1 hour", "3 hours". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
