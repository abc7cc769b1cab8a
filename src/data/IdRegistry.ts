import { describeJsonValue } from './describeJsonValue.js';
import type { ViolationList } from './ViolationList.js';

/** The form of a site or job id: letters, digits, '_', '-', '.'; starts with a letter or digit; 1..64 characters. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const idRule = "expected 1..64 letters, digits, '_', '-' or '.', starting with a letter or digit";

/**
 * Checks the ids of one list of entities (sites, or jobs) one at a time, in list order, so their
 * violations sit among the entity's other violations. Each id must match `idPattern` (an empty id
 * is reported as missing) and be unique within the list; a repeated id is reported at each
 * repetition, naming the entity that has it first. `pathOf(i)` is the entity's path, e.g.
 * `sites[2]`.
 */
export class IdRegistry {
  /** Each well-formed id and the index where it first appears. */
  readonly indexById = new Map<string, number>();

  constructor(
    private readonly pathOf: (index: number) => string,
    private readonly violations: ViolationList,
  ) {}

  /** Checks the id of entity `index`; returns whether it is well-formed and new. */
  check(id: unknown, index: number): boolean {
    const path = `${this.pathOf(index)}.id`;
    if (typeof id !== 'string' || !idPattern.test(id)) {
      this.violations.add(path, id === '' ? `got ""; an id is required: ${idRule}` : `got ${describeJsonValue(id)}; ${idRule}`);
      return false;
    }
    const first = this.indexById.get(id);
    if (first !== undefined) {
      this.violations.add(path, `got ${describeJsonValue(id)}, which is already the id of ${this.pathOf(first)}; expected a unique id`);
      return false;
    }
    this.indexById.set(id, index);
    return true;
  }
}
