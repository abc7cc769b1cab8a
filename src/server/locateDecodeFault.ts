import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Where undecodable bytes go wrong: a field path (proto3 JSON names, e.g. `jobs[2].release.seconds`) and why. */
export interface DecodeFault {
  field: string;
  message: string;
}

/** Nesting beyond this is reported rather than followed (protobuf's own default limit is 100). */
const maxDepth = 100;

const int64Types = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

/**
 * Walks `bytes` as a binary `schema` message and returns the first fault it meets, with the
 * path of the field being read: a truncated or malformed tag, length or value, an int64 beyond ±(2^53 - 1) (cosched decodes int64 as a
 * JavaScript number), or nesting deeper than 100. Returns undefined when it finds none (the
 * caller then reports the whole `request`). Unknown fields, and fields with a wire type other than
 * their type's, are skipped, as the generated decoders do. Work is
 * linear in the byte count; never throws.
 */
export function locateDecodeFault(bytes: Uint8Array, schema: DescMessage): DecodeFault | undefined {
  return walkMessage(bytes, schema, '', 0);
}

function walkMessage(bytes: Uint8Array, schema: DescMessage, path: string, depth: number): DecodeFault | undefined {
  if (depth > maxDepth) return { field: path || 'request', message: `messages nested deeper than ${maxDepth}` };
  const reader = new BinaryReader(bytes);
  const counts = new Map<number, number>();
  while (reader.pos < reader.len) {
    let fieldNo: number;
    let wireType: WireType;
    try {
      [fieldNo, wireType] = reader.tag();
    } catch (error) {
      return { field: path || 'request', message: `bad field tag at byte ${reader.pos}: ${(error as Error).message}` };
    }
    const field = schema.fields.find((f) => f.number === fieldNo);
    const index = counts.get(fieldNo) ?? 0;
    counts.set(fieldNo, index + 1);
    const here = field === undefined ? path || 'request' : joinPath(path, field, index);
    try {
      if (field === undefined) {
        if (wireType === WireType.EndGroup || wireType > 5) return { field: here, message: `bad wire type ${wireType} at byte ${reader.pos}` };
        reader.skip(wireType, fieldNo);
        continue;
      }
      const fault = walkField(reader, field, wireType, here, depth);
      if (fault !== undefined) return fault;
    } catch (error) {
      return { field: here, message: (error as Error).message };
    }
  }
  return undefined;
}

function walkField(reader: BinaryReader, field: DescField, wireType: WireType, path: string, depth: number): DecodeFault | undefined {
  const message = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
  if (message !== undefined) {
    // A field with an unexpected wire type is skipped, as the generated decoders do.
    if (wireType === WireType.LengthDelimited) return walkMessage(reader.bytes(), message, path, depth + 1);
    reader.skip(wireType);
    return undefined;
  }
  const scalar = field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar') ? field.scalar : undefined;
  if (scalar !== undefined && int64Types.has(scalar)) {
    if (wireType === WireType.LengthDelimited && field.fieldKind === 'list') {
      const packed = new BinaryReader(reader.bytes());
      for (let i = 0; packed.pos < packed.len; i++) {
        const fault = checkInt64(readInt64(packed, scalar), `${path.replace(/\[\d+\]$/, '')}[${i}]`);
        if (fault !== undefined) return fault;
      }
      return undefined;
    }
    const fixed = scalar === ScalarType.FIXED64 || scalar === ScalarType.SFIXED64;
    if (wireType === (fixed ? WireType.Bit64 : WireType.Varint)) return checkInt64(readInt64(reader, scalar), path);
  }
  reader.skip(wireType);
  return undefined;
}

function readInt64(reader: BinaryReader, scalar: ScalarType): bigint {
  switch (scalar) {
    case ScalarType.UINT64:
      return BigInt(reader.uint64());
    case ScalarType.SINT64:
      return BigInt(reader.sint64());
    case ScalarType.FIXED64:
      return BigInt(reader.fixed64());
    case ScalarType.SFIXED64:
      return BigInt(reader.sfixed64());
    default:
      return BigInt(reader.int64());
  }
}

function checkInt64(value: bigint, path: string): DecodeFault | undefined {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (value > limit || value < -limit) return { field: path, message: `got ${value}; expected an int64 within ±(2^53 - 1), which cosched holds exactly (Timestamp seconds lie within 0001-01-01..9999-12-31)` };
  return undefined;
}

/** `path.jsonName`, with the element index for a repeated field. */
function joinPath(path: string, field: DescField, index: number): string {
  const name = path === '' ? field.jsonName : `${path}.${field.jsonName}`;
  return field.fieldKind === 'list' || field.fieldKind === 'map' ? `${name}[${index}]` : name;
}
