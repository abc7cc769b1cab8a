import type { Logger } from 'pino';
import type { StoreTx } from '../store/PlannerStore.js';
import type { NightlySchedule } from './NightlySchedule.js';

/** Node timers hold at most 2^31 - 1 ms (about 24.8 days); a farther fire is waited for in steps. */
const maxTimerDelayMs = 2 ** 31 - 1;
/** onMissed is given at most this many fires (the most recent). */
const maxReportedMisses = 100;
const defaultLateToleranceMs = 60_000;

/** What lastFireFromStore needs of a PlannerStore (any PlannerStore is one). */
export interface NightlyFireReader {
  read<T>(work: (tx: Pick<StoreTx, 'lastNightlyFire'>) => Promise<T>): Promise<T>;
}

/** The `lastFire` option for a PlannerStore: the schedule's latest claimed fire, read in one transaction. */
export function lastFireFromStore(store: NightlyFireReader, schedule: NightlySchedule): () => Promise<number | undefined> {
  return () => store.read((tx) => tx.lastNightlyFire(schedule.key));
}

export interface NightlySchedulerOptions {
  schedule: NightlySchedule;
  /**
   * The schedule's latest claimed fire (epoch ms), undefined when it never fired; read once, at
   * start. With a store: `lastFireFromStore(store, schedule)`. (A function rather than the store
   * itself, so the scheduler and its tests depend on one read, not on the whole StoreTx.)
   */
  lastFire(): Promise<number | undefined>;
  /** Starts the run for this fire (claiming it in the store is the callee's job). Errors are logged, never thrown out. */
  onFire(fireMs: number): Promise<void>;
  /**
   * Told about fires that passed without a run (oldest first, the most recent 100 at most) and how
   * many in all: once at start for the time no server ran, and again if this process was suspended
   * (laptop asleep, VM paused) across more than one fire. Errors are logged, never thrown out.
   */
  onMissed(fireMs: number[], total: number): Promise<void>;
  logger: Logger;
  /** The clock (default Date.now); injectable for tests of missed fires. Timers always run in real time. */
  now?: () => number;
  /** A fire found at start this recently (default 60_000 ms) is run late rather than reported missed. */
  lateToleranceMs?: number;
}

type State = 'new' | 'starting' | 'running' | 'stopped';

/**
 * Runs a NightlySchedule with timers: calls onFire(fireMs) at each fire, with the scheduled fire
 * time (never before it: the clock is checked again on every wake-up).
 *
 * - Start: fires after the store's last claimed fire that are already past were missed (no server
 *   ran); the latest of them is run late when it is within lateToleranceMs of now, the others go to
 *   onMissed. A schedule that never fired has missed nothing.
 * - Fires are taken one at a time: the timer for the next fire is armed when onFire has settled,
 *   so a slow onFire delays the next fire (it then runs late) rather than overlapping it.
 * - A timer that wakes late (the process was suspended) runs the latest passed fire once, late,
 *   with its scheduled fireMs; earlier passed fires, if any, go to onMissed.
 * - Timers are not unref'd (the server runs anyway); stop() clears them.
 */
export class NightlyScheduler {
  readonly #schedule: NightlySchedule;
  readonly #options: NightlySchedulerOptions;
  readonly #now: () => number;
  readonly #lateToleranceMs: number;
  readonly #logger: Logger;
  #state: State = 'new';
  #timer: NodeJS.Timeout | undefined;
  #next: number | undefined;
  /** Every fire at or before this instant has been run, reported missed, or preceded the start. */
  #cursor = 0;
  /** The callbacks in progress (never rejects). */
  #busy: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(options: NightlySchedulerOptions) {
    this.#options = options;
    this.#schedule = options.schedule;
    this.#now = options.now ?? (() => Date.now());
    this.#lateToleranceMs = options.lateToleranceMs ?? defaultLateToleranceMs;
    this.#logger = options.logger;
  }

  /** The fire the timer waits for (epoch ms), undefined before start and after stop. */
  get nextFireMs(): number | undefined {
    return this.#next;
  }

  /**
   * Reads the last fire, handles fires missed since (onMissed, or onFire for one within
   * lateToleranceMs), then arms the timer for the next fire. Resolves when that is done; rejects
   * only when lastFire() does or the schedule cannot be walked (the scheduler is then stopped). Call once.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`NightlyScheduler.start: already ${this.#state}`);
    this.#state = 'starting';
    let last: number | undefined;
    try {
      last = await this.#options.lastFire();
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
    if (this.#state !== 'starting') return;
    const catchUp = this.#catchUp(last, this.#now());
    this.#busy = catchUp.catch(() => undefined);
    try {
      await catchUp;
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
    if (this.#state !== 'starting') return;
    this.#state = 'running';
    this.#armNext();
  }

  /** Clears the timer and waits for callbacks in progress to settle. Idempotent; never rejects. */
  stop(): Promise<void> {
    if (this.#stopped === undefined) {
      this.#state = 'stopped';
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#next = undefined;
      this.#stopped = this.#busy;
    }
    return this.#stopped;
  }

  async #catchUp(last: number | undefined, now: number): Promise<void> {
    this.#cursor = last === undefined ? now : Math.max(now, last);
    if (last === undefined) return;
    const { fires, total, capped } = this.#schedule.firesBetween(last, now, maxReportedMisses + 1);
    let late: number | undefined;
    if (fires.length > 0 && now - fires[fires.length - 1] <= this.#lateToleranceMs) late = fires.pop();
    const missed = total - (late === undefined ? 0 : 1);
    if (missed > 0) await this.#reportMissed(this.#schedule.nextFireAfter(last), fires.slice(-maxReportedMisses), missed, capped);
    if (late !== undefined && this.#state === 'starting') await this.#fire(late, now);
  }

  #armNext(): void {
    if (this.#state !== 'running') return;
    try {
      this.#next = this.#schedule.nextFireAfter(this.#cursor);
    } catch (err) {
      this.#next = undefined;
      this.#logger.error({ err, schedule: this.#schedule.key }, 'nightly schedule has no next fire');
      return;
    }
    this.#logger.debug({ schedule: this.#schedule.key, next: this.#schedule.describe(this.#next) }, 'nightly run scheduled');
    this.#wait();
  }

  #wait(): void {
    if (this.#next === undefined) return;
    const delay = Math.min(Math.max(this.#next - this.#now(), 0), maxTimerDelayMs);
    this.#timer = setTimeout(() => this.#wake(), delay);
  }

  #wake(): void {
    this.#timer = undefined;
    if (this.#state !== 'running' || this.#next === undefined) return;
    const now = this.#now();
    if (now < this.#next) {
      // Woke early (timer rounding, a clock set back) or one step of a long wait.
      this.#wait();
      return;
    }
    this.#next = undefined;
    this.#busy = this.#runDue(now)
      .catch((err: unknown) => this.#logger.error({ err, schedule: this.#schedule.key }, 'nightly schedule failed'))
      .then(() => this.#armNext());
  }

  /** Runs the latest fire in (cursor, now] (normally the only one); earlier ones were missed. */
  async #runDue(now: number): Promise<void> {
    const after = this.#cursor;
    const { fires, total, capped } = this.#schedule.firesBetween(after, now, maxReportedMisses + 1);
    const latest = fires.pop();
    if (latest === undefined) return;
    this.#cursor = latest;
    if (total > 1) await this.#reportMissed(this.#schedule.nextFireAfter(after), fires.slice(-maxReportedMisses), total - 1, capped);
    if (this.#state === 'running') await this.#fire(latest, now);
  }

  async #reportMissed(first: number, fires: number[], total: number, capped: boolean): Promise<void> {
    const last = fires[fires.length - 1] ?? first;
    this.#logger.warn(
      {
        schedule: this.#schedule.key,
        count: total,
        ...(capped ? { countIsLowerBound: true } : {}),
        first: this.#schedule.describe(first),
        last: this.#schedule.describe(last),
      },
      'nightly runs missed',
    );
    try {
      await this.#options.onMissed(fires, total);
    } catch (err) {
      this.#logger.error({ err, schedule: this.#schedule.key }, 'nightly missed runs not recorded');
    }
  }

  async #fire(fireMs: number, now: number): Promise<void> {
    const fire = new Date(fireMs).toISOString();
    const local = this.#schedule.localTime(fireMs);
    const lateMs = now - fireMs;
    this.#logger.info({ schedule: this.#schedule.key, fire, local, ...(lateMs >= 1_000 ? { lateMs } : {}) }, 'nightly run due');
    try {
      await this.#options.onFire(fireMs);
    } catch (err) {
      this.#logger.error({ err, schedule: this.#schedule.key, fire, local }, 'nightly run failed to start');
    }
  }
}
