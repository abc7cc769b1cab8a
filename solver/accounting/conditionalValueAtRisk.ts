/**
 * CVaR at `level` (in [0, 1)) of a discrete distribution: the expected value over the worst
 * (1 − level) of the probability, counting the scenario at the boundary in part (Rockafellar and
 * Uryasev's definition; at level 0 it is the mean, near 1 the largest value). `probabilities`
 * are > 0 and add up to 1 (not re-normalised). Pure; O(n log n).
 */
export function conditionalValueAtRisk(values: readonly number[], probabilities: readonly number[], level: number): number {
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  let tail = 1 - level;
  let sum = 0;
  for (const i of order) {
    if (tail <= 0) break;
    const take = Math.min(probabilities[i], tail);
    sum += take * values[i];
    tail -= take;
  }
  return sum / (1 - level);
}
