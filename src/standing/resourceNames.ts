import { CoschedError } from '../../solver/errors/CoschedError.js';
import { idPattern } from '../data/IdRegistry.js';
import { describeJsonValue } from '../data/describeJsonValue.js';

/** `jobs/{id}`. */
export function jobName(id: string): string {
  return `jobs/${id}`;
}

/** `operations/{id}`. */
export function operationName(runId: string): string {
  return `operations/${runId}`;
}

/** `sites/{site}/forecasts/{version}`. */
export function forecastName(siteId: string, version: number): string {
  return `sites/${siteId}/forecasts/${version}`;
}

/** The pattern of a run id (the `{run}` of `operations/{run}`), as makeRunId makes them. */
const runIdPattern = /^run-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

/**
 * The job id in `jobs/{id}` (a bare id is accepted too, for progress records and CLI users).
 * @throws CoschedError INVALID_ARGUMENT on `field` naming the value and the expected form.
 */
export function parseJobName(name: unknown, field: string, options: { bareId?: boolean } = {}): string {
  const text = typeof name === 'string' ? name : '';
  const id = text.startsWith('jobs/') ? text.slice('jobs/'.length) : options.bareId ? text : '';
  if (idPattern.test(id)) return id;
  throw invalidName(field, name, options.bareId ? '`jobs/{id}` or a job id' : '`jobs/{id}`', 'jobs/train-llm-7');
}

/** The run id in `operations/{run}`. @throws CoschedError INVALID_ARGUMENT on `field`. */
export function parseOperationName(name: unknown, field = 'name'): string {
  const text = typeof name === 'string' ? name : '';
  const id = text.startsWith('operations/') ? text.slice('operations/'.length) : '';
  if (runIdPattern.test(id)) return id;
  throw invalidName(field, name, '`operations/{run}` as StartPlanRun returned it', 'operations/run-20261206-020000-3f9a1c');
}

/**
 * The site and version of `sites/{site}/forecasts/{version|latest}`.
 * @throws CoschedError INVALID_ARGUMENT on `field`.
 */
export function parseForecastName(name: unknown, field = 'name'): { siteId: string; version: number | 'latest' } {
  const match = typeof name === 'string' ? /^sites\/([^/]+)\/forecasts\/([^/]+)$/.exec(name) : null;
  if (match && idPattern.test(match[1])) {
    if (match[2] === 'latest') return { siteId: match[1], version: 'latest' };
    const version = Number(match[2]);
    if (/^[1-9][0-9]{0,14}$/.test(match[2]) && Number.isSafeInteger(version)) return { siteId: match[1], version };
  }
  throw invalidName(field, name, '`sites/{site}/forecasts/{version}` with version 1, 2, ... or `latest`', 'sites/helingeer/forecasts/latest');
}

/** `sites/{site}` → the site id, `sites/-` → undefined (every site). @throws CoschedError INVALID_ARGUMENT on `field`. */
export function parseSiteParent(parent: unknown, field = 'parent'): string | undefined {
  if (parent === 'sites/-' || parent === '' || parent === undefined) return undefined;
  const match = typeof parent === 'string' ? /^sites\/([^/]+)$/.exec(parent) : null;
  if (match && idPattern.test(match[1])) return match[1];
  throw invalidName(field, parent, '`sites/{site}` or `sites/-` (every site)', 'sites/helingeer');
}

/** A new run id: `run-YYYYMMDD-HHMMSS-xxxxxx` (UTC creation time, then 24 random bits). */
export function makeRunId(nowMs: number, random: () => number = Math.random): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `run-${stamp}-${suffix}`;
}

function invalidName(field: string, value: unknown, expected: string, example: string): CoschedError {
  return CoschedError.invalid([{ field, description: `got ${describeJsonValue(value ?? '')}; expected ${expected}, e.g. ${example}` }], 'request', 'INVALID_REQUEST');
}
