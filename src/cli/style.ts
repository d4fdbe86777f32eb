/** `receptive style <content> <style>`: neural style transfer (Node-only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ArgumentError, type Tensor } from '../tensor/index.js';
import { readImage, encodePng } from '../data/image-node.js';
import { resize } from '../data/image.js';
import { styleTransfer, type StyleStep } from '../vision/style-transfer.js';
import { customStyleNetwork, randomStyleNetwork, type StyleNetwork } from '../vision/style-networks.js';
import { loadNsfwjsMobileNet, loadVgg19 } from '../vision/style-node.js';
import { styleLossChart } from '../vision/plot.js';
import { selectBackend } from './setup.js';

export interface StyleSettings {
  out: string;
  steps: number;
  size: number;
  extractor: 'random' | 'mobilenet' | 'vgg19';
  weights?: string;
  contentLayer?: string;
  styleLayers?: string;
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  optimizer: 'adam' | 'lbfgs';
  lr?: number;
  init: 'content' | 'noise';
  seed: number;
  losses?: string;
  curve?: string;
  logEvery: number;
}

function network(s: StyleSettings): StyleNetwork {
  if (s.weights && s.extractor !== 'vgg19') throw new ArgumentError('style', `--weights is for --extractor vgg19 (got --extractor ${s.extractor})`);
  let net: StyleNetwork;
  if (s.extractor === 'vgg19') {
    if (!s.weights) throw new ArgumentError('style', '--extractor vgg19 needs --weights <file.safetensors>: torchvision\'s vgg19 weights converted with scripts/pth_to_safetensors.py (see docs/applications.md)');
    net = loadVgg19(s.weights);
  } else if (s.extractor === 'mobilenet') net = loadNsfwjsMobileNet();
  else net = randomStyleNetwork({ seed: s.seed });
  if (!s.contentLayer && !s.styleLayers) return net;
  const styleLayers = s.styleLayers ? s.styleLayers.split(',').map((l) => l.trim()).filter(Boolean) : net.styleLayers;
  const { preprocess, relu } = net.extractor.opts;
  return customStyleNetwork(net.extractor.model, s.contentLayer ?? net.contentLayer, styleLayers, { preprocess, relu });
}

/** Resize so that the longer side is `size` (a content photo larger than that), keeping the aspect ratio. */
function fit(x: Tensor, size: number): Tensor {
  const [, h, w] = x.shape;
  if (Math.max(h, w) <= size) return x;
  const k = size / Math.max(h, w);
  return resize(x, [Math.max(1, Math.round(h * k)), Math.max(1, Math.round(w * k))]);
}

export function runStyle(contentFile: string, styleFile: string, s: StyleSettings, log: (line: string) => void): StyleStep[] {
  const content = fit(readImage(contentFile), s.size);
  const style = readImage(styleFile);
  const net = network(s);
  log(`style transfer: ${net.name} network, content ${net.contentLayer}, style ${net.styleLayers.join(' ')}; ${content.shape[2]}×${content.shape[1]} px, ${s.steps} ${s.optimizer === 'adam' ? 'Adam steps' : 'L-BFGS evaluations'}`);
  const every = s.logEvery;
  const { image, history } = styleTransfer(content, style, {
    extractor: net.extractor, contentLayer: net.contentLayer, styleLayers: net.styleLayers,
    contentWeight: s.contentWeight, styleWeight: s.styleWeight, tvWeight: s.tvWeight,
    steps: s.steps, optimizer: s.optimizer, lr: s.lr, init: s.init, seed: s.seed, log,
    onStep: (r) => {
      if (r.step % every === 0 || r.step === s.steps - 1) log(`${r.step}: total ${r.total.toFixed(4)} = content ${r.content.toFixed(4)} × ${s.contentWeight} + style ${r.style.toExponential(3)} × ${s.styleWeight} + tv ${r.tv.toExponential(3)} × ${s.tvWeight} (${r.seconds.toFixed(1)} s)`);
    },
  });
  const write = (file: string, bytes: Uint8Array | string) => {
    mkdirSync(dirname(file) || '.', { recursive: true });
    writeFileSync(file, bytes);
  };
  write(s.out, encodePng(image));
  if (s.losses) write(s.losses, JSON.stringify({ content: contentFile, style: styleFile, settings: s, network: { name: net.name, contentLayer: net.contentLayer, styleLayers: net.styleLayers }, history }, null, 1) + '\n');
  if (s.curve) write(s.curve, encodePng(styleLossChart(history, s, `weighted losses, ${net.name}, ${s.optimizer}`, s.optimizer === 'adam' ? 'step' : 'evaluation')));
  const last = history[history.length - 1];
  log(`wrote ${s.out}: total loss ${history[0].total.toFixed(4)} -> ${last.total.toFixed(4)} in ${history.length} iterations, ${last.seconds.toFixed(1)} s`);
  return history;
}

const number = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number >= ${min}`);
  return n;
};
const integer = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  return n;
};

export function registerStyleCommand(program: Command): void {
  program.command('style').description('neural style transfer (Gatys et al.): repaint <content> with the textures of <style>')
    .argument('<content>', 'content photo (PNG or JPEG)').argument('<style>', 'style image (PNG or JPEG; resized to the content\'s size, with a note)')
    .option('--out <png>', 'the stylised image', 'style.png')
    .option('--steps <n>', 'Adam steps, or L-BFGS function evaluations', integer('--steps', 1), 200)
    .option('--size <px>', 'shrink the content photo to this longer side', integer('--size', 16), 160)
    .addOption(new Option('--extractor <name>', 'feature network: random (random multi-scale filters, no weights), mobilenet (nsfwjs\'s ImageNet-initialised MobileNetV2), vgg19 (needs --weights)').choices(['random', 'mobilenet', 'vgg19']).default('mobilenet'))
    .option('--weights <file>', 'vgg19 weights: torchvision\'s state dict as safetensors')
    .option('--content-layer <path>', 'module path of the content layer (default: the network\'s usual one)')
    .option('--style-layers <paths>', 'comma-separated module paths of the style layers')
    .option('--content-weight <w>', 'weight of the content loss', number('--content-weight', 0), 1)
    .option('--style-weight <w>', 'weight of the style loss (each loss is relative to its target\'s size)', number('--style-weight', 0), 10)
    .option('--tv-weight <w>', 'weight of the total-variation loss', number('--tv-weight', 0), 10)
    .addOption(new Option('--optimizer <name>', 'optimiser of the pixels').choices(['adam', 'lbfgs']).default('adam'))
    .option('--lr <rate>', 'learning rate (Adam default 0.02, L-BFGS step 1)', number('--lr', 0))
    .addOption(new Option('--init <from>', 'start from the content photo or from noise').choices(['content', 'noise']).default('content'))
    .option('--seed <n>', 'seed (random network, noise start)', integer('--seed', 0), 0)
    .option('--losses <file.json>', 'write the losses at every iteration')
    .option('--curve <png>', 'draw the loss curves')
    .option('--log-every <n>', 'print the losses every n iterations', integer('--log-every', 1), 20)
    .addOption(new Option('--backend <name>', 'compute backend: auto, wasm or reference').default('auto'))
    .option('--threads <n>', 'worker threads for the wasm backend', integer('--threads', 1))
    .action(async (content: string, style: string, o: StyleSettings & { backend: string; threads?: number }) => {
      await selectBackend(o.backend, o.threads);
      const { backend: _b, threads: _t, ...settings } = o;
      runStyle(content, style, settings, (l) => console.log(l));
    });
}
