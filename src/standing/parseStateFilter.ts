import { CoschedError } from '../../solver/errors/CoschedError.js';
import { describeJsonValue } from '../data/describeJsonValue.js';

/**
 * A List filter on state (a small subset of AIP-160): empty, or `state = NAME` terms joined by
 * `OR`, e.g. `state = PENDING OR state = PLANNED`; `state:NAME` works too, and names are matched
 * by `parse` (case-insensitive, with or without the enum prefix). Returns the states, or undefined
 * for no filter.
 * @throws CoschedError INVALID_ARGUMENT on `filter` naming what was received and the state names allowed.
 */
export function parseStateFilter<S extends string>(filter: string, parse: (name: string) => S | undefined, allowed: readonly string[]): S[] | undefined {
  const text = (filter ?? '').trim();
  if (text === '') return undefined;
  const states: S[] = [];
  for (const term of text.split(/\s+OR\s+/i)) {
    const match = /^state\s*(?:=|:)\s*"?([A-Za-z_]+)"?$/.exec(term.trim());
    const state = match ? parse(match[1]) : undefined;
    if (state === undefined) {
      throw CoschedError.invalid(
        [{ field: 'filter', description: `got ${describeJsonValue(filter)}; expected \`state = NAME\` terms joined by OR, NAME one of ${allowed.join(', ')}` }],
        'request',
      );
    }
    if (!states.includes(state)) states.push(state);
  }
  return states;
}
