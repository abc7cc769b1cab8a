import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { checkJsonAgainstSchema } from '../src/data/checkJsonAgainstSchema.js';
import { planRequestFromJson, readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { parseScenarioText } from '../src/data/parseScenarioText.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { oneSiteFourHours, oneSiteFourHoursJson, oneSiteFourHoursYaml, twoSitesSixHoursFullySpecified } from './factories/planRequests.js';

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

/** oneSiteFourHoursJson with `edit` applied to a deep copy. */
function jsonWith(edit: (tree: any) => void): Record<string, unknown> {
  const tree = structuredClone(oneSiteFourHoursJson());
  edit(tree);
  return tree;
}

describe('reading scenario text', () => {
  it('reads YAML with proto (snake_case) names into the same PlanRequest as the factory', () => {
    expect(planRequestFromJson(parseScenarioText(oneSiteFourHoursYaml(), 'one.yaml'))).toEqual(oneSiteFourHours());
  });

  it('reads JSON into the same PlanRequest as the factory', () => {
    const text = JSON.stringify(oneSiteFourHoursJson(), null, 2);
    expect(planRequestFromJson(parseScenarioText(text, 'one.json'))).toEqual(oneSiteFourHours());
  });

  it('accepts what the generated toJSON writes, for every field of the schema', () => {
    const full = twoSitesSixHoursFullySpecified();
    const tree = JSON.parse(JSON.stringify(PlanRequest.toJSON(full)));
    expect(checkJsonAgainstSchema(tree)).toEqual([]);
    expect(planRequestFromJson(tree)).toEqual(full);
  });

  it('tries JSON, then YAML, for an unknown extension', () => {
    expect(parseScenarioText('{"horizon": {"hours": 4}}', 'scenario.txt')).toEqual({ horizon: { hours: 4 } });
    expect(parseScenarioText('horizon:\n  hours: 4\n', 'scenario')).toEqual({ horizon: { hours: 4 } });
  });

  it('reports a JSON syntax error with its line and column and the offending line', () => {
    const error = errorOf(() => parseScenarioText('{\n  "horizon": {\n    "hours": 4,\n  }\n}', 'bad.json'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('bad.json:4:3: invalid JSON: unexpected character "}"; expected a double-quoted key\n    }\n    ^');
  });

  it('gives a position even where JSON.parse would not', () => {
    expect(errorOf(() => parseScenarioText('{"sites": [1, 2, ]}', 'bad.json')).message).toMatch(/^bad\.json:1:18: invalid JSON: unexpected character "]"; expected a value/);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const error = errorOf(() => parseScenarioText('sites: [1, 2\njobs: []\n', 'bad.yaml'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^bad\.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented/);
  });

  it('rejects duplicate keys in YAML and in JSON instead of keeping the last', () => {
    expect(errorOf(() => parseScenarioText('horizon:\n  hours: 4\n  hours: 5\n', 'dup.yaml')).message).toBe(
      'dup.yaml:3:3: invalid YAML: Map keys must be unique\n    hours: 5\n    ^',
    );
    expect(errorOf(() => parseScenarioText('{"pue": 1.2, "pue": 1.5}', 'dup.json')).message).toBe(
      'dup.json:1:14: invalid JSON: duplicate key "pue"\n  {"pue": 1.2, "pue": 1.5}\n               ^',
    );
  });

  it('uses the YAML 1.2 core schema: yes, NO, on and dates stay strings', () => {
    expect(parseScenarioText('a: yes\nb: NO\nc: on\nd: 2026-07-01\ne: 0o17\n', 'core.yaml')).toEqual({ a: 'yes', b: 'NO', c: 'on', d: '2026-07-01', e: 15 });
  });

  it('rejects YAML 1.1 tags, undefined aliases and merge keys are not merged', () => {
    expect(errorOf(() => parseScenarioText('x: !!binary abc\n', 'tag.yaml')).message).toMatch(/^tag\.yaml:1:4: invalid YAML: Unresolved tag/);
    expect(errorOf(() => parseScenarioText('a: &x [1]\nb: *y\n', 'alias.yaml')).message).toMatch(/^alias\.yaml:2:4: invalid YAML: alias \*y has no anchor &y/);
    expect(parseScenarioText('base: &b {x: 1}\nother:\n  <<: *b\n', 'merge.yaml')).toEqual({ base: { x: 1 }, other: { '<<': { x: 1 } } });
  });

  it('requires a mapping at the top', () => {
    expect(errorOf(() => parseScenarioText('- a\n- b\n', 'list.yaml')).message).toBe(
      'list.yaml: got a list of 2 values at the top; a scenario must be a mapping of fields (horizon, sites, jobs, ...)',
    );
    expect(errorOf(() => parseScenarioText('', 'empty.yaml')).message).toMatch(/^empty\.yaml: got null at the top/);
    expect(errorOf(() => parseScenarioText('"text"', 'scalar.json')).message).toMatch(/^scalar\.json: got "text" at the top/);
  });
});

describe('checking a tree against the schema', () => {
  it('accepts the JSON factory as it is', () => {
    expect(checkJsonAgainstSchema(oneSiteFourHoursJson())).toEqual([]);
  });

  it('reports an unknown field with the closest field name, also for snake_case typos', () => {
    const tree = jsonWith((t) => {
      t.jobs[0].gpuHour = 16;
      t.sites[0].green_suply_mw = [];
      t.sites[0].colour = 'green';
    });
    expect(checkJsonAgainstSchema(tree)).toEqual([
      { field: 'sites[0].green_suply_mw', description: 'unknown field in Site; did you mean greenSupplyMw?' },
      {
        field: 'sites[0].colour',
        description:
          'unknown field in Site; expected one of id, name, timeZone, gpuCapacity, pue, greenSupplyMw, carbonIntensityGPerKwh, pricePerMwh, baseLoadMw, gridImportLimitMw, storage, marginalIntensityGPerKwh',
      },
      { field: 'jobs[0].gpuHour', description: 'unknown field in Job; did you mean gpuHours?' },
    ]);
  });

  it('reports a field given under both its names', () => {
    const tree = jsonWith((t) => (t.jobs[0].gpu_hours = 8));
    expect(checkJsonAgainstSchema(tree)).toEqual([{ field: 'jobs[0].gpuHours', description: 'set twice, as gpuHours and as gpu_hours; expected one of the two spellings' }]);
  });

  it('reports wrong JSON types with the value received and what is expected', () => {
    const tree = jsonWith((t) => {
      t.horizon.hours = '24h';
      t.sites[0].id = 7;
      t.sites[0].pue = [1.2];
      t.sites[0].greenSupplyMw = 5;
      t.jobs[0].gpuHours = 'abc';
      t.jobs[0].interruptible = 'yes';
      t.jobs[0].release = 1_782_864_000;
    });
    expect(checkJsonAgainstSchema(tree)).toEqual([
      { field: 'horizon.hours', description: 'got "24h"; expected an integer' },
      { field: 'sites[0].id', description: 'got 7; expected a string' },
      { field: 'sites[0].pue', description: 'got a list of 1 value; expected a number, not a list' },
      { field: 'sites[0].greenSupplyMw', description: 'got 5; expected a list of numbers' },
      { field: 'jobs[0].gpuHours', description: 'got "abc"; expected a number' },
      { field: 'jobs[0].release', description: 'got 1782864000; expected an RFC 3339 timestamp such as 2026-07-01T00:00:00Z' },
      { field: 'jobs[0].interruptible', description: 'got "yes"; expected true or false' },
    ]);
  });

  it('accepts numbers written as decimal strings, as proto3 JSON does', () => {
    const tree = jsonWith((t) => {
      t.horizon.hours = '4';
      t.sites[0].pue = '1.2';
      t.sites[0].greenSupplyMw = ['0', '2', '2.0', '0e0'];
    });
    expect(checkJsonAgainstSchema(tree)).toEqual([]);
    expect(planRequestFromJson(tree)).toEqual(oneSiteFourHours());
  });

  it('reports NaN and Infinity, as YAML numbers or as proto3 JSON strings', () => {
    const tree = parseScenarioText(oneSiteFourHoursYaml().replace('green_supply_mw: [0, 2, 2, 0]', 'green_supply_mw: [0, .nan, "Infinity", .inf]'), 'nan.yaml');
    expect(checkJsonAgainstSchema(tree)).toEqual([
      { field: 'sites[0].greenSupplyMw[1]', description: 'got NaN; expected a finite number (NaN is not allowed)' },
      { field: 'sites[0].greenSupplyMw[2]', description: 'got "Infinity"; expected a finite number (Infinity and out-of-range values are not allowed)' },
      { field: 'sites[0].greenSupplyMw[3]', description: 'got Infinity; expected a finite number (Infinity and out-of-range values are not allowed)' },
    ]);
  });

  it('reports non-integers and out-of-range values in int32 fields', () => {
    const tree = jsonWith((t) => {
      t.jobs[0].maxGpus = 2.5;
      t.sites[0].gpuCapacity = 3e9;
      t.jobs[0].minGpus = '1.5';
    });
    expect(checkJsonAgainstSchema(tree)).toEqual([
      { field: 'sites[0].gpuCapacity', description: 'got 3000000000; expected an integer from -2147483648 to 2147483647' },
      { field: 'jobs[0].maxGpus', description: 'got 2.5; expected an integer' },
      { field: 'jobs[0].minGpus', description: 'got "1.5"; expected an integer' },
    ]);
  });

  it('reports bad enum names with a hint, and accepts names and numbers', () => {
    expect(checkJsonAgainstSchema(jsonWith((t) => (t.options = { solver: 'highs' })))).toEqual([
      { field: 'options.solver', description: 'got "highs"; expected one of SOLVER_UNSPECIFIED, SOLVER_HIGHS, SOLVER_JSLP (did you mean SOLVER_HIGHS?)' },
    ]);
    expect(checkJsonAgainstSchema(jsonWith((t) => (t.options = { solver: 7 })))).toEqual([
      { field: 'options.solver', description: 'got 7; expected one of SOLVER_UNSPECIFIED, SOLVER_HIGHS, SOLVER_JSLP' },
    ]);
    expect(checkJsonAgainstSchema(jsonWith((t) => (t.options = { solver: 'SOLVER_JSLP' })))).toEqual([]);
    expect(checkJsonAgainstSchema(jsonWith((t) => (t.options = { solver: 2 })))).toEqual([]);
  });

  it('reports malformed and impossible timestamps, and accepts offsets and fractions', () => {
    const tree = jsonWith((t) => {
      t.horizon.start = '2026-07-01 00:00';
      t.jobs[0].release = '2026-02-30T00:00:00Z';
      t.jobs[0].deadline = '2026-07-01T12:00:00.5+08:00';
    });
    const expected = 'expected an RFC 3339 timestamp such as 2026-07-01T00:00:00Z (a real date and time, years 0001..9999)';
    expect(checkJsonAgainstSchema(tree)).toEqual([
      { field: 'horizon.start', description: `got "2026-07-01 00:00"; ${expected}` },
      { field: 'jobs[0].release', description: `got "2026-02-30T00:00:00Z"; ${expected}` },
    ]);
  });

  it('treats null as unset for messages, optional fields and lists, but reports it for plain values and list elements', () => {
    const allowed = jsonWith((t) => {
      t.objective = null;
      t.jobs[0].minGpus = null;
      t.jobs[0].allowedSites = null;
    });
    expect(checkJsonAgainstSchema(allowed)).toEqual([]);
    const reported = jsonWith((t) => {
      t.sites[0].pue = null;
      t.sites[0].carbonIntensityGPerKwh = [500, null, 100, 500];
      t.jobs[0] = null;
    });
    expect(checkJsonAgainstSchema(reported)).toEqual([
      { field: 'sites[0].pue', description: 'got null; expected a number (null unsets only messages and optional fields)' },
      { field: 'sites[0].carbonIntensityGPerKwh[1]', description: 'got null; expected a number' },
      { field: 'jobs[0]', description: 'got null; expected an object (Job)' },
    ]);
  });

  it('reports every bad field at once, at most 20 per list', () => {
    const tree = jsonWith((t) => {
      t.horizon = [];
      t.sites[0].greenSupplyMw = Array.from({ length: 25 }, () => 'x');
      t.jobs.push({ id: 'j2', gpuHorus: 1, homeSite: 3 });
      t.extra = true;
    });
    const violations = checkJsonAgainstSchema(tree);
    expect(violations).toEqual([
      { field: 'horizon', description: 'got an empty list; expected an object (Horizon), not a list' },
      ...Array.from({ length: 20 }, (_, i) => ({ field: `sites[0].greenSupplyMw[${i}]`, description: 'got "x"; expected a number' })),
      { field: 'sites[0].greenSupplyMw', description: '... and 5 more bad values (only the first 20 are listed)' },
      { field: 'jobs[1].gpuHorus', description: 'unknown field in Job; did you mean gpuHours?' },
      { field: 'jobs[1].homeSite', description: 'got 3; expected a string' },
      { field: 'extra', description: 'unknown field in PlanRequest; expected one of horizon, sites, jobs, objective, options, links, forecastScenarios' },
    ]);
  });

  it('makes planRequestFromJson throw every violation, summarised', () => {
    const tree = jsonWith((t) => {
      t.jobs[0].gpuHour = 16;
      t.sites[0].pue = 'high';
    });
    const error = errorOf(() => planRequestFromJson(tree));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'invalid plan request: 2 bad fields\n  sites[0].pue: got "high"; expected a number\n  jobs[0].gpuHour: unknown field in Job; did you mean gpuHours?',
    );
  });
});

describe('reading a scenario file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cosched-scenarios-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads, parses and checks a YAML file', async () => {
    const path = join(dir, 'one.yaml');
    await writeFile(path, oneSiteFourHoursYaml());
    expect(await readPlanRequestFile(path)).toEqual(oneSiteFourHours());
  });

  it('names the file in schema violations', async () => {
    const path = join(dir, 'typo.yaml');
    await writeFile(path, oneSiteFourHoursYaml().replace('gpu_hours:', 'gpu_hour:'));
    await expect(readPlanRequestFile(path)).rejects.toThrow(
      `invalid scenario file ${path}: 1 bad field\n  jobs[0].gpu_hour: unknown field in Job; did you mean gpuHours?`,
    );
  });

  it('reports a missing file as NOT_FOUND naming the path', async () => {
    const path = join(dir, 'missing.yaml');
    const error = await readPlanRequestFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoschedError);
    expect((error as CoschedError).code).toBe('NOT_FOUND');
    expect((error as CoschedError).message).toBe(`scenario file not found: ${path}`);
  });

  it('reports a directory as unreadable', async () => {
    const error = await readPlanRequestFile(dir).catch((e: unknown) => e);
    expect((error as CoschedError).code).toBe('INVALID_ARGUMENT');
    expect((error as CoschedError).message).toContain(`cannot read scenario file ${dir}`);
  });
});
