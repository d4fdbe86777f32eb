// The training-step models of the bench, built from Receptive's layers exactly as
// torchvision builds them (bench/engines/torch.py builds the same on PyTorch).
// ResNet-18: torchvision.models.resnet18(num_classes) layer for layer: 7×7/2 stem with
// batch norm and ReLU, 3×3/2 max pooling, four stages of two BasicBlocks (a 1×1/2
// projection with batch norm where the shape changes), global average pooling, linear.
import { RNG, Tensor } from '../src/tensor/index.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from '../src/nn/index.js';
import { add } from '../src/ops/elementwise.js';
import { relu } from '../src/ops/activation.js';
import { noGrad } from '../src/autograd/index.js';
import { createModel } from '../src/models/index.js';

class BasicBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;
  constructor(cin: number, cout: number, stride: number, rng: RNG) {
    super();
    this.conv1 = new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 3, stride, padding: 1, bias: false, rng });
    this.bn1 = new BatchNorm2d({ numFeatures: cout });
    this.conv2 = new Conv2d({ inChannels: cout, outChannels: cout, kernelSize: 3, padding: 1, bias: false, rng });
    this.bn2 = new BatchNorm2d({ numFeatures: cout });
    this.downsample = stride !== 1 || cin !== cout
      ? new Sequential(new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 1, stride, bias: false, rng }), new BatchNorm2d({ numFeatures: cout }))
      : null;
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.call(this.conv2.call(relu(this.bn1.call(this.conv1.call(x)))));
    return relu(add(y, this.downsample ? this.downsample.call(x) : x));
  }
}

/** torchvision's resnet18 with `numClasses` outputs. */
export function resnet18(numClasses = 10, rng = new RNG(1)): Module {
  const layers: Module[] = [
    new Conv2d({ inChannels: 3, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false, rng }),
    new BatchNorm2d({ numFeatures: 64 }), new ReLU(), new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }),
  ];
  let cin = 64;
  for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    layers.push(new BasicBlock(cin, cout, stride, rng), new BasicBlock(cout, cout, 1, rng));
    cin = cout;
  }
  layers.push(new AdaptiveAvgPool2d({ outputSize: 1 }), new Flatten(), new Linear({ inFeatures: 512, outFeatures: numClasses, rng }));
  return new Sequential(...layers);
}

/**
 * The other training workloads, from the zoo's builders, as bench/engines/pytorch.py
 * builds them on PyTorch (SGD momentum 0.9, cross-entropy, train mode, 10 classes):
 * resnet20 (He et al.'s CIFAR ResNet-20, option A shortcuts) at 32×32, batch 32;
 * VGG-11 (config A) features at 32×32 with a 512 → 10 linear head, batch 32;
 * GoogLeNet (no auxiliary heads) at 32×32, batch 32.
 */
export function trainWorkload(what: 'resnet20train' | 'vgg11train' | 'googlenettrain'): { model: Module; B: number; size: number } {
  const rng = new RNG(1);
  if (what === 'resnet20train') return { model: createModel('resnet20', { numClasses: 10 }, rng), B: 32, size: 32 };
  if (what === 'googlenettrain') return { model: createModel('googlenet', { numClasses: 10, auxLogits: false }, rng), B: 32, size: 32 };
  const vgg = createModel('vgg11', { numClasses: 10 }, rng) as Module & { features: Module };
  return { model: new Sequential(vgg.features, new Flatten(), new Linear({ inFeatures: 512, outFeatures: 10, rng })), B: 32, size: 32 };
}

/** torchvision's ResNet-50 from the zoo, eval mode, batch 1 at 224×224 (batch norm as its own pass: not folded). */
export function resnet50Inference(): { run: (x: Tensor) => Tensor; x: Tensor } {
  const model = createModel('resnet50', { numClasses: 1000 }, new RNG(1));
  model.eval();
  const x = new Tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 12.9898) * 0.5), [1, 3, 224, 224]);
  return { run: (input) => noGrad(() => model.call(input) as Tensor), x };
}
