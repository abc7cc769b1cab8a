import type { FieldViolation } from '../../solver/errors/CoschedError.js';

/** At most this many violations are listed for the elements of one array. */
export const maxViolationsPerArray = 20;

/**
 * Collects field violations so a check can report every bad field, not only the first. Element
 * violations of one array go through `elements()`, which keeps the first 20 and sums up the rest,
 * so a wrong 8,760-value array does not flood the report.
 */
export class ViolationList {
  readonly items: FieldViolation[] = [];

  get length(): number {
    return this.items.length;
  }

  add(field: string, description: string): void {
    this.items.push({ field, description });
  }

  /**
   * A reporter for the elements of the array at `arrayPath`: `add(i, ...)` reports
   * `${arrayPath}[i]`; `done()` adds one `... and N more` violation on `arrayPath` when more than
   * 20 elements were bad. Call `done()` once, after the last element.
   */
  elements(arrayPath: string): ElementViolations {
    return new ElementViolations(this, arrayPath);
  }
}

/** See ViolationList.elements. */
export class ElementViolations {
  private count = 0;

  constructor(
    private readonly list: ViolationList,
    private readonly arrayPath: string,
  ) {}

  add(index: number, description: string): void {
    if (this.count < maxViolationsPerArray) this.list.add(`${this.arrayPath}[${index}]`, description);
    this.count++;
  }

  done(): void {
    const hidden = this.count - maxViolationsPerArray;
    if (hidden > 0) {
      this.list.add(
        this.arrayPath,
        `... and ${hidden} more bad value${hidden === 1 ? '' : 's'} (only the first ${maxViolationsPerArray} are listed)`,
      );
    }
  }
}
