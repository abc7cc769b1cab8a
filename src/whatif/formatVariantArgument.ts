import type { JobSelector, Override, Variant } from '../generated/cosched/v1/what_if.js';

/**
 * A variant in the compact `--variant` syntax (see parseVariantArgument), which parses back to
 * the same Variant; undefined when an override has no compact form (addSite, inline forecasts).
 * An empty JobSelector is written as no selector, which parses back as an unset one (both mean
 * every job).
 */
export function formatVariantArgument(variant: Variant): string | undefined {
  const parts = variant.overrides.map(formatOverride);
  if (parts.some((part) => part === undefined)) return undefined;
  return `${variant.name}:${parts.join(',')}`;
}

/** One override in the compact syntax, or undefined when it has none. */
export function formatOverride(override: Override): string | undefined {
  const change = override.change;
  switch (change?.$case) {
    case 'scaleGreenSupply': {
      const { siteId, addMw } = change.value;
      const factor = change.value.factor ?? 1;
      const add = addMw < 0 ? `-=${number(-addMw)}` : `+=${number(addMw)}`;
      const scale = factor === 1 && addMw !== 0 ? add : addMw === 0 ? `*=${number(factor)}` : `*=${number(factor)}${add}`;
      return `green${site(siteId)}${scale}`;
    }
    case 'removeSite':
      return `remove(${change.value.siteId})`;
    case 'setCapacity': {
      const { siteId, gpuCapacity, factor } = change.value;
      return `capacity${site(siteId)}${factor > 0 ? `*=${number(factor)}` : `=${number(gpuCapacity)}`}`;
    }
    case 'shiftDeadlines': {
      const { jobs, hours } = change.value;
      return `deadlines${selector(jobs)}${hours < 0 ? `-=${number(-hours)}` : `+=${number(hours)}`}h`;
    }
    case 'scaleDeadlines':
      return `deadlines${selector(change.value.jobs)}*=${number(change.value.factor)}`;
    case 'setInterruptible':
      return `interruptible${selector(change.value.jobs)}=${change.value.interruptible}`;
    case 'restrictSites':
      return `restrict${selector(change.value.jobs)}=${change.value.allowedSites.join('|')}`;
    case 'setCarbonPrice':
      return `carbonPrice=${number(change.value.pricePerTonne)}`;
    case 'replaceForecasts':
      return change.value.sites.length === 0 && change.value.file !== '' ? `forecasts=${change.value.file}` : undefined;
    default:
      return undefined;
  }
}

function site(siteId: string): string {
  return siteId === '' ? '' : `(${siteId})`;
}

function selector(jobs: JobSelector | undefined): string {
  const parts: string[] = [];
  if (jobs?.jobIds.length) parts.push(`job=${jobs.jobIds.join('|')}`);
  if (jobs?.homeSites.length) parts.push(`home=${jobs.homeSites.join('|')}`);
  return parts.length === 0 ? '' : `(${parts.join(',')})`;
}

/** The shortest text that reads back as the same number (`1e-7`, `300`, `1.5`). */
function number(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}
