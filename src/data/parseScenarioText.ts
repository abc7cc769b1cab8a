import { extname } from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { YAMLError } from 'yaml';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from './describeJsonValue.js';
import { JsonSyntaxError, parseStrictJson } from './parseStrictJson.js';

let yamlModule: typeof Yaml | undefined;

/** The yaml package, loaded on the first YAML text: it takes about 35 ms, which JSON input need not pay. */
function yaml(): typeof Yaml {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

/**
 * Parses the text of a scenario file into a plain JSON-like tree (objects, arrays, strings,
 * numbers, booleans, null), choosing the format by the extension of `fileName`: `.json` is strict
 * JSON, `.yaml`/`.yml` is YAML; any other extension is tried as JSON, then as YAML.
 *
 * YAML is read so that nothing turns into a surprise: YAML 1.2 core schema whatever the file's
 * `%YAML` directive says (`yes`, `on` and `2026-07-01` stay strings; `.nan`/`.inf` become numbers
 * that the schema check rejects), no `<<` merge keys, no YAML 1.1 tags such as `!!binary` or
 * `!!timestamp`, a single document only. Duplicate keys are errors in both formats. Anchors and
 * aliases work, with the yaml package's guard against alias bombs.
 *
 * Nothing is checked against the schema here (see checkJsonAgainstSchema).
 *
 * @throws CoschedError INVALID_ARGUMENT naming `fileName:line:column` for a syntax error, a YAML
 *   warning (such as an unresolved tag), or a top level that is not a mapping (an empty file too).
 */
export function parseScenarioText(text: string, fileName: string): unknown {
  const extension = extname(fileName).toLowerCase();
  let tree: unknown;
  if (extension === '.json') tree = parseJson(text, fileName);
  else if (extension === '.yaml' || extension === '.yml') tree = parseYaml(text, fileName);
  else tree = parseJsonOrYaml(text, fileName);
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new CoschedError(
      'INVALID_ARGUMENT',
      `${fileName}: got ${describeJsonValue(tree)} at the top; a scenario must be a mapping of fields (horizon, sites, jobs, ...)`,
      { reason: 'INVALID_SCENARIO_SYNTAX' },
    );
  }
  return tree;
}

function parseJsonOrYaml(text: string, fileName: string): unknown {
  try {
    return parseJson(text, fileName);
  } catch (jsonError) {
    try {
      return parseYaml(text, fileName);
    } catch (yamlError) {
      // Text that opens like JSON was most likely meant as JSON; its JSON error is the useful one.
      throw /^\s*[[{]/.test(text.replace(/^\uFEFF/, '')) ? jsonError : yamlError;
    }
  }
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return parseStrictJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw syntaxError(fileName, text, error.offset, `invalid JSON: ${error.message}`, error);
    throw error;
  }
}

function parseYaml(text: string, fileName: string): unknown {
  const document = yaml().parseDocument(text, {
    version: '1.2',
    schema: 'core',
    merge: false,
    resolveKnownTags: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    // Quiet: a collection used as a key is stringified, then reported as an unknown field.
    logLevel: 'error',
  });
  const problems: YAMLError[] = [...document.errors, ...document.warnings];
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
    throw syntaxError(fileName, text, first.pos[0], `invalid YAML: ${first.message}${more}`, first);
  }
  yaml().visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) === undefined) {
        throw syntaxError(fileName, text, alias.range?.[0] ?? 0, `invalid YAML: alias *${alias.source} has no anchor &${alias.source} before it`, undefined);
      }
    },
  });
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Aliases all resolve (checked above), so toJS fails only on alias bombs.
    throw new CoschedError('INVALID_ARGUMENT', `${fileName}: invalid YAML: ${(error as Error).message}`, {
      reason: 'INVALID_SCENARIO_SYNTAX',
      cause: error,
    });
  }
}

/** `file:line:column: message`, then the offending line with a caret under the column. */
function syntaxError(fileName: string, text: string, offset: number, message: string, cause: unknown): CoschedError {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = countNewlines(text, lineStart) + 1;
  const column = offset - lineStart + 1;
  const lineEnd = text.indexOf('\n', offset) === -1 ? text.length : text.indexOf('\n', offset);
  // Keep the excerpt short even for minified single-line JSON.
  const excerptStart = Math.max(lineStart, offset - 60);
  const excerpt = text.slice(excerptStart, Math.min(lineEnd, offset + 20)).replace(/\r$/, '').replace(/\t/g, ' ');
  const caret = `${' '.repeat(offset - excerptStart)}^`;
  return new CoschedError('INVALID_ARGUMENT', `${fileName}:${line}:${column}: ${message}\n  ${excerpt}\n  ${caret}`, {
    reason: 'INVALID_SCENARIO_SYNTAX',
    cause,
  });
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
