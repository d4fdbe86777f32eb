// The decks' backpropagation through a convolution, checked against autograd:
// δw is the correlation of the input with δ, δx the full convolution of δ with the kernel rotated 180°.
// Run: node --import tsx examples/backprop-by-hand.ts
import { tensor, conv2d, pad, gradcheck, randn, RNG, type Tensor } from 'receptive';

const x = tensor([[[[1, 2, 0], [0, 1, 3], [2, 1, 1]]]], { requiresGrad: true });
const w = tensor([[[[1, -1], [2, 0]]]], { requiresGrad: true });
const delta = tensor([[[[1, 2], [-1, 1]]]]); // δ = ∂L/∂z arriving from the layer above

const z = conv2d(x, w);
z.backward(delta);

// By hand, as on the slides.
const dw = conv2d(x, delta); // correlation of the input with δ
const rotated = tensor([[[[0, 2], [-1, 1]]]]); // w rotated by 180°
const dx = conv2d(pad(delta, [[1, 1], [1, 1]]), rotated); // full convolution of δ with the rotated kernel

console.log('dL/dw autograd', JSON.stringify(w.grad!.toArray()), 'by hand', JSON.stringify(dw.toArray()));
console.log('dL/dx autograd', JSON.stringify(x.grad!.toArray()), 'by hand', JSON.stringify(dx.toArray()));

// And numerically, in float64, on random data with stride and padding.
const rng = new RNG(1);
const a = randn([2, 3, 6, 6], { dtype: 'float64', rng, requiresGrad: true });
const k = randn([4, 3, 3, 3], { dtype: 'float64', rng, requiresGrad: true });
const check = gradcheck((a: Tensor, k: Tensor) => conv2d(a, k, { stride: 2, padding: 1 }), [a, k]);
console.log(`gradcheck: ok=${check.ok}, worst relative error ${check.maxRelError.toExponential(2)}`);
