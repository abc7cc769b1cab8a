import { IANAZone } from 'luxon';

/** The runtime's canonical zone names, read once (about 2 ms for the list). */
let canonicalZones: Set<string> | undefined;
/** Other names already looked up through luxon, and whether they were valid. */
const known = new Map<string, boolean>();
/** Bounds the cache: names are client input, and invalid ones are not a closed set. */
const maxKnown = 1_000;

/**
 * Whether `name` is an IANA time zone this runtime knows: luxon's IANAZone.isValidZone (whatever
 * Intl.DateTimeFormat accepts, aliases such as "US/Eastern" and "UTC" included), made cheap.
 * - The runtime's canonical names (Intl.supportedValuesOf) are looked up first: the first
 *   Intl.DateTimeFormat a process creates costs about 12 ms, which a CLI plan of a few
 *   milliseconds notices.
 * - Other names go to luxon, which builds an Intl.DateTimeFormat per look-up (about 1.1 s of the
 *   server's main thread per 1,000 calls under load, profiled), through a cache of at most 1,000
 *   names, cleared when full, so invalid names sent by clients cannot grow it without bound.
 * The answer is luxon's in every case.
 */
export function isValidTimeZone(name: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(name)) return true;
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  const valid = IANAZone.isValidZone(name);
  if (known.size >= maxKnown) known.clear();
  known.set(name, valid);
  return valid;
}
