/** Bytes of `value` as a protobuf varint. */
function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes++;
  return bytes;
}

/**
 * How many of a list page's messages, in order, fit in `maxBytes` once encoded as a repeated
 * field of the page (each: a tag, its length and its `sizes[i]` bytes) with the next_page_token
 * that the page of the first `count` would carry: `tokenBytes(count)` bytes of UTF-8, 0 for none
 * (a tag and a length are added). At least 1 when `sizes` is not empty (a single message over the
 * limit is still sent), and all of them when they fit. O(messages).
 */
export function operationsThatFit(sizes: readonly number[], tokenBytes: (count: number) => number, maxBytes: number): number {
  let bytes = 0;
  for (let count = 0; count < sizes.length; count++) {
    bytes += 1 + varintBytes(sizes[count]) + sizes[count];
    const token = tokenBytes(count + 1);
    const pageBytes = bytes + (token > 0 ? 1 + varintBytes(token) + token : 0);
    if (pageBytes > maxBytes && count > 0) return count;
  }
  return sizes.length;
}
