import type { FieldViolation } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { suggestName } from '../data/suggestName.js';
import { Variant } from '../generated/cosched/v1/what_if.js';
import { checkWhatIfJson, variantTypeName } from './checkWhatIfJson.js';
import { invalidVariantError } from './invalidVariantError.js';

/**
 * Turns the raw tree of a variants file (JSON or YAML, already parsed; see parseVariantsText)
 * into Variants. The file is either a list of Variant in proto3 JSON or a mapping
 * `{variants: [...]}`, and is checked as strictly as a scenario file (checkWhatIfJson: unknown
 * fields with suggestions, wrong types, two changes in one override...). Paths are
 * `variants[i]...` in both forms.
 *
 * Only the form is checked here; names, site and job ids are checked against the base request by
 * applyOverrides and prepareScenarios.
 *
 * @param source names the input in the error summary, e.g. `variants file v.yaml`.
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_VARIANT) listing every violation.
 */
export function parseVariantsFile(tree: unknown, source = 'variants'): Variant[] {
  const violations: FieldViolation[] = [];
  const list = variantList(tree, violations);
  list?.forEach((element, i) => {
    violations.push(...checkWhatIfJson(element, variantTypeName, `variants[${i}]`));
  });
  if (list !== undefined && list.length === 0) violations.push({ field: 'variants', description: 'got an empty list; expected at least one variant' });
  if (violations.length > 0) throw invalidVariantError(violations, source);
  return (list ?? []).map((element) => Variant.fromJSON(element));
}

function variantList(tree: unknown, violations: FieldViolation[]): unknown[] | undefined {
  if (Array.isArray(tree)) return tree;
  if (tree === null || typeof tree !== 'object') {
    violations.push({ field: 'variants', description: `got ${describeJsonValue(tree)}; expected a list of variants, or a mapping with the key variants` });
    return undefined;
  }
  let list: unknown[] | undefined;
  for (const [key, value] of Object.entries(tree)) {
    if (key !== 'variants') {
      const hint = suggestName(key, ['variants']) === undefined ? 'expected only variants' : 'did you mean variants?';
      violations.push({ field: key, description: `unknown field in a variants file; ${hint}` });
    } else if (Array.isArray(value)) {
      list = value;
    } else {
      violations.push({ field: 'variants', description: `got ${describeJsonValue(value)}; expected a list of variants` });
    }
  }
  if (list === undefined && !violations.some((v) => v.field === 'variants')) {
    violations.push({ field: 'variants', description: 'got nothing; expected a list of variants' });
  }
  return list;
}

function field(tree: unknown, jsonName: string, protoName: string): unknown {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return undefined;
  const record = tree as Record<string, unknown>;
  return record[jsonName] ?? record[protoName];
}
