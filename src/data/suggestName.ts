/** Names longer than this (after dropping case, `_` and `-`) get no suggestion: ids are at most 64 characters. */
export const maxSuggestedNameLength = 64;
/** At most this many candidates (the first ones) are compared with one name. */
export const maxSuggestionCandidates = 1_000;
/** Cells one SuggestionBudget allows by default: some 10 ms of work (ids of 64 characters, all alike but for a few: about 2 suggestions among 1,000). */
export const defaultSuggestionCells = 2_000_000;

/**
 * A cap on the work of many suggestName calls (say, every unknown site id of one request): each
 * candidate read spends its length + 1 cells, each row of an edit distance the candidate's
 * length + 1; once the cells are spent, suggestName returns undefined at once. Share one budget across the
 * calls a single request causes, so no request can make validation slow.
 */
export class SuggestionBudget {
  constructor(private remainingCells: number = defaultSuggestionCells) {}

  /** True once a spend failed: every later suggestName with this budget returns undefined at once. */
  get exhausted(): boolean {
    return this.remainingCells === 0;
  }

  /** Takes `cells` if that many are left; otherwise takes all that is left and returns false. */
  spend(cells: number): boolean {
    if (cells > this.remainingCells) {
      this.remainingCells = 0;
      return false;
    }
    this.remainingCells -= cells;
    return true;
  }
}

/**
 * The candidate closest to `input` by edit distance, for "did you mean ...?" hints, or undefined
 * when nothing is close. Case, `_` and `-` are ignored when comparing, so `gpu_hour`, `GpuHours`
 * and `gpuHour` all suggest `gpuHours`. "Close" means at most max(1, length/3) edits, and fewer
 * edits than `input` has characters; ties go to the earlier candidate.
 *
 * Bounded work: no suggestion for a name over 64 characters (normalised), only the first 1,000
 * candidates are considered, candidates whose length alone rules them out are not compared, and
 * the comparisons spend `budget` (by default a fresh one of 2,000,000 cells per call); when it
 * runs out the answer is undefined.
 */
export function suggestName(input: string, candidates: readonly string[], budget: SuggestionBudget = new SuggestionBudget()): string | undefined {
  // Checked before normalising, so a megabyte name costs nothing.
  if (input.length > 4 * maxSuggestedNameLength || budget.exhausted) return undefined;
  const wanted = normalise(input);
  if (wanted.length > maxSuggestedNameLength) return undefined;
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const count = Math.min(candidates.length, maxSuggestionCandidates);
  for (let k = 0; k < count; k++) {
    const candidate = candidates[k];
    // Reading a candidate costs its length, comparing it (below) the product of the lengths.
    if (!budget.spend(Math.min(candidate.length, 4 * maxSuggestedNameLength) + 1)) return undefined;
    if (candidate.length > 4 * maxSuggestedNameLength) continue;
    const normalised = normalise(candidate);
    // The distance is at least the difference in length.
    if (Math.abs(normalised.length - wanted.length) > Math.min(allowed, bestDistance - 1)) continue;
    const distance = editDistance(wanted, normalised, Math.min(allowed, bestDistance), budget);
    if (distance === undefined) return undefined;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Replacing every character of a short name is no hint ("x" -> "a").
  return bestDistance <= allowed && bestDistance < wanted.length ? best : undefined;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Levenshtein distance, one row at a time in two reused typed arrays, each row paid for from
 * `budget` (b.length + 1 cells; undefined when it runs out); stops early with `limit + 1` once
 * every entry of a row exceeds `limit` (the distance can only grow from there).
 */
function editDistance(a: string, b: string, limit: number, budget: SuggestionBudget): number | undefined {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    if (!budget.spend(b.length + 1)) return undefined;
    current[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (ai === b.charCodeAt(j - 1) ? 0 : 1);
      const value = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
