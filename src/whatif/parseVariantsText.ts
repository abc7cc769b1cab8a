import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { parseScenarioText } from '../data/parseScenarioText.js';
import { parseStrictJson } from '../data/parseStrictJson.js';
import type { Variant } from '../generated/cosched/v1/what_if.js';
import { parseVariantsFile } from './parseVariantsFile.js';

/**
 * Parses the text of a variants file (YAML or JSON, chosen by the extension of `fileName` as for
 * scenario files) into Variants: a list of Variant in proto3 JSON, or `{variants: [...]}`.
 *
 * The text goes through parseScenarioText, so a variants file is read exactly as strictly as a
 * scenario (YAML 1.2 core schema, duplicate keys rejected, positions in syntax errors).
 * parseScenarioText accepts only a mapping at the top; when the one thing it objects to is a
 * top-level list, the same text (now known to be well-formed) is parsed again with the same
 * settings to get the list.
 *
 * @throws CoschedError INVALID_ARGUMENT for a syntax error (`file:line:column`) or any violation
 *   parseVariantsFile reports.
 */
export function parseVariantsText(text: string, fileName: string): Variant[] {
  const source = `variants file ${fileName}`;
  let tree: unknown;
  try {
    tree = parseScenarioText(text, fileName);
  } catch (error) {
    const list = topLevelList(text, fileName);
    if (list === undefined) throw error;
    tree = list;
  }
  return parseVariantsFile(tree, source);
}

/** The text's top-level list, or undefined when it is not a well-formed list. */
function topLevelList(text: string, fileName: string): unknown[] | undefined {
  const extension = extname(fileName).toLowerCase();
  const attempts = extension === '.json' ? [asJson] : extension === '.yaml' || extension === '.yml' ? [asYaml] : [asJson, asYaml];
  for (const attempt of attempts) {
    const tree = attempt(text);
    if (Array.isArray(tree)) return tree;
  }
  return undefined;
}

function asJson(text: string): unknown {
  try {
    return parseStrictJson(text);
  } catch {
    return undefined;
  }
}

/** YAML with parseScenarioText's settings (aliases were checked there); undefined on any error or warning. */
function asYaml(text: string): unknown {
  const document = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    merge: false,
    resolveKnownTags: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    logLevel: 'silent',
  });
  if (document.errors.length > 0 || document.warnings.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch {
    // An alias bomb: parseScenarioText's error already says so.
    return undefined;
  }
}
