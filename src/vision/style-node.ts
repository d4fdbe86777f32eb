/*
 * Loading the pretrained style networks from files (Node): the MobileNetV2 that the
 * nsfwjs package ships as a TF.js layers model, and VGG-19 with torchvision's
 * weights converted to safetensors (scripts/pth_to_safetensors.py).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReceptiveError } from '../tensor/index.js';
import { importTfjsLayers, type TfjsModelJSON } from '../io/tfjs/index.js';
import { parseSafetensors } from '../io/safetensors.js';
import { readFileChecked } from '../io/atomic.js';
import { Sequential } from '../nn/containers.js';
import { VGG } from '../models/vgg.js';
import { mobilenetStyleNetwork, vggStyleNetwork, type StyleNetwork } from './style-networks.js';

const require = createRequire(import.meta.url);

/** nsfwjs's MobileNetV2 (model.json and weights shipped as CommonJS modules), imported through importTfjsLayers. */
export function loadNsfwjsMobileNet(): StyleNetwork {
  let dir: string;
  try {
    dir = dirname(require.resolve('nsfwjs'));
  } catch {
    throw new ReceptiveError('the MobileNetV2 extractor reads the model shipped in the nsfwjs package, which is not installed: run `npm install nsfwjs`, or use --extractor random (no weights) or --extractor vgg19 --weights <file>');
  }
  while (!(existsSync(join(dir, 'package.json')) && (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'nsfwjs')) {
    if (dirname(dir) === dir) throw new ReceptiveError('cannot find the nsfwjs package folder');
    dir = dirname(dir);
  }
  const models = join(dir, 'dist/models/mobilenet_v2');
  const json = require(join(models, 'model.min.js')) as TfjsModelJSON;
  const weights = new Uint8Array(Buffer.from(require(join(models, 'group1-shard1of1.min.js')) as string, 'base64'));
  return mobilenetStyleNetwork(importTfjsLayers(json, weights));
}

/**
 * VGG-19 (`features` only: the classifier is not needed) with weights from a
 * safetensors file of torchvision's vgg19 state dict. Keys outside `features.`
 * are ignored; a missing or misshapen `features.` key is an error naming it.
 */
export function loadVgg19(weightsFile: string): StyleNetwork {
  const { tensors } = parseSafetensors(readFileChecked(weightsFile), weightsFile);
  const features = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('features.')));
  if (Object.keys(features).length === 0) {
    throw new ReceptiveError(`${weightsFile} has no features.* tensors (keys: ${Object.keys(tensors).slice(0, 6).join(', ')}…); expected torchvision's vgg19 state dict, converted with scripts/pth_to_safetensors.py`);
  }
  const vgg = new VGG({ config: 'E' });
  vgg.classifier = new Sequential();
  vgg.loadStateDict(features, { strict: true });
  return vggStyleNetwork(vgg);
}
