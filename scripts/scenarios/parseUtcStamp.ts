/**
 * Epoch milliseconds of a UTC timestamp written "YYYY-MM-DD HH:MM[:SS]" (or with a "T"), without an
 * offset, as the shared traces write them; undefined for anything else.
 */
export function parseUtcStamp(text: string): number | undefined {
  const stamp = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(stamp)) return undefined;
  const ms = Date.parse(`${stamp.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
