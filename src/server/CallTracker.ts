import { status as grpcCode, ServerInterceptingCall, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import { endedByDeadline } from './CallContext.js';

/** One call that ended, as the client saw it. */
export interface CallEnd {
  /** The fully qualified service, e.g. `cosched.v1.CoSchedulerService`. */
  service: string;
  /** The method's name, e.g. `Plan`. */
  method: string;
  /**
   * The status sent; CANCELLED or DEADLINE_EXCEEDED (see endedByDeadline) when the stream ended
   * without a status passing the interceptors (the client left, the deadline passed, or grpc-js
   * answered on its own, e.g. a message over the size limit: that one counts as CANCELLED).
   */
  code: grpcCode;
  /** From the call's arrival to its end. */
  durationMs: number;
}

interface TrackedCall {
  call: ServerInterceptingCall;
  ended: boolean;
}

/**
 * Every call of a server in flight, through a grpc-js server interceptor (`interceptor`, for
 * `new Server({ interceptors })`), for two things the handlers cannot do alone:
 * - `onCallEnd` hears of every call's end, of every service (health and reflection included):
 *   the status sent, or CANCELLED / DEADLINE_EXCEEDED when the client left or the deadline
 *   passed first. A throwing listener is ignored.
 * - `answerAll(status)` ends every call still in flight with that status (a shutdown's end), so
 *   that clients get a real status rather than a cut stream; `inFlight` counts them.
 */
export class CallTracker {
  private readonly calls = new Set<TrackedCall>();
  readonly interceptor: ServerInterceptor;

  constructor(private readonly onCallEnd: (end: CallEnd) => void = () => undefined) {
    this.interceptor = (descriptor, next) => {
      const startedMs = performance.now();
      const [, service = '', method = descriptor.path] = /^\/([^/]*)\/(.*)$/.exec(descriptor.path) ?? [];
      const end = (tracked: TrackedCall, code: grpcCode) => {
        if (tracked.ended) return;
        tracked.ended = true;
        this.calls.delete(tracked);
        try {
          this.onCallEnd({ service, method, code, durationMs: performance.now() - startedMs });
        } catch {
          // Metrics must not break calls.
        }
      };
      const deadlineMs = () => {
        const deadline = next.getDeadline();
        return deadline instanceof Date ? deadline.getTime() : deadline;
      };
      const call: ServerInterceptingCall = new ServerInterceptingCall(next, {
        // grpc-js tells every listener of a call's end, also after a status: only the first end counts.
        start: (startNext) => startNext({ onCancel: () => end(tracked, endedByDeadline(deadlineMs()) ? grpcCode.DEADLINE_EXCEEDED : grpcCode.CANCELLED) }),
        sendStatus: (status, statusNext) => {
          end(tracked, status.code);
          statusNext(status);
        },
      });
      const tracked: TrackedCall = { call, ended: false };
      this.calls.add(tracked);
      return call;
    };
  }

  /** Calls that have started and not ended. */
  get inFlight(): number {
    return this.calls.size;
  }

  /** Ends every call in flight with `status` (see the class contract); returns how many. */
  answerAll(status: StatusObject): number {
    const calls = [...this.calls];
    for (const tracked of calls) tracked.call.sendStatus(status);
    return calls.length;
  }
}
