import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { PlanRunMetadata } from '../generated/cosched/v1/standing_planner_service.js';
import type { Operation } from '../generated/google/longrunning/operations.js';
import type { Any } from '../generated/google/protobuf/any.js';
import { BadRequest, ErrorInfo, QuotaFailure } from '../generated/google/rpc/error_details.js';
import { planResponseTypeUrl, planRunMetadataTypeUrl } from './decodePlanRunOperation.js';

/** The messages an Operation of cosched may pack, by type URL: how to decode them and print them. */
const knownTypes: Record<string, { decode(bytes: Uint8Array): unknown; toJSON(message: never): unknown }> = {
  [planRunMetadataTypeUrl]: PlanRunMetadata,
  [planResponseTypeUrl]: PlanResponse,
  'type.googleapis.com/google.rpc.BadRequest': BadRequest,
  'type.googleapis.com/google.rpc.ErrorInfo': ErrorInfo,
  'type.googleapis.com/google.rpc.QuotaFailure': QuotaFailure,
};

/**
 * The proto3 JSON of a google.longrunning.Operation, with its Any fields unpacked the way proto3
 * JSON prints Any: `{"name": "operations/run-...", "metadata": {"@type":
 * "type.googleapis.com/cosched.v1.PlanRunMetadata", ...its fields}, "done": true, "response":
 * {"@type": "type.googleapis.com/cosched.v1.PlanResponse", ...}}`, or `"error": {"code",
 * "message", "details": [...]}` (details unpacked the same way). As in proto3 JSON, fields at
 * their default are left out (`done` while the run is in progress). A packed message of a type
 * this client does not know is printed as `{"@type": URL, "value": BASE64}`.
 *
 * @throws Error when a packed message of a known type does not decode (a corrupt answer).
 */
export function operationToJson(operation: Operation): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (operation.name !== '') json.name = operation.name;
  if (operation.metadata !== undefined) json.metadata = anyToJson(operation.metadata);
  if (operation.done) json.done = true;
  if (operation.result?.$case === 'response') json.response = anyToJson(operation.result.value);
  if (operation.result?.$case === 'error') {
    const { code, message, details } = operation.result.value;
    const error: Record<string, unknown> = {};
    if (code !== 0) error.code = code;
    if (message !== '') error.message = message;
    if (details.length > 0) error.details = details.map(anyToJson);
    json.error = error;
  }
  return json;
}

/** One Any in proto3 JSON: `@type` and the fields of the packed message. */
function anyToJson(any: Any): Record<string, unknown> {
  const type = knownTypes[any.typeUrl];
  if (type === undefined) return { '@type': any.typeUrl, value: Buffer.from(any.value).toString('base64') };
  return { '@type': any.typeUrl, ...(type.toJSON(type.decode(any.value) as never) as Record<string, unknown>) };
}
