import { Cron, CronPattern, type CronOptions } from 'croner';
import { DateTime, IANAZone } from 'luxon';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { ViolationList } from '../data/ViolationList.js';

const msPerSecond = 1_000;
const msPerMinute = 60_000;
/** How far apart the DST scan samples a zone's offset; real zones never change it twice in 6 h. */
const offsetScanStepMs = 6 * 3_600_000;
/** Parse checks that a pattern fires at all by looking for a fire after this instant. */
const validationReferenceMs = Date.UTC(2000, 0, 1);

const expectedCron =
  'expected a cron schedule of 5 fields MIN HOUR DOM MON DOW (e.g. "0 2 * * *": 02:00 every day) ' +
  'or 6 fields with seconds first SEC MIN HOUR DOM MON DOW (e.g. "0 0 2 * * *")';

/** Fires in (afterMs, untilMs]: see NightlySchedule.firesBetween. */
export interface FireWindow {
  /** The most recent `limit` fires of the window, oldest first. */
  fires: number[];
  /** How many fires the window holds; a lower bound when `capped`. */
  total: number;
  /** The window holds more than NightlySchedule.walkCap fires: `total` stopped counting there. */
  capped: boolean;
}

/**
 * The nightly plan-run schedule (`--nightly "0 2 * * *" --nightly-tz Asia/Shanghai`): a cron
 * pattern read in an IANA time zone. A pure value: it computes fire times (epoch ms, UTC) and sets
 * no timers (NightlyScheduler does).
 *
 * Patterns are croner's (Vixie cron syntax, 5 fields or 6 with seconds first; day-of-month and
 * day-of-week combine with OR when both are restricted, as in Vixie cron; names like MON and JAN,
 * and L, W, # are accepted; nicknames like @daily and a 7th year field are not).
 *
 * Daylight saving time, for a zone that has it (all covered by tests):
 * - A fixed-time pattern, i.e. one without `*` or a step in its time fields (`30 2 * * *`,
 *   `0,30 2 * * *`, `0 2-3 * * *`), runs exactly as often on every day: a time that does not exist
 *   (spring forward) runs once right after the gap, at the instant the clocks jump (02:30 in
 *   Europe/Berlin on 2026-03-29 runs at 03:00 CEST = 01:00Z); a time that occurs twice (fall
 *   back) runs once, at its first occurrence (02:30 on 2026-10-25 runs at 02:30 CEST = 00:30Z,
 *   not again at 02:30 CET). This is croner's own behaviour (with fixedTimeRule "no-wildcard"),
 *   the same as Vixie cron's.
 * - An interval pattern (`*` or a step in a time field, e.g. `0-59/30 2 * * *`) runs in real time as
 *   croner and Vixie cron do: times in a gap are skipped and a repeated time runs on both passes.
 *   One addition: a day the pattern selects whose every time fell into a gap would get no run at
 *   all; it runs once, at the end of the gap (the same instant as a fixed-time job), so a nightly
 *   run is never silently skipped.
 */
export class NightlySchedule {
  /** firesBetween counts at most this many fires (about 0.7 s of walking), so `total` stays cheap. */
  static readonly walkCap = 10_000;

  /** The pattern, trimmed, single-spaced and upper-cased (croner reads names case-insensitively). */
  readonly cron: string;
  /** The IANA zone as given, with its canonical letter case (asia/shanghai: Asia/Shanghai). */
  readonly timeZone: string;
  /**
   * The schedule's stable identity in the store (nightly fires are claimed per key):
   * `${cron}@${timeZone}`, e.g. `0 2 * * *@Asia/Shanghai`. Aliases are not resolved (US/Eastern
   * and America/New_York are different keys), so the key does not change with the ICU version.
   */
  readonly key: string;

  readonly #job: Cron;
  readonly #pattern: CronPattern;
  readonly #zone: IANAZone;
  /** For interval patterns: a UTC job with the pattern's day fields, to ask whether it selects a date. */
  readonly #dayProbe: Cron | undefined;

  private constructor(cron: string, timeZone: string, job: Cron, pattern: CronPattern, dayProbe: Cron | undefined) {
    this.cron = cron;
    this.timeZone = timeZone;
    this.key = `${cron}@${timeZone}`;
    this.#job = job;
    this.#pattern = pattern;
    this.#zone = IANAZone.create(timeZone);
    this.#dayProbe = dayProbe;
  }

  /**
   * Reads `--nightly` and `--nightly-tz`. Throws CoschedError INVALID_ARGUMENT ('nightly
   * schedule') with a violation on `--nightly` (not a 5- or 6-field pattern, a bad field value, or
   * a pattern that never fires such as `0 2 31 4 *`) and/or on `--nightly-tz` (not an IANA zone);
   * both at once when both are bad.
   */
  static parse(cron: string, timeZone: string): NightlySchedule {
    const violations = new ViolationList();
    const normalised = cron.trim().split(/\s+/).join(' ').toUpperCase();
    const fields = normalised === '' ? [] : normalised.split(' ');
    let pattern: CronPattern | undefined;
    if (normalised.startsWith('@')) {
      violations.add('--nightly', `got ${describeJsonValue(cron)}: nicknames are not accepted; ${expectedCron}`);
    } else if (fields.length !== 5 && fields.length !== 6) {
      violations.add('--nightly', `got ${describeJsonValue(cron)} (${fields.length} field${fields.length === 1 ? '' : 's'}); ${expectedCron}`);
    } else {
      try {
        pattern = new CronPattern(normalised, undefined, { mode: '5-or-6-parts', fixedTimeRule: 'no-wildcard' });
        if (new Cron(normalised, cronOptions('UTC')).nextRun(new Date(validationReferenceMs)) === null) {
          pattern = undefined;
          violations.add('--nightly', `got ${describeJsonValue(cron)}, which never fires (no date matches its day and month fields); ${expectedCron}`);
        }
      } catch (error) {
        pattern = undefined;
        const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
        violations.add('--nightly', `got ${describeJsonValue(cron)} (${reason}); ${expectedCron}`);
      }
    }
    if (!IANAZone.isValidZone(timeZone)) {
      violations.add('--nightly-tz', `got ${describeJsonValue(timeZone)}; expected an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC`);
    }
    if (violations.length > 0 || pattern === undefined) throw CoschedError.invalid(violations.items, 'nightly schedule', 'INVALID_REQUEST');

    const zone = canonicalCase(timeZone);
    const job = new Cron(normalised, cronOptions(zone));
    let dayProbe: Cron | undefined;
    if (!pattern.isFixedTime) {
      const dayFields = fields.slice(-3).join(' ');
      dayProbe = new Cron(`0 0 0 ${dayFields}`, { ...cronOptions('UTC'), mode: '6-part' });
    }
    return new NightlySchedule(normalised, zone, job, pattern, dayProbe);
  }

  /** The first fire strictly after `ms` (epoch ms, UTC); fires are on whole seconds. */
  nextFireAfter(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError(`nextFireAfter: expected a finite epoch ms, got ${ms}`);
    const next = this.#job.nextRun(new Date(ms));
    if (next === null) throw new Error(`nightly schedule ${this.key} has no fire after ${new Date(ms).toISOString()}`);
    const nextMs = next.getTime();
    if (this.#dayProbe === undefined) return nextMs;
    return this.#gapFireBetween(ms, nextMs) ?? nextMs;
  }

  /**
   * The fires t with afterMs < t <= untilMs, oldest first: the most recent `limit` of them in
   * `fires`, and how many in all in `total`. The walk counts at most NightlySchedule.walkCap
   * fires (a minute-level pattern over months would take seconds to count); past that, `capped` is
   * true and `total` is that lower bound, while `fires` are still the window's most recent ones.
   */
  firesBetween(afterMs: number, untilMs: number, limit: number): FireWindow {
    const keep = Number.isNaN(limit) ? 0 : Math.max(0, Math.min(Math.floor(limit), NightlySchedule.walkCap));
    if (!(untilMs > afterMs)) return { fires: [], total: 0, capped: false };
    let fires: number[] = [];
    let total = 0;
    for (let t = this.nextFireAfter(afterMs); t <= untilMs; t = this.nextFireAfter(t)) {
      total += 1;
      if (keep > 0) {
        fires.push(t);
        if (fires.length >= 2 * keep) fires = fires.slice(-keep);
      }
      if (total === NightlySchedule.walkCap) {
        if (this.nextFireAfter(t) > untilMs) break;
        return { fires: this.#lastFires(t, untilMs, keep), total, capped: true };
      }
    }
    return { fires: keep > 0 ? fires.slice(-keep) : [], total, capped: false };
  }

  /** The local wall time of `ms` in the zone, e.g. `2026-12-07 02:00 Asia/Shanghai` (seconds when not 0). */
  localTime(ms: number): string {
    const local = DateTime.fromMillis(ms, { zone: this.#zone });
    return `${local.toFormat(local.second === 0 && local.millisecond === 0 ? 'yyyy-MM-dd HH:mm' : 'yyyy-MM-dd HH:mm:ss')} ${this.timeZone}`;
  }

  /** For logs and messages: `2026-12-07 02:00 Asia/Shanghai (2026-12-06T18:00:00Z)`. */
  describe(ms: number): string {
    return `${this.localTime(ms)} (${utcIso(ms)})`;
  }

  /**
   * The most recent `keep` fires in (afterMs, untilMs], found by stepping back from untilMs with
   * croner (so a capped window still reports its latest fires) and walking forward from there.
   */
  #lastFires(afterMs: number, untilMs: number, keep: number): number[] {
    if (keep === 0) return [];
    const previous = this.#job.previousRuns(keep + 1, new Date(untilMs));
    const from = previous.length === 0 ? afterMs : Math.max(afterMs, previous[previous.length - 1].getTime() - 1);
    const fires: number[] = [];
    for (let t = this.nextFireAfter(from); t <= untilMs; t = this.nextFireAfter(t)) fires.push(t);
    return fires.slice(-keep);
  }

  /**
   * For interval patterns: the first clock jump forward T with afterMs < T < beforeMs that skipped
   * every time the pattern selects on a day the pattern selects (so croner runs nothing that day);
   * that day's one run is at T. Undefined when there is none.
   */
  #gapFireBetween(afterMs: number, beforeMs: number): number | undefined {
    let a = afterMs;
    let offsetA = this.#zone.offset(a);
    while (a < beforeMs) {
      const b = Math.min(a + offsetScanStepMs, beforeMs);
      const offsetB = this.#zone.offset(b);
      if (offsetB > offsetA) {
        const jump = this.#firstOffsetChange(a, offsetA, b);
        if (jump > afterMs && jump < beforeMs && this.#jumpSkipsADay(jump)) return jump;
      }
      a = b;
      offsetA = offsetB;
    }
    return undefined;
  }

  /** The first instant in (a, b] whose offset differs from `offsetA` (the offset at a). */
  #firstOffsetChange(a: number, offsetA: number, b: number): number {
    let lo = a;
    let hi = b;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#zone.offset(mid) === offsetA) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Whether the clocks jumping forward at `jump` skipped every run of a day the pattern selects. */
  #jumpSkipsADay(jump: number): boolean {
    const before = this.#zone.offset(jump - 1);
    const after = this.#zone.offset(jump);
    // Wall-clock times are handled as UTC fields: [wallStart, wallEnd) is the skipped local range.
    const wallEnd = jump + after * msPerMinute;
    const wallStart = wallEnd - (after - before) * msPerMinute;
    const p = this.#pattern;
    const checkedDays = new Set<number>();
    let wall = Math.ceil(wallStart / msPerSecond) * msPerSecond;
    while (wall < wallEnd) {
      const w = new Date(wall);
      if (!p.hour[w.getUTCHours()] || !p.minute[w.getUTCMinutes()]) {
        wall = (Math.floor(wall / msPerMinute) + 1) * msPerMinute;
        continue;
      }
      if (p.second[w.getUTCSeconds()]) {
        const day = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate());
        if (!checkedDays.has(day)) {
          checkedDays.add(day);
          if (this.#dayProbe?.match(new Date(day)) && !this.#firesOnLocalDay(w)) return true;
        }
      }
      wall += msPerSecond;
    }
    return false;
  }

  /** Whether croner runs the pattern at some instant of the local calendar day of `wall` (UTC fields). */
  #firesOnLocalDay(wall: Date): boolean {
    const start = DateTime.fromObject(
      { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() },
      { zone: this.#zone },
    ).startOf('day');
    const end = start.plus({ days: 1 }).startOf('day');
    const fire = this.#job.nextRun(new Date(start.toMillis() - 1));
    return fire !== null && fire.getTime() < end.toMillis();
  }
}

function cronOptions(timezone: string): CronOptions {
  return { timezone, paused: true, mode: '5-or-6-parts', domAndDow: false, fixedTimeRule: 'no-wildcard' };
}

/** The zone with the letter case Intl resolves it to, when that is the same name (no alias resolution). */
function canonicalCase(timeZone: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

/** `2026-12-06T18:00:00Z`; with milliseconds only when there are some. */
function utcIso(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
