#!/usr/bin/env node
// npm run bench: one process per engine and workload; writes bench/results/<date>.md
// (table) and <date>.json (raw numbers). The engines of one workload run in lockstep
// (runLockstep below): their processes start together and take turns on the
// machine, so every engine's timed calls spread over the same minutes.
// Options: --quick (fewer engines: no tfjs-cpu), --only=conv,resnet224,resnet32,resnet50,lenet,resnet18train,resnet20train,vgg11train,googlenettrain,train99
// (resnet50, resnet20train, vgg11train, googlenettrain: Receptive and PyTorch only; not in the default set)
// (conv runs one process per case and engine, for a peak RSS per case; train99 runs the
// built CLI, dist/cli/main.js, so `npm run build` first),
// --rounds=N (run the whole sequence N times and report per case the median over
// rounds: this machine is shared and noisy), --peers=tfjs,ort,torch (which peer engines run;
// default all), --before=DIR (also run Receptive from another checkout, e.g. the code
// before a change with this bench/ copied in, as 'receptive-wasm N thr (before)', in the
// same lockstep groups). PyTorch (bench/engines/pytorch.py) runs with /usr/bin/python3
// (Debian's python3-torch and python3-torchvision) and is skipped, saying so, without them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { CONV_CASES, convFlops, resnetFlops } from './common.mjs';
import { TURN_MS } from './lockstep.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = (args.find((a) => a.startsWith('--only='))?.slice(7) ?? 'conv,resnet224,resnet32,lenet,resnet18train,train99').split(',');
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 1);
const peerSet = (args.find((a) => a.startsWith('--peers='))?.slice(8) ?? 'tfjs,ort,torch').split(',');
const before = args.find((a) => a.startsWith('--before='))?.slice(9);
const PYTHON = '/usr/bin/python3';
const torchCheck = peerSet.includes('torch') ? spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }) : null;
const hasTorch = torchCheck?.status === 0;
if (torchCheck && !hasTorch) console.log(`bench: PyTorch peer skipped: ${PYTHON} cannot import torch and torchvision (${(torchCheck.error?.message ?? torchCheck.stderr ?? '').trim().split('\n').pop()}); install Debian's python3-torch and python3-torchvision`);
// Workloads each peer runs; TORCH_ONLY: not built for tfjs and ORT.
const TORCH_ONLY = ['resnet20train', 'vgg11train', 'googlenettrain', 'resnet50'];
const TORCH_W = ['lenet', 'resnet18train', 'resnet224', 'resnet32', ...TORCH_ONLY];

if ((peerSet.includes('tfjs') || peerSet.includes('ort')) && !existsSync(join(here, 'node_modules', '@tensorflow', 'tfjs'))) {
  console.log('bench: installing the peer engines (npm ci --prefix bench)');
  const r = spawnSync('npm', ['ci', '--prefix', here], { stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tsx = ['--conditions=source', '--import', 'tsx'];
const jobs = [];
// Each conv case runs in its own process per engine ('conv:b'), so that peak RSS is per case.
for (const w of only.flatMap((w) => (w === 'conv' ? Object.keys(CONV_CASES).map((c) => `conv:${c}`) : [w]))) {
  if (w === 'train99') {
    // `receptive train` as shipped: its default thread count (all cores), then one thread.
    for (const t of [[], ['1']]) jobs.push({ w, cmd: [join(here, 'engines', 'train99.mjs'), ...t] });
    continue;
  }
  for (const t of ['1', '2']) jobs.push({ w, cmd: [...tsx, join(here, 'engines', 'receptive.ts'), w, t] });
  if (before) for (const t of ['1', '2']) jobs.push({ w, cmd: [...tsx, join(before, 'bench', 'engines', 'receptive.ts'), w, t], env: { BENCH_TAG: '(before)' } });
  if (hasTorch && TORCH_W.includes(w)) for (const t of ['1', '2']) jobs.push({ w, exe: PYTHON, cmd: [join(here, 'engines', 'pytorch.py'), t, w] });
  if (w === 'resnet18train' || TORCH_ONLY.includes(w)) continue; // tfjs and ORT: not built for them
  if (peerSet.includes('tfjs')) {
    jobs.push({ w, cmd: [join(here, 'engines', 'tfjs.mjs'), 'wasm', w] });
    if (!quick && w !== 'resnet224') jobs.push({ w, cmd: [join(here, 'engines', 'tfjs.mjs'), 'cpu', w] });
  }
  if (w === 'lenet') continue; // no training in the onnxruntime-node build
  if (peerSet.includes('ort')) for (const t of ['1', '2']) jobs.push({ w, cmd: [join(here, 'engines', 'ort.mjs'), t, w] });
}

/*
 * One workload's engines run in lockstep (bench/lockstep.mjs): all their processes
 * start together, and only one computes at a time; each gives the machine back
 * after a turn of about TURN_MS of timed calls (or after its start-up), and the
 * next waiting process, round-robin, gets it. A slow moment of the machine then
 * falls on every engine of the comparison. Resolves with each job's stdout/stderr.
 */
function runLockstep(group) {
  return new Promise((resolve) => {
    let running = null;
    let next = 0;
    const kids = group.map((j) => {
      // Node engines wait for their first turn in lockstep-gate.mjs; pytorch.py does it itself.
      const argv = j.exe ? j.cmd : ['--import', join(here, 'lockstep-gate.mjs'), ...j.cmd];
      const child = spawn(j.exe ?? process.execPath, argv, {
        cwd: root, env: { ...process.env, ...j.env, BENCH_LOCKSTEP: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      const k = { j, child, stdout: '', stderr: '', state: 'starting', status: null, busyMs: 0, since: 0 };
      let line = '';
      const release = () => {
        if (running !== k) return;
        k.busyMs += Date.now() - k.since;
        running = null;
      };
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d) => {
        k.stdout += d;
        line += d;
        for (let i; (i = line.indexOf('\n')) >= 0; line = line.slice(i + 1)) {
          if (line.slice(0, i) !== 'LOCKSTEP wait') continue;
          release();
          k.state = 'waiting';
          schedule();
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d) => { k.stderr += d; });
      child.stdin.on('error', () => {}); // a child that died before its turn
      child.on('close', (status) => {
        release();
        k.state = 'done';
        k.status = status;
        schedule();
      });
      return k;
    });
    const timer = setTimeout(() => kids.forEach((k) => k.child.kill()), 900_000 * group.length);
    function schedule() {
      if (running || kids.some((k) => k.state === 'starting')) return; // all started before the first turn
      for (let n = 0; n < kids.length; n++) {
        const k = kids[(next + n) % kids.length];
        if (k.state !== 'waiting') continue;
        next = (next + n + 1) % kids.length;
        running = k;
        k.state = 'running';
        k.since = Date.now();
        k.child.stdin.write('go\n');
        return;
      }
      if (kids.every((k) => k.state === 'done')) {
        clearTimeout(timer);
        resolve(kids);
      }
    }
  });
}

const label = (j) => (j.env?.BENCH_TAG ? j.env.BENCH_TAG + ' ' : '') + j.cmd.slice(j.cmd.findIndex((c) => c.includes('engines'))).map((c) => c.replace(here + '/', '')).join(' ');
function collect(j, round, stdout, stderr, status, seconds) {
  const line = (stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    console.log(`bench: ${label(j)} failed (${status})\n${(stderr ?? '').slice(-2000)}`);
    return;
  }
  const res = JSON.parse(line.slice(7));
  res.workload = j.w;
  res.round = round;
  raw.push(res);
  console.log(`bench${rounds > 1 ? ` [round ${round}/${rounds}]` : ''}: ${label(j)}: ${seconds.toFixed(1)} s, peak RSS ${res.rssMB.toFixed(0)} MB`);
}

const raw = [];
const workloads = [...new Set(jobs.map((j) => j.w))];
for (let round = 1; round <= rounds; round++) {
  for (const w of workloads) {
    const group = jobs.filter((j) => j.w === w);
    if (w === 'train99') {
      // One engine (the CLI), each run minutes long: run one after the other.
      for (const j of group) {
        const t = Date.now();
        const r = spawnSync(process.execPath, j.cmd, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 900_000 });
        collect(j, round, r.stdout, r.stderr, r.status, (Date.now() - t) / 1000);
      }
      continue;
    }
    console.log(`bench${rounds > 1 ? ` [round ${round}/${rounds}]` : ''}: ${w}, ${group.length} engines in lockstep ...`);
    for (const k of await runLockstep(group)) collect(k.j, round, k.stdout, k.stderr, k.status, k.busyMs / 1000);
  }
}

/** Per case, the median over rounds of each round's median (and the best minimum); the largest peak RSS. */
function merge(list) {
  const first = list[0];
  if (first && typeof first === 'object' && 'ms' in first) {
    const ms = list.map((x) => x.ms).sort((p, q) => p - q);
    return { ...first, ms: ms[ms.length >> 1], min: Math.min(...list.map((x) => x.min)), rounds: list.length, msPerRound: list.map((x) => x.ms) };
  }
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const o = {};
    for (const k of Object.keys(first)) o[k] = merge(list.map((x) => x?.[k]).filter((x) => x !== undefined));
    return o;
  }
  return first;
}
const all = [];
for (const key of [...new Set(raw.map((r) => `${r.engine}|${r.workload}`))]) {
  const runs = raw.filter((r) => `${r.engine}|${r.workload}` === key);
  all.push({ ...merge(runs), rssMB: Math.max(...runs.map((r) => r.rssMB)), rounds: runs.length });
}

// ------------------------------------------------------------------ report
const f1 = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const get = (engine, w) => all.find((r) => r.engine === engine && r.workload === w);
// The engine columns of the kernel and model tables; train99 rows (the CLI) have their own table.
const engines = [...new Set(all.filter((r) => r.workload !== 'train99').map((r) => r.engine))];
const peers = engines.filter((e) => !e.startsWith('receptive'));
const ours = engines.filter((e) => e.startsWith('receptive'));
const date = new Date().toISOString().slice(0, 10);
const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'}${cpuDetail()}`;
/** Family, model and widest vector unit from /proc/cpuinfo: the host of a 'shared 2-vCPU EPYC' varies (Zen 2 with AVX2, Zen 4 with AVX-512). */
function cpuDetail() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (k) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1];
    const flags = ` ${field('flags') ?? ''} `;
    const simd = flags.includes(' avx512f ') ? 'AVX-512' : flags.includes(' avx2 ') ? 'AVX2' : 'no AVX2';
    return ` (family ${field('cpu family')}, model ${field('model')}, ${simd})`;
  } catch {
    return '';
  }
}
let md = `# Receptive benchmark, ${date}\n\n`;
md += `Machine: ${cpu}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}.\n`;
md += `Command: \`npm run bench${args.length ? ' -- ' + args.join(' ') : ''}\` (bench/run.mjs). One process per engine and workload (and per conv case); the processes of one workload run in lockstep, taking turns of ~${TURN_MS} ms of timed calls, one process computing at a time, so that a slow moment of this shared machine falls on every engine alike; median of the timed calls after warm-up (at least 5–7 calls, and as many more as fit in 1.5 s of the engine's own turns, up to 200; for (b) and (c) Receptive's forward and backward calls alternate, for the backward / forward ratio)`;
md += rounds > 1 ? `, then the median over ${rounds} rounds (all engines run once per round); ` : '; ';
md += `every engine produces a JavaScript-visible output inside the timed region (tfjs: dataSync). Peak RSS is the process's maxRSS.\n\n`;

if (only.some((w) => w === 'conv' || w.startsWith('conv:'))) {
  md += `## conv2d forward, float32 — ms (GFLOP/s)\n\n`;
  md += `| case | ${engines.join(' | ')} |\n| --- |${engines.map(() => ' ---: |').join('')}\n`;
  for (const [name, c] of Object.entries(CONV_CASES)) {
    md += `| (${name}) ${c.label} |`;
    for (const e of engines) {
      const r = get(e, `conv:${name}`)?.results?.[name]?.fwd;
      md += r ? ` ${f1(r.ms)} (${f1(convFlops(c) / r.ms / 1e6)}) |` : ' — |';
    }
    md += '\n';
  }
  md += `\nSpeed-up of Receptive over each peer (peer ms / Receptive ms, same case; >1 means Receptive is faster):\n\n`;
  md += `| case | Receptive | ${peers.join(' | ')} |\n| --- | --- |${peers.map(() => ' ---: |').join('')}\n`;
  for (const name of Object.keys(CONV_CASES)) {
    for (const o of ours) {
      const me = get(o, `conv:${name}`)?.results?.[name]?.fwd?.ms;
      md += `| (${name}) | ${o} |`;
      for (const p of peers) {
        const pm = get(p, `conv:${name}`)?.results?.[name]?.fwd?.ms;
        md += me && pm ? ` ${(pm / me).toFixed(2)}× |` : ' — |';
      }
      md += '\n';
    }
  }
  md += `\n## conv2d backward (input + filter gradients), float32 — ms\n\n`;
  md += `| case | engine | forward | grad input | grad filter | input + filter | (input + filter) / forward |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n`;
  for (const name of ['b', 'c']) {
    for (const e of engines) {
      const r = get(e, `conv:${name}`)?.results?.[name];
      if (!r || !r.dx) continue;
      const shim = !r.dw?.ms && r.dwShim?.ms;
      const dw = r.dw?.ms ?? r.dwShim?.ms;
      const both = r.bwd?.ms ?? (dw ? r.dx.ms + dw : undefined);
      const dwCell = shim ? `${f1(dw)} (shim; as shipped: ${r.dw?.error ?? 'no kernel'})` : dw ? f1(dw) : `n/a: ${r.dw?.error ?? ''}`;
      md += `| (${name}) | ${e} | ${f1(r.fwd.ms)} | ${f1(r.dx.ms)} | ${dwCell} | ${both ? f1(both) : 'n/a'} | ${both ? (both / r.fwd.ms).toFixed(2) : 'n/a'} |\n`;
    }
  }
  const bothOf = (e, name) => {
    const r = get(e, `conv:${name}`)?.results?.[name];
    if (!r?.dx) return undefined;
    const dw = r.dw?.ms ?? r.dwShim?.ms;
    return r.bwd?.ms ?? (dw ? r.dx.ms + dw : undefined);
  };
  const tw = bothOf('tfjs-wasm 1 thr', 'b') || bothOf('tfjs-wasm 1 thr', 'c') ? 'tfjs-wasm 1 thr' : null;
  if (tw) {
    md += `\nBackward speed-up over tfjs-wasm (its input + filter gradient ms / ours; its filter gradient through the shim that bench/engines/tfjs.mjs registers on its own Conv3DBackpropFilterV2, checked against tfjs-cpu at start-up):`;
    for (const name of ['b', 'c']) {
      const peer = bothOf(tw, name);
      for (const o of ours) {
        const me = bothOf(o, name);
        if (peer && me) md += ` (${name}) ${o}: ${(peer / me).toFixed(1)}×;`;
      }
    }
    md += '\n';
  }
  md += `\n## conv2d peak RSS (MB), one process per case and engine (forward, and for (b) and (c) the backward timings too)${rounds > 1 ? '; the largest over rounds' : ''}\n\n`;
  md += `| case | ${engines.join(' | ')} |\n| --- |${engines.map(() => ' ---: |').join('')}\n`;
  for (const name of Object.keys(CONV_CASES)) {
    md += `| (${name}) |` + engines.map((e) => { const r = get(e, `conv:${name}`); return r ? ` ${r.rssMB.toFixed(0)} |` : ' — |'; }).join('') + '\n';
  }
}

for (const w of ['resnet224', 'resnet32']) {
  if (!only.includes(w)) continue;
  const size = Number(w.slice(6));
  const fl = resnetFlops(size);
  md += `\n## ResNet-18 inference, 3×${size}×${size}, batch 1 (random weights, batch norm folded into the convolutions)\n\n`;
  md += `| engine | ms | images/s | GFLOP/s | peak RSS (MB) |\n| --- | ---: | ---: | ---: | ---: |\n`;
  for (const e of engines) {
    const r = get(e, w);
    const x = r?.results?.[w];
    if (x) md += `| ${e} | ${f1(x.ms)} | ${f1(1000 / x.ms)} | ${f1(fl / x.ms / 1e6)} | ${r.rssMB.toFixed(0)} |\n`;
  }
  md += `\nSpeed-up of Receptive (peer ms / Receptive ms):\n\n| Receptive | ${peers.join(' | ')} |\n| --- |${peers.map(() => ' ---: |').join('')}\n`;
  for (const o of ours) {
    const me = get(o, w)?.results?.[w]?.ms;
    md += `| ${o} |` + peers.map((p) => { const pm = get(p, w)?.results?.[w]?.ms; return me && pm ? ` ${(pm / me).toFixed(2)}× |` : ' — |'; }).join('') + '\n';
  }
}

/** A table of one model workload (ms per call, images/s, peak RSS) and the ratios to each peer. */
function modelTable(w, title, images, note) {
  if (!only.includes(w)) return;
  md += `\n## ${title}\n\n| engine | ms | images/s | peak RSS (MB) |\n| --- | ---: | ---: | ---: |\n`;
  for (const e of engines) {
    const r = get(e, w);
    const x = r?.results?.[w];
    if (x) md += `| ${e} | ${f1(x.ms)} | ${f1((images * 1000) / x.ms)} | ${r.rssMB.toFixed(0)} |\n`;
  }
  const tpeers = peers.filter((p) => get(p, w));
  md += `\nSpeed of Receptive relative to each peer (peer ms / Receptive ms; >1 means Receptive is faster):\n\n| Receptive | ${tpeers.join(' | ')} |\n| --- |${tpeers.map(() => ' ---: |').join('')}\n`;
  for (const o of ours) {
    const me = get(o, w)?.results?.[w]?.ms;
    md += `| ${o} |` + tpeers.map((p) => { const pm = get(p, w)?.results?.[w]?.ms; return me && pm ? ` ${(pm / me).toFixed(2)}× |` : ' — |'; }).join('') + '\n';
  }
  md += `\n${note}\n`;
}
modelTable('resnet18train', "ResNet-18 training step, 3×32×32, batch 32 (torchvision's resnet18, 10 classes, train mode, SGD lr 0.01 momentum 0.9; forward + backward + update)", 32,
  'Receptive builds the model from its layers (bench/models.ts), PyTorch takes torchvision.models.resnet18(num_classes=10) (bench/engines/pytorch.py); the same batch size, loss (cross-entropy) and optimiser.');
const trainNote = 'Receptive builds the model with the zoo (bench/models.ts), PyTorch from torchvision or the same definition (bench/engines/pytorch.py); the same batch, loss (cross-entropy) and optimiser (SGD lr 0.01, momentum 0.9), train mode, median step of at least 5 after 2 warm-up.';
modelTable('resnet20train', 'resnet20 training step (He et al. CIFAR ResNet-20, option A shortcuts), 3×32×32, batch 32', 32, trainNote);
modelTable('vgg11train', 'VGG-11 (config A) training step, features at 3×32×32 with a 512 → 10 linear head, batch 32', 32, trainNote);
modelTable('googlenettrain', 'GoogLeNet training step (no auxiliary heads), 3×32×32, batch 32', 32, trainNote);
modelTable('resnet50', 'ResNet-50 inference, 3×224×224, batch 1 (eval mode, batch norm not folded on either side)', 1,
  "Receptive runs the zoo's resnet50 in eval mode under noGrad, PyTorch torchvision.models.resnet50 in eval mode under inference_mode; random weights.");

if (only.includes('lenet')) {
  const ips = (e) => { const x = get(e, 'lenet')?.results?.lenet; return x ? 64000 / x.ms : undefined; };
  const lpeers = peers.filter((p) => ips(p));
  md += `\n## LeNet-5 training step (batch 64, Adam, forward + backward + update)\n\n`;
  md += `| engine | ms / step | images/s | peak RSS (MB) |${lpeers.map((p) => ` Receptive ÷ ${p} |`).join('')}\n| --- | ---: | ---: | ---: |${lpeers.map(() => ' ---: |').join('')}\n`;
  for (const e of engines) {
    const r = get(e, 'lenet');
    const x = r?.results?.lenet;
    if (!x) continue;
    // Ratio columns: this row's images/s over each peer's, from the same run (Receptive rows only).
    const ratios = lpeers.map((p) => (ours.includes(e) ? ` ${(ips(e) / ips(p)).toFixed(2)}× |` : ' |')).join('');
    md += `| ${e} | ${f1(x.ms)} | ${f1(ips(e))} | ${r.rssMB.toFixed(0)} |${ratios}\n`;
  }
  md += `\nThe same LeNet-5 (conv 6@5×5 pad 2, ReLU, max pool, conv 16@5×5, ReLU, max pool, dense 120–84–10), the same batch (64 seeded 28×28 images, labels i mod 10, as engines/receptive.ts), Adam lr 1e-3, ratios are images/s over images/s from this run; `;
  md += `median step of 30 after 5 warm-up (tfjs-cpu: 3 after 1${quick ? '; not run under --quick' : ''}). `;
  md += `tfjs-wasm ships no Conv2DBackpropFilter kernel: bench/engines/tfjs.mjs registers one that runs the backend's Conv3DBackpropFilterV2 on depth-1 views. `;
  md += `It is correct only for stride 1 (all LeNet-5 needs; checked against tfjs-cpu at start-up) and is how the issue measured tfjs-wasm (666–671 images/s).\n`;
}
if (only.includes('train99')) {
  md += `\n## Time to 99% MNIST test accuracy: \`receptive train\` with its default settings (LeNet-5 on MNIST; see \`receptive train --help\`)\n\n`;
  md += `| engine / threads | final test accuracy | time to ≥ 99% test accuracy | epochs, steps | training time (CLI) | total wall | peak RSS (MB) |\n| --- | ---: | --- | ---: | ---: | ---: | ---: |\n`;
  let stale = false;
  let rssFrom = '';
  for (const r of all.filter((x) => x.workload === 'train99')) {
    const x = r.results.train99;
    stale ||= x.distStale;
    rssFrom = x.rssFrom;
    const to99 = x.to99 && Number.isFinite(x.to99.ms) ? `${(x.to99.ms / 1000).toFixed(1)} s (epoch ${x.to99.epoch})` : 'not reached';
    md += `| ${r.engine} | ${x.testAccuracy.toFixed(2)}% | ${to99} | ${x.epochs.length}, ${x.steps} | ${x.trainSeconds.toFixed(1)} s | ${(x.ms / 1000).toFixed(1)} s | ${r.rssMB.toFixed(0)} |\n`;
  }
  md += `\nOne run of \`node dist/cli/main.js train --no-progress --eval-each-epoch\` per row (checkpoint written to a temporary directory), from the built CLI. `;
  md += `--eval-each-epoch evaluates the 10,000 test images after every epoch (in eval mode, drawing no random numbers, so the training is the same as without it); `;
  md += `the time to 99% is the training clock (seconds since the first step, those evaluations included) at the end of the first epoch whose test accuracy is >= 99%. `;
  md += `Total wall: start-up, data, training, per-epoch and final evaluation, checkpoint. `;
  md += `Peak RSS is the child's (${rssFrom}).${stale ? ' **dist/ was older than src/ when this ran: npm run build, then measure again.**' : ''}\n`;
}
if (engines.some((e) => e.startsWith('tfjs-wasm'))) md += `\ntfjs-wasm runs on one thread: its threaded build does not load in Node as shipped (tfjs turns threads off in Node and loads its workers from blob: URLs), so there is no tfjs-wasm 2-thread column.\n`;

mkdirSync(join(here, 'results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:]/g, '-').slice(0, 16);
const base = join(here, 'results', `${stamp}`);
writeFileSync(base + '.json.tmp', JSON.stringify({ merged: all, raw }, null, 1));
renameSync(base + '.json.tmp', base + '.json');
writeFileSync(base + '.md.tmp', md);
renameSync(base + '.md.tmp', base + '.md');
console.log(`\nbench: wrote ${base}.md\n`);
console.log(md);
