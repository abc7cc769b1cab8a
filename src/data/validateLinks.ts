import type { JobData, LinkData } from '../../solver/problem/Problem.js';
import type { Link } from '../generated/cosched/v1/links.js';
import { checkNumber } from './checkNumber.js';
import { describeJsonValue } from './describeJsonValue.js';
import { physicalBounds } from './physicalBounds.js';
import type { ValidatedSites } from './validateSites.js';
import type { ViolationList } from './ViolationList.js';

/** GB a link of 1 Gbit/s moves in an hour: 3600 s / 8 bits per byte. */
export const gbPerHourPerGbps = 3_600 / 8;

/**
 * Checks the request's `links` and converts them to LinkData, adding every violation under
 * `links[i]`: fromSiteId and toSiteId existing sites, different; at most one link per ordered
 * pair; bandwidthGbps in (0, 1e6]; energyKwhPerGb, if set, in [0, 100] (physicalBounds). Then the
 * jobs' rule that needs the links: a job with data away from its home site (dataSite set and not
 * the home site) needs the link dataSite -> homeSite, since the baseline sends the data home
 * first; otherwise `jobs[i].dataSite` is reported. Empty or absent links: an empty list. The
 * result is meaningful only when no violation was added.
 */
export function validateLinks(links: readonly Link[] | undefined, sites: ValidatedSites, jobs: readonly JobData[], violations: ViolationList): LinkData[] {
  const list: readonly unknown[] = Array.isArray(links) ? links : [];
  const known = [...sites.indexById.keys()];
  const knownText = known.length <= 10 ? known.join(', ') : `${known.slice(0, 10).join(', ')}, ... (${known.length} sites)`;
  const siteOf = (id: unknown, path: string): number | undefined => {
    const index = typeof id === 'string' ? sites.indexById.get(id) : undefined;
    if (index === undefined) violations.add(path, `got ${describeJsonValue(id ?? '')}; expected a site id; known: ${knownText}`);
    return index;
  };
  const pairs = new Map<string, number>();
  const result: LinkData[] = [];
  list.forEach((item, i) => {
    const path = `links[${i}]`;
    if (item === null || typeof item !== 'object') {
      violations.add(path, `got ${describeJsonValue(item)}; expected a link (fromSiteId, toSiteId, bandwidthGbps)`);
      return;
    }
    const link = item as Partial<Link>;
    const from = siteOf(link.fromSiteId, `${path}.fromSiteId`);
    const to = siteOf(link.toSiteId, `${path}.toSiteId`);
    const bandwidthOk = checkNumber(link.bandwidthGbps, { min: 0, minExclusive: true, max: physicalBounds.maxLinkGbps, unit: 'Gbps' }, `${path}.bandwidthGbps`, violations);
    const energyKwhPerGb = link.energyKwhPerGb ?? 0;
    checkNumber(energyKwhPerGb, { min: 0, max: physicalBounds.maxLinkKwhPerGb, unit: 'kWh/GB' }, `${path}.energyKwhPerGb`, violations);
    if (from === undefined || to === undefined) return;
    if (from === to) {
      violations.add(`${path}.toSiteId`, `got ${describeJsonValue(link.toSiteId)}, the same as fromSiteId; expected another site`);
      return;
    }
    const key = `${from},${to}`;
    const earlier = pairs.get(key);
    if (earlier !== undefined) {
      violations.add(path, `got a second link ${link.fromSiteId} -> ${link.toSiteId} (already links[${earlier}]); expected at most one link per ordered pair of sites`);
      return;
    }
    pairs.set(key, i);
    if (!bandwidthOk) return;
    result.push({ fromSite: from, toSite: to, capacityGbPerHour: (link.bandwidthGbps as number) * gbPerHourPerGbps, energyKwhPerGb });
  });
  jobs.forEach((job, i) => {
    const data = job.data;
    if (!data || data.dataSite === job.homeSite) return;
    if (pairs.has(`${data.dataSite},${job.homeSite}`)) return;
    const dataId = known[data.dataSite];
    const homeId = known[job.homeSite];
    const linked = result.filter((link) => link.fromSite === data.dataSite).map((link) => known[link.toSite]);
    violations.add(
      `jobs[${i}].dataSite`,
      `got ${describeJsonValue(dataId)}, away from homeSite ${homeId}, with no link ${dataId} -> ${homeId}; expected the home site (or empty), or add that link to links` +
        (linked.length > 0 ? ` (links from ${dataId} reach ${linked.join(', ')})` : ''),
    );
  });
  return result;
}
