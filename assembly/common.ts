// Helpers shared by the kernel files (inlined at every use).

// @ts-ignore: decorator
@inline export function arg(a: usize, i: i32): i32 {
  return load<i32>(a + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function argf(a: usize, i: i32): f32 {
  return load<f32>(a + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
/**
 * Work items are handed out dynamically: every thread takes the next item index
 * from a shared counter (the last word of the args block, zeroed by the caller),
 * so a descheduled thread never holds up the others. Each item is computed whole
 * by whichever thread takes it, so results do not depend on the thread count.
 */
// @ts-ignore: decorator
@inline export function next(a: usize): i32 {
  return atomic.add<i32>(a + 252, 1);
}

