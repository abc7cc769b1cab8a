import type { FieldViolation } from '../../solver/errors/CoschedError.js';
import { protoMetadata, type ProtoMetadata } from '../generated/cosched/v1/plan_request.js';
import { protoMetadata as evaluateProtoMetadata } from '../generated/cosched/v1/evaluate.js';
import { describeJsonValue } from './describeJsonValue.js';
import { parseRfc3339Timestamp } from './parseRfc3339Timestamp.js';
import { suggestName } from './suggestName.js';
import { ViolationList } from './ViolationList.js';

type FileDescriptor = ProtoMetadata['fileDescriptor'];
type MessageDescriptor = FileDescriptor['messageType'][number];
type FieldDescriptor = MessageDescriptor['field'][number];
type EnumDescriptor = FileDescriptor['enumType'][number];

/** The message every scenario file and PlanRequest JSON tree is checked against. */
export const planRequestTypeName = '.cosched.v1.PlanRequest';

const timestampTypeName = '.google.protobuf.Timestamp';

// FieldDescriptorProto.Type and .Label numbers from google/protobuf/descriptor.proto.
const fieldType = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9,
  group: 10, message: 11, bytes: 12, uint32: 13, enum: 14, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
} as const;
const labelRepeated = 3;

const integerRanges = new Map<number, readonly [number, number]>([
  [fieldType.int32, [-(2 ** 31), 2 ** 31 - 1]],
  [fieldType.sint32, [-(2 ** 31), 2 ** 31 - 1]],
  [fieldType.sfixed32, [-(2 ** 31), 2 ** 31 - 1]],
  [fieldType.uint32, [0, 2 ** 32 - 1]],
  [fieldType.fixed32, [0, 2 ** 32 - 1]],
  [fieldType.int64, [-(2 ** 63), 2 ** 63 - 1]],
  [fieldType.sint64, [-(2 ** 63), 2 ** 63 - 1]],
  [fieldType.sfixed64, [-(2 ** 63), 2 ** 63 - 1]],
  [fieldType.uint64, [0, 2 ** 64 - 1]],
  [fieldType.fixed64, [0, 2 ** 64 - 1]],
]);
const maxFloat32 = 3.4028234663852886e38;
// JSON number syntax, which proto3 JSON also accepts inside a string.
const numericString = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const base64String = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;
const timestampExample = '2026-07-01T00:00:00Z';

/**
 * Checks a raw JSON/YAML tree against a message of the protobuf schema, following proto3 JSON,
 * before it is turned into a message, so that nothing is dropped or coerced silently. The field
 * list comes from the FileDescriptorProto that ts-proto generated from proto/ (never copied by
 * hand). Returns every violation (empty when the tree is fine), paths in proto3 JSON names such as
 * `jobs[3].gpuHours` or `sites[0].greenSupplyMw[17]`, whichever spelling the file used.
 *
 * Reported: unknown fields (with a "did you mean" hint), a field given under both its JSON and
 * its proto name, wrong JSON types, NaN and ±Infinity (as numbers, e.g. YAML `.nan`, or as the
 * strings proto3 JSON allows; our fields never want them), non-integers and out-of-range values in
 * integer fields, unknown enum names or numbers, timestamps that are not RFC 3339 strings of real
 * instants (a Date object passes, as the generated fromJSON takes one), lists where single values
 * are expected and the reverse, and null inside lists.
 *
 * Accepted as proto3 JSON allows: the proto field name (`gpu_hours`) as well as the JSON name;
 * numbers written as decimal strings (`"1.5"`); enum values by number; null for a message field,
 * a proto3 `optional` field or a list (each means unset/empty). Unlike proto3 JSON, null for a
 * plain scalar field is reported, since in YAML it usually means a value was left out (`pue:`).
 *
 * Elements of one list of scalars report at most 20 violations plus a "... and N more" line.
 * Semantic rules (lengths, ranges, references) are validatePlanRequest's job, not this one's.
 *
 * @param messageTypeName fully qualified, e.g. `.cosched.v1.Site`; PlanRequest by default.
 * @throws Error if the schema uses a well-known type other than Timestamp, which this checker has
 *   no JSON rule for (a programming error, caught by any test as soon as proto/ gains one).
 */
export function checkJsonAgainstSchema(tree: unknown, messageTypeName: string = planRequestTypeName): FieldViolation[] {
  const checker = new SchemaChecker(schemaIndex());
  checker.checkMessage(tree, messageTypeName, '');
  return checker.violations.items;
}

interface SchemaIndex {
  messages: Map<string, MessageDescriptor>;
  enums: Map<string, EnumDescriptor>;
}

let cachedIndex: SchemaIndex | undefined;

function schemaIndex(): SchemaIndex {
  if (cachedIndex === undefined) {
    const index: SchemaIndex = { messages: new Map(), enums: new Map() };
    const visited = new Set<string>();
    indexFile(protoMetadata, index, visited);
    // evaluate.proto and its imports: PlanResponse (plan files of `cosched evaluate`).
    indexFile(evaluateProtoMetadata as ProtoMetadata, index, visited);
    for (const [name, message] of index.messages) {
      for (const field of message.field) {
        if (field.typeName.startsWith('.google.protobuf.') && field.typeName !== timestampTypeName && !name.startsWith('.google.protobuf.')) {
          throw new Error(`checkJsonAgainstSchema: ${name}.${field.name} uses ${field.typeName}, which has no proto3 JSON rule here; add one`);
        }
      }
    }
    cachedIndex = index;
  }
  return cachedIndex;
}

function indexFile(metadata: ProtoMetadata, index: SchemaIndex, visited: Set<string>): void {
  const file = metadata.fileDescriptor;
  if (visited.has(file.name)) return;
  visited.add(file.name);
  const scope = file.package === '' ? '' : `.${file.package}`;
  for (const message of file.messageType) indexMessage(message, scope, index);
  for (const enumType of file.enumType) index.enums.set(`${scope}.${enumType.name}`, enumType);
  for (const dependency of metadata.dependencies ?? []) indexFile(dependency, index, visited);
}

function indexMessage(message: MessageDescriptor, scope: string, index: SchemaIndex): void {
  const name = `${scope}.${message.name}`;
  index.messages.set(name, message);
  for (const nested of message.nestedType) indexMessage(nested, name, index);
  for (const enumType of message.enumType) index.enums.set(`${name}.${enumType.name}`, enumType);
}

class SchemaChecker {
  readonly violations = new ViolationList();

  constructor(private readonly index: SchemaIndex) {}

  checkMessage(value: unknown, typeName: string, path: string): void {
    if (typeName === timestampTypeName) {
      this.checkTimestamp(value, path);
      return;
    }
    const message = this.index.messages.get(typeName);
    if (message === undefined) throw new Error(`checkJsonAgainstSchema: ${typeName} is not in the schema`);
    if (!isPlainObject(value)) {
      this.violations.add(path, `got ${describeJsonValue(value)}; expected an object (${message.name})`);
      return;
    }
    const byKey = new Map<string, FieldDescriptor>();
    for (const field of message.field) {
      byKey.set(field.jsonName, field);
      byKey.set(field.name, field);
    }
    const keyByField = new Map<number, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      const field = byKey.get(key);
      if (field === undefined) {
        this.reportUnknownField(key, message, path);
        continue;
      }
      const fieldPath = joinPath(path, field.jsonName);
      const otherKey = keyByField.get(field.number);
      if (otherKey !== undefined) {
        this.violations.add(fieldPath, `set twice, as ${otherKey} and as ${key}; expected one of the two spellings`);
        continue;
      }
      keyByField.set(field.number, key);
      this.checkField(fieldValue, field, fieldPath);
    }
  }

  private reportUnknownField(key: string, message: MessageDescriptor, path: string): void {
    const known = message.field.map((field) => field.jsonName);
    const suggestion = suggestName(key, known);
    this.violations.add(
      joinPath(path, key),
      suggestion === undefined
        ? `unknown field in ${message.name}; expected one of ${known.join(', ')}`
        : `unknown field in ${message.name}; did you mean ${suggestion}?`,
    );
  }

  private checkField(value: unknown, field: FieldDescriptor, path: string): void {
    const isMessage = field.type === fieldType.message;
    if (field.label === labelRepeated) {
      if (value === null) return;
      const mapEntry = isMessage ? this.index.messages.get(field.typeName) : undefined;
      if (mapEntry?.options?.mapEntry) {
        this.checkMap(value, mapEntry, path);
        return;
      }
      if (!Array.isArray(value)) {
        this.violations.add(path, `got ${describeJsonValue(value)}; expected a list of ${this.kindOf(field, true)}`);
        return;
      }
      if (isMessage) {
        value.forEach((element, i) => {
          if (element === null) this.violations.add(`${path}[${i}]`, `got null; expected ${this.kindOf(field, false)}`);
          else this.checkMessage(element, field.typeName, `${path}[${i}]`);
        });
        return;
      }
      const elements = this.violations.elements(path);
      value.forEach((element, i) => {
        const problem = this.scalarProblem(element, field);
        if (problem !== undefined) elements.add(i, problem);
      });
      elements.done();
      return;
    }
    if (value === null) {
      if (isMessage || field.proto3Optional) return;
      this.violations.add(path, `got null; expected ${this.kindOf(field, false)} (null unsets only messages and optional fields)`);
      return;
    }
    if (Array.isArray(value)) {
      this.violations.add(path, `got ${describeJsonValue(value)}; expected ${this.kindOf(field, false)}, not a list`);
      return;
    }
    if (isMessage) {
      this.checkMessage(value, field.typeName, path);
      return;
    }
    const problem = this.scalarProblem(value, field);
    if (problem !== undefined) this.violations.add(path, problem);
  }

  private checkMap(value: unknown, entry: MessageDescriptor, path: string): void {
    if (!isPlainObject(value)) {
      this.violations.add(path, `got ${describeJsonValue(value)}; expected an object (a map)`);
      return;
    }
    const valueField = entry.field.find((field) => field.number === 2);
    if (valueField === undefined) return;
    for (const [key, element] of Object.entries(value)) this.checkField(element, valueField, `${path}[${JSON.stringify(key)}]`);
  }

  /** What is wrong with one value of a scalar or enum field, or undefined when it is fine. */
  private scalarProblem(value: unknown, field: FieldDescriptor): string | undefined {
    if (value === null) return `got null; expected ${this.kindOf(field, false)}`;
    switch (field.type) {
      case fieldType.double:
        return floatProblem(value, Number.MAX_VALUE);
      case fieldType.float:
        return floatProblem(value, maxFloat32);
      case fieldType.bool:
        return typeof value === 'boolean' ? undefined : `got ${describeJsonValue(value)}; expected true or false`;
      case fieldType.string:
        return typeof value === 'string' ? undefined : `got ${describeJsonValue(value)}; expected a string`;
      case fieldType.bytes:
        return typeof value === 'string' && base64String.test(value) ? undefined : `got ${describeJsonValue(value)}; expected a base64 string`;
      case fieldType.enum:
        return this.enumProblem(value, field);
      case fieldType.group:
        throw new Error(`checkJsonAgainstSchema: group field ${field.name} is not supported`);
      default: {
        const range = integerRanges.get(field.type);
        if (range === undefined) throw new Error(`checkJsonAgainstSchema: unknown field type ${field.type} of ${field.name}`);
        return integerProblem(value, range);
      }
    }
  }

  private enumProblem(value: unknown, field: FieldDescriptor): string | undefined {
    const enumType = this.index.enums.get(field.typeName);
    if (enumType === undefined) throw new Error(`checkJsonAgainstSchema: ${field.typeName} is not in the schema`);
    const names = enumType.value.map((v) => v.name);
    if (typeof value === 'string' && names.includes(value)) return undefined;
    if (typeof value === 'number' && enumType.value.some((v) => v.number === value)) return undefined;
    const expected = `expected one of ${names.join(', ')}`;
    if (typeof value !== 'string') return `got ${describeJsonValue(value)}; ${expected}`;
    const upper = value.toUpperCase();
    const suggestion = names.find((name) => name === upper || name.endsWith(`_${upper}`)) ?? suggestName(value, names);
    return `got ${describeJsonValue(value)}; ${expected}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`;
  }

  private checkTimestamp(value: unknown, path: string): void {
    const expected = `expected an RFC 3339 timestamp such as ${timestampExample}`;
    if (typeof value === 'string') {
      if (parseRfc3339Timestamp(value) === undefined) {
        this.violations.add(path, `got ${describeJsonValue(value)}; ${expected} (a real date and time, years 0001..9999)`);
      }
    } else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) this.violations.add(path, `got an invalid Date; ${expected}`);
    } else {
      this.violations.add(path, `got ${describeJsonValue(value)}; ${expected}`);
    }
  }

  /** What a field wants, for messages: "a number", "numbers", "an object (Site)", "objects (Site)", ... */
  private kindOf(field: FieldDescriptor, plural: boolean): string {
    if (field.typeName === timestampTypeName) return plural ? 'RFC 3339 timestamps' : 'an RFC 3339 timestamp';
    if (field.type === fieldType.message) {
      const name = field.typeName.slice(field.typeName.lastIndexOf('.') + 1);
      return plural ? `objects (${name})` : `an object (${name})`;
    }
    if (field.type === fieldType.enum) {
      const names = this.index.enums.get(field.typeName)?.value.map((v) => v.name) ?? [];
      return plural ? `enum names (${names.join(', ')})` : `one of ${names.join(', ')}`;
    }
    if (field.type === fieldType.string) return plural ? 'strings' : 'a string';
    if (field.type === fieldType.bool) return plural ? 'booleans' : 'true or false';
    if (field.type === fieldType.bytes) return plural ? 'base64 strings' : 'a base64 string';
    if (field.type === fieldType.double || field.type === fieldType.float) return plural ? 'numbers' : 'a number';
    return plural ? 'integers' : 'an integer';
  }
}

/**
 * The number a JSON value stands for in proto3 JSON: a JSON number, a decimal string, or one of
 * the strings "NaN", "Infinity", "-Infinity" (returned as those numbers, to be reported);
 * undefined for anything else.
 */
function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return numericString.test(value) ? Number(value) : undefined;
}

function floatProblem(value: unknown, maxMagnitude: number): string | undefined {
  const n = readNumber(value);
  if (n === undefined) return `got ${describeJsonValue(value)}; expected a number`;
  if (Number.isNaN(n)) return `got ${describeJsonValue(value)}; expected a finite number (NaN is not allowed)`;
  if (!Number.isFinite(n) || Math.abs(n) > maxMagnitude) {
    return `got ${describeJsonValue(value)}; expected a finite number (Infinity and out-of-range values are not allowed)`;
  }
  return undefined;
}

function integerProblem(value: unknown, [min, max]: readonly [number, number]): string | undefined {
  const n = readNumber(value);
  if (n === undefined) return `got ${describeJsonValue(value)}; expected an integer`;
  if (!Number.isFinite(n)) return `got ${describeJsonValue(value)}; expected an integer (NaN and Infinity are not allowed)`;
  if (!Number.isInteger(n)) return `got ${describeJsonValue(value)}; expected an integer`;
  if (n < min || n > max) return `got ${describeJsonValue(value)}; expected an integer from ${min} to ${max}`;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (segment.startsWith('[')) return `${path}${segment}`;
  return path === '' ? segment : `${path}.${segment}`;
}
