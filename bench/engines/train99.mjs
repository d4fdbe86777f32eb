// `receptive train` with its default settings (LeNet-5, MNIST, 4 epochs), run as a child
// process from the built CLI with --eval-each-epoch (a test-set evaluation after every
// epoch, which does not change the training): the time at which test accuracy first
// reached 99%, wall time, the training time and final accuracy it prints, and the
// child's peak RSS.
// Usage: node bench/engines/train99.mjs [threads]   (no threads: the CLI's default, all cores)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from '../common.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error(`train99: ${cli} does not exist; build the CLI first: npm run build (in ${root})`);
  process.exit(1);
}
// A dist/ older than src/ measures old code: say so in the results rather than refuse.
const built = statSync(cli).mtimeMs;
const distStale = readdirSync(join(root, 'src'), { recursive: true }).some((f) => f.endsWith('.ts') && statSync(join(root, 'src', f)).mtimeMs > built);
if (distStale) console.error('train99: warning: dist/ is older than src/ (npm run build to refresh it)');

const [thr] = process.argv.slice(2);
const tmp = mkdtempSync(join(tmpdir(), 'receptive-train99-'));
// Default settings; the checkpoint goes to a temporary directory instead of runs/lenet5, and
// the test set is evaluated after every epoch to find when 99% is first reached.
const args = [cli, 'train', '--no-progress', '--eval-each-epoch', '--out', tmp, ...(thr ? ['--threads', thr] : [])];
// Peak RSS of the child: GNU time where it exists, else the child reports its own at exit.
const gnuTime = existsSync('/usr/bin/time');
const timeFile = join(tmp, 'time.txt');
const selfRss = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))`;
const [cmd, argv] = gnuTime ? ['/usr/bin/time', ['-v', '-o', timeFile, process.execPath, ...args]] : [process.execPath, ['--import', selfRss, ...args]];
const t0 = performance.now();
const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
const wallMs = performance.now() - t0;
const rssText = gnuTime && existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : r.stderr ?? '';
rmSync(tmp, { recursive: true, force: true });
if (r.status !== 0) {
  console.error(`train99: the CLI exited with ${r.status}\n${(r.stdout ?? '').slice(-1500)}\n${(r.stderr ?? '').slice(-1500)}`);
  process.exit(1);
}

const out = r.stdout;
const acc = out.match(/Test accuracy: ([\d.]+)%/);
const trained = out.match(/Trained (\d+) steps in ([\d.]+) s \((\d+) images\/s\)/);
const rssKB = Number((rssText.match(/Maximum resident set size \(kbytes\): (\d+)/) ?? rssText.match(/MAXRSS_KB (\d+)/))?.[1]);
if (!acc || !trained || !rssKB) {
  console.error(`train99: could not read the CLI's summary or peak RSS\n${out.slice(-1500)}`);
  process.exit(1);
}
// "epoch k: test accuracy X% after T s" (T: seconds since training started).
const evals = [...out.matchAll(/epoch (\d+): test accuracy ([\d.]+)% after ([\d.]+) s/g)].map((m) => ({ epoch: Number(m[1]), accuracy: Number(m[2]), seconds: Number(m[3]) }));
const first99 = evals.find((e) => e.accuracy >= 99);
const epochs = [...out.matchAll(/epoch (\d+) done in \S+ \| train loss ([\d.]+) \| train acc ([\d.]+)%/g)].map((m) => ({ epoch: Number(m[1]), trainLoss: Number(m[2]), trainAcc: Number(m[3]) }));
const engine = `receptive train, ${thr ? `--threads ${thr}` : `default threads (${os.availableParallelism?.() ?? os.cpus().length})`}`;
report(engine, {
  train99: {
    ms: wallMs, min: wallMs, testAccuracy: Number(acc[1]), steps: Number(trained[1]), trainSeconds: Number(trained[2]),
    imagesPerSec: Number(trained[3]), epochs, evals, distStale, rssFrom: gnuTime ? '/usr/bin/time -v' : 'child maxRSS at exit',
    // A timing of its own (median over rounds); NaN when 99% was never reached.
    to99: { ms: first99 ? first99.seconds * 1000 : NaN, min: first99 ? first99.seconds * 1000 : NaN, epoch: first99?.epoch ?? null },
  },
}, rssKB / 1024);
