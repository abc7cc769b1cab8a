import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoschedError } from '../solver/errors/CoschedError.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import type { Override, Variant } from '../src/generated/cosched/v1/what_if.js';
import { applyOverrides } from '../src/whatif/applyOverrides.js';
import { formatVariantArgument } from '../src/whatif/formatVariantArgument.js';
import { parseVariantArgument } from '../src/whatif/parseVariantArgument.js';
import { parseVariantsFile } from '../src/whatif/parseVariantsFile.js';
import { parseVariantsText } from '../src/whatif/parseVariantsText.js';
import { prepareScenarios } from '../src/whatif/prepareScenarios.js';
import { readVariantsFile } from '../src/whatif/readVariantsFile.js';
import { hour, job, request, site } from './factories/planRequests.js';
import { variant } from './factories/whatIfRequests.js';

/**
 * Sites a, b, c over four hours (green 1, 2, 3 MW; 16 GPUs each); jobs `j1` home a (any site),
 * `j2` home a (a or b), `j3` home b (b only).
 */
function threeSitesThreeJobs(): PlanRequest {
  const flat = (value: number) => [value, value, value, value];
  return request(
    4,
    [site('a', flat(1), flat(300), { pricePerMwh: [50, 40, -5, 30] }), site('b', flat(2), flat(200)), site('c', flat(3), flat(100))],
    [job('j1', 'a'), job('j2', 'a', { allowedSites: ['a', 'b'] }), job('j3', 'b', { allowedSites: ['b'] })],
  );
}

function apply(...changes: Override['change'][]): PlanRequest {
  return applyOverrides(threeSitesThreeJobs(), variant('v', ...changes));
}

/** The CoschedError `run` throws; fails the test if it throws nothing or something else. */
function errorOf(run: () => unknown): CoschedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CoschedError);
    return error as CoschedError;
  }
  throw new Error('expected a CoschedError');
}

const allJobs = undefined;

describe('applying overrides', () => {
  it('scales green supply at one site (never below 0 MW) or at every site', () => {
    const one = apply({ $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 2, addMw: -1.5 } });
    expect(one.sites.map((s) => s.greenSupplyMw[0])).toEqual([0.5, 2, 3]);
    const below = apply({ $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 1, addMw: -5 } });
    expect(below.sites[0].greenSupplyMw).toEqual([0, 0, 0, 0]);
    const all = apply({ $case: 'scaleGreenSupply', value: { siteId: '', factor: 0.5, addMw: 0 } });
    expect(all.sites.map((s) => s.greenSupplyMw[3])).toEqual([0.5, 1, 1.5]);
    const unsetFactor = apply({ $case: 'scaleGreenSupply', value: { siteId: 'a', addMw: 300 } });
    expect(unsetFactor.sites[0].greenSupplyMw[0]).toBe(one.sites[0].greenSupplyMw[0] / 2 + 1.5 / 2 + 300);
  });

  it('adds a site and appends it to the restricted allowedSites of the selected jobs', () => {
    const d = site('d', [9, 9, 9, 9], [10, 10, 10, 10]);
    const result = apply({ $case: 'addSite', value: { site: d, alsoAllow: { jobIds: [], homeSites: ['a'] } } });
    expect(result.sites.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(result.sites[3]).toEqual(d);
    expect(result.sites[3]).not.toBe(d);
    // j1 already allows every site; j3 is homed at b.
    expect(result.jobs.map((j) => j.allowedSites)).toEqual([[], ['a', 'b', 'd'], ['b']]);
    const unselected = apply({ $case: 'addSite', value: { site: d, alsoAllow: undefined } });
    expect(unselected.jobs.map((j) => j.allowedSites)).toEqual([[], ['a', 'b'], ['b']]);
  });

  it('removes a site and re-homes its jobs to their first remaining allowed site', () => {
    const result = apply({ $case: 'removeSite', value: { siteId: 'a' } });
    expect(result.sites.map((s) => s.id)).toEqual(['b', 'c']);
    expect(result.jobs.map((j) => [j.homeSite, j.allowedSites])).toEqual([
      ['b', []],
      ['b', ['b']],
      ['b', ['b']],
    ]);
  });

  it('refuses to remove a site that a job can only use, and says how to avoid it', () => {
    const error = errorOf(() => apply({ $case: 'removeSite', value: { siteId: 'b' } }));
    expect(error.violations).toEqual([
      {
        field: 'variant.overrides[0].removeSite.siteId',
        description: 'removing "b" leaves job j3 with no allowed site (allowedSites lists only it); a restrictSites override before this one can give them others',
      },
    ]);
    // Restricting j3 first keeps b allowed as its home, then moves it to c.
    const result = apply(
      { $case: 'restrictSites', value: { jobs: { jobIds: ['j3'], homeSites: [] }, allowedSites: ['c'] } },
      { $case: 'removeSite', value: { siteId: 'b' } },
    );
    expect(result.jobs[2]).toMatchObject({ homeSite: 'c', allowedSites: ['c'] });
  });

  it('sets a capacity, or scales every capacity rounding down', () => {
    expect(apply({ $case: 'setCapacity', value: { siteId: 'b', gpuCapacity: 8, factor: 0 } }).sites.map((s) => s.gpuCapacity)).toEqual([16, 8, 16]);
    expect(apply({ $case: 'setCapacity', value: { siteId: '', gpuCapacity: 0, factor: 1.5 } }).sites.map((s) => s.gpuCapacity)).toEqual([24, 24, 24]);
    // 16 × 0.57 = 9.12; and 100 × 0.57 is 56.99999999999999 in binary, still 57 GPUs.
    expect(apply({ $case: 'setCapacity', value: { siteId: 'a', gpuCapacity: 0, factor: 0.57 } }).sites[0].gpuCapacity).toBe(9);
    const hundred = applyOverrides(
      { ...threeSitesThreeJobs(), sites: [site('a', [1, 1, 1, 1], [1, 1, 1, 1], { gpuCapacity: 100 })] },
      variant('v', { $case: 'setCapacity', value: { siteId: 'a', gpuCapacity: 0, factor: 0.57 } }),
    );
    expect(hundred.sites[0].gpuCapacity).toBe(57);
  });

  it('shifts deadlines, never closer than one hour after release', () => {
    const later = apply({ $case: 'shiftDeadlines', value: { jobs: allJobs, hours: 12 } });
    expect(later.jobs.map((j) => j.deadline)).toEqual([hour(16), hour(16), hour(16)]);
    const earlier = apply({ $case: 'shiftDeadlines', value: { jobs: { jobIds: ['j2'], homeSites: [] }, hours: -100 } });
    expect(earlier.jobs.map((j) => j.deadline)).toEqual([hour(4), hour(1), hour(4)]);
    const halfHour = apply({ $case: 'shiftDeadlines', value: { jobs: allJobs, hours: -0.5 } });
    expect(halfHour.jobs[0].deadline).toEqual({ seconds: hour(3).seconds + 1_800, nanos: 0 });
  });

  it('scales the window between release and deadline', () => {
    const base = threeSitesThreeJobs();
    base.jobs[0].release = hour(1);
    const result = applyOverrides(base, variant('v', { $case: 'scaleDeadlines', value: { jobs: { jobIds: ['j1'], homeSites: [] }, factor: 2.5 } }));
    // Window 1..4 (3 h) becomes 7.5 h: deadline at 08:30.
    expect(result.jobs[0].deadline).toEqual({ seconds: hour(8).seconds + 1_800, nanos: 0 });
    expect(result.jobs[1].deadline).toEqual(hour(4));
  });

  it('makes the jobs homed at a site rigid', () => {
    const result = apply({ $case: 'setInterruptible', value: { jobs: { jobIds: [], homeSites: ['a'] }, interruptible: false } });
    expect(result.jobs.map((j) => j.interruptible)).toEqual([false, false, true]);
  });

  it('restricts sites, keeping each job home site allowed', () => {
    const result = apply({ $case: 'restrictSites', value: { jobs: { jobIds: ['j3'], homeSites: ['a'] }, allowedSites: ['c'] } });
    expect(result.jobs.map((j) => j.allowedSites)).toEqual([
      ['c', 'a'],
      ['c', 'a'],
      ['c', 'b'],
    ]);
  });

  it('prices carbon as cost plus price per tonne, keeping the options', () => {
    const base = { ...threeSitesThreeJobs(), options: { timeLimitSeconds: 5, mipGap: 0, solver: 0 } };
    const result = applyOverrides(base, variant('v', { $case: 'setCarbonPrice', value: { pricePerTonne: 100 } }));
    expect(result.objective).toEqual({ carbonWeight: 0.1, costWeight: 1, riskMeasure: 0, cvarAlpha: 0 });
    expect(result.options).toEqual(base.options);
  });

  it('replaces forecasts given inline, keeping the arrays left empty', () => {
    const result = apply({
      $case: 'replaceForecasts',
      value: { sites: [{ siteId: 'b', greenSupplyMw: [], carbonIntensityGPerKwh: [1, 2, 3, 4], pricePerMwh: [], marginalIntensityGPerKwh: [] }], file: '' },
    });
    expect(result.sites[1].carbonIntensityGPerKwh).toEqual([1, 2, 3, 4]);
    expect(result.sites[1].greenSupplyMw).toEqual([2, 2, 2, 2]);
  });

  it('adds a marginal signal from a forecasts file, checked like the other arrays', () => {
    const files: Record<string, string> = {
      'moer.yaml': 'sites:\n' + ['a', 'b', 'c'].map((id) => `  - siteId: ${id}\n    marginalIntensityGPerKwh: [900, 800, 700, 600]\n`).join(''),
      'bad.yaml': 'sites:\n  - siteId: a\n    marginalIntensityGPerKwh: [900, -1, 700, 600]\n',
    };
    const fromFile = (file: string) => variant('v', { $case: 'replaceForecasts', value: { sites: [], file } });
    const result = applyOverrides(threeSitesThreeJobs(), fromFile('moer.yaml'), (path) => files[path]);
    expect(result.sites.map((site) => site.marginalIntensityGPerKwh)).toEqual([0, 1, 2].map(() => [900, 800, 700, 600]));
    expect(errorOf(() => applyOverrides(threeSitesThreeJobs(), fromFile('bad.yaml'), (path) => files[path])).violations).toEqual([
      { field: 'variant.overrides[0].replaceForecasts.file', description: 'bad.yaml: sites[0].marginalIntensityGPerKwh[1]: got -1; expected >= 0 gCO2/kWh' },
    ]);
  });

  it('replaces forecasts from a file only when the caller can read files', () => {
    const files: Record<string, string> = {
      'actuals.yaml': 'sites:\n  - siteId: c\n    greenSupplyMw: [0, 0, 5, 5]\n',
      'short.json': '{"sites": [{"siteId": "c", "carbon_intensity_g_per_kwh": [1, 2, 3]}]}',
    };
    const readFile = (path: string) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
      return files[path];
    };
    const fromFile = (file: string) => variant('v', { $case: 'replaceForecasts', value: { sites: [], file } });
    expect(applyOverrides(threeSitesThreeJobs(), fromFile('actuals.yaml'), readFile).sites[2].greenSupplyMw).toEqual([0, 0, 5, 5]);
    expect(errorOf(() => applyOverrides(threeSitesThreeJobs(), fromFile('short.json'), readFile)).violations).toEqual([
      { field: 'variant.overrides[0].replaceForecasts.file', description: 'short.json: sites[0].carbonIntensityGPerKwh: got 3 values; expected 4 (horizon.hours), or none to keep the site\'s own' },
    ]);
    expect(errorOf(() => applyOverrides(threeSitesThreeJobs(), fromFile('gone.json'), readFile)).violations[0].description).toBe(
      'cannot read "gone.json": ENOENT: no such file, open \'gone.json\'',
    );
    expect(errorOf(() => applyOverrides(threeSitesThreeJobs(), fromFile('actuals.yaml'))).violations).toEqual([
      {
        field: 'variant.overrides[0].replaceForecasts.file',
        description: 'got "actuals.yaml"; a forecasts file can be read only by the CLI; give sites (SiteForecasts) instead',
      },
    ]);
  });

  it('never modifies the base request', () => {
    const base = threeSitesThreeJobs();
    const before = structuredClone(base);
    applyOverrides(
      base,
      variant(
        'everything',
        { $case: 'scaleGreenSupply', value: { siteId: '', factor: 2, addMw: 1 } },
        { $case: 'addSite', value: { site: site('d', [1, 1, 1, 1], [1, 1, 1, 1]), alsoAllow: { jobIds: [], homeSites: [] } } },
        { $case: 'setCapacity', value: { siteId: '', gpuCapacity: 0, factor: 2 } },
        { $case: 'shiftDeadlines', value: { jobs: allJobs, hours: 3 } },
        { $case: 'scaleDeadlines', value: { jobs: allJobs, factor: 2 } },
        { $case: 'setInterruptible', value: { jobs: allJobs, interruptible: false } },
        { $case: 'restrictSites', value: { jobs: allJobs, allowedSites: ['c'] } },
        { $case: 'setCarbonPrice', value: { pricePerTonne: 50 } },
        { $case: 'replaceForecasts', value: { sites: [{ siteId: 'a', greenSupplyMw: [0, 0, 0, 0], carbonIntensityGPerKwh: [], pricePerMwh: [], marginalIntensityGPerKwh: [] }], file: '' } },
        { $case: 'removeSite', value: { siteId: 'a' } },
      ),
    );
    expect(base).toEqual(before);
  });

  it('reports every bad override at once, each at its path with what is allowed', () => {
    const bad: Variant = {
      name: 'broken',
      overrides: [
        { change: { $case: 'removeSite', value: { siteId: 'datong2' } } },
        { change: { $case: 'setCapacity', value: { siteId: 'b', gpuCapacity: 8, factor: 1.5 } } },
        { change: undefined },
        { change: { $case: 'shiftDeadlines', value: { jobs: { jobIds: ['j9'], homeSites: ['c'] }, hours: Number.NaN } } },
        { change: { $case: 'restrictSites', value: { jobs: undefined, allowedSites: ['b', 'b'] } } },
        { change: { $case: 'setCarbonPrice', value: { pricePerTonne: -1 } } },
      ],
    };
    const error = errorOf(() => applyOverrides(threeSitesThreeJobs(), bad, undefined, 'variants[2]'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.reason).toBe('INVALID_VARIANT');
    expect(error.violations).toEqual([
      { field: 'variants[2].overrides[0].removeSite.siteId', description: '"datong2" is not a site id; known: a, b, c' },
      { field: 'variants[2].overrides[1].setCapacity.gpuCapacity', description: 'got 8 with factor 1.5; expected 0 (unset) when factor is given: set one or the other' },
      {
        field: 'variants[2].overrides[2]',
        description:
          'got an empty override; expected exactly one of scaleGreenSupply, addSite, removeSite, setCapacity, shiftDeadlines, scaleDeadlines, setInterruptible, restrictSites, setCarbonPrice, replaceForecasts',
      },
      { field: 'variants[2].overrides[3].shiftDeadlines.jobs.jobIds[0]', description: '"j9" is not a job id (did you mean j1?); known: j1, j2, j3' },
      { field: 'variants[2].overrides[3].shiftDeadlines.jobs.homeSites[0]', description: '"c" is a site, but no job is homed there; homes: a, b' },
      { field: 'variants[2].overrides[3].shiftDeadlines.hours', description: 'got NaN; expected a finite number h (NaN and Infinity are not allowed)' },
      { field: 'variants[2].overrides[4].restrictSites.allowedSites[1]', description: 'got "b" again (already allowedSites[0]); expected each site at most once' },
      { field: 'variants[2].overrides[5].setCarbonPrice.pricePerTonne', description: 'got -1; expected >= 0 per tonne CO2eq' },
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid variant "broken": 8 bad fields');
  });
});

describe('preparing variants for planning', () => {
  it('validates each variant request and points at the addSite override for its site', () => {
    const badSite = site('d', [1, 1, 1], [1, 1, 1, 1], { pue: 0.5 });
    const error = errorOf(() => prepareScenarios(threeSitesThreeJobs(), [variant('more', { $case: 'addSite', value: { site: badSite, alsoAllow: undefined } })]));
    expect(error.violations).toEqual([
      { field: 'variants[0].overrides[0].addSite.site.pue', description: 'got 0.5; expected a number in [1, 10]' },
      { field: 'variants[0].overrides[0].addSite.site.greenSupplyMw', description: 'got 3 values; expected 4 (horizon.hours)' },
    ]);
  });

  it('prefixes other violations of a variant request with the variant name', () => {
    // Cost only, and site a has a negative price in hour 2: a negative rate the model refuses.
    const error = errorOf(() => prepareScenarios(threeSitesThreeJobs(), [variant('free', { $case: 'setCarbonPrice', value: { pricePerTonne: 0 } })]));
    expect(error.violations).toEqual([
      {
        field: 'variants[0]',
        description:
          'variant "free" makes an invalid request: sites[0].pricePerMwh[2]: got -5; with costWeight 1 and carbonWeight 0 the hour\'s rate is -5, expected >= 0 (negative net rates are not supported)',
      },
    ]);
  });

  it('requires unique names other than base, and reports the base request as it is', () => {
    const noop = (name: string) => variant(name, { $case: 'setInterruptible', value: { jobs: undefined, interruptible: true } });
    const error = errorOf(() => prepareScenarios(threeSitesThreeJobs(), [noop('base'), noop('x'), noop('x'), noop('two words'), noop('')]));
    expect(error.violations.map((v) => v.field)).toEqual(['variants[0].name', 'variants[2].name', 'variants[3].name', 'variants[4].name']);
    expect(error.violations[1].description).toBe('got "x" again (already variants[1].name); expected unique names');
    const invalidBase = { ...threeSitesThreeJobs(), jobs: [] };
    expect(errorOf(() => prepareScenarios(invalidBase, [noop('x')])).violations).toEqual([{ field: 'jobs', description: 'got an empty list; expected at least one job' }]);
  });

  it('gives the base first, then each variant validated', () => {
    const scenarios = prepareScenarios(threeSitesThreeJobs(), [variant('wind+300', { $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 1, addMw: 300 } })]);
    expect(scenarios.map((s) => s.name)).toEqual(['base', 'wind+300']);
    expect(scenarios[1].problem.sites[0].greenSupplyMw).toEqual([301, 301, 301, 301]);
  });
});

describe('variants files', () => {
  const variantsJson = [
    { name: 'relaxed', overrides: [{ shiftDeadlines: { hours: 12 } }] },
    { name: 'windy', overrides: [{ scale_green_supply: { site_id: 'a', factor: 1, addMw: '300' } }, { setCarbonPrice: { pricePerTonne: 100 } }] },
  ];
  const expected: Variant[] = [
    variant('relaxed', { $case: 'shiftDeadlines', value: { jobs: undefined, hours: 12 } }),
    variant('windy', { $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 1, addMw: 300 } }, { $case: 'setCarbonPrice', value: { pricePerTonne: 100 } }),
  ];

  it('reads a list of variants, or a mapping with variants, in JSON or YAML', () => {
    expect(parseVariantsFile(variantsJson)).toEqual(expected);
    expect(parseVariantsFile({ variants: variantsJson })).toEqual(expected);
    expect(parseVariantsText(JSON.stringify(variantsJson), 'v.json')).toEqual(expected);
    const yamlList = `# two variants\n- name: relaxed\n  overrides:\n    - shiftDeadlines: { hours: 12 }\n- name: windy\n  overrides:\n    - scale_green_supply: { site_id: a, factor: 1, addMw: "300" }\n    - setCarbonPrice: { pricePerTonne: 100 }\n`;
    expect(parseVariantsText(yamlList, 'v.yaml')).toEqual(expected);
    expect(parseVariantsText(`variants:\n${yamlList.split('\n').slice(1).map((l) => `  ${l}`).join('\n')}`, 'v.yml')).toEqual(expected);
  });

  it('rejects unknown fields with suggestions, wrong types and two changes in one override', () => {
    const tree = [
      {
        name: 'x',
        overrides: [
          { removeSite: { sietId: 'a' } },
          { removeSite: { siteId: 'a' }, setCarbonPrice: { pricePerTonne: 1 } },
          { setCapacity: { factor: 'lots' } },
          { addSite: { site: { id: 'd', gpuCapcity: 8 } } },
          { scaleGreenSupply: { siteId: 'a', addMw: 300 } }, // valid: an unset factor means 1
        ],
      },
    ];
    const error = errorOf(() => parseVariantsFile(tree, 'variants file v.yaml'));
    expect(error.violations).toEqual([
      { field: 'variants[0].overrides[0].removeSite.sietId', description: 'unknown field in RemoveSite; did you mean siteId?' },
      {
        field: 'variants[0].overrides[1]',
        description:
          'sets removeSite and setCarbonPrice; expected exactly one of scaleGreenSupply, addSite, removeSite, setCapacity, shiftDeadlines, scaleDeadlines, setInterruptible, restrictSites, setCarbonPrice, replaceForecasts (one change per Override)',
      },
      { field: 'variants[0].overrides[2].setCapacity.factor', description: 'got "lots"; expected a number' },
      { field: 'variants[0].overrides[3].addSite.site.gpuCapcity', description: 'unknown field in Site; did you mean gpuCapacity?' },
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid variants file v.yaml: 4 bad fields');
    expect(errorOf(() => parseVariantsFile({ variant: [] })).violations).toEqual([
      { field: 'variant', description: 'unknown field in a variants file; did you mean variants?' },
      { field: 'variants', description: 'got nothing; expected a list of variants' },
    ]);
  });

  it('reads a variants file, taking forecast files relative to it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'cosched-variants-'));
    try {
      await writeFile(join(folder, 'v.yaml'), '- name: actuals\n  overrides:\n    - replaceForecasts: { file: actuals.json }\n');
      expect(await readVariantsFile(join(folder, 'v.yaml'))).toEqual([
        variant('actuals', { $case: 'replaceForecasts', value: { sites: [], file: join(folder, 'actuals.json') } }),
      ]);
      await expect(readVariantsFile(join(folder, 'missing.yaml'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps the syntax errors of scenario files, with their positions', () => {
    expect(errorOf(() => parseVariantsText('- name: a\n- name: a\n  name: b\n', 'v.yaml')).message).toMatch(/^v\.yaml:3:3: invalid YAML: Map keys must be unique/);
  });
});

describe('the --variant syntax', () => {
  const all = { jobs: undefined };
  const examples: Array<[string, Override['change']]> = [
    ['green(helingeer)+=300', { $case: 'scaleGreenSupply', value: { siteId: 'helingeer', factor: 1, addMw: 300 } }],
    ['green(helingeer)-=50MW', { $case: 'scaleGreenSupply', value: { siteId: 'helingeer', factor: 1, addMw: -50 } }],
    ['green*=1.5', { $case: 'scaleGreenSupply', value: { siteId: '', factor: 1.5, addMw: 0 } }],
    ['green(a)*=0.5+=20', { $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 0.5, addMw: 20 } }],
    ['remove(datong)', { $case: 'removeSite', value: { siteId: 'datong' } }],
    ['capacity(datong)*=1.5', { $case: 'setCapacity', value: { siteId: 'datong', gpuCapacity: 0, factor: 1.5 } }],
    ['capacity=512', { $case: 'setCapacity', value: { siteId: '', gpuCapacity: 512, factor: 0 } }],
    ['deadlines+=12h', { $case: 'shiftDeadlines', value: { ...all, hours: 12 } }],
    ['deadlines(job=a|b,home=wuhu)-=1d', { $case: 'shiftDeadlines', value: { jobs: { jobIds: ['a', 'b'], homeSites: ['wuhu'] }, hours: -24 } }],
    ['deadlines*=2', { $case: 'scaleDeadlines', value: { ...all, factor: 2 } }],
    ['interruptible=false', { $case: 'setInterruptible', value: { ...all, interruptible: false } }],
    ['restrict(home=shanghai)=helingeer|guian', { $case: 'restrictSites', value: { jobs: { jobIds: [], homeSites: ['shanghai'] }, allowedSites: ['helingeer', 'guian'] } }],
    ['carbonPrice=100', { $case: 'setCarbonPrice', value: { pricePerTonne: 100 } }],
    ['forecasts=data/actuals.json', { $case: 'replaceForecasts', value: { sites: [], file: 'data/actuals.json' } }],
  ];

  it.each(examples)('reads %s as one Override', (text, change) => {
    expect(parseVariantArgument(`v:${text}`)).toEqual({ name: 'v', overrides: [{ change }] });
  });

  it('reads several overrides, and names with +', () => {
    const parsed = parseVariantArgument('wind+300:green(helingeer)+=300, deadlines(home=wuhu)+=12h');
    expect(parsed.name).toBe('wind+300');
    expect(parsed.overrides.map((o) => o.change?.$case)).toEqual(['scaleGreenSupply', 'shiftDeadlines']);
  });

  it('round-trips every Override it can express', () => {
    const every = variant('all', ...examples.map(([, change]) => change));
    const text = formatVariantArgument(every) as string;
    expect(parseVariantArgument(text)).toEqual(every);
    // The canonical spellings.
    expect(text).toBe(
      'all:green(helingeer)+=300,green(helingeer)-=50,green*=1.5,green(a)*=0.5+=20,remove(datong),capacity(datong)*=1.5,capacity=512,deadlines+=12h,deadlines(job=a|b,home=wuhu)-=24h,deadlines*=2,interruptible=false,restrict(home=shanghai)=helingeer|guian,carbonPrice=100,forecasts=data/actuals.json',
    );
    expect(formatVariantArgument(variant('x', { $case: 'addSite', value: { site: site('d', [], []), alsoAllow: undefined } }))).toBeUndefined();
  });

  it('names each bad part and what is allowed', () => {
    const error = errorOf(() => parseVariantArgument('x:gren(helingeer)+=300,deadlines+=12,,add(d),interruptible=maybe,restrict(homes=a)=b,capacity(a)=1.5'));
    expect(error.reason).toBe('INVALID_VARIANT');
    expect(error.violations).toEqual([
      {
        field: 'gren(helingeer)+=300',
        description: 'unknown override "gren" (did you mean green?); expected one of green, remove, capacity, deadlines, interruptible, restrict, carbonPrice, forecasts',
      },
      { field: 'deadlines+=12', description: 'got "12" after +=; expected a time with its unit, h or d (24 h), e.g. 12h or 1d' },
      { field: '(empty)', description: 'empty override (two commas in a row?); expected one of green, remove, capacity, deadlines, interruptible, restrict, carbonPrice, forecasts' },
      { field: 'add(d)', description: 'adding a site needs its hourly forecasts, which the compact syntax cannot hold; use a variants file (addSite)' },
      { field: 'interruptible=maybe', description: 'got "maybe" after =; expected true or false' },
      { field: 'restrict(homes=a)=b', description: 'got (homes=a); expected job=ID|ID... and/or home=SITE|SITE..., comma-separated (did you mean home=?)' },
      { field: 'capacity(a)=1.5', description: 'got 1.5 GPUs; expected a whole number' },
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid --variant "x:gren(helingeer)+=300,deadlines+=12,,add(d),interruptible=maybe,restrict(homes=a)=b,capacity(a)=1.5": 7 bad parts');
    expect(errorOf(() => parseVariantArgument('green+=300')).violations[0].description).toBe('no name; expected NAME:OVERRIDE[,OVERRIDE...], e.g. relaxed:deadlines+=12h');
    expect(errorOf(() => parseVariantArgument('x:')).violations[0].description).toBe('no overrides after "x:"; expected at least one, e.g. x:deadlines+=12h');
    expect(errorOf(() => parseVariantArgument('x:green(a)')).violations[0].description).toBe('got nothing after green(a); expected *=F, +=MW, -=MW or *=F+=MW, e.g. green(helingeer)+=300');
    expect(errorOf(() => parseVariantArgument('x:remove')).violations[0].description).toBe('expected the site in parentheses: remove(SITE)');
  });
});

describe('overrides and forecast scenarios', () => {
  it('scaling green supply scales it in every scenario too; removing a site drops its scenario forecasts', () => {
    const base = threeSitesThreeJobs();
    base.forecastScenarios = [
      { name: 'calm', probability: 0.5, sites: [{ siteId: 'a', greenSupplyMw: [1, 1, 1, 1], carbonIntensityGPerKwh: [] }, { siteId: 'b', greenSupplyMw: [2, 2, 2, 2], carbonIntensityGPerKwh: [] }] },
      { name: 'windy', probability: 0.5, sites: [] },
    ];
    const scaled = applyOverrides(base, variant('v', { $case: 'scaleGreenSupply', value: { siteId: 'a', factor: 2, addMw: 0 } }));
    expect(scaled.forecastScenarios[0].sites.map((s) => [s.siteId, s.greenSupplyMw])).toEqual([
      ['a', [2, 2, 2, 2]],
      ['b', [2, 2, 2, 2]],
    ]);
    const removed = applyOverrides(base, variant('v', { $case: 'removeSite', value: { siteId: 'a' } }));
    expect(removed.forecastScenarios[0].sites.map((s) => s.siteId)).toEqual(['b']);
  });
});
