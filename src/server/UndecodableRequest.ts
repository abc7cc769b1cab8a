import { CoschedError } from '../../solver/errors/CoschedError.js';

/**
 * What a method handler receives instead of its request when the request bytes could not be
 * decoded (see withTolerantDecoding): truncated, bit-flipped or random bytes, an invalid wire type,
 * or an int64 beyond what a JavaScript number holds exactly (e.g. Timestamp seconds above 2^53).
 * The handler helpers (handleUnaryCall, handleServerStreamingCall) answer it with `toError()`.
 */
export class UndecodableRequest {
  constructor(
    /** The protobuf message type that was expected, e.g. `cosched.v1.PlanRequest`. */
    readonly typeName: string,
    /** Length of the bytes received. */
    readonly byteLength: number,
    /** Why: locateDecodeFault's finding, else the decoder's own message (e.g. `premature EOF`). */
    readonly decoderMessage: string,
    /** The best field path found for the fault (proto3 JSON names), or `request`. */
    readonly field: string = 'request',
  ) {}

  /**
   * A rejected promise of `toError()`, after putting the fault in the call's log fields
   * (`undecodable`: field, byte count, decoder message), for the handler helpers.
   */
  reject(logFields: Record<string, unknown>): Promise<never> {
    logFields.undecodable = { field: this.field, bytes: this.byteLength, message: this.decoderMessage };
    return Promise.reject(this.toError());
  }

  /**
   * INVALID_ARGUMENT (reason UNDECODABLE_REQUEST) with one violation at `field` whose description
   * gives the decoder's message (made plain for int64 overflows), the byte count and the expected type.
   */
  toError(): CoschedError {
    const description = `${explain(this.decoderMessage)}; the ${this.byteLength} request byte${this.byteLength === 1 ? '' : 's'} do not decode as ${this.typeName}; expected a valid binary-encoded ${this.typeName}`;
    return CoschedError.invalid([{ field: this.field, description }], 'request: undecodable bytes', 'UNDECODABLE_REQUEST');
  }
}

/** The decoder's message, made plain where ts-proto's is cryptic. */
function explain(decoderMessage: string): string {
  if (/MAX_SAFE_INTEGER|MIN_SAFE_INTEGER/.test(decoderMessage)) {
    return `${decoderMessage}: an int64 beyond ±(2^53 - 1), which cosched cannot hold exactly (Timestamp seconds must lie within 0001-01-01..9999-12-31)`;
  }
  return decoderMessage;
}
