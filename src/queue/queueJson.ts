/** The key of the object that stands for a number JSON cannot write (Infinity, -Infinity, NaN, -0). */
const numberKey = '$number';

/**
 * JSON for what crosses the plan queue (Problems, PlanResults, PlanEvents), so that a plan comes
 * back from a worker exactly as from a thread of the server: plain JSON, except that a number
 * JSON cannot write (`gridImportLimitMw: Infinity`, an objective of NaN, a cost of -0) is kept as
 * `{"$number":"Infinity"}` instead of becoming null (or 0). As with JSON, an undefined property is
 * left out, and an undefined value in an array becomes null.
 */
export function stringifyQueueJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && (!Number.isFinite(item) || Object.is(item, -0)) ? { [numberKey]: String(Object.is(item, -0) ? '-0' : item) } : item));
}

/**
 * The value stringifyQueueJson wrote, those numbers restored.
 * @throws SyntaxError for text that is not JSON.
 */
export function parseQueueJson<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const tagged = (item as Record<string, unknown>)[numberKey];
    return typeof tagged === 'string' && Object.keys(item).length === 1 ? Number(tagged) : item;
  }) as T;
}
