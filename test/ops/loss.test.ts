import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, halfSumSquaredError, mseLoss, nllLoss } from '../../src/ops/loss.js';
import { logSoftmax, sigmoid } from '../../src/ops/activation.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const f64 = (v: number[] | number[][], requiresGrad = false) => tensor(v, { dtype: 'float64', requiresGrad });
const i32 = (v: number[] | number[][]) => tensor(v, { dtype: 'int32' });
const close = (a: Tensor, e: number | number[]) => assertClose(a, typeof e === 'number' ? [e] : e, { atol: 1e-12, rtol: 1e-12 });

// Logits [[1, 2, 3], [1, 1, 1]]: −log p of each class, computed from the definition.
const LSE0 = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
const NLL0 = [LSE0 - 1, LSE0 - 2, LSE0 - 3];
const NLL1 = [Math.log(3), Math.log(3), Math.log(3)];
const LOGITS = () => f64([[1, 2, 3], [1, 1, 1]]);

test('mseLoss and the decks\' J = ½Σ(a − y)² by hand', () => {
  const a = f64([1, 2, 3]);
  const y = f64([0, 2, 5]);
  close(mseLoss(a, y), 5 / 3);
  close(mseLoss(a, y, { reduction: 'sum' }), 5);
  close(mseLoss(a, y, { reduction: 'none' }), [1, 0, 4]);
  close(halfSumSquaredError(a, y), 2.5);
  // dJ/da = a − y, the decks' output-layer error term
  const a2 = f64([1, 2, 3], true);
  halfSumSquaredError(a2, y).backward();
  assert.deepEqual(a2.grad?.toFlatArray(), [1, 0, -2]);
  const rng = new RNG(1);
  assertGrad((p, q) => mseLoss(p, q), [randn([3, 4], { dtype: 'float64', rng, requiresGrad: true }), randn([3, 4], { dtype: 'float64', rng, requiresGrad: true })]);
  assertThrowsWith(() => mseLoss(a, f64([1, 2])), ShapeError, 'mseLoss', '[3]', 'got [2]');
  assertThrowsWith(() => mseLoss(a, y, { reduction: 'avg' as 'mean' }), ArgumentError, 'mseLoss', "'mean', 'sum' or 'none'", '"avg"');
});

test('crossEntropy with class indices: hand values for each reduction', () => {
  const t = i32([2, 0]);
  close(crossEntropy(LOGITS(), t), (NLL0[2] + NLL1[0]) / 2);
  close(crossEntropy(LOGITS(), t, { reduction: 'sum' }), NLL0[2] + NLL1[0]);
  close(crossEntropy(LOGITS(), t, { reduction: 'none' }), [NLL0[2], NLL1[0]]);
  // One unbatched sample [C] with a scalar target.
  close(crossEntropy(f64([1, 2, 3]), tensor(2, { dtype: 'int32' })), NLL0[2]);
});

test('crossEntropy gradient: (softmax − onehot)/N, and gradcheck with every option', () => {
  const x = f64([[1, 2, 3], [1, 1, 1]], true);
  crossEntropy(x, i32([2, 0])).backward();
  const p0 = [1, 2, 3].map((v) => Math.exp(v - LSE0));
  assertClose(x.grad!, [p0[0] / 2, p0[1] / 2, (p0[2] - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6], { atol: 1e-12 });
  const rng = new RNG(2);
  const logits = randn([4, 3, 2], { dtype: 'float64', rng, requiresGrad: true });
  const target = i32([[0, 2], [1, -100], [2, 2], [1, 0]]);
  const weight = f64([0.5, 2, 1]);
  assertGrad((l) => crossEntropy(l, target, { weight, labelSmoothing: 0.2, ignoreIndex: -100 }), [logits]);
  assertGrad((l) => crossEntropy(l, target, { reduction: 'none', labelSmoothing: 0.1 }), [logits]);
  const probs = f64([[0.2, 0.3, 0.5], [1, 0, 0]], true);
  assertGrad((l, p) => crossEntropy(l, p, { labelSmoothing: 0.1 }), [randn([2, 3], { dtype: 'float64', rng, requiresGrad: true }), probs]);
});

test('crossEntropy label smoothing: (1 − ε)·nll + ε·mean_c(−log p), PyTorch\'s definition', () => {
  const eps = 0.1;
  const mean = (v: number[]) => v.reduce((a, b) => a + b) / v.length;
  const per = [(1 - eps) * NLL0[2] + eps * mean(NLL0), (1 - eps) * NLL1[0] + eps * mean(NLL1)];
  close(crossEntropy(LOGITS(), i32([2, 0]), { labelSmoothing: eps, reduction: 'none' }), per);
  close(crossEntropy(LOGITS(), i32([2, 0]), { labelSmoothing: eps }), mean(per));
  // torch: F.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([2]), label_smoothing=0.1) = 0.5076
  // (the mean of −log p over classes exceeds the target's by exactly 1 here, so the loss is nll + 0.1).
  assertClose(crossEntropy(tensor([[1, 2, 3]]), i32([2]), { labelSmoothing: 0.1 }), [0.5076059644]);
});

test('crossEntropy with class weights and ignoreIndex: weighted mean divides by Σ w[y]', () => {
  const w = f64([1, 2, 3]);
  close(crossEntropy(LOGITS(), i32([2, 0]), { weight: w }), (3 * NLL0[2] + 1 * NLL1[0]) / 4);
  close(crossEntropy(LOGITS(), i32([2, 0]), { weight: w, reduction: 'none' }), [3 * NLL0[2], NLL1[0]]);
  close(crossEntropy(LOGITS(), i32([2, -100])), NLL0[2]);
  close(crossEntropy(LOGITS(), i32([2, 1]), { ignoreIndex: 1, reduction: 'none' }), [NLL0[2], 0]);
  // Weights and smoothing together (PyTorch: both terms normalised by Σ w[y]).
  const eps = 0.3;
  const smooth = (nll: number[]) => nll.reduce((s, v, c) => s + w.data[c] * v, 0);
  const expected = ((1 - eps) * (3 * NLL0[2] + NLL1[0]) + (eps / 3) * (smooth(NLL0) + smooth(NLL1))) / 4;
  close(crossEntropy(LOGITS(), i32([2, 0]), { weight: w, labelSmoothing: eps }), expected);
});

test('crossEntropy with probability targets and with spatial [N, C, d] inputs', () => {
  const probs = f64([[0, 0, 1], [1 / 3, 1 / 3, 1 / 3]]);
  close(crossEntropy(LOGITS(), probs), (NLL0[2] + Math.log(3)) / 2);
  const w = f64([1, 2, 3]);
  // With weights, the probability form's mean divides by N, not by the weights.
  close(crossEntropy(LOGITS(), probs, { weight: w }), (3 * NLL0[2] + (1 / 3) * (NLL1[0] * 6)) / 2);
  const eps = 0.2;
  const t0 = [eps / 3, eps / 3, 1 - eps + eps / 3];
  close(crossEntropy(LOGITS(), probs, { labelSmoothing: eps, reduction: 'none' }), [t0.reduce((s, t, c) => s + t * NLL0[c], 0), Math.log(3)]);
  // [N, C, d] = [1, 3, 2]: position 0 has logits 1, 2, 3 and position 1 has 1, 1, 1.
  const spatial = f64([[[1, 1], [2, 1], [3, 1]]] as unknown as number[][]);
  close(crossEntropy(spatial, i32([[2, 0]]), { reduction: 'none' }), [NLL0[2], NLL1[0]]);
});

test('nllLoss on log-probabilities matches −log p at the targets', () => {
  const lp = logSoftmax(LOGITS(), 1);
  close(nllLoss(lp, i32([1, 2])), (NLL0[1] + NLL1[2]) / 2);
  close(nllLoss(lp, i32([1, 2]), { weight: f64([1, 4, 2]) }), (4 * NLL0[1] + 2 * NLL1[2]) / 6);
  assertThrowsWith(() => nllLoss(lp, f64([1, 2])), DTypeError, 'nllLoss', 'int32', 'float64');
});

test('crossEntropy and nllLoss errors name the op, the expected and the received', () => {
  assertThrowsWith(() => crossEntropy(LOGITS(), i32([3, 0])), ArgumentError, 'crossEntropy', 'target class 3', '[0, 3)');
  assertThrowsWith(() => crossEntropy(LOGITS(), i32([-1, 0])), ArgumentError, 'crossEntropy', 'target class -1');
  assertThrowsWith(() => crossEntropy(LOGITS(), i32([1, 0, 2])), ShapeError, 'crossEntropy', 'target [2]', 'got [3]');
  assertThrowsWith(() => crossEntropy(LOGITS(), f64([0.5, 0.5])), DTypeError, 'crossEntropy', 'int32 class indices', 'probabilities of shape [2, 3]', 'got float64');
  assertThrowsWith(() => crossEntropy(LOGITS(), i32([1, 0]), { weight: f64([1, 2]) }), ShapeError, 'crossEntropy', 'weight [3]', 'got [2]');
  assertThrowsWith(() => crossEntropy(LOGITS(), i32([1, 0]), { labelSmoothing: 1.5 }), ArgumentError, 'labelSmoothing', '1.5');
  assertThrowsWith(() => crossEntropy(i32([[1, 2]]), i32([1])), DTypeError, 'crossEntropy', 'logits', 'int32');
  assertThrowsWith(() => nllLoss(f64([[0, 0]]), i32([5])), ArgumentError, 'nllLoss', 'target class 5', '[0, 2)');
});

test('binaryCrossEntropy: hand values, clamped logs, gradcheck', () => {
  const p = f64([0.8, 0.3]);
  const t = f64([1, 0]);
  close(binaryCrossEntropy(p, t), (-Math.log(0.8) - Math.log(0.7)) / 2);
  close(binaryCrossEntropy(p, t, { reduction: 'none', weight: f64([2, 1]) }), [-2 * Math.log(0.8), -Math.log(0.7)]);
  // log 0 is clamped at −100, as PyTorch does
  close(binaryCrossEntropy(f64([0, 1]), f64([1, 0]), { reduction: 'sum' }), 200);
  const rng = new RNG(3);
  const probs = new Tensor(Float64Array.from({ length: 6 }, () => 0.1 + 0.8 * rng.random()), [2, 3], true);
  const target = new Tensor(Float64Array.from({ length: 6 }, () => rng.random()), [2, 3], true);
  assertGrad((a, b) => binaryCrossEntropy(a, b), [probs, target]);
  assertThrowsWith(() => binaryCrossEntropy(f64([1.5]), f64([1])), ArgumentError, 'binaryCrossEntropy', '[0, 1]', '1.5');
});

test('binaryCrossEntropyWithLogits: stable for ±1000, posWeight, agrees with sigmoid + BCE', () => {
  close(binaryCrossEntropyWithLogits(f64([2, -1]), f64([1, 0]), { reduction: 'none' }), [Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-1))]);
  close(binaryCrossEntropyWithLogits(f64([1000, -1000]), f64([0, 1]), { reduction: 'none' }), [1000, 1000]);
  // posWeight multiplies the positive term: −[pw·t·log σ(x) + (1 − t)·log(1 − σ(x))]
  const x = f64([[0.5, -0.2]]);
  const t = f64([[1, 0.25]]);
  const pw = f64([3, 2]);
  const s = (v: number) => 1 / (1 + Math.exp(-v));
  const byHand = [-3 * Math.log(s(0.5)), -(2 * 0.25 * Math.log(s(-0.2)) + 0.75 * Math.log(1 - s(-0.2)))];
  close(binaryCrossEntropyWithLogits(x, t, { posWeight: pw, reduction: 'none' }), byHand);
  const rng = new RNG(4);
  const logits = randn([3, 2], { dtype: 'float64', rng, requiresGrad: true });
  const target = new Tensor(Float64Array.from({ length: 6 }, () => rng.random()), [3, 2], true);
  assertClose(binaryCrossEntropyWithLogits(logits, target), binaryCrossEntropy(sigmoid(logits), target), { atol: 1e-12 });
  assertGrad((a, b) => binaryCrossEntropyWithLogits(a, b, { posWeight: pw }), [logits, target]);
  assertThrowsWith(() => binaryCrossEntropyWithLogits(x, t, { posWeight: f64([1, 2, 3]) }), ShapeError, 'posWeight [2]', 'got [3]');
});

test('float labels of class-index shape are refused for their dtype, with the fix (issue 12 #18)', () => {
  const logits = tensor([[1, 2, 3], [0, 1, 0]]);
  assertThrowsWith(() => crossEntropy(logits, tensor([2, 0])), DTypeError, "crossEntropy: expected dtype int32 class indices for a target of shape [2]", "{ dtype: 'int32' }", 'got float32');
  assertThrowsWith(() => crossEntropy(logits, tensor([[1, 0]])), ShapeError, 'target of int32 class indices');
});
