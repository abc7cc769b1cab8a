import { IANAZone } from 'luxon';

let canonicalZones: Set<string> | undefined;

/**
 * True when `zone` names a time zone this runtime knows (luxon's IANAZone.isValidZone: whatever
 * Intl.DateTimeFormat accepts, aliases such as "US/Eastern" and "UTC" included). The runtime's
 * canonical zone names are looked up first (about 2 ms for the list): the first
 * Intl.DateTimeFormat a process creates costs about 12 ms, which a plan of a few milliseconds
 * notices. Other names go to luxon, so the answer is the same.
 */
export function isIanaTimeZone(zone: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonicalZones.has(zone) || IANAZone.isValidZone(zone);
}
