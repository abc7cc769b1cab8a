import { readFile } from 'node:fs/promises';
import { CoschedError } from '../../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../../data/describeJsonValue.js';
import { parseRfc3339Timestamp } from '../../data/parseRfc3339Timestamp.js';
import { parseScenarioText } from '../../data/parseScenarioText.js';
import { suggestName } from '../../data/suggestName.js';
import { ViolationList } from '../../data/ViolationList.js';
import { protoMetadata, ReportProgressRequest } from '../../generated/cosched/v1/standing_planner_service.js';

type MessageDescriptor = (typeof protoMetadata)['fileDescriptor']['messageType'][number];
type FieldDescriptor = MessageDescriptor['field'][number];

// FieldDescriptorProto.Type and .Label numbers from google/protobuf/descriptor.proto.
const fieldType = { double: 1, int64: 3, int32: 5, bool: 8, string: 9, message: 11 } as const;
const labelRepeated = 3;
const timestampTypeName = '.google.protobuf.Timestamp';
const filePackage = `.${protoMetadata.fileDescriptor.package}`;

/**
 * Reads a progress report file: YAML or JSON (parseScenarioText's rules: by extension, strict
 * JSON, YAML 1.2 core without surprises) holding a cosched.v1.ReportProgressRequest in proto3
 * JSON, e.g. `records: [{job: train-a, siteId: guian, start: "2026-07-01T05:00:00Z", hours: 2,
 * gpus: 64}]`. The tree is checked against the message's schema (field names from the generated
 * descriptor, proto or JSON spelling) before ReportProgressRequest.fromJSON, so that nothing is
 * dropped or coerced silently: unknown fields (with a "did you mean" hint), wrong JSON types,
 * non-finite numbers, non-integers, and timestamps that are not RFC 3339. Values are not judged
 * (a negative gpus, a start off the hour): the server does that, listing every bad field.
 *
 * @throws CoschedError NOT_FOUND naming the path when the file does not exist; INVALID_ARGUMENT
 *   for a file that cannot be read, a syntax error, or every schema violation at once (paths such
 *   as `records[2].gpus`).
 */
export async function readProgressReportFile(path: string): Promise<ReportProgressRequest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CoschedError('NOT_FOUND', `progress file not found: ${path}`, { reason: 'PROGRESS_FILE_NOT_FOUND', cause: error });
    throw new CoschedError('INVALID_ARGUMENT', `cannot read progress file ${path}: ${(error as Error).message}`, { reason: 'PROGRESS_FILE_UNREADABLE', cause: error });
  }
  const tree = parseScenarioText(text, path);
  const violations = new ViolationList();
  checkMessage(tree, `${filePackage}.ReportProgressRequest`, '', violations);
  if (violations.length > 0) throw CoschedError.invalid(violations.items, `progress file ${path}`);
  return ReportProgressRequest.fromJSON(tree);
}

/** Checks `value` against a message of standing_planner_service.proto (or a Timestamp). */
function checkMessage(value: unknown, typeName: string, path: string, violations: ViolationList): void {
  if (typeName === timestampTypeName) {
    if (typeof value !== 'string' || parseRfc3339Timestamp(value) === undefined) {
      violations.add(path, `got ${describeJsonValue(value)}; expected an RFC 3339 timestamp such as 2026-07-01T05:00:00Z`);
    }
    return;
  }
  const message = protoMetadata.fileDescriptor.messageType.find((m) => `${filePackage}.${m.name}` === typeName);
  if (message === undefined) throw new Error(`readProgressReportFile: ${typeName} is not a message of ${protoMetadata.fileDescriptor.name}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    violations.add(path, `got ${describeJsonValue(value)}; expected an object (${message.name})`);
    return;
  }
  const seen = new Map<string, string>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const field = message.field.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) {
      const names = message.field.map((f) => f.jsonName);
      const suggestion = suggestName(key, names);
      violations.add(fieldPath, `unknown field${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ${message.name} has ${names.join(', ')}`);
      continue;
    }
    const other = seen.get(field.jsonName);
    if (other !== undefined) violations.add(fieldPath, `the same field as ${other}; give it once`);
    seen.set(field.jsonName, key);
    checkField(fieldValue, field, fieldPath, violations);
  }
}

function checkField(value: unknown, field: FieldDescriptor, path: string, violations: ViolationList): void {
  if (field.label === labelRepeated) {
    if (value === null) return;
    if (!Array.isArray(value)) {
      violations.add(path, `got ${describeJsonValue(value)}; expected a list`);
      return;
    }
    value.forEach((element, i) => checkSingle(element, field, `${path}[${i}]`, violations));
    return;
  }
  checkSingle(value, field, path, violations);
}

function checkSingle(value: unknown, field: FieldDescriptor, path: string, violations: ViolationList): void {
  const got = `got ${describeJsonValue(value)}`;
  switch (field.type) {
    case fieldType.message:
      if (value !== null || field.label === labelRepeated) checkMessage(value, field.typeName, path, violations);
      return;
    case fieldType.string:
      if (typeof value !== 'string') violations.add(path, `${got}; expected a string`);
      return;
    case fieldType.bool:
      if (typeof value !== 'boolean') violations.add(path, `${got}; expected true or false`);
      return;
    case fieldType.double: {
      const n = readNumber(value);
      if (n === undefined || !Number.isFinite(n)) violations.add(path, `${got}; expected a finite number`);
      return;
    }
    case fieldType.int32:
    case fieldType.int64: {
      const n = readNumber(value);
      const max = field.type === fieldType.int32 ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      if (n === undefined || !Number.isInteger(n) || Math.abs(n) > max) violations.add(path, `${got}; expected an integer`);
      return;
    }
    default:
      throw new Error(`readProgressReportFile: field ${field.name} has type ${field.type}, which this check does not know`);
  }
}

/** The number of a JSON number or decimal string (proto3 JSON allows both), else undefined. */
function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(value)) return Number(value);
  return undefined;
}
