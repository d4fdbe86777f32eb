// Optimiser updates, in place over float32 parameters and state (SGD with momentum,
// Nesterov and weight decay; Adam/AdamW with AMSGrad; RMSprop centred and with
// momentum). Each update computes in float64 with the operations, in the order,
// of the reference loops in src/backend/reference/optim.ts (JavaScript arithmetic
// on float32 arrays: every value read is widened exactly, every store rounds to
// float32), two elements per f64x2 vector, so the result is bit-identical to the
// reference. Items are fixed blocks of elements: any thread count, same bits.
// Hyperparameters come as float64 in a heap block H (their list is per kernel).

import { arg, next } from './common';

const BLOCK = 4096;

// Two floats at p widened to f64x2 (one in lane 0 where `one`), and back rounded.
// @ts-ignore: decorator
@inline function ld(p: usize, one: bool): v128 {
  return f64x2.promote_low_f32x4(one ? v128.load32_zero(p) : v128.load64_zero(p));
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, one: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (one) v128.store32_lane(p, f, 0);
  else v128.store64_lane(p, f, 0);
}
// The value stored at p, as the reference reads it back: rounded to float32.
// @ts-ignore: decorator
@inline function rnd(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}
// @ts-ignore: decorator
@inline function hp(H: usize, i: i32): v128 {
  return f64x2.splat(load<f64>(H + (<usize>i << 3)));
}

// @ts-ignore: decorator
@inline function sgdAt(W: usize, G: usize, V: usize, o: usize, one: bool, first: bool, nesterov: bool, lr: v128, mu: v128, damp1: v128, wd: v128): void {
  const w = ld(W + o, one);
  let d = f64x2.add(ld(G + o, one), f64x2.mul(wd, w));
  if (V) {
    const v = rnd(first ? d : f64x2.add(f64x2.mul(mu, ld(V + o, one)), f64x2.mul(damp1, d)));
    st(V + o, v, one);
    d = nesterov ? f64x2.add(d, f64x2.mul(mu, v)) : v;
  }
  st(W + o, f64x2.sub(w, f64x2.mul(lr, d)), one);
}

/** args: W, G, V (0: no momentum), n, H [lr, momentum, 1 − dampening, weightDecay], first (momentum buffer starts at d), nesterov */
export function sgd(a: usize, tid: i32, nth: i32): void {
  const W = <usize>arg(a, 0), G = <usize>arg(a, 1), V = <usize>arg(a, 2), n = arg(a, 3), H = <usize>arg(a, 4);
  const first = arg(a, 5) != 0, nesterov = arg(a, 6) != 0;
  const lr = hp(H, 0), mu = hp(H, 1), damp1 = hp(H, 2), wd = hp(H, 3);
  const blocks = (n + BLOCK - 1) / BLOCK;
  for (let b = next(a); b < blocks; b = next(a)) {
    const i0 = b * BLOCK, i1 = min(n, i0 + BLOCK);
    let i = i0;
    for (; i + 2 <= i1; i += 2) sgdAt(W, G, V, <usize>i << 2, false, first, nesterov, lr, mu, damp1, wd);
    if (i < i1) sgdAt(W, G, V, <usize>i << 2, true, first, nesterov, lr, mu, damp1, wd);
  }
}

// @ts-ignore: decorator
@inline function adamAt(W: usize, G: usize, M: usize, V: usize, VM: usize, o: usize, one: bool, decoupled: bool, hasWd: bool,
  b1: v128, c1: v128, b2: v128, c2: v128, stepSize: v128, sqrtBc2: v128, eps: v128, wd: v128, decay: v128): void {
  let w = ld(W + o, one);
  let g = ld(G + o, one);
  if (hasWd) {
    if (decoupled) w = rnd(f64x2.mul(w, decay));
    else g = f64x2.add(g, f64x2.mul(wd, w));
  }
  const m = rnd(f64x2.add(f64x2.mul(b1, ld(M + o, one)), f64x2.mul(c1, g)));
  st(M + o, m, one);
  let v = rnd(f64x2.add(f64x2.mul(b2, ld(V + o, one)), f64x2.mul(f64x2.mul(c2, g), g)));
  st(V + o, v, one);
  if (VM) {
    const vm = ld(VM + o, one);
    v = v128.bitselect(v, vm, f64x2.gt(v, vm));
    st(VM + o, v, one);
  }
  const den = f64x2.add(f64x2.div(f64x2.sqrt(v), sqrtBc2), eps);
  st(W + o, f64x2.sub(w, f64x2.div(f64x2.mul(stepSize, m), den)), one);
}

/**
 * args: W, G, M (exp_avg), V (exp_avg_sq), VM (max_exp_avg_sq, 0 without AMSGrad), n,
 * H [β1, 1 − β1, β2, 1 − β2, lr / (1 − β1ᵗ), √(1 − β2ᵗ), eps, weightDecay, 1 − lr·weightDecay], decoupled, hasWd
 */
export function adam(a: usize, tid: i32, nth: i32): void {
  const W = <usize>arg(a, 0), G = <usize>arg(a, 1), M = <usize>arg(a, 2), V = <usize>arg(a, 3), VM = <usize>arg(a, 4), n = arg(a, 5);
  const H = <usize>arg(a, 6), decoupled = arg(a, 7) != 0, hasWd = arg(a, 8) != 0;
  const b1 = hp(H, 0), c1 = hp(H, 1), b2 = hp(H, 2), c2 = hp(H, 3), stepSize = hp(H, 4), sqrtBc2 = hp(H, 5), eps = hp(H, 6), wd = hp(H, 7), decay = hp(H, 8);
  const blocks = (n + BLOCK - 1) / BLOCK;
  for (let b = next(a); b < blocks; b = next(a)) {
    const i0 = b * BLOCK, i1 = min(n, i0 + BLOCK);
    let i = i0;
    for (; i + 2 <= i1; i += 2) adamAt(W, G, M, V, VM, <usize>i << 2, false, decoupled, hasWd, b1, c1, b2, c2, stepSize, sqrtBc2, eps, wd, decay);
    if (i < i1) adamAt(W, G, M, V, VM, <usize>i << 2, true, decoupled, hasWd, b1, c1, b2, c2, stepSize, sqrtBc2, eps, wd, decay);
  }
}

// @ts-ignore: decorator
@inline function rmspropAt(W: usize, G: usize, S: usize, GA: usize, B: usize, o: usize, one: bool, lr: v128, al: v128, c: v128, eps: v128, wd: v128, mu: v128): void {
  const w = ld(W + o, one);
  const g = f64x2.add(ld(G + o, one), f64x2.mul(wd, w));
  const sq = rnd(f64x2.add(f64x2.mul(al, ld(S + o, one)), f64x2.mul(f64x2.mul(c, g), g)));
  st(S + o, sq, one);
  let avg = sq;
  if (GA) {
    const ga = rnd(f64x2.add(f64x2.mul(al, ld(GA + o, one)), f64x2.mul(c, g)));
    st(GA + o, ga, one);
    avg = f64x2.sub(avg, f64x2.mul(ga, ga));
  }
  const den = f64x2.add(f64x2.sqrt(avg), eps);
  if (B) {
    const bf = rnd(f64x2.add(f64x2.mul(mu, ld(B + o, one)), f64x2.div(g, den)));
    st(B + o, bf, one);
    st(W + o, f64x2.sub(w, f64x2.mul(lr, bf)), one);
  } else st(W + o, f64x2.sub(w, f64x2.div(f64x2.mul(lr, g), den)), one);
}

/** args: W, G, S (square_avg), GA (grad_avg, 0 unless centred), B (momentum buffer, 0 without), n, H [lr, α, 1 − α, eps, weightDecay, momentum] */
export function rmsprop(a: usize, tid: i32, nth: i32): void {
  const W = <usize>arg(a, 0), G = <usize>arg(a, 1), S = <usize>arg(a, 2), GA = <usize>arg(a, 3), B = <usize>arg(a, 4), n = arg(a, 5), H = <usize>arg(a, 6);
  const lr = hp(H, 0), al = hp(H, 1), c = hp(H, 2), eps = hp(H, 3), wd = hp(H, 4), mu = hp(H, 5);
  const blocks = (n + BLOCK - 1) / BLOCK;
  for (let b = next(a); b < blocks; b = next(a)) {
    const i0 = b * BLOCK, i1 = min(n, i0 + BLOCK);
    let i = i0;
    for (; i + 2 <= i1; i += 2) rmspropAt(W, G, S, GA, B, <usize>i << 2, false, lr, al, c, eps, wd, mu);
    if (i < i1) rmspropAt(W, G, S, GA, B, <usize>i << 2, true, lr, al, c, eps, wd, mu);
  }
}
