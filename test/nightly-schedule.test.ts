import { DateTime } from 'luxon';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoschedError, type FieldViolation } from '../solver/errors/CoschedError.js';
import { NightlySchedule } from '../src/standing/NightlySchedule.js';
import { lastFireFromStore, NightlyScheduler, type NightlySchedulerOptions } from '../src/standing/NightlyScheduler.js';
import type { PlannerStore } from '../src/store/PlannerStore.js';

const at = (iso: string): number => Date.parse(iso);
/** `2026-12-06T18:00Z` on a whole minute, `2026-12-06T18:00:30Z` on a whole second. */
const iso = (ms: number): string => new Date(ms).toISOString().replace(':00.000Z', 'Z').replace('.000Z', 'Z');
const day = 86_400_000;

/** The violations NightlySchedule.parse throws; fails the test if it does not throw one. */
function violationsOf(cron: string, timeZone: string): FieldViolation[] {
  try {
    NightlySchedule.parse(cron, timeZone);
  } catch (error) {
    expect(error).toBeInstanceOf(CoschedError);
    expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
    return (error as CoschedError).violations;
  }
  throw new Error(`expected parse(${JSON.stringify(cron)}, ${JSON.stringify(timeZone)}) to throw`);
}

/** The fires of `cron` in `timeZone` in (after, until], as ISO strings. */
function fires(cron: string, timeZone: string, after: string, until: string): string[] {
  return NightlySchedule.parse(cron, timeZone).firesBetween(at(after), at(until), 1_000).fires.map(iso);
}

describe('NightlySchedule.parse', () => {
  it('normalises the pattern (spaces, letter case) and the zone letter case into a stable key', () => {
    const schedule = NightlySchedule.parse('  0   2 * * mon ', 'asia/shanghai');
    expect(schedule.cron).toBe('0 2 * * MON');
    expect(schedule.timeZone).toBe('Asia/Shanghai');
    expect(schedule.key).toBe('0 2 * * MON@Asia/Shanghai');
    expect(NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai').key).toBe('0 2 * * *@Asia/Shanghai');
    expect(NightlySchedule.parse('0 0 2 * * *', 'UTC').key).toBe('0 0 2 * * *@UTC');
  });

  it.each([
    ['0 2 * *', '4 fields'],
    ['hello', '1 field'],
    ['', '0 fields'],
    ['0 0 2 * * * 2026', '7 fields'],
    ['61 2 * * *', 'Invalid value for minute: 61'],
    ['0 2 * * FUNDAY', 'FUNDAY'],
    ['@daily', 'nicknames are not accepted'],
    ['0 2 31 4 *', 'never fires'],
  ])('refuses the cron %j on --nightly, saying why and what is allowed', (cron, why) => {
    const violations = violationsOf(cron, 'Asia/Shanghai');
    expect(violations.map((v) => v.field)).toEqual(['--nightly']);
    const description = violations[0].description;
    expect(description).toContain(`got ${JSON.stringify(cron)}`);
    expect(description).toContain(why);
    expect(description).toContain('5 fields MIN HOUR DOM MON DOW');
    expect(description).toContain('6 fields with seconds first');
    expect(description).toContain('"0 2 * * *"');
  });

  it.each(['Mars/Olympus', 'Asia/Beijing', '+08:00', ''])('refuses the zone %j on --nightly-tz', (timeZone) => {
    const violations = violationsOf('0 2 * * *', timeZone);
    expect(violations).toEqual([
      { field: '--nightly-tz', description: `got ${JSON.stringify(timeZone)}; expected an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC` },
    ]);
  });

  it('reports a bad cron and a bad zone at once', () => {
    try {
      NightlySchedule.parse('0 25 * * *', 'Asia/Shangai');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CoschedError);
      const e = error as CoschedError;
      expect(e.message).toMatch(/^invalid nightly schedule: 2 bad fields\n/);
      expect(e.violations.map((v) => v.field)).toEqual(['--nightly', '--nightly-tz']);
      expect(e.violations[0].description).toContain('got "0 25 * * *" (Invalid value for hour: 25)');
      expect(e.violations[1].description).toContain('got "Asia/Shangai"');
    }
  });
});

describe('NightlySchedule fire times', () => {
  it('fires at 02:00 Asia/Shanghai (18:00Z the day before), strictly after the given instant', () => {
    const schedule = NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai');
    expect(iso(schedule.nextFireAfter(at('2026-12-06T12:00:00Z')))).toBe('2026-12-06T18:00Z');
    expect(iso(schedule.nextFireAfter(at('2026-12-06T17:59:59.999Z')))).toBe('2026-12-06T18:00Z');
    expect(iso(schedule.nextFireAfter(at('2026-12-06T18:00:00Z')))).toBe('2026-12-07T18:00Z');
    expect(iso(schedule.nextFireAfter(at('2026-12-06T18:00:00.001Z')))).toBe('2026-12-07T18:00Z');
    expect(schedule.describe(at('2026-12-06T18:00:00Z'))).toBe('2026-12-07 02:00 Asia/Shanghai (2026-12-06T18:00:00Z)');
    expect(schedule.localTime(at('2026-12-06T18:00:00Z'))).toBe('2026-12-07 02:00 Asia/Shanghai');
  });

  it('fires in UTC, and with seconds for a 6-field pattern', () => {
    expect(iso(NightlySchedule.parse('0 2 * * *', 'UTC').nextFireAfter(at('2026-12-06T12:00:00Z')))).toBe('2026-12-07T02:00Z');
    const withSeconds = NightlySchedule.parse('30 0 2 * * *', 'Asia/Shanghai');
    const fire = withSeconds.nextFireAfter(at('2026-12-06T12:00:00Z'));
    expect(iso(fire)).toBe('2026-12-06T18:00:30Z');
    expect(withSeconds.describe(fire)).toBe('2026-12-07 02:00:30 Asia/Shanghai (2026-12-06T18:00:30Z)');
  });

  describe('daylight saving time', () => {
    it('Europe/Berlin spring forward (2026-03-29, 02:00-03:00 skipped): 02:30 runs once, at 03:00 CEST', () => {
      expect(fires('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
        '2026-03-28T01:30Z', // 02:30 CET
        '2026-03-29T01:00Z', // 03:00 CEST, right after the gap
        '2026-03-30T00:30Z', // 02:30 CEST
      ]);
      expect(NightlySchedule.parse('30 2 * * *', 'Europe/Berlin').describe(at('2026-03-29T01:00:00Z'))).toBe(
        '2026-03-29 03:00 Europe/Berlin (2026-03-29T01:00:00Z)',
      );
    });

    it('Europe/Berlin fall back (2026-10-25, 02:00-03:00 twice): 02:30 runs once, at its first occurrence', () => {
      expect(fires('30 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z', '2026-10-27T00:00:00Z')).toEqual([
        '2026-10-24T00:30Z', // 02:30 CEST
        '2026-10-25T00:30Z', // 02:30 CEST; not again at 02:30 CET (01:30Z)
        '2026-10-26T01:30Z', // 02:30 CET
      ]);
      // From inside the repeated hour (after the first 02:30, before the second) the next is the next day.
      const schedule = NightlySchedule.parse('30 2 * * *', 'Europe/Berlin');
      expect(iso(schedule.nextFireAfter(at('2026-10-25T01:15:00Z')))).toBe('2026-10-26T01:30Z');
      expect(iso(schedule.nextFireAfter(at('2026-10-25T00:45:00Z')))).toBe('2026-10-26T01:30Z');
    });

    it('America/New_York: 02:30 on 2026-03-08 runs at 03:00 EDT; 01:30 on 2026-11-01 runs once (EDT)', () => {
      expect(fires('30 2 * * *', 'America/New_York', '2026-03-06T12:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
        '2026-03-07T07:30Z', // 02:30 EST
        '2026-03-08T07:00Z', // 03:00 EDT
        '2026-03-09T06:30Z', // 02:30 EDT
      ]);
      expect(fires('30 1 * * *', 'America/New_York', '2026-10-30T12:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
        '2026-10-31T05:30Z', // 01:30 EDT
        '2026-11-01T05:30Z', // 01:30 EDT; not again at 01:30 EST (06:30Z)
        '2026-11-02T06:30Z', // 01:30 EST
      ]);
      // 02:30 exists once on the fall-back day (the repeated hour is 01:00-02:00).
      expect(fires('30 2 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T00:00:00Z')).toEqual(['2026-11-01T07:30Z']);
    });

    it('lists and ranges are fixed times too: two times in the gap run once at its end; a repeated time once', () => {
      expect(fires('0,30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).toEqual(['2026-03-29T01:00Z']);
      expect(fires('0,30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual([
        '2026-10-25T00:00Z',
        '2026-10-25T00:30Z',
      ]);
      expect(fires('30 2,14 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T23:00:00Z')).toEqual([
        '2026-03-28T13:30Z',
        '2026-03-29T01:00Z',
        '2026-03-29T12:30Z',
      ]);
    });

    it('an interval pattern whose every time of a day falls into the gap still runs once that day, at the gap end', () => {
      // croner (like Vixie cron) skips times in a gap for interval patterns, which would leave the
      // whole day without a run; NightlySchedule adds the one run.
      expect(fires('*/30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
        '2026-03-29T01:00Z',
        '2026-03-30T00:00Z',
        '2026-03-30T00:30Z',
      ]);
      expect(fires('*/30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', '2026-03-08T12:00:00Z')).toEqual(['2026-03-08T07:00Z']);
      // Interval patterns run in real time through a repeated hour (both passes), as in Vixie cron.
      expect(fires('*/30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual([
        '2026-10-25T00:00Z',
        '2026-10-25T00:30Z',
        '2026-10-25T01:00Z',
        '2026-10-25T01:30Z',
      ]);
      // A day with other runs keeps croner's skip (every 30 minutes: 02:00 and 02:30 do not exist).
      expect(fires('*/30 * * * *', 'Europe/Berlin', '2026-03-29T00:15:00Z', '2026-03-29T01:45:00Z')).toEqual([
        '2026-03-29T00:30Z', // 01:30 CET
        '2026-03-29T01:00Z', // 03:00 CEST
        '2026-03-29T01:30Z', // 03:30 CEST
      ]);
    });

    it('America/Santiago, where the clocks jump at midnight (2026-09-06 00:00 -> 01:00): midnight runs at 01:00', () => {
      expect(fires('0 0 * * *', 'America/Santiago', '2026-09-04T12:00:00Z', '2026-09-07T12:00:00Z')).toEqual([
        '2026-09-05T04:00Z', // 00:00 -04
        '2026-09-06T04:00Z', // 01:00 -03
        '2026-09-07T03:00Z', // 00:00 -03
      ]);
    });

    it.each([
      ['0 2 * * *', 'Europe/Berlin'],
      ['30 2 * * *', 'Europe/Berlin'],
      ['30 1 * * *', 'America/New_York'],
      ['*/30 2 * * *', 'Europe/Berlin'],
      ['0 2 * * *', 'Asia/Shanghai'],
    ])('%s in %s runs on every local day of 2026', (cron, timeZone) => {
      const schedule = NightlySchedule.parse(cron, timeZone);
      const start = DateTime.fromObject({ year: 2026, month: 1, day: 1 }, { zone: timeZone }).toMillis();
      const end = DateTime.fromObject({ year: 2027, month: 1, day: 1 }, { zone: timeZone }).toMillis();
      const { fires: all, total, capped } = schedule.firesBetween(start - 1, end - 1, 10_000);
      const localDays = new Set(all.map((ms) => DateTime.fromMillis(ms, { zone: timeZone }).toISODate()));
      expect(localDays.size).toBe(365);
      expect(capped).toBe(false);
      if (!cron.startsWith('*')) expect(total).toBe(365); // fixed times: exactly once a day
    });

    it('0 2 * * * in Europe/Berlin: 02:00 local every day of 2026 but 03:00 on 2026-03-29', () => {
      const schedule = NightlySchedule.parse('0 2 * * *', 'Europe/Berlin');
      const { fires: all } = schedule.firesBetween(at('2025-12-31T12:00:00Z'), at('2026-12-31T12:00:00Z'), 1_000);
      const notAt2 = all.map((ms) => DateTime.fromMillis(ms, { zone: 'Europe/Berlin' })).filter((t) => t.toFormat('HH:mm') !== '02:00');
      expect(notAt2.map((t) => t.toISO())).toEqual(['2026-03-29T03:00:00.000+02:00']);
    });
  });

  describe('firesBetween', () => {
    const schedule = NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai');
    const fire = (date: string): number => at(`${date}T18:00:00Z`);

    it('excludes afterMs, includes untilMs, oldest first', () => {
      expect(schedule.firesBetween(fire('2026-12-01'), fire('2026-12-04'), 10)).toEqual({
        fires: [fire('2026-12-02'), fire('2026-12-03'), fire('2026-12-04')],
        total: 3,
        capped: false,
      });
      expect(schedule.firesBetween(fire('2026-12-01') - 1, fire('2026-12-02') - 1, 10).fires).toEqual([fire('2026-12-01')]);
    });

    it('returns the most recent `limit` fires and counts all', () => {
      expect(schedule.firesBetween(fire('2026-11-30'), fire('2026-12-30'), 2)).toEqual({
        fires: [fire('2026-12-29'), fire('2026-12-30')],
        total: 30,
        capped: false,
      });
      expect(schedule.firesBetween(fire('2026-11-30'), fire('2026-12-30'), 0)).toEqual({ fires: [], total: 30, capped: false });
    });

    it('is empty when the window is empty or reversed', () => {
      expect(schedule.firesBetween(fire('2026-12-01'), fire('2026-12-01'), 5)).toEqual({ fires: [], total: 0, capped: false });
      expect(schedule.firesBetween(fire('2026-12-05'), fire('2026-12-01'), 5)).toEqual({ fires: [], total: 0, capped: false });
      expect(schedule.firesBetween(fire('2026-12-01'), fire('2026-12-02') - 1, 5).total).toBe(0);
    });

    it(`stops counting at ${NightlySchedule.walkCap} fires but still returns the window's most recent ones`, () => {
      const everySecond = NightlySchedule.parse('* * * * * *', 'UTC');
      const window = everySecond.firesBetween(at('2026-12-06T00:00:00Z'), at('2026-12-07T00:00:00Z'), 3);
      expect(window).toEqual({
        fires: [at('2026-12-06T23:59:58Z'), at('2026-12-06T23:59:59Z'), at('2026-12-07T00:00:00Z')],
        total: NightlySchedule.walkCap,
        capped: true,
      });
      // Exactly walkCap fires is not capped.
      const exact = everySecond.firesBetween(at('2026-12-06T00:00:00Z'), at('2026-12-06T00:00:00Z') + NightlySchedule.walkCap * 1_000, 1);
      expect(exact).toEqual({ fires: [at('2026-12-06T00:00:00Z') + NightlySchedule.walkCap * 1_000], total: NightlySchedule.walkCap, capped: false });
    });
  });
});

// ---------------------------------------------------------------------------------------------

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** A scheduler with recording callbacks; options override the defaults. */
function recordingScheduler(options: Partial<NightlySchedulerOptions> & { schedule: NightlySchedule }) {
  const fired: { fireMs: number; atMs: number }[] = [];
  const missed: { fires: number[]; total: number }[] = [];
  const { logger, lines } = capturingLogger();
  const scheduler = new NightlyScheduler({
    lastFire: async () => undefined,
    onFire: async (fireMs) => void fired.push({ fireMs, atMs: Date.now() }),
    onMissed: async (fires, total) => void missed.push({ fires, total }),
    logger,
    ...options,
  });
  return { scheduler, fired, missed, lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('NightlyScheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs an every-second schedule on whole seconds, never early, and stop() ends it', async () => {
    const { scheduler, fired, missed } = recordingScheduler({ schedule: NightlySchedule.parse('* * * * * *', 'UTC') });
    await scheduler.start();
    expect(scheduler.nextFireMs! % 1_000).toBe(0);
    await sleep(2_300);
    await scheduler.stop();
    expect(scheduler.nextFireMs).toBeUndefined();
    const count = fired.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(3);
    for (const [i, { fireMs, atMs }] of fired.entries()) {
      expect(fireMs % 1_000).toBe(0);
      expect(atMs).toBeGreaterThanOrEqual(fireMs);
      if (i > 0) expect(fireMs - fired[i - 1].fireMs).toBe(1_000);
    }
    expect(missed).toEqual([]);
    await sleep(1_200);
    expect(fired.length).toBe(count);
  });

  describe('at start, with the last fire 3 days ago (02:00 Asia/Shanghai = 18:00Z)', () => {
    const schedule = NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai');
    const lastFire = async () => at('2026-12-03T18:00:00Z');

    it('runs the fire of 30 s ago late and reports the two before it missed', async () => {
      const { scheduler, fired, missed, lines } = recordingScheduler({ schedule, lastFire, now: () => at('2026-12-06T18:00:30Z') });
      await scheduler.start();
      expect(missed).toEqual([{ fires: [at('2026-12-04T18:00:00Z'), at('2026-12-05T18:00:00Z')], total: 2 }]);
      expect(fired.map((f) => iso(f.fireMs))).toEqual(['2026-12-06T18:00Z']);
      expect(scheduler.nextFireMs).toBe(at('2026-12-07T18:00:00Z'));
      await scheduler.stop();
      expect(lines.find((l) => l.msg === 'nightly runs missed')).toMatchObject({
        level: 40,
        count: 2,
        first: '2026-12-05 02:00 Asia/Shanghai (2026-12-04T18:00:00Z)',
        last: '2026-12-06 02:00 Asia/Shanghai (2026-12-05T18:00:00Z)',
      });
      expect(lines.find((l) => l.msg === 'nightly run due')).toMatchObject({
        level: 30,
        schedule: '0 2 * * *@Asia/Shanghai',
        fire: '2026-12-06T18:00:00.000Z',
        local: '2026-12-07 02:00 Asia/Shanghai',
        lateMs: 30_000,
      });
    });

    it('reports all three missed when the latest is older than lateToleranceMs', async () => {
      const { scheduler, fired, missed } = recordingScheduler({ schedule, lastFire, now: () => at('2026-12-06T20:00:00Z') });
      await scheduler.start();
      expect(missed).toEqual([{ fires: [at('2026-12-04T18:00:00Z'), at('2026-12-05T18:00:00Z'), at('2026-12-06T18:00:00Z')], total: 3 }]);
      expect(fired).toEqual([]);
      await scheduler.stop();
    });

    it('honours a custom lateToleranceMs', async () => {
      const { scheduler, fired, missed } = recordingScheduler({
        schedule,
        lastFire,
        now: () => at('2026-12-06T20:00:00Z'),
        lateToleranceMs: 3 * 3_600_000,
      });
      await scheduler.start();
      expect(missed).toEqual([{ fires: [at('2026-12-04T18:00:00Z'), at('2026-12-05T18:00:00Z')], total: 2 }]);
      expect(fired.map((f) => f.fireMs)).toEqual([at('2026-12-06T18:00:00Z')]);
      await scheduler.stop();
    });

    it('reports nothing when the last fire is the latest one, or when the schedule never fired', async () => {
      for (const last of [at('2026-12-06T18:00:00Z'), undefined]) {
        const { scheduler, fired, missed } = recordingScheduler({ schedule, lastFire: async () => last, now: () => at('2026-12-06T18:00:30Z') });
        await scheduler.start();
        expect(missed).toEqual([]);
        expect(fired).toEqual([]);
        expect(scheduler.nextFireMs).toBe(at('2026-12-07T18:00:00Z'));
        await scheduler.stop();
      }
    });

    it('gives onMissed the 100 most recent of a year of missed fires, and the count of all', async () => {
      const { scheduler, missed } = recordingScheduler({
        schedule,
        lastFire: async () => at('2025-12-06T18:00:00Z'),
        now: () => at('2026-12-06T20:00:00Z'),
      });
      await scheduler.start();
      await scheduler.stop();
      expect(missed).toHaveLength(1);
      expect(missed[0].total).toBe(365);
      expect(missed[0].fires).toHaveLength(100);
      expect(missed[0].fires[0]).toBe(at('2026-08-29T18:00:00Z'));
      expect(missed[0].fires[99]).toBe(at('2026-12-06T18:00:00Z'));
    });

    it('start() rejects when the last fire cannot be read', async () => {
      const { scheduler } = recordingScheduler({ schedule, lastFire: () => Promise.reject(new Error('database is locked')) });
      await expect(scheduler.start()).rejects.toThrow('database is locked');
      await scheduler.stop();
      expect(scheduler.nextFireMs).toBeUndefined();
    });
  });

  describe('with fake timers', () => {
    const schedule = NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai');

    it('keeps going after onFire throws, and logs the error', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T17:59:59Z') });
      const calls: number[] = [];
      const { scheduler, lines } = recordingScheduler({
        schedule,
        onFire: async (fireMs) => {
          calls.push(fireMs);
          if (calls.length === 1) throw new Error('store is down');
        },
      });
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(999);
      expect(calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toEqual([at('2026-12-06T18:00:00Z')]);
      expect(lines.find((l) => l.msg === 'nightly run failed to start')).toMatchObject({
        level: 50,
        fire: '2026-12-06T18:00:00.000Z',
        local: '2026-12-07 02:00 Asia/Shanghai',
        err: { message: 'store is down' },
      });
      expect(scheduler.nextFireMs).toBe(at('2026-12-07T18:00:00Z'));
      await vi.advanceTimersByTimeAsync(day);
      expect(calls).toEqual([at('2026-12-06T18:00:00Z'), at('2026-12-07T18:00:00Z')]);
      await scheduler.stop();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('also survives onFire throwing synchronously', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T17:59:59Z') });
      let calls = 0;
      const { scheduler } = recordingScheduler({
        schedule,
        onFire: () => {
          calls += 1;
          throw new Error('not async');
        },
      });
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(day + 1_000);
      expect(calls).toBe(2);
      await scheduler.stop();
    });

    it('waits for a fire more than 24.8 days away in steps, and fires exactly on time', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T00:00:00Z') });
      const newYear = NightlySchedule.parse('0 2 1 1 *', 'Asia/Shanghai');
      const { scheduler, fired } = recordingScheduler({ schedule: newYear });
      await scheduler.start();
      const fireMs = at('2026-12-31T18:00:00Z');
      expect(scheduler.nextFireMs).toBe(fireMs);
      expect(fireMs - Date.now()).toBeGreaterThan(2 ** 31 - 1);
      await vi.advanceTimersByTimeAsync(fireMs - Date.now() - 1);
      expect(fired).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(fired).toEqual([{ fireMs, atMs: fireMs }]);
      expect(scheduler.nextFireMs).toBe(at('2027-12-31T18:00:00Z'));
      await scheduler.stop();
    });

    it('after a suspend across one fire, runs it once, late, with its scheduled time', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T12:00:00Z') });
      const { scheduler, fired, missed, lines } = recordingScheduler({ schedule });
      await scheduler.start();
      vi.setSystemTime(at('2026-12-06T20:00:00Z')); // the wall clock moves on; the 6 h timer does not
      await vi.advanceTimersByTimeAsync(6 * 3_600_000);
      expect(Date.now()).toBe(at('2026-12-07T02:00:00Z'));
      expect(fired).toEqual([{ fireMs: at('2026-12-06T18:00:00Z'), atMs: at('2026-12-07T02:00:00Z') }]);
      expect(missed).toEqual([]);
      expect(lines.find((l) => l.msg === 'nightly run due')).toMatchObject({ lateMs: 8 * 3_600_000 });
      expect(scheduler.nextFireMs).toBe(at('2026-12-07T18:00:00Z'));
      await scheduler.stop();
    });

    it('after a suspend across several fires, runs the latest and reports the others missed', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T12:00:00Z') });
      const { scheduler, fired, missed } = recordingScheduler({ schedule });
      await scheduler.start();
      vi.setSystemTime(at('2026-12-09T12:00:00Z'));
      await vi.advanceTimersByTimeAsync(6 * 3_600_000);
      expect(missed).toEqual([{ fires: [at('2026-12-06T18:00:00Z'), at('2026-12-07T18:00:00Z'), at('2026-12-08T18:00:00Z')], total: 3 }]);
      expect(fired.map((f) => f.fireMs)).toEqual([at('2026-12-09T18:00:00Z')]);
      await scheduler.stop();
    });

    it('re-checks the clock when it was set back while waiting, so a fire is never early', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T17:00:00Z') });
      const { scheduler, fired } = recordingScheduler({ schedule });
      await scheduler.start();
      vi.setSystemTime(at('2026-12-06T16:00:00Z'));
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(Date.now()).toBe(at('2026-12-06T17:00:00Z'));
      expect(fired).toEqual([]);
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(fired).toEqual([{ fireMs: at('2026-12-06T18:00:00Z'), atMs: at('2026-12-06T18:00:00Z') }]);
      await scheduler.stop();
    });

    it('stop() waits for the onFire in progress, is idempotent, and arms nothing afterwards', async () => {
      vi.useFakeTimers({ now: at('2026-12-06T17:59:59Z') });
      let finish = (): void => undefined;
      let failures = 0;
      const { scheduler } = recordingScheduler({
        schedule,
        onFire: () =>
          new Promise<void>((_resolve, reject) => {
            finish = () => {
              failures += 1;
              reject(new Error('cancelled by shutdown'));
            };
          }),
      });
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(1_000);
      let stopped = false;
      const stopping = scheduler.stop().then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(10);
      expect(stopped).toBe(false);
      finish();
      await stopping;
      expect(failures).toBe(1);
      await expect(scheduler.stop()).resolves.toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
      expect(scheduler.nextFireMs).toBeUndefined();
      await expect(scheduler.start()).rejects.toThrow('already stopped');
    });
  });

  it('lastFireFromStore reads the schedule key in a read transaction of any PlannerStore', async () => {
    const schedule = NightlySchedule.parse('0 2 * * *', 'Asia/Shanghai');
    const keys: string[] = [];
    const store = {
      read: async <T>(work: (tx: { lastNightlyFire(key: string): Promise<number | undefined> }) => Promise<T>) =>
        work({ lastNightlyFire: async (key) => (keys.push(key), at('2026-12-05T18:00:00Z')) }),
    };
    expect(await lastFireFromStore(store, schedule)()).toBe(at('2026-12-05T18:00:00Z'));
    expect(keys).toEqual(['0 2 * * *@Asia/Shanghai']);
    // Type-level: a real PlannerStore is accepted.
    const fromPlannerStore = (s: PlannerStore) => lastFireFromStore(s, schedule);
    expect(typeof fromPlannerStore).toBe('function');
  });
});
