/**
 * The candidate closest to `input` by edit distance, for "did you mean ...?" hints, or undefined
 * when nothing is close. Case, `_` and `-` are ignored when comparing, so `gpu_hour`, `GpuHours`
 * and `gpuHour` all suggest `gpuHours`. "Close" means at most max(1, length/3) edits, and fewer
 * edits than `input` has characters; ties go to the earlier candidate.
 */
export function suggestName(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalise(input);
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalise(candidate));
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

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j] + 1, current[j - 1] + 1));
    }
    previous = current;
  }
  return previous[b.length];
}
