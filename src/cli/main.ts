#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ReceptiveError } from '../tensor/index.js';
import { listModels } from '../models/index.js';
import { fsError } from '../io/atomic.js';
import { formatReport, runTrain, TRAIN_DEFAULTS, type TrainSettings } from './train.js';
import { runEval, runPredict, runSummary } from './commands.js';
import { runExport } from './export.js';
import { DATASETS, isModelFile, selectBackend } from './setup.js';
import { predictTask, runTaskTrain } from './tasks.js';
import { RESTORE_TERMINAL } from './progress.js';
import { formatListing, listZoo } from './zoo-input.js';

// src/cli/main.ts and dist/cli/main.js both sit two levels below the package root.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
import { registerStyleCommand } from './style.js';
import { registerVisionCommands, runVisionTrain, withVisionTrainOptions } from './vision.js';

const int = (name: string, min = 0) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a finite number > 0`);
  return n;
};
const range = (name: string, lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n >= hi) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi})`);
  return n;
};
const nonNegative = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a finite number >= 0`);
  return n;
};
const modelName = (v: string) => {
  if (!listModels().includes(v) && !isModelFile(v)) throw new InvalidArgumentError(`"${v}" is neither a model (${listModels().join(', ')}) nor a module file (./my-model.js)`);
  return v;
};
const shape = (v: string) => {
  const s = v.split(/[x,]/).map(Number);
  if (s.some((d) => !Number.isInteger(d) || d < 1)) throw new InvalidArgumentError('input shape must look like 1x1x28x28');
  return s;
};

const program = new Command();
program
  .name('receptive')
  .description('Convolutional neural networks in TypeScript: train, evaluate and inspect CNNs.')
  .version(VERSION, '-V, --version', 'print the version')
  // Usage errors read like every other error: one line, then exit 1.
  .configureOutput({ outputError: (str, write) => write(`receptive: ${str.trim().replace(/^error: /, '')} (see --help)\n`) })
  .exitOverride((err) => process.exit(err.exitCode));

const backendOption = () => new Option('--backend <name>', 'compute backend: auto (wasm where available), wasm or reference').default('auto');
const threadsOption = () => new Option('--threads <n>', 'worker threads for the wasm backend (default: all cores)').argParser(int('--threads', 1));

// Vision tasks on digit scenes (src/cli/vision.ts) add --task, --arch, --scene-size, --scenes, --test-scenes, --width.
withVisionTrainOptions(program.command('train'))
  .description('train a model (default: LeNet-5 on MNIST) and report test accuracy')
  .addOption(new Option('--model <name|file>', `model to train: ${listModels().join(', ')}, or a module file exporting a builder (./my-model.js). Zoo models are built with numClasses 10 and, where they take RGB, inChannels 1 (recorded in the checkpoint); a model that needs more than 28x28 gets the digits zero-padded (to 32: CIFAR ResNets, VGG) or resized (AlexNet: 63)`).argParser(modelName).default(TRAIN_DEFAULTS.model))
  .addOption(new Option('--variant <v>', 'LeNet-5 form: modern (ReLU, max pool) or classic (tanh, avg pool)').choices(['modern', 'classic']).default(TRAIN_DEFAULTS.variant))
  .addOption(new Option('--dataset <name>', 'dataset').choices([...DATASETS]).default(TRAIN_DEFAULTS.dataset))
  .option('--data-dir <dir>', 'directory with the four IDX files (default: the embedded MNIST)')
  .option('--epochs <n>', 'epochs', int('--epochs', 1), TRAIN_DEFAULTS.epochs)
  .option('--batch-size <n>', 'batch size', int('--batch-size', 1), TRAIN_DEFAULTS.batchSize)
  .addOption(new Option('--optimizer <name>', 'optimiser').choices(['adam', 'adamw', 'sgd', 'rmsprop']).default(TRAIN_DEFAULTS.optimizer))
  .option('--lr <rate>', 'learning rate', num('--lr'), TRAIN_DEFAULTS.lr)
  .option('--momentum <m>', 'SGD momentum, in [0, 1)', range('--momentum', 0, 1), TRAIN_DEFAULTS.momentum)
  .option('--weight-decay <wd>', 'weight decay', nonNegative('--weight-decay'), TRAIN_DEFAULTS.weightDecay)
  .option('--accumulate-steps <n>', 'add the gradients of n batches per optimiser step (effective batch n × batch size)', int('--accumulate-steps', 1), TRAIN_DEFAULTS.accumulateSteps)
  .addOption(new Option('--schedule <name>', 'learning-rate schedule (per step)').choices(['none', 'cosine', 'onecycle', 'step']).default(TRAIN_DEFAULTS.schedule))
  .option('--seed <n>', 'random seed', int('--seed'), TRAIN_DEFAULTS.seed)
  .option('--limit <n>', 'train on the first n images only', int('--limit', 1))
  .option('--test-limit <n>', 'evaluate on the first n test images only', int('--test-limit', 1))
  .addOption(new Option('--augment <kind>', 'training augmentation: none, or shift (random shifts up to 2 px)').choices(['none', 'shift']).default(TRAIN_DEFAULTS.augment))
  .option('--val-size <n>', 'hold out n training images for validation each epoch', int('--val-size'), TRAIN_DEFAULTS.valSize)
  .option('--patience <n>', 'early stopping patience in epochs (needs --val-size)', int('--patience'))
  .option('--max-steps <n>', 'stop after n optimiser steps in total', int('--max-steps', 1))
  .option('--out <dir>', 'output directory for checkpoints', TRAIN_DEFAULTS.out)
  .option('--checkpoint-every <n>', 'also save every n steps (always at each epoch end)', int('--checkpoint-every'), TRAIN_DEFAULTS.checkpointEvery)
  .option('--resume <checkpoint>', 'continue a run from its checkpoint with its saved settings (only --epochs, --max-steps, --out, --checkpoint-every, --eval-each-epoch, --test-limit, --data-dir, --log, --log-every may change)')
  .option('--log <file>', 'metrics log: JSON lines, or CSV for a .csv name (a record every --log-every steps and per epoch)')
  .option('--log-every <n>', 'steps between metrics-log records', int('--log-every', 1), TRAIN_DEFAULTS.logEvery)
  .option('--no-progress', 'plain log lines instead of a progress bar')
  .option('--eval-each-epoch', 'evaluate on the test set after every epoch (accuracy and time elapsed)')
  .option('--data <path>', 'speech: a corpus directory (manifest.json or train|test/<class>/*.wav); text: a JSONL file')
  .option('--speech-copies <n>', 'speech: extra training copies of each clip, pitch-shifted (±--semitones) and speed-changed (±10%)', int('--speech-copies'), 0)
  .option('--semitones <s>', 'speech: largest pitch shift of the extra copies', nonNegative('--semitones'), 2)
  .option('--time-warp <frames>', 'speech: SpecAugment time warp of up to this many frames (0: off)', int('--time-warp'), 0)
  .addOption(backendOption())
  .addOption(threadsOption())
  .action(async (o) => {
    const backend = await selectBackend(o.backend, o.threads);
    if (o.task === 'speech' || o.task === 'text') return void console.log(runTaskTrain(o, (k) => program.commands[0].getOptionValueSource(k) === 'default', (s) => console.log(s)));
    if (o.task !== 'classify') {
      console.log(`receptive train --task ${o.task}: ${o.dataset} scenes, backend ${backend}`);
      return console.log(runVisionTrain({ ...o, steps: o.maxSteps ?? 500, trainScenes: o.scenes, testScenes: o.testScenes, sceneSize: o.sceneSize }, (s) => console.log(s)));
    }
    const interactive = o.progress !== false && Boolean(process.stdout.isTTY);
    const given: Partial<TrainSettings> = {
      model: o.model, variant: o.variant, dataset: o.dataset, dataDir: o.dataDir, epochs: o.epochs, batchSize: o.batchSize,
      optimizer: o.optimizer, lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay, schedule: o.schedule, seed: o.seed,
      limit: o.limit, testLimit: o.testLimit, augment: o.augment, valSize: o.valSize, patience: o.patience, maxSteps: o.maxSteps, out: o.out,
      checkpointEvery: o.checkpointEvery, resume: o.resume, evalEachEpoch: o.evalEachEpoch, accumulateSteps: o.accumulateSteps,
      log: o.log, logEvery: o.logEvery,
    };
    // When resuming, options left at their defaults must not override the checkpoint's own settings.
    if (o.resume) for (const k of Object.keys(given) as (keyof TrainSettings)[]) if (program.commands[0].getOptionValueSource(k) === 'default') delete given[k];
    // Ctrl-C: stop after the current step, save the checkpoint, restore the terminal, exit 130. A second one exits at once.
    const abort = new AbortController();
    let terminal = { restoreTerminal() {} };
    const onSigint = () => {
      terminal.restoreTerminal();
      if (abort.signal.aborted) {
        process.stderr.write(RESTORE_TERMINAL);
        process.exit(130);
      }
      console.error('receptive: interrupted: saving the checkpoint after this step (Ctrl-C again to quit without saving)');
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const report = await runTrain(given, {
        interactive, backend, log: (s) => console.log(s), warn: (s) => console.error(`receptive: warning: ${s}`), signal: abort.signal,
        onProgress: (p) => (terminal = p),
      });
      console.log(formatReport(report));
      if (report.interrupted) process.exitCode = 130;
    } finally {
      process.off('SIGINT', onSigint);
      terminal.restoreTerminal();
    }
  });

program
  .command('eval')
  .description("evaluate a checkpoint on its dataset's test set (the one recorded in the checkpoint)")
  .argument('<checkpoint>', 'a .safetensors checkpoint written by train')
  .addOption(new Option('--dataset <name>', 'the dataset the checkpoint was trained on (default: as recorded; another is refused)').choices([...DATASETS]))
  .option('--data-dir <dir>', 'directory with the IDX files (default: as recorded)')
  .option('--limit <n>', 'first n test images only', int('--limit', 1))
  .addOption(backendOption())
  .addOption(threadsOption())
  .action(async (ckpt, o) => {
    await selectBackend(o.backend, o.threads);
    console.log(await runEval(ckpt, { dataset: o.dataset, dataDir: o.dataDir, limit: o.limit }));
  });

program
  .command('predict')
  .description('class probabilities for PNG/JPEG images or test samples of the checkpoint\'s dataset (mnist:<index>, fashion-mnist:<index>)')
  .argument('<checkpoint>', 'a .safetensors checkpoint written by train')
  .argument('[inputs...]', 'image files, <dataset>:<index>, or .wav files for a speech checkpoint')
  .option('--text <text>', 'text to classify with a text checkpoint')
  .addOption(new Option('--dataset <name>', 'the dataset the checkpoint was trained on (default: as recorded; another is refused)').choices([...DATASETS]))
  .option('--data-dir <dir>', 'directory with the IDX files (default: as recorded)')
  .addOption(backendOption())
  .action(async (ckpt, inputs, o) => {
    await selectBackend(o.backend);
    const task = predictTask(ckpt, inputs, o.text);
    if (task !== null) return void console.log(task);
    const r = await runPredict(ckpt, inputs, { dataset: o.dataset, dataDir: o.dataDir });
    if (r.lines.length) console.log(r.lines.join('\n'));
    for (const w of r.warnings) console.error(`receptive: ${w}`);
    for (const e of r.errors) console.error(`receptive: ${e}`);
    if (r.errors.length) process.exitCode = 1;
  });

program
  .command('export')
  .description('write a checkpoint\'s model as an ONNX file (eval-mode graph; weights named by their state-dict paths)')
  .argument('<checkpoint>', 'a .safetensors checkpoint written by train')
  .requiredOption('--out <file>', 'the .onnx file to write')
  .addOption(new Option('--format <format>', 'output format').choices(['onnx']).default('onnx'))
  .option('--input <shape>', 'sample input shape NxCxHxW (default: the model\'s registered input)', shape)
  .option('--opset <n>', 'ONNX opset, 13 to 17', int('--opset', 13))
  .option('--static-batch', 'fix the batch size to the sample\'s (default: any batch)')
  .action(async (ckpt, o) => {
    console.log(await runExport(ckpt, { format: o.format, out: o.out, input: o.input, opset: o.opset, dynamicBatch: !o.staticBatch }));
  });

program
  .command('models')
  .description('every registered model with its parameters and MACs at its default input (one forward pass each: the big ones take a while)')
  .argument('[names...]', 'only these models')
  .addOption(backendOption())
  .action(async (names: string[], o) => {
    await selectBackend(o.backend);
    for (const row of listZoo(names.length ? names : undefined)) console.log(formatListing(row));
  });

program
  .command('summary')
  .description('layer table of a model: output shapes, parameters, memory')
  .argument('<model>', `one of: ${listModels().join(', ')}`)
  .option('--input <shape>', 'input shape, e.g. 1x1x28x28, or CxHxW for one image (3x224x224)', shape)
  .action((name, o) => {
    console.log(runSummary(name, o.input));
  });

// Understanding CNNs (issue 13): hand-crafted filters and views inside a checkpoint.
program
  .command('filter')
  .description('apply a hand-crafted filter (sobelX, robinsonSW, gaussian, hog, all, ...) to an image and write a PNG')
  .argument('<image>', 'a PNG or JPEG file')
  .requiredOption('--kernel <name>', 'edge, blur, sobelX, sobelY, gradientMagnitude, prewittX, prewittY, laplacian4, laplacian8, gaussian, sharpen, robinsonN..NW, kirschN..NW, hog, or all')
  .option('--sigma <s>', 'Gaussian sigma', num('--sigma'), 1)
  .requiredOption('--out <file>', 'output PNG')
  .action(async (image, o) => {
    const { runFilter } = await import('./filter.js');
    console.log(runFilter(image, { kernel: o.kernel, out: o.out, sigma: o.sigma }));
  });
program
  .command('explain')
  .description('feature maps, Grad-CAM, occlusion, saliency or deconvnet view of a checkpoint for one image, as a PNG')
  .argument('<checkpoint>', 'a .safetensors checkpoint written by train')
  .argument('<image>', 'an image file, or mnist:<index>')
  .addOption(new Option('--method <m>', 'what to show').choices(['featuremaps', 'gradcam', 'occlusion', 'saliency', 'deconvnet']).default('gradcam'))
  .option('--layer <path>', 'module path (see `receptive summary`), e.g. features.3')
  .option('--target <class>', 'class to explain (default: the predicted one)', int('--target'))
  .option('--window <n>', 'occlusion square side in pixels', int('--window', 1))
  .requiredOption('--out <file>', 'output PNG')
  .option('--data-dir <dir>', 'directory with the IDX files (for mnist:<index>)')
  .addOption(backendOption())
  .action(async (ckpt, image, o) => {
    await selectBackend(o.backend);
    const { runExplain } = await import('./explain.js');
    console.log(await runExplain(ckpt, image, { method: o.method, out: o.out, layer: o.layer, target: o.target, window: o.window, dataDir: o.dataDir }));
  });

program
  .command('report')
  .description('one self-contained HTML page about a checkpoint: summary, curves, accuracy, kernels, feature maps, top-9 patches, Grad-CAM and occlusion')
  .argument('<checkpoint>', 'a .safetensors checkpoint written by train')
  .option('--out <file|dir>', 'the .html file, or a directory for report.html (default: report.html beside the checkpoint)')
  .option('--log <file>', 'metrics log for the curves (default: the one the run recorded with --log)')
  .option('--data-dir <dir>', 'directory with the IDX files (default: as recorded)')
  .option('--limit <n>', 'test images for accuracy and top-9 patches', int('--limit', 1), 1000)
  .option('--samples <n>', 'test images explained by Grad-CAM and occlusion', int('--samples', 1), 4)
  .addOption(backendOption())
  .action(async (ckpt, o) => {
    await selectBackend(o.backend);
    const { runReport } = await import('./report.js');
    console.log(await runReport(ckpt, { out: o.out, log: o.log, dataDir: o.dataDir, limit: o.limit, samples: o.samples }));
  });

// receptive lab: serve the browser lab (see src/cli/lab.ts).
program
  .command('lab')
  .description('serve the browser lab (draw, train, watch every layer) on 127.0.0.1; build it first with npm run build:lab')
  .option('--port <n>', 'port (0: any free port)', int('--port'), 8357)
  .option('--host <addr>', 'address to bind (default loopback only)', '127.0.0.1')
  .option('--dir <dir>', 'the lab build to serve (default: dist/lab)')
  .option('--no-isolate', 'omit the COOP/COEP headers (the page then runs single-threaded)')
  .option('--open', 'open the page in the default browser')
  .action(async (o) => {
    const { startLabServer, openBrowser } = await import('./lab.js');
    const { url, dir } = await startLabServer({ port: o.port, host: o.host, dir: o.dir, isolate: o.isolate });
    console.log(`receptive lab: serving ${dir} at ${url}${o.isolate ? '' : ' (not cross-origin isolated: one thread)'}; Ctrl-C stops`);
    if (o.open) openBrowser(url);
  });

registerVisionCommands(program);
registerStyleCommand(program);

try {
  await program.parseAsync(process.argv);
  // Worker threads of the wasm backend must not keep the process alive.
  process.exitCode ??= 0;
} catch (e) {
  if (e instanceof ReceptiveError) {
    console.error(`receptive: ${e.message}`);
    process.exit(1);
  }
  // A file-system error that escaped the library's own mapping: still one line naming the path.
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && typeof err.path === 'string') {
    console.error(`receptive: ${fsError(e, err.path, 'open').message}`);
    process.exit(1);
  }
  throw e;
}
