import type { FieldViolation } from '../../solver/errors/CoschedError.js';

/** At most this many violations are listed for the elements of one array. */
export const maxViolationsPerArray = 20;

/**
 * At most this many violations are listed for one request; the rest are counted in a last
 * summary violation. A request of megabytes could otherwise yield a million violations, and as
 * many lines in the error and in ValidatePlanRequest's answer.
 */
export const maxViolationsListed = 1_000;

/**
 * Collects field violations so a check can report every bad field, not only the first. Element
 * violations of one array go through `elements()`, which keeps the first 20 and sums up the rest,
 * so a wrong 8,760-value array does not flood the report. Past 1,000 violations in all, further
 * ones are only counted: `items` then ends with one summary violation, on the field of the first
 * violation left out, saying how many more there are.
 */
export class ViolationList {
  private readonly listed: FieldViolation[] = [];
  private hidden = 0;
  private firstHiddenField = '';

  /** The violations listed, then the summary of those left out (if any). */
  get items(): FieldViolation[] {
    if (this.hidden === 0) return this.listed;
    const description = `... and ${this.hidden} more violation${this.hidden === 1 ? '' : 's'} from this one on (only the first ${maxViolationsListed} are listed)`;
    return [...this.listed, { field: this.firstHiddenField, description }];
  }

  /** How many violations were added, listed or not. */
  get length(): number {
    return this.listed.length + this.hidden;
  }

  /** Adds a violation; a function as `description` is called only if the violation is listed. */
  add(field: string, description: string | (() => string)): void {
    if (this.listed.length < maxViolationsListed) {
      this.listed.push({ field, description: typeof description === 'string' ? description : description() });
      return;
    }
    if (this.hidden++ === 0) this.firstHiddenField = field;
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
