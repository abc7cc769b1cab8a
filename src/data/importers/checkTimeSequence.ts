import { msPerHour } from './HourlySeries.js';
import type { LineViolations } from './LineViolations.js';
import { formatStamp, plural } from './parseCells.js';

/** A data row whose time was read: its file line, instant (epoch ms) and the cell as written. */
export interface TimedRow {
  line: number;
  ms: number;
  stamp: string;
}

/**
 * Checks that the rows' instants strictly increase, and, with `hourly`, that each is exactly one
 * hour after the one before; adds one violation per bad line (`line N`), naming the value
 * received, the row it follows and the instant expected:
 * - a repeated instant: `... repeats the hour of line 12; expected ...`;
 * - an instant earlier than one before it: `... follows X (line 12), 2 hours earlier; expected ...`;
 * - (hourly) a jump: `... follows X (line 12); expected Y (1 hour missing)`, counting only hours
 *   that appear nowhere in the file (hours that appear later, out of order, are reported there).
 *
 * A bad row does not become the reference for the next, so one stray row yields one violation.
 * A jump across a line in `unreadable` (lines whose time could not be read, already reported) is
 * not reported again. Returns the rows that are in order and unique (all of them when nothing
 * was added).
 */
export function checkTimeSequence<Row extends TimedRow>(
  rows: readonly Row[],
  column: string,
  hourly: boolean,
  violations: LineViolations,
  unreadable: ReadonlySet<number> = new Set(),
): Row[] {
  const firstLineOf = new Map<number, number>();
  for (const row of rows) if (!firstLineOf.has(row.ms)) firstLineOf.set(row.ms, row.line);
  const unit = hourly ? 'hour' : 'time';

  const good: Row[] = [];
  let last: Row | undefined;
  for (const row of rows) {
    if (last === undefined) {
      good.push((last = row));
      continue;
    }
    if (row.ms > last.ms && (!hourly || row.ms === last.ms + msPerHour)) {
      good.push((last = row));
      continue;
    }
    const expected = hourly ? formatStamp(last.ms + msPerHour) : `a time after ${last.stamp}`;
    const received = `${column} ${row.stamp}`;
    if (row.ms > last.ms) {
      // An hourly jump: report the hours that appear nowhere in the file.
      let missing = 0;
      let firstMissing = NaN;
      let lastMissing = NaN;
      let skipped = 0;
      for (let ms = last.ms + msPerHour; ms < row.ms; ms += msPerHour) {
        skipped++;
        if (firstLineOf.has(ms)) continue;
        missing++;
        if (missing === 1) firstMissing = ms;
        lastMissing = ms;
      }
      if (missing > 0 && !anyBetween(unreadable, last.line, row.line)) {
        const which = missing === 1 ? '' : `: ${formatStamp(firstMissing)} to ${formatStamp(lastMissing)}`;
        const later = skipped > missing ? `; ${plural(skipped - missing, 'other hour')} of the jump appear later in the file, out of order` : '';
        violations.add(`line ${row.line}`, `${received} follows ${last.stamp} (line ${last.line}); expected ${expected} (${plural(missing, 'hour')} missing${which})${later}`);
      }
      good.push((last = row));
      continue;
    }
    const firstLine = firstLineOf.get(row.ms) ?? row.line;
    if (firstLine !== row.line) {
      violations.add(`line ${row.line}`, `${received} repeats the ${unit} of line ${firstLine}; expected ${expected} (each ${unit} once)`);
    } else {
      const back = last.ms - row.ms;
      const by = hourly && back % msPerHour === 0 ? plural(back / msPerHour, 'hour') : describeDuration(back);
      violations.add(`line ${row.line}`, `${received} follows ${last.stamp} (line ${last.line}), ${by} earlier; expected ${expected} (${unit}s in increasing order)`);
    }
  }
  return good;
}

/** Whether a line strictly between `after` and `before` is in `lines`. */
function anyBetween(lines: ReadonlySet<number>, after: number, before: number): boolean {
  if (lines.size === 0) return false;
  for (let line = after + 1; line < before; line++) if (lines.has(line)) return true;
  return false;
}

function describeDuration(ms: number): string {
  if (ms % msPerHour === 0) return plural(ms / msPerHour, 'hour');
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  return plural(ms / 1000, 'second');
}
