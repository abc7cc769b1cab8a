import { CoschedError } from '../../solver/errors/CoschedError.js';

/** The per-client limits a ClientLimiter enforces. */
export interface ClientLimits {
  /** Sustained calls per second per client (the token bucket's refill rate); 0 = no rate limit. */
  requestsPerSecond: number;
  /** Calls a client may make at once above the sustained rate (the bucket's size, >= 1). */
  requestBurst: number;
  /** Plans (Plan, WatchPlan, CompareScenarios, SweepFrontier, StartPlanRun) one client may have in flight; 0 = no limit. */
  maxPlansInFlight: number;
  /**
   * Clients remembered at once. An idle client (no plan in flight) is forgotten when this many are
   * known and a new one comes (least recently seen first), or once its bucket has refilled; a
   * forgotten client starts again with a full bucket.
   */
  maxTrackedClients: number;
}

/** What one client has used. */
interface ClientState {
  /** Tokens in the bucket as of `updatedMs` (fractional). */
  tokens: number;
  updatedMs: number;
  plansInFlight: number;
}

/** A call admitted by `admit`: call `release()` once when it ends (idempotent). */
export interface Admission {
  release(): void;
}

const count = new Intl.NumberFormat('en-US');

/**
 * Per-client request rate (a token bucket: `requestsPerSecond` sustained, `requestBurst` at once)
 * and plans in flight, keyed by a client key (the caller's identity or IP address; see
 * limitClientsInterceptor). Pure bookkeeping on the main thread: O(1) per call, memory bounded by
 * `maxTrackedClients` entries (each a few dozen bytes) plus the clients with plans in flight.
 */
export class ClientLimiter {
  private readonly clients = new Map<string, ClientState>();

  constructor(
    readonly limits: ClientLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How many clients are remembered now (for tests and metrics). */
  get trackedClients(): number {
    return this.clients.size;
  }

  /**
   * Admits one call of `client`, or throws. Every call takes a token; a plan call (`isPlan`) also
   * takes a plan slot until `release()`.
   *
   * @throws CoschedError RESOURCE_EXHAUSTED, reason RATE_LIMITED (QuotaFailure subject
   *   `max_requests_per_second`; retryAfterMs = the time until a token is available) when the
   *   client's bucket is empty, or reason TOO_MANY_PLANS_IN_FLIGHT (subject
   *   `max_plans_in_flight_per_client`; retryAfterMs 1000: a plan slot frees when a plan ends) when
   *   it has `maxPlansInFlight` plans running. A refused call takes no token and no slot.
   */
  admit(client: string, isPlan: boolean): Admission {
    const { requestsPerSecond, requestBurst, maxPlansInFlight } = this.limits;
    const nowMs = this.now();
    const state = this.stateOf(client, nowMs);
    if (requestsPerSecond > 0) {
      state.tokens = Math.min(requestBurst, state.tokens + ((nowMs - state.updatedMs) / 1000) * requestsPerSecond);
      state.updatedMs = nowMs;
      if (state.tokens < 1) {
        const retryAfterMs = Math.ceil(((1 - state.tokens) / requestsPerSecond) * 1000);
        const description = `client ${client} made more than ${count.format(requestsPerSecond)} calls per second (burst ${count.format(requestBurst)}); retry in ${retryAfterMs} ms (max_requests_per_second)`;
        throw new CoschedError('RESOURCE_EXHAUSTED', `rate limit: ${description}`, {
          reason: 'RATE_LIMITED',
          violations: [{ field: 'max_requests_per_second', description }],
          retryAfterMs,
        });
      }
    }
    if (isPlan && maxPlansInFlight > 0 && state.plansInFlight >= maxPlansInFlight) {
      const description = `client ${client} has ${count.format(state.plansInFlight)} plans in flight; this server runs at most ${count.format(maxPlansInFlight)} per client at once (max_plans_in_flight_per_client)`;
      throw new CoschedError('RESOURCE_EXHAUSTED', `too many plans in flight: ${description}`, {
        reason: 'TOO_MANY_PLANS_IN_FLIGHT',
        violations: [{ field: 'max_plans_in_flight_per_client', description }],
        retryAfterMs: 1_000,
      });
    }
    if (requestsPerSecond > 0) state.tokens -= 1;
    if (!isPlan) return { release: () => undefined };
    state.plansInFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        state.plansInFlight -= 1;
        // The state may have been forgotten meanwhile only if it had no plan in flight: never here.
      },
    };
  }

  /** The client's state, most recently seen last; forgets idle clients beyond the table's size. */
  private stateOf(client: string, nowMs: number): ClientState {
    let state = this.clients.get(client);
    if (state) {
      this.clients.delete(client);
    } else {
      state = { tokens: this.limits.requestBurst, updatedMs: nowMs, plansInFlight: 0 };
      this.forgetIdle(nowMs);
    }
    this.clients.set(client, state);
    return state;
  }

  /**
   * Makes room for one more client: drops clients whose bucket is full again (they are the same as
   * new ones), oldest first, and while the table is full, the least recently seen without plans in
   * flight. Looks at a bounded number of entries per call.
   */
  private forgetIdle(nowMs: number): void {
    const { requestsPerSecond, requestBurst, maxTrackedClients } = this.limits;
    let looked = 0;
    for (const [key, state] of this.clients) {
      if (looked++ >= 16 && this.clients.size < maxTrackedClients) break;
      if (looked > 1_000) break;
      if (state.plansInFlight > 0) continue;
      const refilled = requestsPerSecond <= 0 || state.tokens + ((nowMs - state.updatedMs) / 1000) * requestsPerSecond >= requestBurst;
      if (refilled || this.clients.size >= maxTrackedClients) this.clients.delete(key);
    }
  }
}
