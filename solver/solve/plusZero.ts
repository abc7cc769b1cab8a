/** `xs` with every -0 made +0, in place (HiGHS can return -0; -0 + 0 is +0), and returned. */
export function plusZero(xs: Float64Array): Float64Array {
  for (let i = 0; i < xs.length; i++) xs[i] += 0;
  return xs;
}
