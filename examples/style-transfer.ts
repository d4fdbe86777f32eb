// Neural style transfer with the library API (what `receptive style` does), writing a panel
// content | style | result and the loss curves. Photos: Debian's python3-skimage data (CC0).
// Run: node --import tsx examples/style-transfer.ts [random|mobilenet] [steps=100] [content.png] [style.png] [out-prefix]
import { ready } from 'receptive';
import { readImage, writePng } from '../src/data/image-node.js';
import { resize } from '../src/data/image.js';
import { styleTransfer } from '../src/vision/style-transfer.js';
import { randomStyleNetwork } from '../src/vision/style-networks.js';
import { loadNsfwjsMobileNet } from '../src/vision/style-node.js';
import { styleLossChart } from '../src/vision/plot.js';
import { hconcat } from '../src/vision/draw.js';
import { tensorToRGBA } from '../src/data/image.js';

await ready();
const data = '/usr/lib/python3/dist-packages/skimage/data/';
const [which = 'random', stepsArg = '100', contentFile = data + 'astronaut.png', styleFile = data + 'ihc.png', out = 'style'] = process.argv.slice(2);
const side = 128;
const photo = readImage(contentFile);
const content = resize(photo, [side, Math.round((side * photo.shape[2]) / photo.shape[1])]);
const style = readImage(styleFile);
const net = which === 'mobilenet' ? loadNsfwjsMobileNet() : randomStyleNetwork({ seed: 0 });
const weights = { contentWeight: 1, styleWeight: 10, tvWeight: 10 };
const { image, history } = styleTransfer(content, style, {
  extractor: net.extractor, contentLayer: net.contentLayer, styleLayers: net.styleLayers, ...weights, steps: Number(stepsArg),
  log: console.log, onStep: (r) => r.step % 10 === 0 && console.log(`${r.step}: total ${r.total.toFixed(4)} content ${r.content.toFixed(4)} style ${r.style.toExponential(3)} tv ${r.tv.toExponential(3)} (${r.seconds.toFixed(0)} s)`),
});
const last = history[history.length - 1];
console.log(`${net.name}: total ${history[0].total.toFixed(4)} -> ${last.total.toFixed(4)}, style ${history[0].style.toFixed(4)} -> ${last.style.toFixed(4)}, content ${last.content.toFixed(4)}, ${last.seconds.toFixed(0)} s`);
const styleShown = resize(style, [content.shape[1], content.shape[2]]);
writePng(`${out}-${net.name}.png`, hconcat([content, styleShown, image].map((t) => { const r = tensorToRGBA(t); return { width: r.width, height: r.height, data: Uint8Array.from(r.data) }; }), 4));
writePng(`${out}-${net.name}-losses.png`, styleLossChart(history, weights, `weighted losses, ${net.name} network, Adam`));
