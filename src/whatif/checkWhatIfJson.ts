import type { FieldViolation } from '../../solver/errors/CoschedError.js';
import { checkJsonAgainstSchema } from '../data/checkJsonAgainstSchema.js';
import { suggestName } from '../data/suggestName.js';
import { ViolationList } from '../data/ViolationList.js';
import { protoMetadata as planRequestMetadata } from '../generated/cosched/v1/plan_request.js';
import { protoMetadata as whatIfMetadata, type ProtoMetadata } from '../generated/cosched/v1/what_if.js';
import { describeJsonValue } from '../data/describeJsonValue.js';

type MessageDescriptor = ProtoMetadata['fileDescriptor']['messageType'][number];
type FieldDescriptor = MessageDescriptor['field'][number];

/** The message a variants file lists. */
export const variantTypeName = '.cosched.v1.Variant';
/** The message a forecasts file (ReplaceForecasts.file) holds, without its `file` field. */
export const replaceForecastsTypeName = '.cosched.v1.ReplaceForecasts';

// FieldDescriptorProto.Type and .Label numbers from google/protobuf/descriptor.proto.
const fieldType = { double: 1, int32: 5, bool: 8, string: 9, message: 11 } as const;
const labelRepeated = 3;

/**
 * For each scalar kind the what-if messages use, a PlanRequest field of exactly that kind.
 * checkJsonAgainstSchema only knows plan_request.proto, so a what-if scalar is checked by checking
 * it as the value of its stand-in: one source of truth for the proto3 JSON rules of numbers,
 * strings and booleans (decimal strings, NaN, ranges of int32, null...).
 */
const standIns: ReadonlyArray<{ type: number; repeated: boolean; message: string; field: string }> = [
  { type: fieldType.double, repeated: false, message: 'Objective', field: 'cost_weight' },
  { type: fieldType.int32, repeated: false, message: 'Horizon', field: 'hours' },
  { type: fieldType.bool, repeated: false, message: 'Job', field: 'interruptible' },
  { type: fieldType.string, repeated: false, message: 'Site', field: 'id' },
  { type: fieldType.double, repeated: true, message: 'Site', field: 'green_supply_mw' },
  { type: fieldType.string, repeated: true, message: 'Job', field: 'allowed_sites' },
];

/**
 * Checks a raw JSON/YAML tree against a message of what_if.proto (a Variant by default) before it
 * is converted with the generated fromJSON, so that nothing is dropped or coerced silently.
 * Returns every violation, with paths in proto3 JSON names below `path`, such as
 * `variants[2].overrides[0].removeSite.siteId`.
 *
 * The same rules as checkJsonAgainstSchema (which does the work for scalars and for the
 * plan_request.proto messages inside, such as AddSite.site): unknown fields with a "did you mean"
 * hint, a field given under both its JSON and its proto name, wrong JSON types, NaN/Infinity.
 * Also: at most one member of a oneof may be set (an Override sets exactly one change; the
 * generated fromJSON would silently keep the first).
 *
 * @throws Error when what_if.proto gains a field kind this checker has no rule for (a programming
 *   error that any test catches).
 */
export function checkWhatIfJson(tree: unknown, typeName: string = variantTypeName, path = ''): FieldViolation[] {
  const violations = new ViolationList();
  checkMessage(tree, typeName, path, violations);
  return violations.items;
}

let cachedMessages: Map<string, MessageDescriptor> | undefined;

function whatIfMessages(): Map<string, MessageDescriptor> {
  if (cachedMessages !== undefined) return cachedMessages;
  const messages = new Map<string, MessageDescriptor>();
  for (const message of whatIfMetadata.fileDescriptor.messageType) {
    messages.set(`.cosched.v1.${message.name}`, message);
    oneofMembers(message);
  }
  for (const standIn of standIns) {
    const message = planRequestMetadata.fileDescriptor.messageType.find((m) => m.name === standIn.message);
    const field = message?.field.find((f) => f.name === standIn.field);
    if (field === undefined || field.type !== standIn.type || (field.label === labelRepeated) !== standIn.repeated || field.proto3Optional) {
      throw new Error(`checkWhatIfJson: ${standIn.message}.${standIn.field} no longer stands in for field type ${standIn.type}; pick another`);
    }
  }
  cachedMessages = messages;
  return messages;
}

function checkMessage(value: unknown, typeName: string, path: string, violations: ViolationList): void {
  const message = whatIfMessages().get(typeName);
  if (message === undefined) {
    // A plan_request.proto message (e.g. Site): the data stage's own checker knows it.
    for (const violation of checkJsonAgainstSchema(value, typeName)) violations.add(appendPath(path, violation.field), violation.description);
    return;
  }
  if (!isPlainObject(value)) {
    violations.add(path, `got ${describeJsonValue(value)}; expected an object (${message.name})`);
    return;
  }
  const byKey = new Map<string, FieldDescriptor>();
  for (const field of message.field) {
    byKey.set(field.jsonName, field);
    byKey.set(field.name, field);
  }
  const keyByField = new Map<number, string>();
  const members = oneofMembers(message);
  const oneofMembersSet: string[] = [];
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = byKey.get(key);
    if (field === undefined) {
      const known = message.field.map((f) => f.jsonName);
      const suggestion = suggestName(key, known);
      violations.add(
        appendKey(path, key),
        suggestion === undefined ? `unknown field in ${message.name}; expected one of ${known.join(', ')}` : `unknown field in ${message.name}; did you mean ${suggestion}?`,
      );
      continue;
    }
    const fieldPath = appendKey(path, field.jsonName);
    const otherKey = keyByField.get(field.number);
    if (otherKey !== undefined) {
      violations.add(fieldPath, `set twice, as ${otherKey} and as ${key}; expected one of the two spellings`);
      continue;
    }
    keyByField.set(field.number, key);
    if (members.has(field.name) && fieldValue !== null) oneofMembersSet.push(field.jsonName);
    checkField(fieldValue, field, fieldPath, violations);
  }
  if (oneofMembersSet.length > 1) {
    const all = message.field.filter((f) => members.has(f.name)).map((f) => f.jsonName);
    violations.add(path, `sets ${oneofMembersSet.join(' and ')}; expected exactly one of ${all.join(', ')} (one change per ${message.name})`);
  }
}

/**
 * The proto names of the fields in the message's one real oneof (empty when it has none; the
 * synthetic oneof of a proto3 `optional` field is not one). ts-proto writes oneofIndex 0 for
 * fields outside any oneof too, so a real oneof can be told apart only when every other field is
 * a proto3 `optional` one (true of Override); anything else throws, to be taught here.
 */
function oneofMembers(message: MessageDescriptor): Set<string> {
  const real = message.oneofDecl.filter((_, i) => !message.field.some((f) => f.proto3Optional && f.oneofIndex === i));
  if (real.length === 0) return new Set();
  if (message.oneofDecl.length > 1) throw new Error(`checkWhatIfJson: ${message.name} mixes a oneof with other oneofs or optional fields; teach the checker to tell them apart`);
  return new Set(message.field.map((f) => f.name));
}

function checkField(value: unknown, field: FieldDescriptor, path: string, violations: ViolationList): void {
  const repeated = field.label === labelRepeated;
  if (field.type !== fieldType.message) {
    const standIn = standIns.find((s) => s.type === field.type && s.repeated === repeated);
    if (standIn === undefined) throw new Error(`checkWhatIfJson: no rule for ${field.name} (type ${field.type})`);
    const standInJsonName = snakeToCamel(standIn.field);
    for (const violation of checkJsonAgainstSchema({ [standInJsonName]: value }, `.cosched.v1.${standIn.message}`)) {
      violations.add(path + violation.field.slice(standInJsonName.length), violation.description);
    }
    return;
  }
  if (value === null) return;
  if (!repeated) {
    checkMessage(value, field.typeName, path, violations);
    return;
  }
  if (!Array.isArray(value)) {
    violations.add(path, `got ${describeJsonValue(value)}; expected a list of objects (${shortName(field.typeName)})`);
    return;
  }
  value.forEach((element, i) => {
    if (element === null) violations.add(`${path}[${i}]`, `got null; expected an object (${shortName(field.typeName)})`);
    else checkMessage(element, field.typeName, `${path}[${i}]`, violations);
  });
}

function shortName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `path` + one key as written in the tree; keys that are not identifiers are quoted (`["a b"]`). */
function appendKey(path: string, key: string): string {
  return appendPath(path, /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${JSON.stringify(key)}]`);
}

/** `path` + a path already in the checkers' form (`a.b`, `[2].c`, `["odd key"]`). */
function appendPath(path: string, fieldPath: string): string {
  if (fieldPath === '') return path;
  if (fieldPath.startsWith('[') || path === '') return `${path}${fieldPath}`;
  return `${path}.${fieldPath}`;
}
