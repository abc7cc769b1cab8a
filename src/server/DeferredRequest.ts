/**
 * What a Plan, WatchPlan or ValidatePlanRequest handler receives instead of its decoded request
 * when the request is at least `DeferredRequest.minBytes` long (see withTolerantDecoding): the raw
 * bytes, left for a request-preparation worker (RequestPrepPool) to decode, validate and prepare,
 * so that nothing proportional to a large request runs on the main thread.
 */
export class DeferredRequest {
  /**
   * Requests this long or longer are deferred. Measured (bench/largeRequestBlock.ts, one core):
   * decoding and validating on the main thread cost about 0.1 ms per KiB in one go (10 MiB: ~900 ms;
   * 0.27 MiB: 45-60 ms, within but near the 100 ms health budget), while deferring costs the main
   * thread a copy of the bytes and the receipt of the packed result (0.27 MiB: a longest block of
   * 7 ms) for some 30 ms more latency; so smaller plans keep the main-thread path.
   */
  static readonly minBytes = 256 * 1024;

  constructor(
    /** The method's full path, e.g. `/cosched.v1.CoSchedulerService/Plan`. */
    readonly methodPath: string,
    /** The request bytes as received (grpc-js's Buffer; not copied). */
    readonly bytes: Buffer,
  ) {}
}
