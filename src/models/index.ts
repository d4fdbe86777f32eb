export * from './lenet.js';
export * from './registry.js';
export { BasicBlock, Bottleneck, ResNet, type ResNetConfig, type ResNetBlock } from './resnet.js';
export { PreActBasicBlock, PreActBottleneck, PreActResNet, type PreActBlockConfig } from './preact-resnet.js';
export { CifarResNet, type CifarResNetConfig } from './cifar-resnet.js';
export { ZeroPadShortcut, type BlockConfig, type ResNetVersion, type ShortcutOption } from './resnet-common.js';
