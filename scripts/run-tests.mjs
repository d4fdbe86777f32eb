#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's test runner through tsx (Node 20 has no --test globs),
// on the reference backend (src/backend/reference/activate.ts), then the op-level suites a second time with the wasm backend active (src/backend/wasm/activate.ts),
// so that every op's definition, gradient and error tests also run through the fast kernels.
// Arguments filter the files by substring; --reference-only skips the second pass.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const referenceOnly = args.includes('--reference-only');
const filter = args.filter((a) => a !== '--reference-only');
const files = find('test').sort().filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
const base = ['--conditions=source', '--import', 'tsx'];
// spec for the results, and the slowest files at the end of each pass (scripts/timing-reporter.mjs).
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/timing-reporter.mjs', '--test-reporter-destination=stdout'];
const run = (extra, list) => spawnSync(process.execPath, [...base, ...extra, '--test', ...reporters, ...list], { stdio: 'inherit' }).status ?? 1;

// Suites whose tests call ops on the active backend (the default backend is the reference).
// test/models runs once: the zoo's big models (VGG: ~135M parameters to initialise per test) would double the
// suite's time; their layers' ops are all covered on wasm by the suites above.
const OP_SUITES = ['ops', 'autograd', 'nn', 'optim'].map((d) => join('test', d) + sep);
const onWasm = files.filter((f) => OP_SUITES.some((d) => f.startsWith(d)));

// The first pass runs on the reference backend, chosen explicitly: the first op would otherwise start the wasm one.
let status = run(['--import', './src/backend/reference/activate.ts'], files);
if (!referenceOnly && onWasm.length > 0) {
  console.log(`\n# the op-level suites again with the wasm backend active (${onWasm.length} files)\n`);
  status = run(['--import', './src/backend/wasm/activate.ts'], onWasm) || status;
}
process.exit(status);
