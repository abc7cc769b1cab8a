import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';
import { suggestName } from '../data/suggestName.js';
import type { JobSelector, Override, Variant } from '../generated/cosched/v1/what_if.js';
import { invalidVariantReason } from './invalidVariantError.js';
import { variantNamePattern } from './prepareScenarios.js';

/**
 * The compact syntax of `cosched compare BASE.yaml --variant NAME:OVERRIDE[,OVERRIDE...]`. Each
 * OVERRIDE maps to exactly one Override message (formatVariantArgument writes it back):
 *
 *   green[(SITE)]*=F            scaleGreenSupply {siteId, factor F}            every site without (SITE)
 *   green[(SITE)]+=A | -=A      scaleGreenSupply {siteId, factor 1, addMw ±A}  A in MW, optional unit "MW"
 *   green[(SITE)]*=F+=A | -=A   scaleGreenSupply {siteId, factor F, addMw ±A}
 *   remove(SITE)                removeSite {siteId}
 *   capacity[(SITE)]=N          setCapacity {siteId, gpuCapacity N}             every site without (SITE)
 *   capacity[(SITE)]*=F         setCapacity {siteId, factor F}
 *   deadlines[(JOBS)]+=Hh | -=Hh   shiftDeadlines {jobs, hours ±H}              unit h, or d for 24 h
 *   deadlines[(JOBS)]*=F        scaleDeadlines {jobs, factor F}                 scales deadline − release
 *   interruptible[(JOBS)]=true|false   setInterruptible {jobs, interruptible}
 *   restrict[(JOBS)]=SITE|SITE...      restrictSites {jobs, allowedSites}      home site stays allowed
 *   carbonPrice=P               setCarbonPrice {pricePerTonne P}
 *   forecasts=PATH              replaceForecasts {file PATH}                    PATH without ','
 *
 *   JOBS  = job=ID|ID...  or  home=SITE|SITE...  or both, comma-separated:  (job=a|b,home=wuhu)
 *           (no (JOBS): every job; both: the union)
 *   NAME  = 1..64 letters, digits, '_', '-', '.', '+', starting with a letter or digit
 *   F, A, H, P, N = unsigned decimal numbers (N a whole number): 300, 1.5, .5, 2e3
 *
 * Examples: `wind+300:green(helingeer)+=300`, `relaxed:deadlines+=12h`,
 * `west:restrict(home=shanghai)=helingeer|guian`, `price100:carbonPrice=100`,
 * `rigid:interruptible=false`, `bigger:capacity(datong)*=1.5`, `nodatong:remove(datong)`,
 * `actuals:forecasts=actuals.json`. Quote the argument in a shell: `(`, `)` and `|` are special.
 * Adding a site (its hourly forecasts) and inline forecasts need a variants file.
 *
 * Only the syntax is checked here; whether sites and jobs exist is checked against the base
 * request by applyOverrides.
 *
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_VARIANT) with one violation per bad part:
 *   `field` is the part as written (or `name`), `description` what is wrong and what is allowed.
 */
export function parseVariantArgument(text: string): Variant {
  const violations: FieldViolation[] = [];
  const colon = text.indexOf(':');
  const name = colon === -1 ? '' : text.slice(0, colon);
  const body = colon === -1 ? text : text.slice(colon + 1);
  if (colon === -1) {
    violations.push({ field: text, description: 'no name; expected NAME:OVERRIDE[,OVERRIDE...], e.g. relaxed:deadlines+=12h' });
  } else if (!variantNamePattern.test(name)) {
    violations.push({ field: 'name', description: `got ${JSON.stringify(name)}; expected 1..64 letters, digits, '_', '-', '.' or '+', starting with a letter or digit, before the ':'` });
  }
  const overrides: Override[] = [];
  if (colon !== -1 && body.trim() === '') {
    violations.push({ field: text, description: `no overrides after "${name}:"; expected at least one, e.g. ${name}:deadlines+=12h` });
  } else if (colon !== -1) {
    for (const part of splitTopLevel(body, ',')) {
      const parsed = parseOverride(part.trim());
      if (typeof parsed === 'string') violations.push({ field: part.trim() === '' ? '(empty)' : part.trim(), description: parsed });
      else overrides.push(parsed);
    }
  }
  if (violations.length > 0) {
    const lines = violations.map((v) => `  ${v.field}: ${v.description}`);
    const count = `${violations.length} bad part${violations.length === 1 ? '' : 's'}`;
    throw new CoschedError('INVALID_ARGUMENT', `invalid --variant ${JSON.stringify(text)}: ${count}\n${lines.join('\n')}`, {
      violations,
      reason: invalidVariantReason,
    });
  }
  return { name, overrides };
}

/** The keywords of the syntax, in the order the help lists them. */
export const overrideKeywords = ['green', 'remove', 'capacity', 'deadlines', 'interruptible', 'restrict', 'carbonPrice', 'forecasts'] as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const unsignedNumber = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const operatorPattern = /^(\*=|\+=|-=|=)/;

/** One override, or a description of what is wrong with it. */
function parseOverride(part: string): Override | string {
  try {
    return overrideOf(part);
  } catch (error) {
    if (error instanceof BadPart) return error.message;
    throw error;
  }
}

/** What is wrong with one part of the argument. */
class BadPart extends Error {}

function fail(description: string): never {
  throw new BadPart(description);
}

function overrideOf(part: string): Override {
  if (part === '') fail(`empty override (two commas in a row?); expected one of ${overrideKeywords.join(', ')}`);
  const match = /^([A-Za-z]+)(?:\(([^()]*)\))?(.*)$/s.exec(part);
  if (match === null) {
    fail(
      /^[A-Za-z]+\(/.test(part)
        ? 'unbalanced or nested parentheses; expected KEYWORD(TARGET)OPERATOR VALUE, e.g. green(helingeer)+=300'
        : `expected KEYWORD[(TARGET)]OPERATOR VALUE starting with one of ${overrideKeywords.join(', ')}`,
    );
  }
  const [, keyword, target, rest] = match;
  const operator = operatorPattern.exec(rest)?.[1];
  const syntax = new OverrideSyntax(keyword, target, operator, operator === undefined ? rest : rest.slice(operator.length));
  switch (keyword) {
    case 'green':
      return syntax.green();
    case 'remove':
      return syntax.remove();
    case 'capacity':
      return syntax.capacity();
    case 'deadlines':
      return syntax.deadlines();
    case 'interruptible':
      return syntax.interruptible();
    case 'restrict':
      return syntax.restrict();
    case 'carbonPrice':
      return syntax.carbonPrice();
    case 'forecasts':
      return syntax.forecasts();
    default: {
      if (keyword === 'add') fail('adding a site needs its hourly forecasts, which the compact syntax cannot hold; use a variants file (addSite)');
      const suggestion = suggestName(keyword, overrideKeywords);
      const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
      return fail(`unknown override ${JSON.stringify(keyword)}${hint}; expected one of ${overrideKeywords.join(', ')}`);
    }
  }
}

/** One override's pieces (KEYWORD(TARGET)OPERATOR VALUE) and the rules of each keyword; a broken rule throws BadPart. */
class OverrideSyntax {
  constructor(
    private readonly keyword: string,
    private readonly target: string | undefined,
    private readonly operator: string | undefined,
    private readonly value: string,
  ) {}

  green(): Override {
    const siteId = this.siteTarget(false);
    if (this.operator === '*=') {
      const [factorText, addOperator, addText] = this.value.split(/(\+=|-=)/);
      const factor = parseNumber(factorText, 'the factor after *=');
      const addMw = addOperator === undefined ? 0 : signed(addOperator, parseNumber(stripUnit(addText, 'MW'), `the MW after ${addOperator}`));
      return { change: { $case: 'scaleGreenSupply', value: { siteId, factor, addMw } } };
    }
    if (this.operator === '+=' || this.operator === '-=') {
      const addMw = signed(this.operator, parseNumber(stripUnit(this.value, 'MW'), `the MW after ${this.operator}`));
      return { change: { $case: 'scaleGreenSupply', value: { siteId, factor: 1, addMw } } };
    }
    return this.badOperator('*=F, +=MW, -=MW or *=F+=MW', 'green(helingeer)+=300');
  }

  remove(): Override {
    const siteId = this.siteTarget(true);
    if (this.operator !== undefined || this.value !== '') fail(`got ${JSON.stringify((this.operator ?? '') + this.value)} after remove(${siteId}); expected nothing more: remove(SITE)`);
    return { change: { $case: 'removeSite', value: { siteId } } };
  }

  capacity(): Override {
    const siteId = this.siteTarget(false);
    if (this.operator === '=') {
      const gpuCapacity = parseNumber(this.value, 'the GPU count after =');
      if (!Number.isInteger(gpuCapacity)) fail(`got ${this.value} GPUs; expected a whole number`);
      return { change: { $case: 'setCapacity', value: { siteId, gpuCapacity, factor: 0 } } };
    }
    if (this.operator === '*=') {
      const factor = parseNumber(this.value, 'the factor after *=');
      return { change: { $case: 'setCapacity', value: { siteId, gpuCapacity: 0, factor } } };
    }
    return this.badOperator('=GPUS or *=F', 'capacity(datong)*=1.5');
  }

  deadlines(): Override {
    const jobs = this.jobsTarget();
    if (this.operator === '+=' || this.operator === '-=') {
      const unit = /[hd]$/.exec(this.value)?.[0];
      if (unit === undefined) fail(`got ${JSON.stringify(this.value)} after ${this.operator}; expected a time with its unit, h or d (24 h), e.g. 12h or 1d`);
      const amount = parseNumber(this.value.slice(0, -1), `the time after ${this.operator}`);
      return { change: { $case: 'shiftDeadlines', value: { jobs, hours: signed(this.operator, unit === 'd' ? 24 * amount : amount) } } };
    }
    if (this.operator === '*=') {
      const factor = parseNumber(this.value, 'the factor after *=');
      return { change: { $case: 'scaleDeadlines', value: { jobs, factor } } };
    }
    return this.badOperator('+=Hh, -=Hh or *=F', 'deadlines+=12h');
  }

  interruptible(): Override {
    const jobs = this.jobsTarget();
    if (this.operator !== '=') this.badOperator('=true or =false', 'interruptible=false');
    if (this.value !== 'true' && this.value !== 'false') fail(`got ${JSON.stringify(this.value)} after =; expected true or false`);
    return { change: { $case: 'setInterruptible', value: { jobs, interruptible: this.value === 'true' } } };
  }

  restrict(): Override {
    const jobs = this.jobsTarget();
    if (this.operator !== '=') this.badOperator('=SITE|SITE...', 'restrict(home=shanghai)=helingeer|guian');
    return { change: { $case: 'restrictSites', value: { jobs, allowedSites: parseIds(this.value, 'site') } } };
  }

  carbonPrice(): Override {
    if (this.target !== undefined) fail(`got (${this.target}); a carbon price applies to the whole request: expected carbonPrice=PRICE`);
    if (this.operator !== '=') this.badOperator('=PRICE (per tonne CO2eq)', 'carbonPrice=100');
    return { change: { $case: 'setCarbonPrice', value: { pricePerTonne: parseNumber(this.value, 'the price per tonne after =') } } };
  }

  forecasts(): Override {
    if (this.target !== undefined) fail(`got (${this.target}); the file says which sites it replaces: expected forecasts=FILE`);
    if (this.operator !== '=') this.badOperator('=FILE', 'forecasts=actuals.json');
    if (this.value === '') fail('got no file after =; expected forecasts=FILE (JSON or YAML: {sites: [{siteId, carbonIntensityGPerKwh: [...]}]})');
    return { change: { $case: 'replaceForecasts', value: { sites: [], file: this.value } } };
  }

  /** The site in (SITE): '' (every site) when there are no parentheses, unless required. */
  private siteTarget(required: boolean): string {
    if (this.target === undefined) return required ? fail(`expected the site in parentheses: ${this.keyword}(SITE)`) : '';
    if (!idPattern.test(this.target)) fail(`got (${this.target}); expected one site id in the parentheses (letters, digits, '_', '-', '.')`);
    return this.target;
  }

  /** The JobSelector in (JOBS); undefined (every job) when there are no parentheses. */
  private jobsTarget(): JobSelector | undefined {
    if (this.target === undefined) return undefined;
    const selector: JobSelector = { jobIds: [], homeSites: [] };
    const seen = new Set<string>();
    for (const piece of this.target.split(',')) {
      const match = /^([A-Za-z]+)=(.*)$/.exec(piece.trim());
      const key = match?.[1];
      if (match === null || (key !== 'job' && key !== 'home')) {
        const suggestion = key === undefined ? undefined : suggestName(key, ['job', 'home']);
        fail(`got (${this.target}); expected job=ID|ID... and/or home=SITE|SITE..., comma-separated${suggestion === undefined ? '' : ` (did you mean ${suggestion}=?)`}`);
      }
      if (seen.has(key)) fail(`got ${key}= twice in (${this.target}); expected each of job= and home= at most once`);
      seen.add(key);
      if (key === 'job') selector.jobIds = parseIds(match[2], 'job');
      else selector.homeSites = parseIds(match[2], 'site');
    }
    return selector;
  }

  private badOperator(allowed: string, example: string): never {
    const got = this.operator === undefined ? (this.value === '' ? 'nothing' : JSON.stringify(this.value)) : JSON.stringify(this.operator);
    return fail(`got ${got} after ${this.keyword}${this.target === undefined ? '' : `(${this.target})`}; expected ${allowed}, e.g. ${example}`);
  }
}

function parseNumber(text: string | undefined, what: string): number {
  if (text === undefined || !unsignedNumber.test(text)) fail(`got ${JSON.stringify(text ?? '')} as ${what}; expected an unsigned decimal number such as 300, 1.5 or 2e3`);
  return Number(text);
}

function signed(operator: string, amount: number): number {
  return operator === '-=' ? -amount : amount;
}

function stripUnit(text: string | undefined, unit: string): string | undefined {
  return text?.endsWith(unit) ? text.slice(0, -unit.length) : text;
}

function parseIds(text: string, kind: 'site' | 'job'): string[] {
  const ids = text.split('|');
  const bad = ids.find((id) => !idPattern.test(id));
  if (bad !== undefined) fail(`got ${JSON.stringify(bad)} in ${JSON.stringify(text)}; expected ${kind} ids separated by '|' (letters, digits, '_', '-', '.')`);
  return ids;
}

/** Splits at `separator` outside parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
