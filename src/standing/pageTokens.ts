import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';

/** Default and largest page sizes of every List method. */
export const defaultPageSize = 100;
export const maxPageSize = 1_000;

/**
 * The page size to use: 0 (unset) means 100; 1..max as given; above `max` (default 1000) is
 * capped at it (AIP-158). @throws CoschedError INVALID_ARGUMENT on `pageSize` for a negative or fractional size.
 */
export function pageSizeOf(pageSize: number, max = maxPageSize): number {
  if (!Number.isInteger(pageSize) || pageSize < 0) {
    throw CoschedError.invalid([{ field: 'pageSize', description: `got ${describeJsonValue(pageSize)}; expected 0 (default ${defaultPageSize}) to ${maxPageSize}` }], 'request', 'INVALID_REQUEST');
  }
  return Math.min(pageSize === 0 ? defaultPageSize : pageSize, max);
}

/** An opaque page token: where the next page starts, bound to the query it continues. */
export function encodePageToken(position: string | number, query: string): string {
  return Buffer.from(JSON.stringify({ p: position, q: query }), 'utf8').toString('base64url');
}

/**
 * The position in a page token made by encodePageToken for the same `query`; undefined for ''.
 * @throws CoschedError INVALID_ARGUMENT on `pageToken` when it is not one of ours or was made for
 *   another query (AIP-158: the other request fields must not change between pages).
 */
export function decodePageToken<T extends string | number>(token: string, query: string, kind: 'string' | 'number'): T | undefined {
  if (token === '' || token === undefined) return undefined;
  let parsed: { p?: unknown; q?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; q?: unknown };
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed.p !== kind) {
    throw CoschedError.invalid([{ field: 'pageToken', description: `got ${describeJsonValue(token)}; expected a next_page_token from the previous page` }], 'request', 'INVALID_REQUEST');
  }
  if (parsed.q !== query) {
    throw CoschedError.invalid([{ field: 'pageToken', description: 'was made for a different filter or parent; keep the other fields of the request the same between pages' }], 'request', 'INVALID_REQUEST');
  }
  return parsed.p as T;
}
